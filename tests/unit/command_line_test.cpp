// curl's argument rules: one argument per option, URLs anywhere, combined short flags,
// attached values, case-insensitive and prefix long options, --no-, --, -K, --next.
#include "command_line.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>

#include "credentials.hpp"
#include "parse_args.hpp"
#include "write_out.hpp"

namespace smtpc::cli {
namespace {

using testing::parse_args;

std::string usage_error(const std::vector<std::string>& args) {
  try {
    (void)parse_command_line(args);
  } catch (const UsageError& error) {
    EXPECT_EQ(error.code(), ExitCode::FailedInit);
    return error.what();
  }
  return "no error";
}

TEST(CommandLine, UploadBeforeTheUrlKeepsTheUrl) {
  const auto o =
      parse_args({"--mail-from", "a@x", "--mail-rcpt", "b@y", "-T", "mail.txt", "smtp://host"});
  EXPECT_EQ(o.url, "smtp://host");
  EXPECT_EQ(o.upload_file, "mail.txt");
  EXPECT_EQ(o.mail_rcpt, std::vector<std::string>{"b@y"});
}

TEST(CommandLine, EveryOptionTakesExactlyOneArgument) {
  const auto o = parse_args({"smtp://h", "-T", "mail.txt", "-4", "--resolve", "h:465:127.0.0.1",
                             "smtps://h2", "--attach", "a.log", "x"});
  EXPECT_EQ(o.upload_file, "mail.txt");  // "-4" is an option, not a second file
  EXPECT_EQ(o.resolve, std::vector<std::string>{"h:465:127.0.0.1"});
  EXPECT_EQ(o.compose.attach, std::vector<std::string>{"a.log"});
  const auto command_line =
      parse_command_line(std::vector<std::string>{"smtp://h", "smtps://h2", "x"});
  EXPECT_EQ(command_line.operations.at(0).urls,
            (std::vector<std::string>{"smtp://h", "smtps://h2", "x"}));
}

TEST(CommandLine, CombinedShortFlagsAndAttachedValues) {
  const auto o = parse_args({"-sSv", "-Tmail.txt", "-uuser:secret", "smtp://h", "-vv"});
  EXPECT_TRUE(o.silent);
  EXPECT_TRUE(o.show_error);
  EXPECT_EQ(o.verbose, 3);
  EXPECT_EQ(o.upload_file, "mail.txt");
  EXPECT_EQ(o.user, "user:secret");
  // -ssl is -s -s -l (-l: --list-only, no effect for SMTP), as in curl.
  EXPECT_TRUE(parse_args({"-ssl", "smtp://h"}).silent);
  // A value-taking letter takes the rest of the word: -sTm.txt.
  EXPECT_EQ(parse_args({"-sTm.txt", "smtp://h"}).upload_file, "m.txt");
}

TEST(CommandLine, LongOptionsCaseInsensitiveAndByUniquePrefix) {
  const auto o = parse_args({"--MAIL-FROM", "a@x", "--TLSv1.3", "--mail-fr", "b@x", "smtp://h"});
  EXPECT_EQ(o.mail_from, "b@x");
  EXPECT_TRUE(o.tlsv1_3);
  EXPECT_EQ(usage_error({"--mail-rcp", "a@x"}), "option --mail-rcp: is ambiguous");
}

// curl's rule, written as a scan of the whole table: an exact match (case aside) wins,
// else one option whose name starts with `name`; two or more are ambiguous.
struct LinearLookup {
  const OptionDef* option = nullptr;
  bool ambiguous = false;
};
LinearLookup look_up_linearly(std::string_view name) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string wanted = lower(name);
  LinearLookup found;
  int hits = 0;
  for (const auto& option : option_table()) {
    const std::string candidate = lower(option.long_name);
    if (candidate == wanted) return {&option, false};
    if (!wanted.empty() && candidate.starts_with(wanted)) {
      found.option = &option;
      ++hits;
    }
  }
  if (hits > 1) return {nullptr, true};
  return found;
}

TEST(CommandLine, LongOptionLookupAgreesWithAScanOfTheTable) {
  // Every prefix of every option's name (and the name in capitals, and the name with a
  // letter too many) is found as a scan of the whole table finds it.
  std::vector<std::string> names{"", "zzz", "-", "mail-rcpt-", "no-such-option"};
  for (const auto& option : option_table()) {
    const std::string name(option.long_name);
    for (std::size_t length = 1; length <= name.size(); ++length) {
      names.push_back(name.substr(0, length));
    }
    std::string upper = name;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    names.push_back(upper);
    names.push_back(name + "x");
  }
  for (const auto& name : names) {
    const LinearLookup expected = look_up_linearly(name);
    const OptionDef* got = nullptr;
    bool ambiguous = false;
    try {
      got = find_long_option(name);
    } catch (const UsageError& error) {
      ambiguous = true;
      EXPECT_EQ(std::string(error.what()), "option --" + name + ": is ambiguous");
    }
    EXPECT_EQ(ambiguous, expected.ambiguous) << name;
    EXPECT_EQ(got, expected.option) << name;
  }
}

TEST(CommandLine, NoNegatesBooleansOnly) {
  EXPECT_FALSE(parse_args({"-v", "--no-verbose", "smtp://h"}).verbose);
  EXPECT_TRUE(parse_args({"--no-pipelining", "smtp://h"}).no_pipelining);
  EXPECT_TRUE(parse_args({"--no-chunking", "smtp://h"}).no_chunking);
  EXPECT_TRUE(parse_args({"--no-auto-headers", "smtp://h"}).compose.no_auto_headers);
  EXPECT_FALSE(parse_args({"--ssl-reqd", "--no-ssl-reqd", "smtp://h"}).ssl_reqd);
  EXPECT_EQ(usage_error({"--no-mail-from", "a@x"}),
            "option --no-mail-from: used '--no-' for option that isn't a boolean");
}

TEST(CommandLine, DoubleDashEndsOptions) {
  const auto command_line =
      parse_command_line(std::vector<std::string>{"-s", "--", "-v", "smtp://h"});
  EXPECT_EQ(command_line.operations.at(0).urls, (std::vector<std::string>{"-v", "smtp://h"}));
  EXPECT_EQ(command_line.operations.at(0).verbose, 0);
}

TEST(CommandLine, ErrorsInCurlsWords) {
  EXPECT_EQ(usage_error({"--mail-rpct", "a@x"}),
            "option --mail-rpct: is unknown; did you mean --mail-rcpt?");
  EXPECT_EQ(usage_error({"--zzzzzzzzzzzz"}), "option --zzzzzzzzzzzz: is unknown");
  EXPECT_EQ(usage_error({"smtp://h", "--mail-rcpt"}), "option --mail-rcpt: requires parameter");
  EXPECT_EQ(usage_error({"smtp://h", "-T"}), "option -T: requires parameter");
  EXPECT_EQ(usage_error({"-Q"}), "option -Q: requires parameter");
  EXPECT_EQ(usage_error({"-"}), "option -: is unknown");
  EXPECT_EQ(usage_error({"--connect-timeout", "soon"}),
            "option --connect-timeout: expected a proper numerical parameter");
  EXPECT_EQ(usage_error({"--fail", "--fail-with-body", "smtp://h"}),
            "You must select either --fail or --fail-with-body, not both.");
  EXPECT_NE(usage_error({"--engine", "pkcs11", "smtp://h"}).find("is not supported"),
            std::string::npos);
}

// curl 7.88's str2unum: the same three lines for a bad number, whatever the option
// (checked against curl: --retry -1, --retry 99999999999999999999, --retry 2000000).
TEST(CommandLine, BadNumbersGetCurlsThreeErrorLines) {
  for (const char* option : {"--retry", "--keepalive-time", "--speed-time", "--mx-port"}) {
    const std::string name = option;
    EXPECT_EQ(usage_error({option, "x"}),
              "option " + name + ": expected a proper numerical parameter");
    EXPECT_EQ(usage_error({option, "5s"}),
              "option " + name + ": expected a proper numerical parameter");
    EXPECT_EQ(usage_error({option, "-1"}),
              "option " + name + ": expected a positive numerical parameter");
    EXPECT_EQ(usage_error({option, "99999999999999999999"}),
              "option " + name + ": too large number");
  }
  EXPECT_EQ(usage_error({"--retry", "2147483648"}), "option --retry: too large number");
  EXPECT_EQ(parse_args({"smtp://h", "--retry", "2000000"}).retry, 2000000);
  EXPECT_EQ(parse_args({"smtp://h", "--retry", " +3"}).retry, 3);
  EXPECT_EQ(usage_error({"--local-port", "70000"}), "option --local-port: is badly used here");
  // Seconds (curl's str2udouble) give the same three lines.
  EXPECT_EQ(usage_error({"--connect-timeout", "1.5x"}),
            "option --connect-timeout: expected a proper numerical parameter");
  EXPECT_EQ(usage_error({"--connect-timeout", "-1"}),
            "option --connect-timeout: expected a positive numerical parameter");
  EXPECT_EQ(usage_error({"--connect-timeout", "1e999"}),
            "option --connect-timeout: too large number");
  EXPECT_EQ(parse_args({"smtp://h", "--connect-timeout", "1.5"}).connect_timeout, 1.5);
}

// -H @FILE: one header a line, CRLF or LF, blank lines skipped; a directory is curl's
// exit 26 (checked with curl 7.88: "option -H: error encountered when reading a file").
TEST(CommandLine, HeaderFilesAreReadWhole) {
  const std::string dir = ::testing::TempDir() + "smtpc-header-file";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/headers";
  std::ofstream(path, std::ios::binary) << "X-One: 1\r\n\nX-Two: 2\nX-Three: 3";
  EXPECT_EQ(parse_args({"smtp://h", "-H", "@" + path}).compose.headers,
            (std::vector<std::string>{"X-One: 1", "X-Two: 2", "X-Three: 3"}));
  try {
    (void)parse_command_line(std::vector<std::string>{"smtp://h", "-H", "@" + dir});
    ADD_FAILURE() << "a directory was read as headers";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::ReadError);
    EXPECT_STREQ(error.what(), "option -H: error encountered when reading a file");
  }
  EXPECT_EQ(usage_error({"smtp://h", "-H", "@" + dir + "/missing"}),
            "option -H: cannot read " + dir + "/missing");
  std::filesystem::remove_all(dir);
}

