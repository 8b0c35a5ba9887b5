// curl 7.88's options beyond the SMTP dialogue, side by side with curl: where -o writes
// (--output-dir, --create-dirs, --no-clobber, --remove-on-error), the socket options,
// --proto/--proto-default. Each test runs curl and smtpc the same way against fresh
// loopback servers and compares exit codes and the files written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCurl = "/usr/bin/curl";
const std::vector<std::string> kPrograms{kCurl, SMTPC_BINARY};

// Every file under `root`, relative, with its content, in order.
std::vector<std::pair<std::string, std::string>> tree(const std::string& root) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!fs::exists(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = fs::relative(entry.path(), root).string();
    files.emplace_back(name, entry.is_directory() ? std::string("<dir>") : read_file(entry.path()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs `runs` command lines ({URL}: a fresh server's, {DIR}: a fresh directory) with
// `program`; returns the exit codes and what {DIR}/out then holds.
struct Written {
  std::vector<int> codes;
  std::vector<std::pair<std::string, std::string>> files;
};

std::string substitute(std::string text, const std::string& url, const std::string& dir) {
  for (const auto& [from, to] : {std::pair{std::string("{URL}"), url}, {"{DIR}", dir}}) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from)) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

Written run_with(const std::string& program, const std::vector<std::vector<std::string>>& runs) {
  SmtpServer server;
  TempDir dir;
  Written written;
  for (const auto& args : runs) {
    std::vector<std::string> argv{program, "-s"};
    for (const auto& arg : args) argv.push_back(substitute(arg, server.url("h"), dir.path()));
    written.codes.push_back(run_program(argv).exit_code);
  }
  written.files = tree(dir.path() + "/out");
  return written;
}

void expect_same_files(const std::vector<std::vector<std::string>>& runs) {
  SCOPED_TRACE(::testing::PrintToString(runs));
  const Written curl = run_with(kCurl, runs);
  const Written smtpc = run_with(SMTPC_BINARY, runs);
  EXPECT_EQ(smtpc.codes, curl.codes);
  EXPECT_EQ(smtpc.files, curl.files);
  EXPECT_FALSE(curl.files.empty() && curl.codes.front() == 0);
}

TEST(CurlOutputOptions, WithoutCreateDirsAMissingDirectoryIs23) {
  expect_same_files({{"{URL}", "-o", "{DIR}/out/a/help.txt"}});
}

TEST(CurlOutputOptions, CreateDirsMakesTheDirectories) {
  expect_same_files({{"{URL}", "-o", "{DIR}/out/a/b/help.txt", "--create-dirs"}});
}

TEST(CurlOutputOptions, CreateDirsMakesThemEvenWhenNothingIsWritten) {
  expect_same_files({{"{URL}", "-o", "{DIR}/out/a/b/help.txt", "--create-dirs", "-X", "BOGUS"}});
}

TEST(CurlOutputOptions, OutputDirInFrontOfTheFile) {
  expect_same_files(
      {{"{URL}", "-o", "help.txt", "--output-dir", "{DIR}/out/d"},
       {"{URL}", "-o", "help.txt", "--output-dir", "{DIR}/out/d", "--create-dirs"},
       {"{URL}", "-o", "x.txt", "--output-dir", "{DIR}/out/d/", "--mail-rcpt", "b@example.com"}});
}

// Several URLs: the k-th -o goes with the k-th URL, the rest write to stdout; an -o
// beyond the URLs is warned about and unused.
TEST(CurlOutputOptions, EachOutputGoesWithItsUrl) {
  SmtpServer server;
  const std::string url = server.url("h");
  std::vector<std::pair<RunResult, std::vector<std::pair<std::string, std::string>>>> runs;
  for (const auto& program : kPrograms) {
    TempDir dir;
    const std::string out = dir.path() + "/out";
    fs::create_directories(out);
    const RunResult two_urls = run_program({program, "-s", url, url, "-o", out + "/first.txt"});
    const RunResult two_outputs =
        run_program({program, url, "-o", out + "/a.txt", "-o", out + "/b.txt"});
    EXPECT_EQ(two_urls.exit_code, 0) << program << two_urls.err;
    EXPECT_NE(two_urls.out.find("250"), std::string::npos) << program;  // the second URL's
    EXPECT_NE(two_outputs.err.find("Warning: Got more output options than URLs"), std::string::npos)
        << program << two_outputs.err;
    runs.emplace_back(two_urls, tree(out));
  }
  EXPECT_EQ(runs[1].first.out, runs[0].first.out);
  EXPECT_EQ(runs[1].second, runs[0].second);
  ASSERT_EQ(runs[1].second.size(), 2U);  // first.txt and a.txt; no b.txt
  EXPECT_EQ(runs[1].second[0].first, "a.txt");
  EXPECT_EQ(runs[1].second[1].first, "first.txt");
}

TEST(CurlOutputOptions, NoClobberWritesNumberedFiles) {
  const std::vector<std::string> once{"{URL}", "-o", "{DIR}/out/help.txt", "--create-dirs",
                                      "--no-clobber"};
  expect_same_files({once, once, once, {"{URL}", "-o", "{DIR}/out/help.txt", "-X", "NOOP"}});
}

// VRFY for two recipients, the second refused: curl writes the first reply, then fails
// with 8, and with --remove-on-error removes the file again.
TEST(CurlOutputOptions, TextBeforeAFailureIsWrittenAndRemoveOnErrorRemovesIt) {
  constexpr std::string_view kScript =
      "S 220 hi\nR\nS 250 ok\nR\nS 250 <a@example.com>\nR\nS 550 no such user\nR\nS 221 bye\n"
      "CLOSE\n";
  for (const bool remove : {false, true}) {
    std::vector<std::vector<std::pair<std::string, std::string>>> files;
    std::vector<int> codes;
    for (const auto& program : kPrograms) {
      ScriptedServer server(kScript);
      TempDir dir;
      std::vector<std::string> argv{program,
                                    "-s",
                                    server.url("h"),
                                    "--mail-rcpt",
                                    "a@example.com",
                                    "--mail-rcpt",
                                    "b@example.com",
                                    "-o",
                                    dir.path() + "/out/v.txt",
                                    "--create-dirs"};
      if (remove) argv.emplace_back("--remove-on-error");
      codes.push_back(run_program(argv).exit_code);
      files.push_back(tree(dir.path() + "/out"));
    }
    SCOPED_TRACE(remove ? "--remove-on-error" : "kept");
    EXPECT_EQ(codes[0], 8);
    EXPECT_EQ(codes[1], codes[0]);
    EXPECT_EQ(files[1], files[0]);
    EXPECT_EQ(files[0].size(), remove ? 0U : 1U);
  }
}

// -O names the file after the URL's last path segment (the EHLO name), --remote-name-all
// does so for every URL, --no-remote-name keeps one URL on stdout; no name is exit 23.
TEST(CurlOutputOptions, RemoteNameAsCurl) {
  expect_same_files({{"{URL}", "-O", "--output-dir", "{DIR}/out", "--create-dirs"}});
  expect_same_files(
      {{"--remote-name-all", "{URL}", "{URL}2", "--output-dir", "{DIR}/out", "--create-dirs"},
       {"--remote-name-all", "--no-remote-name", "{URL}3", "{URL}4", "--output-dir", "{DIR}/out"}});
  for (const auto& program : kPrograms) {
    SmtpServer server;
    TempDir dir;
    EXPECT_EQ(
        run_program({program, "-s", server.url(""), "-O", "--output-dir", dir.path()}).exit_code,
        23)
        << program;
  }
}

// curl creates the -o file of a transfer that succeeds without output, such as a send.
TEST(CurlOutputOptions, ASendCreatesAnEmptyOutputFile) {
  TempDir message;
  const std::string file = message.write_file("m.eml", "Subject: x\r\n\r\nbody\r\n");
  expect_same_files({{"{URL}", "-T", file, "--mail-from", "a@example.com", "--mail-rcpt",
                      "b@example.com", "-o", "{DIR}/out/empty.txt", "--create-dirs"}});
}

// --xattr: the URL without user and password in user.xdg.origin.url, on a file written.
TEST(CurlOutputOptions, XattrStoresTheUrlWithoutCredentials) {
  std::vector<std::string> values;
  SmtpServer server;
  for (const auto& program : kPrograms) {
    TempDir dir;
    const std::string url = server.url("h");
    const std::string with_login = "smtp://user:secret;AUTH=PLAIN@" + url.substr(7);
    const std::string out = dir.path() + "/v.txt";
    ASSERT_EQ(run_program({program, "-s", "--xattr", with_login, "-o", out}).exit_code, 0)
        << program;
    std::string value(512, '\0');
    const auto size = ::getxattr(out.c_str(), "user.xdg.origin.url", value.data(), value.size());
    ASSERT_GE(size, 0) << program << ": " << std::strerror(errno);
    values.push_back(value.substr(0, static_cast<std::size_t>(size)));
  }
  EXPECT_EQ(values[1], values[0]);
  EXPECT_EQ(values[0].find("secret"), std::string::npos);
  EXPECT_NE(values[0].find(";AUTH=PLAIN@"), std::string::npos) << values[0];
}

// What they set is checked in socket_options_test.cpp (getsockopt) and was compared with
// curl's under strace; here only that both take them alike.
TEST(CurlSocketOptions, TakenAsCurlTakesThem) {
  expect_same_files({{"{URL}", "-o", "{DIR}/out/a.txt", "--no-tcp-nodelay", "--no-keepalive"},
                     {"{URL}", "-o", "{DIR}/out/b.txt", "--keepalive-time", "5"},
                     {"{URL}", "-o", "{DIR}/out/c.txt", "--keepalive-time", "-1"},
                     {"{URL}", "-o", "{DIR}/out/d.txt", "--keepalive-time", "1.5"},
                     {"{URL}", "-o", "{DIR}/out/e.txt", "--tcp-nodelay", "--keepalive"}});
}

// --proto and --proto-default: the exit code of each command line, curl's and smtpc's.
TEST(CurlProtoOptions, SameExitCodesAsCurl) {
  const std::vector<std::vector<std::string>> cases{
      {"--proto", "=https", "{URL}"},                      // 1: smtp disabled
      {"--proto", "-all,smtp", "{URL}"},                   // 0
      {"--proto", "all,-smtp", "{URL}"},                   // 1
      {"--proto", "bogus", "{URL}"},                       // 0, with a warning
      {"--proto", "*smtp", "{URL}"},                       // 2: badly used
      {"--proto", "=", "{URL}"},                           // 2
      {"--proto", "=-smtp", "{URL}"},                      // 1: the last modifier counts
      {"--proto", "-=smtp", "{URL}"},                      // 0
      {"--proto", "=https", "--proto", "+smtp", "{URL}"},  // 0: the last --proto counts
      {"--proto-default", "bogus", "{HOSTPATH}"},          // 1
      {"--proto-default", "smtp", "{HOSTPATH}"},           // 0
      {"--proto", "=smtp", "--proto-default", "smtps", "{HOSTPATH}"},  // 1
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(::testing::PrintToString(args));
    std::vector<RunResult> runs;
    for (const auto& program : kPrograms) {
      SmtpServer server;
      std::string host_path = server.url("h").substr(std::string_view("smtp://").size());
      std::vector<std::string> argv{program, "-S", "--no-progress-meter", "-o", "/dev/null"};
      for (auto arg : args) {
        if (arg == "{URL}") arg = server.url("h");
        if (arg == "{HOSTPATH}") arg = host_path;
        argv.push_back(arg);
      }
      runs.push_back(run_program(argv));
    }
    EXPECT_EQ(runs[1].exit_code, runs[0].exit_code) << runs[0].err << "\n" << runs[1].err;
    EXPECT_EQ(runs[1].err.find("unrecognized protocol") == std::string::npos,
              runs[0].err.find("unrecognized protocol") == std::string::npos);
  }
}

// A URL without a scheme: --proto-default smtps speaks TLS from the start, as curl.
TEST(CurlProtoOptions, ProtoDefaultSmtpsSendsOverImplicitTls) {
  SmtpServer server(server_tls("--implicit-tls"));
  const std::string url = smtps_url(server).substr(std::string_view("smtps://").size());
  for (const auto& program : kPrograms) {
    SCOPED_TRACE(program);
    TempDir dir;
    const std::string mail = dir.write_file("mail.txt", "Subject: hi\r\n\r\nhello\r\n");
    const RunResult run = run_program({program, "-sS", "--proto-default", "smtps", url, "--cacert",
                                       test_cert("ca.pem"), "--mail-from", "a@example.com",
                                       "--mail-rcpt", "b@example.com", "-T", mail});
    EXPECT_EQ(run.exit_code, 0) << run.err;
  }
  EXPECT_EQ(server.messages().size(), 2U);
}

// A user part in the URL, even an empty one, is exit 67 before any connection.
TEST(CurlUrlOptions, DisallowUsernameInUrlIs67WithoutConnecting) {
  for (const std::string userinfo : {"u@", "u:p@", ":p@", "@", ""}) {
    SCOPED_TRACE(userinfo);
    for (const auto& program : kPrograms) {
      SCOPED_TRACE(program);
      SmtpServer server;
      const std::string url = "smtp://" + userinfo + server.url("h").substr(7);
      const RunResult run = run_program(
          {program, "-sS", "-o", "/dev/null", "--disallow-username-in-url", url, "-u", "x:y"}, "",
          {"SMTPC_PASSWORD="});
      EXPECT_EQ(run.exit_code, userinfo.empty() ? 0 : 67) << run.err;
      EXPECT_EQ(server.log_lines().empty(), !userinfo.empty());
    }
  }
}

// --curves: OpenSSL's groups list, checked when TLS is set up: a bad one is 59.
TEST(CurlTlsOptions, CurvesAsCurl) {
  for (const std::string curves : {"bogus", "X25519", "P-256:X25519", "", "X25519:bogus"}) {
    SCOPED_TRACE(curves);
    SmtpServer server(server_tls("--implicit-tls"));
    std::vector<int> codes;
    for (const auto& program : kPrograms) {
      codes.push_back(run_program({program, "-sS", "-o", "/dev/null", "--cacert",
                                   test_cert("ca.pem"), smtps_url(server), "--curves", curves})
                          .exit_code);
    }
    EXPECT_EQ(codes[1], codes[0]);
    EXPECT_EQ(codes[0], curves == "X25519" || curves == "P-256:X25519" ? 0 : 59);
  }
  // Without TLS the list is never looked at.
  SmtpServer plain;
  for (const auto& program : kPrograms) {
    EXPECT_EQ(run_program({program, "-s", "-o", "/dev/null", plain.url("h"), "--curves", "bogus"})
                  .exit_code,
              0);
  }
}

// Options curl 7.88 takes and does nothing with for SMTP: the same output and warnings.
TEST(CurlIgnoredOptions, SameOutputAndWarnings) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"-2"}, {"--sslv3"}, {"--false-start"}, {"--max-filesize", "1"}}) {
    SCOPED_TRACE(::testing::PrintToString(extra));
    std::vector<RunResult> runs;
    for (const auto& program : kPrograms) {
      SmtpServer server;
      std::vector<std::string> argv{program, "--no-progress-meter", server.url("h")};
      argv.insert(argv.end(), extra.begin(), extra.end());
      runs.push_back(run_program(argv));
    }
    EXPECT_EQ(runs[1].exit_code, runs[0].exit_code);
    EXPECT_EQ(runs[1].out, runs[0].out);
    EXPECT_EQ(runs[1].err, runs[0].err);
  }
}

