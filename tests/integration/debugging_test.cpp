// Debugging a server (docs/debugging.md) against real servers on loopback: --serverinfo over
// STARTTLS+AUTH and implicit TLS, checked against the test certificates; --quit-after at
// every stage; DSN parameters as the server received them; reply latency with -vv.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kCerts = TEST_CERTS_DIR;

std::string cert(std::string_view name) { return kCerts + "/" + std::string(name); }

std::vector<std::string> with_tls(std::vector<std::string> options, std::string_view mode) {
  options.insert(options.end(), {std::string(mode), "--tls-cert", cert("server.pem"), "--tls-key",
                                 cert("server.key")});
  return options;
}

// What `openssl x509 -noout OPTIONS` says of a certificate file: the text after its "=".
std::string openssl_fact(const std::string& file, std::vector<std::string> options) {
  std::vector<std::string> args{"/usr/bin/openssl", "x509", "-in", file, "-noout"};
  args.insert(args.end(), options.begin(), options.end());
  const auto run = run_program(args);
  const auto eq = run.out.find('=');
  std::string value = eq == std::string::npos ? run.out : run.out.substr(eq + 1);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void expect_certificate_facts(const std::string& report) {
  // The leaf is tests/data's server certificate: compare with what openssl reads from it.
  EXPECT_THAT(report, HasSubstr("  subject              CN=localhost\n"));
  EXPECT_THAT(report, HasSubstr("  alt names            DNS:localhost, IP:127.0.0.1, IP:::1\n"));
  EXPECT_THAT(report, HasSubstr("  issuer               CN=smtpc test CA\n"));
  EXPECT_THAT(report,
              HasSubstr("  SHA-256 fingerprint  " +
                        openssl_fact(cert("server.pem"), {"-fingerprint", "-sha256"}) + "\n"));
  EXPECT_THAT(report, HasSubstr("  pin                  " + trimmed(read_file(cert("server.pin"))) +
                                "  (--pinnedpubkey)\n"));
  EXPECT_THAT(report, HasSubstr("  public key           RSA 2048 bits\n"));
  // Validity as YYYY-MM-DD (the dates openssl reads), with the days left.
  const std::string not_before =
      openssl_fact(cert("server.pem"), {"-startdate", "-dateopt", "iso_8601"}).substr(0, 10);
  const std::string not_after =
      openssl_fact(cert("server.pem"), {"-enddate", "-dateopt", "iso_8601"}).substr(0, 10);
  EXPECT_TRUE(std::regex_search(report, std::regex("  valid                " + not_before + " to " +
                                                   not_after + R"( \(\d+ days left\))")))
      << report;
  EXPECT_THAT(report, HasSubstr("Verification: ok: trusted, and the certificate is valid for "
                                "127.0.0.1\n"));
}

TEST(ServerInfo, StartTlsWithAuth) {
  SmtpServer server(with_tls({"--auth-user", "alice:secret", "--auth-require-tls", "--pipelining",
                              "--size-limit", "10485760", "--dsn"},
                             "--starttls"));
  const auto run = run_smtpc({"--serverinfo", server.url("client.example"), "--cacert",
                              cert("ca.pem"), "-u", "alice:secret"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  const std::string& report = run.out;
  EXPECT_THAT(report, HasSubstr("Greeting:     220 mx.test.example"));
  EXPECT_THAT(report, HasSubstr("Capabilities          before TLS"));
  EXPECT_TRUE(std::regex_search(report, std::regex(R"(\n  STARTTLS +yes +no\n)"))) << report;
  EXPECT_TRUE(std::regex_search(
      report, std::regex(R"(\n  SIZE +10 MiB \(10485760 bytes\) +10 MiB \(10485760 bytes\)\n)")))
      << report;
  EXPECT_TRUE(std::regex_search(report, std::regex(R"(\n  PIPELINING +yes +yes\n)"))) << report;
  EXPECT_TRUE(std::regex_search(report, std::regex(R"(\n  DSN +yes +yes\n)"))) << report;
  // AUTH only inside TLS (--auth-require-tls).
  EXPECT_TRUE(
      std::regex_search(report, std::regex(R"(\n  AUTH +no +CRAM-MD5 LOGIN [A-Z0-9 -]*PLAIN)")))
      << report;
  EXPECT_THAT(report, HasSubstr("TLS:          STARTTLS\n"));
  EXPECT_THAT(report, HasSubstr("Protocol:     TLSv1.3, cipher TLS_"));
  expect_certificate_facts(report);
  EXPECT_THAT(report, HasSubstr("AUTH:         CRAM-MD5 succeeded: 235"));
  // No mail, and QUIT at the end.
  const auto log = server.log_lines();
  EXPECT_THAT(server.commands("MAIL"), IsEmpty());
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back(), "QUIT");
  EXPECT_EQ(server.commands("STARTTLS").size(), 1U);
  EXPECT_THAT(run.out, Not(HasSubstr("secret")));
}

TEST(ServerInfo, ImplicitTls) {
  SmtpServer server(with_tls({}, "--implicit-tls"));
  const auto run = run_smtpc({"--serverinfo",
                              "smtps://127.0.0.1:" + std::to_string(server.port()) + "/c.example",
                              "--cacert", cert("ca.pem")});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_THAT(run.out, HasSubstr("Capabilities          inside TLS\n"));
  EXPECT_THAT(run.out, Not(HasSubstr("before TLS")));
  EXPECT_THAT(run.out, HasSubstr("TLS:          implicit TLS (smtps://)\n"));
  EXPECT_THAT(run.out, HasSubstr("AUTH:         not tried (no credentials"));
  expect_certificate_facts(run.out);
  EXPECT_THAT(server.commands("MAIL"), IsEmpty());
}

TEST(ServerInfo, JsonReport) {
  SmtpServer server(with_tls({}, "--implicit-tls"));
  const auto run = run_smtpc({"--serverinfo-json",
                              "smtps://127.0.0.1:" + std::to_string(server.port()) + "/c.example",
                              "--cacert", cert("ca.pem")});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  // Python's json module is the judge of well-formedness.
  TempDir dir;
  const auto check = run_program({"/usr/bin/python3", "-c",
                                  "import json,sys; r=json.load(open(sys.argv[1])); "
                                  "print(r['tls']['chain'][0]['pin'], r['tls']['verified'], "
                                  "r['capabilities_inside_tls']['pipelining'])",
                                  dir.write_file("report.json", run.out)});
  ASSERT_EQ(check.exit_code, 0) << check.err << run.out;
  EXPECT_EQ(check.out, trimmed(read_file(cert("server.pin"))) + " True False\n");
}

// curl's -w '%{json}' prints the same object as --serverinfo-json, in place of the text
// report; other -w variables still describe the transfer, also after a failure.
TEST(ServerInfo, WriteOutJsonIsTheReport) {
  SmtpServer server(with_tls({}, "--implicit-tls"));
  const std::string url = "smtps://127.0.0.1:" + std::to_string(server.port()) + "/c.example";
  const auto run =
      run_smtpc({"--serverinfo", url, "--cacert", cert("ca.pem"), "-w", "%{json}\n%{exitcode}\n"});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_THAT(run.out, Not(HasSubstr("Verification:")));
  TempDir dir;
  const auto check =
      run_program({"/usr/bin/python3", "-c",
                   "import json,sys; lines=open(sys.argv[1]).read().split('\\n'); "
                   "r=json.loads(lines[0]); "
                   "print(r['tls']['chain'][0]['pin'], r['tls']['verified'], lines[1])",
                   dir.write_file("report.txt", run.out)});
  ASSERT_EQ(check.exit_code, 0) << check.err << run.out;
  EXPECT_EQ(check.out, trimmed(read_file(cert("server.pin"))) + " True 0\n");

  // Without %{json} the text report stays, followed by the -w output.
  const auto untrusted = run_smtpc({"--serverinfo", url, "-w", "[%{exitcode}]"});
  EXPECT_EQ(untrusted.exit_code, 60) << untrusted.err;
  EXPECT_THAT(untrusted.out, HasSubstr("Verification: FAILED"));
  EXPECT_THAT(untrusted.out, ::testing::EndsWith("[60]"));
}

TEST(ServerInfo, UntrustedCertificateIsReportedThenRefusedWith60) {
  SmtpServer server(with_tls({}, "--starttls"));
  // Without --cacert the test CA is unknown: the report still shows the certificate.
  const auto run = run_smtpc({"--serverinfo", server.url("client.example")});
  EXPECT_EQ(run.exit_code, 60) << run.err << run.out;
  EXPECT_THAT(run.out, HasSubstr("  subject              CN=localhost\n"));
  EXPECT_THAT(run.out, HasSubstr("Verification: FAILED: unable to get local issuer certificate\n"));
  EXPECT_THAT(run.err, HasSubstr("smtpc: (60) "));
  // With -k the same facts, the failure reported as ignored, and exit 0.
  const auto insecure = run_smtpc({"--serverinfo", server.url("client.example"), "-k"});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_THAT(insecure.out, HasSubstr("Verification: FAILED: unable to get local issuer "
                                      "certificate (ignored: -k/--insecure)\n"));
  EXPECT_THAT(insecure.out, HasSubstr("Capabilities          before TLS"));
}

TEST(ServerInfo, NoStartTlsOffered) {
  SmtpServer server;
  const auto run = run_smtpc({"--serverinfo", server.url("client.example")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("TLS:          none: the server does not offer STARTTLS\n"));
  EXPECT_THAT(run.out, Not(HasSubstr("Certificate")));
  // --ssl-reqd keeps its meaning: 64.
  const auto required = run_smtpc({"--serverinfo", "--ssl-reqd", server.url("client.example")});
  EXPECT_EQ(required.exit_code, 64) << required.err;
  EXPECT_THAT(required.out, HasSubstr("Capabilities          before TLS"));
}

class QuitAfter : public ::testing::Test {
 protected:
  QuitAfter()
      : server_(with_tls({"--auth-user", "alice:secret", "--pipelining", "--size-limit", "1000000"},
                         "--starttls")) {}

  RunResult run(std::string_view stage, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{server_.url("client.example"),
                                  "--ssl-reqd",
                                  "--cacert",
                                  cert("ca.pem"),
                                  "-u",
                                  "alice:secret",
                                  "--mail-from",
                                  "a@example.com",
                                  "--mail-rcpt",
                                  "b@example.com",
                                  "--quit-after",
                                  std::string(stage)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_smtpc(args);
  }
  // The server's command log with the SASL response line left out.
  std::vector<std::string> verbs() const {
    std::vector<std::string> out;
    for (const auto& line : server_.log_lines()) {
      out.push_back(line.substr(0, line.find_first_of(" :")));
    }
    return out;
  }

  SmtpServer server_;
};

TEST_F(QuitAfter, Connect) {
  const auto result = run("connect");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(server_.log_lines(), IsEmpty());
}

TEST_F(QuitAfter, Greeting) {
  const auto result = run("greeting");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(verbs(), ElementsAre("QUIT"));
}

TEST_F(QuitAfter, Ehlo) {
  const auto result = run("ehlo");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(verbs(), ElementsAre("EHLO", "QUIT"));
}

TEST_F(QuitAfter, Tls) {
  const auto result = run("tls");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(verbs(), ElementsAre("EHLO", "STARTTLS", "EHLO", "QUIT"));
}

TEST_F(QuitAfter, Auth) {
  const auto result = run("auth");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto log = verbs();
  ASSERT_GE(log.size(), 5U);
  EXPECT_EQ(log[3], "AUTH");
  EXPECT_EQ(log.back(), "QUIT");
  EXPECT_THAT(server_.commands("MAIL"), IsEmpty());
}

TEST_F(QuitAfter, MailSendsNoRecipient) {
  const auto result = run("mail");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(server_.commands("MAIL"), ElementsAre("MAIL FROM:<a@example.com>"));
  EXPECT_THAT(server_.commands("RCPT"), IsEmpty());
  EXPECT_EQ(verbs().back(), "QUIT");
}

TEST_F(QuitAfter, RcptSendsNoData) {
  const auto result = run("rcpt", {"-v"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(server_.commands("RCPT"), ElementsAre("RCPT TO:<b@example.com>"));
  EXPECT_THAT(server_.commands("DATA"), IsEmpty());
  EXPECT_EQ(verbs().back(), "QUIT");
  EXPECT_THAT(result.err,
              HasSubstr("> RCPT TO:<b@example.com>\n< 250 OK\n< 250 OK\n> QUIT\n< 221"));
  EXPECT_THAT(server_.messages(), IsEmpty());
}

TEST_F(QuitAfter, RcptRefusedExits55) {
  SmtpServer refusing({"--refuse-rcpt", "nobody@example.com"});
  const auto result = run_smtpc({refusing.url("client.example"), "--mail-from", "a@example.com",
                                 "--mail-rcpt", "nobody@example.com", "--quit-after", "rcpt"});
  EXPECT_EQ(result.exit_code, 55) << result.err;
  EXPECT_THAT(result.err, HasSubstr("550 5.1.1"));
  EXPECT_THAT(refusing.commands("DATA"), IsEmpty());
}

TEST_F(QuitAfter, DataDropsTheConnectionAndNothingIsStored) {
  TempDir dir;
  const auto result = run("data", {"-T", dir.write_file("m.txt", "Subject: x\n\nnever sent\n")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(server_.commands("DATA"), ElementsAre("DATA"));
  EXPECT_THAT(server_.commands("QUIT"), IsEmpty());
  // Give the server a moment to notice the closed connection; it must store nothing.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_THAT(server_.messages(), IsEmpty());
  // -T still told the server the size.
  EXPECT_THAT(server_.commands("MAIL"), ElementsAre("MAIL FROM:<a@example.com> SIZE=23"));
}

TEST(QuitAfterUsage, BadStageIsAUsageError) {
  const auto result = run_smtpc({"smtp://127.0.0.1:1", "--quit-after", "body"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("smtpc: (2) --quit-after \"body\": expected connect"));
}

TEST(Dsn, ParametersAsTheServerReceivedThem) {
  SmtpServer server({"--dsn", "--pipelining", "--size-limit", "1000000"});
  TempDir dir;
  const auto result = run_smtpc({server.url("client.example"), "--mail-from", "a@example.com",
                                 "--mail-rcpt", "b@example.com", "--mail-rcpt", "c+d=e@example.com",
                                 "-T", dir.write_file("m.txt", "Subject: dsn\n\nhello\n"),
                                 "--dsn-notify", "success,failure", "--dsn-return", "hdrs",
                                 "--dsn-envid", "q 42+x", "--dsn-required"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(server.commands("MAIL"),
              ElementsAre("MAIL FROM:<a@example.com> SIZE=20 RET=HDRS ENVID=q+2042+2Bx"));
  EXPECT_THAT(server.commands("RCPT"),
              ElementsAre("RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE "
                          "ORCPT=rfc822;b@example.com",
                          "RCPT TO:<c+d=e@example.com> NOTIFY=SUCCESS,FAILURE "
                          "ORCPT=rfc822;c+2Bd+3De@example.com"));
  ASSERT_EQ(server.messages().size(), 1U);
}

// curl 8.16's form: parameters written after the address, sent as written; a keyword
// written there is not added again from --dsn-*, the other recipients still get those.
TEST(Dsn, WrittenParametersAsTheServerReceivedThem) {
  SmtpServer server({"--dsn", "--pipelining", "--size-limit", "1000000"});
  TempDir dir;
  const auto result =
      run_smtpc({server.url("client.example"), "--mail-from", "<a@example.com> RET=HDRS ENVID=X",
                 "--mail-rcpt", "<b@example.com> NOTIFY=SUCCESS,FAILURE", "--mail-rcpt",
                 "c@example.com NOTIFY=NEVER", "--mail-rcpt", "d@example.com",
                 "--mail-rcpt-allowfails", "-T", dir.write_file("m.txt", "Subject: dsn\n\nhello\n"),
                 "--dsn-notify", "delay", "--dsn-return", "full"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(server.commands("MAIL"),
              ElementsAre("MAIL FROM:<a@example.com> RET=HDRS ENVID=X SIZE=20"));
  EXPECT_THAT(server.commands("RCPT"),
              ElementsAre("RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE "
                          "ORCPT=rfc822;b@example.com",
                          "RCPT TO:<c@example.com> NOTIFY=NEVER ORCPT=rfc822;c@example.com",
                          "RCPT TO:<d@example.com> NOTIFY=DELAY ORCPT=rfc822;d@example.com"));
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_THAT(stored[0].envelope.dsn_mail, ElementsAre("RET=HDRS", "ENVID=X"));
  EXPECT_THAT(stored[0].envelope.dsn_rcpt,
              ElementsAre("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com",
                          "NOTIFY=NEVER ORCPT=rfc822;c@example.com",
                          "NOTIFY=DELAY ORCPT=rfc822;d@example.com"));
}

TEST(Dsn, SecurityWrittenParametersWithControlCharactersAreRefused) {
  SmtpServer server({"--dsn"});
  TempDir dir;
  const std::string mail = dir.write_file("m.txt", "Subject: dsn\n\nhello\n");
  for (const std::string rcpt : {"<b@example.com> NOTIFY=NEVER\r\nRSET",
                                 "<b@example.com> NOTIFY=\x1b[31m", "<b@example.com> =NEVER"}) {
    SCOPED_TRACE(rcpt);
    const auto result = run_smtpc({server.url("client.example"), "--mail-from", "a@example.com",
                                   "--mail-rcpt", rcpt, "-T", mail});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, StartsWith("smtpc: (2) "));
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  EXPECT_THAT(server.log_lines(), IsEmpty());
}

TEST(Dsn, NotOfferedWarnsOrFails) {
  SmtpServer server;
  TempDir dir;
  const std::string mail = dir.write_file("m.txt", "Subject: dsn\n\nhello\n");
  std::vector<std::string> args{server.url("client.example"),
                                "--mail-from",
                                "a@example.com",
                                "--mail-rcpt",
                                "b@example.com",
                                "-T",
                                mail,
                                "--dsn-notify",
                                "never"};
  const auto warned = run_smtpc(args);
  ASSERT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_THAT(warned.err, HasSubstr("Warning: the server does not offer DSN"));
  EXPECT_THAT(server.commands("RCPT"), ElementsAre("RCPT TO:<b@example.com>"));
  ASSERT_EQ(server.messages().size(), 1U);

  args.push_back("--dsn-required");
  const auto refused = run_smtpc(args);
  EXPECT_EQ(refused.exit_code, 55) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("--dsn-required"));
  EXPECT_EQ(server.messages().size(), 1U);  // nothing more
}

TEST(Dsn, SendmailModeOptions) {
  SmtpServer server({"--dsn"});
  TempDir home;
  const auto result =
      run_program({SMTPC_BINARY, "--sendmail", "-N", "failure,delay", "-R", "full", "-V", "env-1",
                   "-f", "a@example.com", "b@example.com"},
                  "Subject: cron\n\nhello\n",
                  {"SMTPC_URL=" + server.url("client.example"),
                   "SMTPC_CONFIG=", "HOME=" + home.path(), "XDG_CONFIG_HOME=" + home.path()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto mail = server.commands("MAIL");
  ASSERT_EQ(mail.size(), 1U);
  EXPECT_THAT(mail[0], HasSubstr(" RET=FULL ENVID=env-1"));
  EXPECT_THAT(server.commands("RCPT"), ElementsAre("RCPT TO:<b@example.com> NOTIFY=FAILURE,DELAY "
                                                   "ORCPT=rfc822;b@example.com"));

  // A bad -N is sendmail's usage error, EX_USAGE (64), before anything is sent.
  const auto bad = run_program(
      {SMTPC_BINARY, "--sendmail", "-N", "sometimes", "b@example.com"}, "Subject: cron\n\nhello\n",
      {"SMTPC_URL=" + server.url("client.example"), "SMTPC_CONFIG=", "HOME=" + home.path(),
       "XDG_CONFIG_HOME=" + home.path()});
  EXPECT_EQ(bad.exit_code, 64) << bad.err;
  EXPECT_THAT(bad.err, HasSubstr("--dsn-notify \"sometimes\""));
  EXPECT_EQ(server.commands("MAIL").size(), 1U);
}

TEST(ReplyLatency, DoubleVerboseShowsASlowGreeting) {
  ScriptedServer server("SLEEP 0.3\nS 220 slow ESMTP\nR\nS 250 slow\nR\nS 221 bye\n");
  const auto result = run_smtpc({server.url("client.example"), "--quit-after", "ehlo", "-vv"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      result.err, match, std::regex(R"(< 220 slow ESMTP\n\* reply after (\d+)\.\d{3} ms\n)")))
      << result.err;
  EXPECT_GE(std::stoi(match[1]), 250);
  // -v alone keeps curl's format.
  ScriptedServer quiet("S 220 fast\nR\nS 250 fast\nR\nS 221 bye\n");
  const auto plain = run_smtpc({quiet.url("client.example"), "--quit-after", "ehlo", "-v"});
  EXPECT_THAT(plain.err, Not(HasSubstr("reply after")));
}

}  // namespace
}  // namespace smtpc::it