TEST(CommandLine, OptionsCurlIgnoresForSmtpAreAccepted) {
  const auto o = parse_args(
      {"--anyauth", "--fail",   "-L",   "--compressed", "-A",  "agent", "-e",
       "ref",       "-b",       "c=1",  "-c",           "jar", "-#",    "--no-progress-meter",
       "--http1.1", "-d",       "data", "-G",           "-j",  "-O",    "--retry",
       "3",         "smtp://h", "-I"});
  EXPECT_EQ(o.url, "smtp://h");
  EXPECT_TRUE(o.head);
}

TEST(CommandLine, SeveralUrlsMakeSeveralTransfersInOrder) {
  const auto command_line =
      parse_command_line(std::vector<std::string>{"-T", "a.txt", "smtp://one", "--mail-rcpt", "r@x",
                                                  "smtp://two", "-T", "b.txt", "smtp://three"});
  const auto transfers = expand_transfers(command_line.operations.at(0));
  ASSERT_EQ(transfers.size(), 3U);
  EXPECT_EQ(transfers[0].url, "smtp://one");
  EXPECT_EQ(transfers[0].upload_file, "a.txt");
  EXPECT_EQ(transfers[1].url, "smtp://two");
  EXPECT_EQ(transfers[1].upload_file, "b.txt");
  EXPECT_EQ(transfers[2].url, "smtp://three");
  EXPECT_FALSE(transfers[2].upload_file);  // no -T of its own: VRFY/HELP, as curl
  EXPECT_EQ(transfers[2].mail_rcpt, std::vector<std::string>{"r@x"});
}

