// AUTH integration tests: every mechanism against aiosmtpd over TLS, credential sources,
// failures, and that no secret reaches any output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kUser = "me@example.com";
constexpr std::string_view kPassword = "s3cret-Pa55";
constexpr std::string_view kToken = "ya29.token-Value_123";

// Base64 without padding concerns for the substrings we look for.
std::string base64(std::string_view raw) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(raw[i]) << 16 |
                                         static_cast<unsigned char>(raw[i + 1]) << 8 |
                                         static_cast<unsigned char>(raw[i + 2]));
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < raw.size()) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(raw[i]) << 16);
    if (i + 1 < raw.size()) n |= static_cast<unsigned>(static_cast<unsigned char>(raw[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < raw.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Sets an environment variable for the lifetime of the object (smtpc inherits it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

std::vector<std::string> auth_server(std::string_view tls_mode) {
  auto options = server_tls(tls_mode);
  options.insert(options.end(),
                 {"--auth-user", std::string(kUser) + ":" + std::string(kPassword), "--auth-token",
                  std::string(kUser) + ":" + std::string(kToken), "--auth-required"});
  return options;
}

class AuthTest : public ::testing::Test {
 protected:
  std::vector<std::string> send_args(const SmtpServer& server, std::vector<std::string> extra,
                                     bool smtps = false) const {
    std::vector<std::string> options{"--cacert", test_cert("ca.pem")};
    if (!smtps) options.push_back("--ssl-reqd");
    options.insert(options.end(), extra.begin(), extra.end());
    return it::send_args({.url = smtps ? smtps_url(server) : server.url("client.example"),
                          .files = {message_},
                          .options = std::move(options)});
  }

  TempDir dir_;
  std::string message_ = dir_.write_file("mail.txt", "Subject: auth\n\nhello\n");
};

struct MechanismCase {
  const char* name;
  std::vector<std::string> args;
};

class MechanismTest : public AuthTest, public ::testing::WithParamInterface<MechanismCase> {};

TEST_P(MechanismTest, DeliversOverStartTls) {
  SmtpServer server(auth_server("--starttls"));
  auto extra = GetParam().args;
  extra.insert(extra.end(), {"--login-options", std::string("AUTH=") + GetParam().name, "-v"});
  const auto run = run_smtpc(send_args(server, extra));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr(std::string("> AUTH ") + GetParam().name));
  EXPECT_THAT(run.err, HasSubstr("< 235"));
  EXPECT_EQ(server.messages().size(), 1U);
}

const std::string kUserPassword = std::string(kUser) + ":" + std::string(kPassword);

INSTANTIATE_TEST_SUITE_P(Mechanisms, MechanismTest,
                         ::testing::Values(MechanismCase{"PLAIN", {"-u", kUserPassword}},
                                           MechanismCase{"LOGIN", {"-u", kUserPassword}},
                                           MechanismCase{"CRAM-MD5", {"-u", kUserPassword}},
                                           MechanismCase{"XOAUTH2",
                                                         {"-u", std::string(kUser),
                                                          "--oauth2-bearer", std::string(kToken)}},
                                           MechanismCase{"OAUTHBEARER",
                                                         {"-u", std::string(kUser),
                                                          "--oauth2-bearer", std::string(kToken)}}),
                         [](const ::testing::TestParamInfo<MechanismCase>& param_info) {
                           std::string name = param_info.param.name;
                           std::erase(name, '-');
                           return name;
                         });

TEST_F(AuthTest, SmtpsWithStrongestMechanismByDefault) {
  SmtpServer server(auth_server("--implicit-tls"));
  const auto run = run_smtpc(send_args(server, {"-u", kUserPassword, "-v"}, true));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("> AUTH CRAM-MD5"));  // curl's preference order
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(AuthTest, WrongPasswordIs67WithTheServersReplyAndNoMail) {
  SmtpServer server(auth_server("--starttls"));
  const auto run = run_smtpc(send_args(server, {"-u", std::string(kUser) + ":wrong"}));
  EXPECT_EQ(run.exit_code, 67) << run.err;
  EXPECT_THAT(run.err, HasSubstr("smtpc: (67) AUTH CRAM-MD5 failed: 535 5.7.8"));
  EXPECT_THAT(server.log_lines(), Not(Contains(StartsWith("MAIL"))));
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(AuthTest, WrongTokenIs67) {
  SmtpServer server(auth_server("--starttls"));
  const auto run =
      run_smtpc(send_args(server, {"-u", std::string(kUser), "--oauth2-bearer", "expired-token"}));
  EXPECT_EQ(run.exit_code, 67) << run.err;
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(AuthTest, PasswordFromEnvironment) {
  SmtpServer server(auth_server("--starttls"));
  ScopedEnv env("SMTPC_PASSWORD", std::string(kPassword));
  const auto run = run_smtpc(send_args(server, {"-u", std::string(kUser)}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(AuthTest, PasswordFromFile) {
  SmtpServer server(auth_server("--starttls"));
  const std::string file = dir_.write_file("password", std::string(kPassword) + "\nignored\n");
  const auto run =
      run_smtpc(send_args(server, {"-u", std::string(kUser), "--password-file", file}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(AuthTest, LoginFromNetrc) {
  SmtpServer server(auth_server("--starttls"));
  const std::string netrc =
      dir_.write_file("netrc",
                      "machine other.example login x password y\n"
                      "machine 127.0.0.1\n  login " +
                          std::string(kUser) + "\n  password \"" + std::string(kPassword) + "\"\n");
  const auto run = run_smtpc(send_args(server, {"--netrc-file", netrc}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(AuthTest, MissingPasswordWithoutTerminalIsAClearError) {
  SmtpServer server(auth_server("--starttls"));
  ::unsetenv("SMTPC_PASSWORD");
  const auto run = run_smtpc(send_args(server, {"-u", std::string(kUser)}));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("no password for user"));
  EXPECT_TRUE(server.log_lines().empty());  // refused before connecting
}

TEST_F(AuthTest, ServerWithoutAuthWarnsAndSends) {
  SmtpServer server(server_tls("--starttls"));
  const auto run = run_smtpc(send_args(server, {"-u", kUserPassword}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("Warning: credentials were given but the server offers no AUTH"));
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(AuthTest, MailAuthParameter) {
  ScriptedServer server(
      "S 220 mx\nR\nSRAW 250-mx\\r\\n250 AUTH PLAIN\\r\\n\nR\nS 235 ok\nR\nS 250 ok\nR\n"
      "S 250 ok\nR\nS 354 go\nRDATA\nS 250 queued\nR\nS 221 bye\nDRAIN 3\n");
  const auto run = run_smtpc({server.url("client.example"), "--mail-from", "a@example.com",
                              "--mail-rcpt", "b@example.com", "-T", message_, "-u", kUserPassword,
                              "--sasl-ir", "--mail-auth", "e=mc2@example.com"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.received_lines(),
              Contains("MAIL FROM:<a@example.com> AUTH=e+3Dmc2@example.com"));
}

// No password, no base64 form of it, and no token may appear in anything smtpc writes.
TEST_F(AuthTest, SecuritySecretsAppearInNoOutput) {
  SmtpServer server(auth_server("--starttls"));
  const std::string plain_blob =
      std::string("\0", 1) + std::string(kUser) + '\0' + std::string(kPassword);
  const std::string xoauth2 =
      "user=" + std::string(kUser) + "\x01" + "auth=Bearer " + std::string(kToken) + "\x01\x01";
  const std::vector<std::string> secrets{std::string(kPassword), base64(kPassword),
                                         base64(plain_blob),     std::string(kToken),
                                         base64(kToken),         base64(xoauth2)};
  const std::vector<std::vector<std::string>> logins{
      {"-u", kUserPassword, "--login-options", "AUTH=PLAIN", "--sasl-ir"},
      {"-u", kUserPassword, "--login-options", "AUTH=PLAIN"},
      {"-u", kUserPassword, "--login-options", "AUTH=LOGIN"},
      {"-u", kUserPassword, "--login-options", "AUTH=CRAM-MD5"},
      {"-u", std::string(kUser), "--oauth2-bearer", std::string(kToken), "--sasl-ir"},
      {"-u", std::string(kUser) + ":wrong-" + std::string(kPassword)},
      {"-u", std::string(kUser), "--oauth2-bearer", "bad-" + std::string(kToken)},
  };
  int index = 0;
  for (const auto& login : logins) {
    const std::string trace = dir_.path() + "/trace" + std::to_string(index++);
    auto extra = login;
    extra.insert(extra.end(), {"-v", "--trace-ascii", trace, "--trace-time"});
    const auto run = run_smtpc(send_args(server, extra));
    const std::string everything = run.out + run.err + read_file(trace);
    EXPECT_THAT(everything, HasSubstr("[redacted]"));
    for (const auto& secret : secrets) {
      EXPECT_THAT(everything, Not(HasSubstr(secret))) << "with " << login.back();
    }
  }
  EXPECT_EQ(server.messages().size(), 5U);
}

// Without a password anywhere, smtpc asks on the terminal with echo off. `script` gives
// smtpc a terminal; the answer is typed after the prompt has appeared.
TEST_F(AuthTest, PasswordPromptOnTheTerminalDoesNotEcho) {
  SmtpServer server(auth_server("--starttls"));
  ::unsetenv("SMTPC_PASSWORD");
  const std::string smtpc = std::string(SMTPC_BINARY) + " " + server.url("client.example") +
                            " --ssl-reqd --cacert " + test_cert("ca.pem") + " -u " +
                            std::string(kUser) + " --mail-rcpt b@example.com -T " + message_;
  const std::string command = "(sleep 1; printf '" + std::string(kPassword) +
                              "\\n') | script -qec '" + smtpc + "; echo EXIT=$?' /dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string terminal;
  char buffer[1024];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) terminal.append(buffer, got);
  ::pclose(pipe);
  EXPECT_THAT(terminal, HasSubstr("Enter host password for user 'me@example.com'"));
  EXPECT_THAT(terminal, HasSubstr("EXIT=0"));
  EXPECT_THAT(terminal, Not(HasSubstr(std::string(kPassword))));
  EXPECT_EQ(server.messages().size(), 1U);
}

// As curl does, passwords and tokens are overwritten in argv so that ps cannot show them.
TEST_F(AuthTest, SecuritySecretsAreScrubbedFromTheCommandLine) {
  ScriptedServer server("S 220 mx\nSLEEP 4\nCLOSE\n");
  const std::string command = std::string("sh -c '") + SMTPC_BINARY +
                              " smtp://bob:url-pass@127.0.0.1:" + std::to_string(server.port()) +
                              "/x -u alice:argv-pass --oauth2-bearer argv-token " +
                              "--mail-rcpt b@example.com -T " + message_ +
                              " -s -m 10 & pid=$!; sleep 1; " +
                              "tr \"\\0\" \" \" < /proc/$pid/cmdline; kill $pid'";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string cmdline;
  char buffer[1024];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) cmdline.append(buffer, got);
  ::pclose(pipe);
  EXPECT_THAT(cmdline, HasSubstr("-u alice:"));
  EXPECT_THAT(cmdline, HasSubstr("smtp://bob:"));
  EXPECT_THAT(cmdline, Not(HasSubstr("argv-pass")));
  EXPECT_THAT(cmdline, Not(HasSubstr("argv-token")));
  EXPECT_THAT(cmdline, Not(HasSubstr("url-pass")));
}

// --- curl's SASL tests 942-945 (EXTERNAL) and 948-949 (OAUTHBEARER's error challenge) ---
// Each is played by a scripted server with the replies of curl's tests/data/testNNN; the
// client lines must be the ones its <protocol> lists, for smtpc and for curl 7.88 alike.

constexpr const char* kCurl = "/usr/bin/curl";

struct CurlSaslCase {
  const char* test;      // curl's test number, also the EHLO name in the URL
  const char* userinfo;  // the URL's user part, before '@'
  std::vector<std::string> options;
  std::string replies;                // the script after EHLO's reply, up to the login's end
  std::vector<std::string> protocol;  // the client lines curl's test lists; {IR} see below
  int exit_code;
};

// OAUTHBEARER's initial response (RFC 7628 §3.1) for the test's user, token and server port.
std::string oauthbearer_response(std::uint16_t port) {
  return base64("n,a=user,\x01host=127.0.0.1\x01port=" + std::to_string(port) +
                "\x01"
                "auth=Bearer mF_9.B5f-4.1JqM\x01\x01");
}

class CurlSaslTest : public ::testing::TestWithParam<CurlSaslCase> {};

TEST_P(CurlSaslTest, ClientLinesAreCurls) {
  const auto& test = GetParam();
  const bool sends_mail = test.exit_code == 0;
  const std::string mail_script =
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nS 250 ok\nR\nS 221 bye\nDRAIN 3\n";
  const std::string script =
      "S 220 mx\nR\n" + test.replies + (sends_mail ? mail_script : "DRAIN 3\n");
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    SCOPED_TRACE(program + " test" + test.test);
    ScriptedServer server(script);
    std::vector<std::string> args{program,
                                  "smtp://" + std::string(test.userinfo) + "@127.0.0.1:" +
                                      std::to_string(server.port()) + "/" + test.test,
                                  "--mail-rcpt",
                                  "recipient@example.com",
                                  "--mail-from",
                                  "sender@example.com",
                                  "-T",
                                  "-"};
    args.insert(args.end(), test.options.begin(), test.options.end());
    const auto run = program == "smtpc" ? run_smtpc({args.begin() + 1, args.end()}, "mail body\n")
                                        : run_program(args, "mail body\n");
    EXPECT_EQ(run.exit_code, test.exit_code) << run.err;
    std::vector<std::string> expected;
    for (std::string line : test.protocol) {
      if (const auto at = line.find("{IR}"); at != std::string::npos) {
        line.replace(at, 4, oauthbearer_response(server.port()));
      }
      expected.push_back(line);
    }
    auto lines = server.received_lines();
    // The mail body between DATA and QUIT is curl's <upload>, not its <protocol> (curl 7.88
    // sends the bare LF of "mail body\n" as it is, so an empty line comes before its ".").
    const auto data = std::find(lines.begin(), lines.end(), "DATA");
    if (data != lines.end()) {
      const auto dot = std::find(data, lines.end(), ".");
      ASSERT_NE(dot, lines.end());
      ASSERT_GT(dot - data, 1);
      EXPECT_EQ(*(data + 1), "mail body");
      lines.erase(data + 1, dot + 1);
    }
    // After a refused login smtpc says QUIT where curl closes (docs/curl-differences.md).
    if (!sends_mail && program == "smtpc" && !lines.empty() && lines.back() == "QUIT") {
      lines.pop_back();
    }
    EXPECT_EQ(lines, expected);
  }
}

const std::string kExternalOffered = "S 250-mx\nS 250 AUTH EXTERNAL\nR\n";
const std::string kOAuthOffered = "S 250-mx\nS 250 AUTH OAUTHBEARER\nR\n";
const std::string kOAuthError =
    // {"status":"invalid_token",...} without its base64 padding, as curl's test sends it.
    "S 334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZp"
    "Z3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0\n"
    "R\nS 535-Username and Password not accepted. Learn more at\n"
    "S 535 http://support.example.com/mail/oauth\n";
const std::vector<std::string> kMailLines{"MAIL FROM:<sender@example.com>",
                                          "RCPT TO:<recipient@example.com>", "DATA", "QUIT"};

std::vector<std::string> lines_then_mail(std::vector<std::string> lines) {
  lines.insert(lines.end(), kMailLines.begin(), kMailLines.end());
  return lines;
}

INSTANTIATE_TEST_SUITE_P(
    Curl, CurlSaslTest,
    ::testing::Values(
        CurlSaslCase{"942",
                     "user;AUTH=EXTERNAL",
                     {},
                     kExternalOffered + "S 334 EXTERNAL supported\nR\nS 235 Authenticated\n",
                     lines_then_mail({"EHLO 942", "AUTH EXTERNAL", "dXNlcg=="}),
                     0},
        CurlSaslCase{"943",
                     ";AUTH=EXTERNAL",
                     {},
                     kExternalOffered + "S 334 EXTERNAL supported\nR\nS 235 Authenticated\n",
                     lines_then_mail({"EHLO 943", "AUTH EXTERNAL", "="}),
                     0},
        CurlSaslCase{"944",
                     "user;AUTH=EXTERNAL",
                     {"--sasl-ir"},
                     kExternalOffered + "S 235 Authenticated\n",
                     lines_then_mail({"EHLO 944", "AUTH EXTERNAL dXNlcg=="}),
                     0},
        CurlSaslCase{"945",
                     ";AUTH=EXTERNAL",
                     {"--sasl-ir"},
                     kExternalOffered + "S 235 Authenticated\n",
                     lines_then_mail({"EHLO 945", "AUTH EXTERNAL ="}),
                     0},
        CurlSaslCase{"948",
                     "",
                     {"-u", "user", "--oauth2-bearer", "mF_9.B5f-4.1JqM"},
                     kOAuthOffered + "S 334 OAUTHBEARER supported\nR\n" + kOAuthError,
                     {"EHLO 948", "AUTH OAUTHBEARER", "{IR}", "AQ=="},
                     67},
        CurlSaslCase{"949",
                     "",
                     {"-u", "user", "--oauth2-bearer", "mF_9.B5f-4.1JqM", "--sasl-ir"},
                     kOAuthOffered + kOAuthError,
                     {"EHLO 949", "AUTH OAUTHBEARER {IR}", "AQ=="},
                     67}),
    [](const ::testing::TestParamInfo<CurlSaslCase>& param_info) {
      return std::string("test") + param_info.param.test;
    });

// EXTERNAL with a client certificate the server checks: the certificate logs in, no
// password is asked for, and an authorization identity the certificate does not own is
// refused (67). curl 7.88 on the same command lines agrees.
TEST_F(AuthTest, ExternalLogsInWithTheClientCertificate) {
  auto options = server_tls("--implicit-tls");
  options.insert(options.end(), {"--client-ca", test_cert("client-ca.pem"), "--auth-external",
                                 "smtpc test client", "--auth-required"});
  SmtpServer server(options);
  const std::string base =
      "smtps://{}@127.0.0.1:" + std::to_string(server.port()) + "/client.example";
  const auto url = [&](std::string_view userinfo) {
    std::string text = base;
    return text.replace(text.find("{}"), 2, userinfo);
  };
  const std::vector<std::string> tls{"--cacert", test_cert("ca.pem"),
                                     "--cert",   test_cert("client.pem"),
                                     "--key",    test_cert("client.key")};
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    SCOPED_TRACE(program);
    for (const auto& [userinfo, extra, code] :
         {std::tuple<std::string, std::vector<std::string>, int>{";AUTH=EXTERNAL", {}, 0},
          {"smtpc%20test%20client;AUTH=EXTERNAL", {"--sasl-ir"}, 0},
          {"someone-else;AUTH=EXTERNAL", {}, 67}}) {
      std::vector<std::string> args{program,       url(userinfo),   "--mail-from", "a@example.com",
                                    "--mail-rcpt", "b@example.com", "-T",          message_};
      args.insert(args.end(), tls.begin(), tls.end());
      args.insert(args.end(), extra.begin(), extra.end());
      ::unsetenv("SMTPC_PASSWORD");
      const auto run =
          program == "smtpc" ? run_smtpc({args.begin() + 1, args.end()}) : run_program(args);
      EXPECT_EQ(run.exit_code, code) << userinfo << ": " << run.err;
    }
  }
  EXPECT_EQ(server.messages().size(), 4U);  // two each
  EXPECT_THAT(server.log_lines(), Contains("AUTH EXTERNAL"));
}

// Issue 19, item 3: --url, scheme-less and positional URLs lose their password too, up to
// the last '@' (the URL parser's reading); the first transfer stalls on the server while
// the others wait in argv.
TEST_F(AuthTest, SecurityEveryUrlIsScrubbedUpToTheLastAt) {
  ScriptedServer server("S 220 mx\nSLEEP 4\nCLOSE\n");
  const std::string port = std::to_string(server.port());
  const std::string command =
      std::string("sh -c '") + SMTPC_BINARY + " --url smtp://bob:SECRET1@127.0.0.1:" + port + "/x" +
      " carol:SECRET2@127.0.0.1:1 smtp://dave:x@SECRET3@127.0.0.1:1" +
      " --mail-rcpt b@example.com -T " + message_ + " -s -m 10 & pid=$!; sleep 1; " +
      "tr \"\\0\" \" \" < /proc/$pid/cmdline; kill $pid'";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string cmdline;
  char buffer[1024];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) cmdline.append(buffer, got);
  ::pclose(pipe);
  EXPECT_THAT(cmdline, HasSubstr("smtp://bob:*******@127.0.0.1"));
  EXPECT_THAT(cmdline, HasSubstr("carol:*******@127.0.0.1:1"));
  EXPECT_THAT(cmdline, HasSubstr("smtp://dave:*********@127.0.0.1:1"));
  EXPECT_THAT(cmdline, Not(HasSubstr("SECRET")));
}

TEST_F(AuthTest, SecurityAnUnknownOptionDoesNotEchoItsValue) {
  const auto run = run_smtpc({"--user=alice:SECRET", "smtp://127.0.0.1:1", "-T", message_});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("option --user=...: is unknown"));
  EXPECT_THAT(run.err, Not(HasSubstr("SECRET")));
}

// Issue 19, item 4: a config account's password-command reads nothing of smtpc's standard
// input (-T -), so the message arrives whole, and it inherits no descriptor beyond 0-2
// (smtpc is started here with a descriptor 3 open). The subshell lists the descriptors of
// the command's shell without redirecting them there.
TEST_F(AuthTest, SecurityPasswordCommandGetsNoStdinAndNoOtherDescriptors) {
  SmtpServer server(auth_server("--starttls"));
  const std::string fds = dir_.path() + "/fds";
  const std::string config = dir_.write_file(
      "config", "[default]\nurl = " + server.url("client.example") +
                    "\nuser = " + std::string(kUser) + "\npassword-command = (ls /proc/$$/fd > " +
                    fds + "); head -c 20 > /dev/null; echo " + std::string(kPassword) + "\n");
  ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
  std::string message = "Subject: whole\r\n\r\n";
  for (int line = 0; line < 2000; ++line) message += "line " + std::to_string(line) + "\r\n";

  const auto run = run_program(
      {"/bin/sh", "-c", "exec \"$0\" \"$@\" 3</dev/null", SMTPC_BINARY, "--account-file", config,
       "--cacert", test_cert("ca.pem"), "--ssl-reqd", "--mail-rcpt", "b@example.com", "-T", "-"},
      message);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  const std::string received = server.messages()[0].bytes;
  EXPECT_EQ(received.size(), message.size());
  EXPECT_TRUE(received == message) << "begins: " << received.substr(0, 40);
  EXPECT_EQ(split_lines(read_file(fds)), (std::vector<std::string>{"0", "1", "2"}));
}

// Issue 19, item 5: smtpc is not dumpable (no core file with the password in it). The
// kernel shows it in /proc: the files of a process that is not dumpable belong to root
// (proc(5)). As root the test runs smtpc as nobody, where the difference shows.
TEST_F(AuthTest, SecurityTheProcessIsNotDumpable) {
  ScriptedServer server("S 220 mx\nSLEEP 4\nCLOSE\n");
  const bool root = ::geteuid() == 0;
  const std::string as_user = root ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  const std::string command = "sh -c '" + as_user + SMTPC_BINARY +
                              " smtp://127.0.0.1:" + std::to_string(server.port()) +
                              " --mail-rcpt b@example.com -s -m 10 & pid=$!; sleep 1; " +
                              "stat -c %u /proc/$pid/environ; kill $pid'";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string owner;
  char buffer[64];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) owner.append(buffer, got);
  ::pclose(pipe);
  EXPECT_EQ(owner, "0\n") << "dumpable smtpc owns its /proc files";
}

}  // namespace
}  // namespace smtpc::it