// --rate: a pause before each transfer but the first. Only bounds that cannot flake:
// at least the interval between two transfers, and no pause after the last one.
TEST(CurlRateOption, PausesBetweenTransfersOnly) {
  SmtpServer server;
  const RunResult two = run_smtpc({"-s", "--rate", "4/s", server.url("h"), server.url("h")});
  EXPECT_EQ(two.exit_code, 0) << two.err;
  EXPECT_GE(two.elapsed.count(), 240);
  EXPECT_EQ(server.commands("HELP").size(), 2U);
  const RunResult one = run_smtpc({"-s", "--rate", "1/d", server.url("h")});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_LT(one.elapsed.count(), 30000);
}

// --limit-rate: the message still arrives whole; 40 KiB at 20 KiB/s cannot take less
// than about a second and a half (a lower bound only: never flaky).
TEST(CurlLimitRate, UploadIsSlowedToTheLimitAndArrivesWhole) {
  SmtpServer server;
  TempDir dir;
  std::string body = "Subject: big\r\n\r\n";
  while (body.size() < 40 * 1024) {
    body += "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n";
  }
  const std::string mail = dir.write_file("mail.txt", body);
  const RunResult run = run_smtpc(send_args(
      Send{.url = server.url("h"), .files = {mail}, .options = {"-s", "--limit-rate", "20k"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GE(run.elapsed.count(), 1500);
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].bytes, body);
}

// -Y/-y: a server that holds back its reply to the end of data stalls the transfer; curl
// 7.88 and smtpc both give up with 28 in curl's words (curl only once the reply comes).
// Before the body nothing is watched: a slow greeting is no stall, as with curl.
TEST(CurlSpeedLimit, StalledEndOfDataIs28InCurlsWords) {
  const std::string stall_after_body =
      "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nSLEEP 3\n"
      "S 250 ok\nR\nS 221 bye\nDRAIN 2\n";
  TempDir dir;
  const std::string mail = dir.write_file("mail.txt", "Subject: slow\r\n\r\nhello\r\n");
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    SCOPED_TRACE(program);
    ScriptedServer server(stall_after_body);
    std::vector<std::string> args = send_args(
        Send{.url = server.url("h"), .files = {mail}, .options = {"-sS", "-y", "1", "-Y", "100"}});
    if (program != "smtpc") args.insert(args.begin(), program);
    const RunResult run = program == "smtpc" ? run_smtpc(args) : run_program(args);
    EXPECT_EQ(run.exit_code, 28) << run.err;
    EXPECT_THAT(run.err, ::testing::HasSubstr(
                             "Operation too slow. Less than 100 bytes/sec transferred the last 1 "
                             "seconds"));
  }
  ScriptedServer slow_greeting(
      "SLEEP 2\nS 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\n"
      "S 250 ok\nR\nS 221 bye\nDRAIN 2\n");
  const RunResult run = run_smtpc(send_args(
      Send{.url = slow_greeting.url("h"), .files = {mail}, .options = {"-y", "1", "-Y", "100"}}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

}  // namespace
}  // namespace smtpc::it