TEST(CommandLine, TheKthOutputGoesWithTheKthUrl) {
  const auto command_line = parse_command_line(std::vector<std::string>{
      "smtp://one", "-o", "a.txt", "smtp://two", "smtp://three", "-o", "b.txt"});
  const auto transfers = expand_transfers(command_line.operations.at(0));
  ASSERT_EQ(transfers.size(), 3U);
  EXPECT_EQ(transfers[0].output, "a.txt");
  EXPECT_EQ(transfers[1].output, "b.txt");
  EXPECT_FALSE(transfers[2].output);  // no -o of its own: stdout, as curl
}

TEST(CommandLine, ExtraUploadsGoOverTheLastUrlsConnection) {
  const auto command_line = parse_command_line(
      std::vector<std::string>{"smtp://h", "-T", "a", "-T", "b", "-T", "c", "--mail-rcpt", "r"});
  const auto transfers = expand_transfers(command_line.operations.at(0));
  ASSERT_EQ(transfers.size(), 1U);
  EXPECT_EQ(transfers[0].upload_file, "a");
  EXPECT_EQ(transfers[0].more_upload_files, (std::vector<std::string>{"b", "c"}));
}

TEST(CommandLine, NextStartsANewSetOfOptionsButKeepsGlobalOnes) {
  const auto command_line = parse_command_line(
      std::vector<std::string>{"smtp://one", "--mail-rcpt", "a@x", "-T", "m1", "-:", "smtp://two",
                               "--mail-rcpt", "b@x", "--next", "-s"});
  ASSERT_EQ(command_line.operations.size(), 2U);  // a trailing --next adds no operation
  EXPECT_EQ(command_line.operations[0].mail_rcpt, std::vector<std::string>{"a@x"});
  EXPECT_EQ(command_line.operations[1].mail_rcpt, std::vector<std::string>{"b@x"});
  EXPECT_TRUE(command_line.operations[1].uploads.empty());
  EXPECT_TRUE(command_line.operations[0].silent);  // -s is global, wherever it is given
}

TEST(CommandLine, SecuritySecretsAreLocatedForScrubbing) {
  const auto command_line = parse_command_line(std::vector<std::string>{
      "-su", "me:pw", "-uyou:pw2", "--oauth2-bearer", "tok", "smtp://u:p@h"});
  ASSERT_EQ(command_line.secrets.size(), 4U);
  EXPECT_EQ(command_line.secrets[0].index, 1U);
  EXPECT_EQ(command_line.secrets[0].kind, Secret::AfterColon);
  EXPECT_EQ(command_line.secrets[1].index, 2U);
  EXPECT_EQ(command_line.secrets[1].offset, 2U);
  EXPECT_EQ(command_line.secrets[2].index, 4U);
  EXPECT_EQ(command_line.secrets[2].kind, Secret::All);
  EXPECT_EQ(command_line.secrets[3].index, 5U);
}

// What `ps` shows after scrub_secrets: every URL-bearing argument loses its password, up
// to the last '@' of the authority, as the URL parser reads it (issue 19, item 3).
TEST(SecurityArgv, EveryUrlLosesItsPasswordUpToTheLastAt) {
  std::vector<std::string> args{"--url",
                                "smtp://u:SECRET1@h",
                                "u:SECRET2@h:587",
                                "smtp://u:*@SECRET3@h/ehlo",
                                "smtps://u:p%40ss@h",
                                "smtp://h/a@b",
                                "-u",
                                "me:SECRET4",
                                "--mail-rcpt",
                                "x@y"};
  const auto command_line = parse_command_line(args);
  std::vector<std::string> storage{"smtpc"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage) argv.push_back(arg.data());
  scrub_secrets(static_cast<int>(argv.size()), argv.data(), command_line.secrets);
  const std::vector<std::string> shown(argv.begin() + 1, argv.end());
  EXPECT_EQ(shown,
            (std::vector<std::string>{"--url", "smtp://u:*******@h", "u:*******@h:587",
                                      "smtp://u:*********@h/ehlo", "smtps://u:******@h",
                                      "smtp://h/a@b", "-u", "me:*******", "--mail-rcpt", "x@y"}));
}

// A proxy URL carries the proxy's password as a mail URL carries the server's.
TEST(SecurityArgv, ProxyUrlsLoseTheirPasswordsToo) {
  std::vector<std::string> args{
      "-x",       "socks5h://pu:SECRET1@proxy:1080", "--preproxy", "socks5://pp:SECRET2@pre",
      "--socks5", "su:SECRET3@socks:1080",           "--socks4a",  "s4:SECRET4@s4",
      "--proxy",  "http://hu:SECRET5@web:3128",      "smtp://h"};
  const auto command_line = parse_command_line(args);
  std::vector<std::string> storage{"smtpc"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage) argv.push_back(arg.data());
  scrub_secrets(static_cast<int>(argv.size()), argv.data(), command_line.secrets);
  for (std::size_t i = 1; i < argv.size(); ++i) {
    EXPECT_EQ(std::string(argv[i]).find("SECRET"), std::string::npos) << argv[i];
  }
}

TEST(SecurityArgv, AnUnknownOptionWithAValueDoesNotEchoIt) {
  EXPECT_EQ(usage_error({"--user=u:SECRET", "smtp://h"}),
            "option --user=...: is unknown; give the value as the next argument: --user VALUE");
  EXPECT_EQ(usage_error({"--bogus=SECRET"}), "option --bogus=...: is unknown");
}

TEST(CurlConfig, Syntax) {
  const auto args = parse_curl_config(
      "# a comment\n"
      "  url = \"smtp://127.0.0.1:2525/h\"\n"
      "mail-from: a@x\n"
      "--mail-rcpt b@y\n"
      "-T mail.txt\n"
      "silent\n"
      "user = \"me:pa ss\\\"\\\\\"\n"
      "verbose = yes\n"
      "\n",
      "cfg");
  EXPECT_EQ(args, (std::vector<std::string>{"--url", "smtp://127.0.0.1:2525/h", "--mail-from",
                                            "a@x", "--mail-rcpt", "b@y", "-T", "mail.txt",
                                            "--silent", "--user", "me:pa ss\"\\", "--verbose"}));
  EXPECT_THROW((void)parse_curl_config("user = \"open\n", "cfg"), UsageError);
  EXPECT_THROW((void)parse_curl_config("mail-from\n", "cfg"), UsageError);
}

TEST(CurlConfig, FileOnTheCommandLine) {
  const std::string path = ::testing::TempDir() + "/smtpc-curl-config";
  std::ofstream(path) << "url = smtp://127.0.0.1/h\nmail-rcpt = a@x\n";
  const auto o = parse_args({"-K", path, "-T", "m"});
  EXPECT_EQ(o.url, "smtp://127.0.0.1/h");
  EXPECT_EQ(o.mail_rcpt, std::vector<std::string>{"a@x"});
  EXPECT_EQ(o.upload_file, "m");
  EXPECT_THROW((void)parse_args({"-K", "/nonexistent/cfg"}), Error);
}

TEST(OptionTable, EveryNameIsUniqueAndEveryRefusalSaysWhy) {
  std::set<std::string_view> names;
  std::set<char> letters;
  for (const auto& option : option_table()) {
    EXPECT_TRUE(names.insert(option.long_name).second) << option.long_name;
    if (option.short_name != '\0') {
      EXPECT_TRUE(letters.insert(option.short_name).second) << option.short_name;
    }
    EXPECT_FALSE(option.help.empty()) << option.long_name;
    EXPECT_EQ(option.kind == ArgKind::Value, !option.value_name.empty()) << option.long_name;
    if (option.support != Support::Implemented && option.support != Support::Extension) {
      EXPECT_FALSE(option.note.empty()) << option.long_name;
    }
  }
}

TEST(WriteOut, Variables) {
  TransferReport report;
  report.url = "smtp://127.0.0.1:25/h";
  report.exit_code = 0;
  SendResult result;
  MessageResult message;
  Reply accepted;
  accepted.code = ReplyCode(250);
  accepted.lines = {"2.0.0 Ok: queued as ABC"};
  message.final_reply = accepted;
  Reply refused;
  refused.code = ReplyCode(550);
  refused.lines = {"5.1.1 no"};
  message.refused.push_back(RefusedRecipient{"x@y", refused});
  result.messages.push_back(message);
  report.result = result;
  std::vector<std::string> warnings;
  const auto pieces = expand_write_out(
      "%{response_code} %{exitcode} %{scheme} %{url} [%{errormsg}] %{smtp_enhanced_code} "
      "%{smtp_reply}%{stderr}%{bogus}100%%\\n",
      report, &warnings);
  ASSERT_EQ(pieces.size(), 2U);
  EXPECT_EQ(pieces[0].text,
            "250 0 SMTP smtp://127.0.0.1:25/h [] 2.0.0 250 2.0.0 Ok: queued as ABC");
  EXPECT_TRUE(pieces[1].to_stderr);
  EXPECT_EQ(pieces[1].text, "100%\n");
  EXPECT_EQ(warnings, std::vector<std::string>{"unknown --write-out variable: 'bogus'"});
  const auto json = expand_write_out("%{json}", report, nullptr).at(0).text;
  EXPECT_NE(json.find("\"response_code\":250"), std::string::npos) << json;
  EXPECT_NE(json.find("\"errormsg\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"smtp_refused\":[\"x@y 550 5.1.1 no\"]"), std::string::npos) << json;
}

// curl 8.1's %{url.*} and %{urle.*} (its tests 423 and 424): the parts as written, the
// scheme's port when none is given, all empty for a URL that does not parse.
TEST(WriteOut, UrlPartsAsCurl81) {
  const std::string format =
      "%{url.host}+%{url.path}+%{url.scheme}+%{url.user}+%{url.password}+%{url.port}+"
      "%{url.query}+%{url.fragment}+%{url.options}+%{urle.host}";
  const auto parts = [&](std::string url) {
    TransferReport report;
    report.url = std::move(url);
    return expand_write_out(format, report, nullptr).at(0).text;
  };
  EXPECT_EQ(parts("smtp://uuuu:pppp@127.0.0.1:2525/ehlo?qqqq#ffff"),
            "127.0.0.1+/ehlo+smtp+uuuu+pppp+2525+qqqq+ffff++127.0.0.1");
  EXPECT_EQ(parts("smtps://me%40x;AUTH=PLAIN@mail.example"),
            "mail.example+/+smtps+me%40x++465+++AUTH=PLAIN+mail.example");
  EXPECT_EQ(parts("mail.example/h"), "mail.example+/h+smtp+++25++++mail.example");
  EXPECT_EQ(parts("local host"), "+++++++++");
  TransferReport report;
  report.url = "smtp://[::1]:26/";
  EXPECT_EQ(expand_write_out("%{url.host} [%{url.zoneid}] %{url.port}", report, nullptr).at(0).text,
            "[::1] [] 26");
  std::vector<std::string> warnings;
  (void)expand_write_out("%{url.nope}", report, &warnings);
  EXPECT_EQ(warnings, std::vector<std::string>{"unknown --write-out variable: 'url.nope'"});
}

TEST(WriteOut, ConnectionVariablesAsCurlWritesThem) {
  TransferReport report;
  report.url = "smtps://127.0.0.1:465/h";
  report.num_connects = 1;
  report.time_namelookup = 0.000017;
  report.time_connect = 0.0034851;
  report.time_appconnect = 0.25;
  report.time_total = 1.5;
  report.remote_ip = "127.0.0.1";
  report.remote_port = 465;
  report.local_ip = "127.0.0.1";
  report.local_port = 40000;
  report.ssl_verify_result = 20;
  report.size_upload = 43;
  const auto text =
      expand_write_out(
          "%{num_connects} %{time_namelookup} %{time_connect} %{time_appconnect} %{remote_ip} "
          "%{remote_port} %{local_ip} %{local_port} %{ssl_verify_result} %{size_upload}",
          report, nullptr)
          .at(0)
          .text;
  EXPECT_EQ(text, "1 0.000017 0.003485 0.250000 127.0.0.1 465 127.0.0.1 40000 20 43");
  // curl's %{json}: keys in alphabetical order, times with six decimals.
  const auto json = expand_write_out("%{json}", report, nullptr).at(0).text;
  EXPECT_EQ(json.substr(0, json.find(",\"smtp_")),
            R"({"errormsg":null,"exitcode":0,"local_ip":"127.0.0.1","local_port":40000,)"
            R"("num_connects":1,"remote_ip":"127.0.0.1","remote_port":465,"response_code":0,)"
            R"("scheme":"SMTPS","size_upload":43,"speed_upload":28,"ssl_verify_result":20,)"
            R"("time_appconnect":0.250000,"time_connect":0.003485,"time_namelookup":0.000017,)"
            R"("time_total":1.500000,"url":"smtps://127.0.0.1:465/h",)"
            R"("url_effective":"smtps://127.0.0.1:465/h")");
}

}  // namespace
}  // namespace smtpc::cli
