// Direct delivery (--mx) end to end: dnsmasq on 127.0.0.1 serves test zones whose MX hosts
// resolve to 127.0.0.1 or ::1, where aiosmtpd (or a scripted server) listens on a high port.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "mx_support.hpp"
#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr std::string_view kMessage = "Subject: mx\n\nstraight to the recipient's server\n";
constexpr std::string_view kMessageOnWire =
    "Subject: mx\r\n\r\nstraight to the recipient's server\r\n";

std::string mx(std::string_view domain, std::string_view host, int preference) {
  return "--mx-host=" + std::string(domain) + "," + std::string(host) + "," +
         std::to_string(preference);
}
std::string host(std::string_view name, std::string_view address) {
  return "--host-record=" + std::string(name) + "," + std::string(address);
}

/// Position of `needle` in `text`, or npos; for checking the order of trace lines.
std::size_t at(const std::string& text, std::string_view needle) { return text.find(needle); }

class MxTest : public ::testing::Test {
 protected:
  /// smtpc smtp:///client.test --dns-servers DNS --mx-port PORT --mail-from ... -T FILE
  std::vector<std::string> args(const DnsServer& dns, std::uint16_t port,
                                const std::vector<std::string>& recipients,
                                std::vector<std::string> extra = {}, std::string file = "") {
    auto out = send_args({.url = "smtp:///client.test",
                          .files = {file.empty() ? files_.write_file("mail.txt", kMessage) : file},
                          .options = std::move(extra),
                          .recipients = recipients,
                          .sender = "me@example.org"});
    // Right after the URL: tests replace arguments[2], the DNS server.
    out.insert(out.begin() + 1,
               {"--dns-servers", dns.address(), "--mx-port", std::to_string(port)});
    return out;
  }

  TempDir files_;
};

TEST_F(MxTest, SingleMxReceivesTheMessage) {
  SmtpServer server;
  DnsServer dns({mx("single.test", "mx.single.test", 10), host("mx.single.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(), {"user@single.test"}, {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err << dns.log();
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].bytes, kMessageOnWire);
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("user@single.test"));
  EXPECT_THAT(server.log_lines(), ElementsAre("EHLO client.test", "MAIL FROM:<me@example.org>",
                                              "RCPT TO:<user@single.test>", "DATA", "QUIT"));
  EXPECT_THAT(run.err, HasSubstr("* single.test: MX lookup via " + dns.address()));
  EXPECT_THAT(run.err, HasSubstr("* single.test: 1 MX record: 10 mx.single.test"));
  EXPECT_THAT(run.err, HasSubstr("* mx.single.test: AAAA none; A 127.0.0.1"));
  EXPECT_THAT(run.err, HasSubstr("Trying 127.0.0.1:" + std::to_string(server.port())));
  EXPECT_THAT(run.err, HasSubstr("smtpc: single.test: delivered (1 recipient) via mx.single.test "
                                 "[127.0.0.1] (plain text): 250 OK: queued"));
}

TEST_F(MxTest, FallsBackWhenThePreferredMxRefusesTheConnection) {
  SmtpServer server;  // on 127.0.0.1 only: [::1]:PORT refuses the connection
  DnsServer dns({mx("one.test", "mx1.one.test", 10), mx("one.test", "mx2.one.test", 20),
                 host("mx1.one.test", "::1"), host("mx2.one.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(), {"user@one.test"}, {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_THAT(run.err, HasSubstr("* one.test: MX order: mx1.one.test (10), mx2.one.test (20)"));
  const auto first = at(run.err, "one.test: trying MX mx1.one.test (preference 10) at ::1");
  const auto refused = at(run.err, "one.test: mx1.one.test at ::1 failed");
  const auto second = at(run.err, "one.test: trying MX mx2.one.test (preference 20) at 127.0.0.1");
  ASSERT_NE(first, std::string::npos) << run.err;
  ASSERT_NE(refused, std::string::npos) << run.err;
  ASSERT_NE(second, std::string::npos) << run.err;
  EXPECT_LT(first, refused);
  EXPECT_LT(refused, second);
  EXPECT_THAT(run.err, HasSubstr("delivered (1 recipient) via mx2.one.test [127.0.0.1]"));
}

TEST_F(MxTest, Dash4LooksUpOnlyARecords) {
  SmtpServer server;  // on 127.0.0.1 only
  DnsServer dns({mx("one.test", "mx1.one.test", 10), mx("one.test", "mx2.one.test", 20),
                 host("mx1.one.test", "::1"), host("mx2.one.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(), {"user@one.test"}, {"-v", "-4"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  // The IPv6-only MX is not tried at all: it has no address under -4.
  EXPECT_THAT(run.err, HasSubstr("* mx1.one.test: A none"));
  EXPECT_THAT(run.err, Not(HasSubstr("at ::1")));
  EXPECT_THAT(run.err, Not(HasSubstr("AAAA")));
  EXPECT_THAT(run.err, HasSubstr("delivered (1 recipient) via mx2.one.test [127.0.0.1]"));
}

TEST_F(MxTest, FallsBackWhenThePreferredMxGreetsWith4xx) {
  SmtpServer server;
  ScriptedServer busy("S 421 4.3.2 mx1 is busy, try another\nR\nS 221 bye\nCLOSE\n",
                      {"--host", "::1", "--port", std::to_string(server.port())});
  DnsServer dns({mx("busy.test", "mx1.busy.test", 10), mx("busy.test", "mx2.busy.test", 20),
                 host("mx1.busy.test", "::1"), host("mx2.busy.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(), {"user@busy.test"}, {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(busy.received_lines(), ElementsAre("QUIT"));  // polite, and nothing else
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_THAT(run.err, HasSubstr("< 421 4.3.2 mx1 is busy, try another"));
  EXPECT_THAT(run.err, HasSubstr("service refused: skipping its other addresses"));
  EXPECT_THAT(run.err, HasSubstr("via mx2.busy.test [127.0.0.1]"));
}

TEST_F(MxTest, EqualPreferencesAreTriedInRandomOrder) {
  SmtpServer server;
  DnsServer dns({mx("equal.test", "a.equal.test", 10), mx("equal.test", "b.equal.test", 10),
                 host("a.equal.test", "::1"), host("b.equal.test", "127.0.0.1")});
  std::set<std::string> tried_first;
  for (int i = 0; i < 16 && tried_first.size() < 2; ++i) {
    const auto run = run_smtpc(args(dns, server.port(), {"user@equal.test"}, {"-v"}));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto a = at(run.err, "trying MX a.equal.test");
    const auto b = at(run.err, "trying MX b.equal.test");
    ASSERT_NE(b, std::string::npos) << run.err;  // b is the one that accepts
    tried_first.insert(a != std::string::npos && a < b ? "a" : "b");
  }
  // Each order has probability 1/2 per run: both show up in 16 runs but for 2^-15 of the time.
  EXPECT_THAT(tried_first, ElementsAre("a", "b"));
}

TEST_F(MxTest, WithoutMxTheDomainsOwnAddressIsUsed) {
  SmtpServer server;
  DnsServer dns({host("implicit.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(), {"user@implicit.test"}, {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_THAT(run.err, HasSubstr("implicit.test: no MX records: delivering to the domain's own "
                                 "address (implicit MX"));
  EXPECT_THAT(run.err, HasSubstr("via implicit.test [127.0.0.1]"));
}

TEST_F(MxTest, NullMxIsAPermanentFailureWithoutAnyConnection) {
  SmtpServer server;
  DnsServer dns({mx("null.test", ".", 0), host("null.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(), {"user@null.test"}));

  EXPECT_EQ(run.exit_code, 55) << run.err;
  EXPECT_THAT(run.err, HasSubstr("smtpc: (55) null.test: null.test accepts no mail: it publishes "
                                 "a null MX (RFC 7505)"));
  EXPECT_THAT(server.log_lines(), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(MxTest, TwoDomainsGetOneTransactionEachWithOnlyTheirRecipients) {
  SmtpServer server;
  DnsServer dns({mx("one.test", "mx1.one.test", 10), mx("one.test", "mx2.one.test", 20),
                 host("mx1.one.test", "::1"), host("mx2.one.test", "127.0.0.1"),
                 mx("two.test", "mx.two.test", 5), host("mx.two.test", "127.0.0.1")});
  const auto run =
      run_smtpc(args(dns, server.port(), {"ann@one.test", "bob@Two.TEST", "cy@ONE.test"}, {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("ann@one.test", "cy@one.test"));
  EXPECT_THAT(messages[1].envelope.rcpt_tos, ElementsAre("bob@two.test"));
  EXPECT_EQ(messages[0].bytes, kMessageOnWire);
  EXPECT_EQ(messages[1].bytes, kMessageOnWire);
  EXPECT_THAT(server.commands("MAIL"), SizeIs(2));
  EXPECT_THAT(run.err, HasSubstr("smtpc: one.test: delivered (2 recipients) via mx2.one.test"));
  EXPECT_THAT(run.err, HasSubstr("smtpc: two.test: delivered (1 recipient) via mx.two.test"));
}

TEST_F(MxTest, StandardInputIsSentWholeToEveryDomain) {
  SmtpServer server({"--size-limit", "10000000"});
  DnsServer dns({mx("one.test", "mx.one.test", 10), host("mx.one.test", "127.0.0.1"),
                 mx("two.test", "mx.two.test", 10), host("mx.two.test", "127.0.0.1")});
  std::string body = "Subject: stdin\n\n";
  for (int i = 0; i < 20000; ++i) body += "line " + std::to_string(i) + " of standard input\n";
  auto arguments = args(dns, server.port(), {"a@one.test", "b@two.test"}, {}, "-");
  const auto run = run_smtpc(arguments, body);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));
  EXPECT_EQ(messages[0].bytes.size(), body.size() + 20002);  // every LF became CRLF
  EXPECT_EQ(messages[0].bytes, messages[1].bytes);
  // Spooled, so its size is known and announced.
  EXPECT_THAT(server.commands("MAIL")[1], HasSubstr("SIZE=" + std::to_string(body.size())));
}

// Issue 11, bug 1: -H makes the upload an edited one, which used to open only once: the
// second domain failed with "the upload can only be sent once" (exit 26).
TEST_F(MxTest, EditedUploadGoesToEveryDomain) {
  SmtpServer first;  // 127.0.0.1
  SmtpServer second({"--host", "127.0.0.2", "--port", std::to_string(first.port())});
  DnsServer dns({});
  const auto run =
      run_smtpc(args(dns, first.port(), {"x@[127.0.0.1]", "y@[127.0.0.2]"}, {"-H", "X-Test: 1"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string edited =
      "Subject: mx\r\nX-Test: 1\r\n\r\nstraight to the recipient's server\r\n";
  const auto at_first = first.messages();
  const auto at_second = second.messages();
  ASSERT_THAT(at_first, SizeIs(1));
  ASSERT_THAT(at_second, SizeIs(1));
  EXPECT_EQ(at_first[0].bytes, edited);
  EXPECT_EQ(at_second[0].bytes, edited);
  EXPECT_THAT(at_first[0].envelope.rcpt_tos, ElementsAre("x@[127.0.0.1]"));
  EXPECT_THAT(at_second[0].envelope.rcpt_tos, ElementsAre("y@[127.0.0.2]"));
}

// The same with -t reading standard input: the edited message is spooled once, and every
// domain reads that copy from its start.
TEST_F(MxTest, EditedStandardInputGoesToEveryDomain) {
  SmtpServer server;
  DnsServer dns({mx("one.test", "mx.one.test", 10), host("mx.one.test", "127.0.0.1"),
                 mx("two.test", "mx.two.test", 10), host("mx.two.test", "127.0.0.1")});
  std::string input = "To: a@one.test\nBcc: b@two.test\nSubject: stdin\n\n";
  for (int i = 0; i < 20000; ++i) input += "line " + std::to_string(i) + " of standard input\n";
  const auto run = run_smtpc(args(dns, server.port(), {}, {"-t", "--no-auto-headers"}, "-"), input);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("a@one.test"));
  EXPECT_THAT(messages[1].envelope.rcpt_tos, ElementsAre("b@two.test"));
  EXPECT_THAT(messages[0].bytes, Not(HasSubstr("Bcc")));
  EXPECT_EQ(messages[0].bytes.size(),
            input.size() - std::string("Bcc: b@two.test\n").size() + 20003);
  EXPECT_EQ(messages[0].bytes, messages[1].bytes);
}

TEST_F(MxTest, NxDomainExits6NamingTheDomain) {
  SmtpServer server;
  DnsServer dns({});
  const auto run = run_smtpc(args(dns, server.port(), {"user@nowhere.test"}));

  EXPECT_EQ(run.exit_code, 6) << run.err;
  EXPECT_THAT(run.err, HasSubstr("smtpc: (6) nowhere.test: Could not resolve domain nowhere.test: "
                                 "no such domain (NXDOMAIN)"));
  EXPECT_THAT(server.log_lines(), IsEmpty());
}

TEST_F(MxTest, OneFailedDomainFailsTheRunButTheOthersAreDeliveredAndListed) {
  SmtpServer server;
  DnsServer dns({mx("good.test", "mx.good.test", 10), host("mx.good.test", "127.0.0.1")});
  const auto run =
      run_smtpc(args(dns, server.port(), {"a@nowhere.test", "b@good.test", "c@null.invalid"}));

  EXPECT_EQ(run.exit_code, 6) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_THAT(server.messages()[0].envelope.rcpt_tos, ElementsAre("b@good.test"));
  EXPECT_THAT(run.err, HasSubstr("smtpc: nowhere.test: NOT delivered (1 recipient): (6)"));
  EXPECT_THAT(run.err, HasSubstr("smtpc: good.test: delivered (1 recipient) via mx.good.test"));
  EXPECT_THAT(run.err, HasSubstr("smtpc: null.invalid: NOT delivered (1 recipient)"));
  // The exit status and the last line are the first failure's.
  EXPECT_THAT(split_lines(run.err).back(), HasSubstr("smtpc: (6) nowhere.test:"));
}

TEST_F(MxTest, DnsServerRefusingFailsAtOnceWithClearError) {
  SmtpServer server;
  DnsServer dns({});
  const std::string dead = "127.0.0.1:" + std::to_string(free_dns_port());
  auto arguments = args(dns, server.port(), {"user@one.test"});
  arguments[2] = dead;  // --dns-servers
  const auto run = run_smtpc(arguments, "", std::chrono::seconds(30));

  EXPECT_EQ(run.exit_code, 6) << run.err;
  EXPECT_THAT(run.err, HasSubstr("Could not resolve one.test: no answer from the DNS server " +
                                 dead + " (Connection refused)"));
  EXPECT_LT(run.elapsed, std::chrono::seconds(5));
}

TEST_F(MxTest, SilentDnsServerTimesOutWithinSeconds) {
  SmtpServer server;
  DnsServer dns({});
  SilentUdpPort silent;
  const std::string dead = "127.0.0.1:" + std::to_string(silent.port());
  auto arguments = args(dns, server.port(), {"user@one.test"});
  arguments[2] = dead;
  const auto run = run_smtpc(arguments, "", std::chrono::seconds(30));

  EXPECT_EQ(run.exit_code, 6) << run.err;
  EXPECT_THAT(run.err, HasSubstr("no answer from the DNS server " + dead + " (timed out)"));
  EXPECT_LT(run.elapsed, std::chrono::seconds(10));  // 2 tries of 2 s
}

TEST_F(MxTest, InternationalDomainIsLookedUpAndSentAsALabel) {
  SmtpServer server;
  DnsServer dns({mx("xn--bcher-kva.test", "mx.xn--bcher-kva.test", 10),
                 host("mx.xn--bcher-kva.test", "127.0.0.1")});
  const auto run = run_smtpc(args(dns, server.port(),
                                  {"anna@B\xC3\xBC"
                                   "cher.test"},
                                  {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("RCPT"), ElementsAre("RCPT TO:<anna@xn--bcher-kva.test>"));
  EXPECT_THAT(run.err, HasSubstr("* xn--bcher-kva.test: MX lookup"));
}

TEST_F(MxTest, AddressLiteralIsConnectedToWithoutDns) {
  SmtpServer server;
  DnsServer dns({});
  const auto run = run_smtpc(args(dns, server.port(), {"u@[127.0.0.1]"}, {"-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("RCPT"), ElementsAre("RCPT TO:<u@[127.0.0.1]>"));
  EXPECT_THAT(run.err, HasSubstr("[127.0.0.1]: address literal: no MX lookup"));
  EXPECT_THAT(dns.log(), Not(HasSubstr("query[MX]")));  // only the fixture's readiness probe
}

TEST_F(MxTest, OpportunisticTlsWithUnverifiableCertificateStillEncrypts) {
  // The test certificate names localhost, not mx.tls.test: verification fails.
  SmtpServer server(server_tls("--starttls"));
  DnsServer dns({mx("tls.test", "mx.tls.test", 10), host("mx.tls.test", "127.0.0.1")});
  const auto run = run_smtpc(
      args(dns, server.port(), {"user@tls.test"}, {"--cacert", test_cert("ca.pem"), "-v"}));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_THAT(run.err, HasSubstr("Warning: tls.test: the certificate of mx.tls.test could not be "
                                 "verified"));
  EXPECT_THAT(run.err, HasSubstr("(TLS, certificate not verified): 250"));
  // Both connections went through STARTTLS; the message only in the second.
  EXPECT_THAT(server.commands("STARTTLS"), SizeIs(2));
}

TEST_F(MxTest, SecuritySslReqdRequiresAVerifiedCertificate) {
  SmtpServer server(server_tls("--starttls"));
  DnsServer dns({mx("tls.test", "mx.tls.test", 10), host("mx.tls.test", "127.0.0.1")});
  const auto run = run_smtpc(
      args(dns, server.port(), {"user@tls.test"}, {"--cacert", test_cert("ca.pem"), "--ssl-reqd"}));

  EXPECT_EQ(run.exit_code, 60) << run.err;
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(MxTest, PlainTextServerIsFineWithoutSslReqdAndRefusedWithIt) {
  SmtpServer server;
  DnsServer dns({mx("plain.test", "mx.plain.test", 10), host("mx.plain.test", "127.0.0.1")});
  const auto plain = run_smtpc(args(dns, server.port(), {"user@plain.test"}));
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.err, Not(HasSubstr("Warning")));  // plain text is normal between MTAs
  const auto required = run_smtpc(args(dns, server.port(), {"user@plain.test"}, {"--ssl-reqd"}));
  EXPECT_EQ(required.exit_code, 64) << required.err;
  EXPECT_THAT(server.messages(), SizeIs(1));
}

TEST_F(MxTest, UsageErrors) {
  DnsServer dns({});
  auto relay_and_mx = args(dns, 2525, {"user@one.test"}, {"--mx"});
  relay_and_mx[0] = "smtp://relay.test/client.test";
  EXPECT_EQ(run_smtpc(relay_and_mx).exit_code, 2);
  auto no_domain = args(dns, 2525, {"postmaster"});
  const auto run = run_smtpc(no_domain);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("<postmaster> has no domain"));
  EXPECT_EQ(run_smtpc({"smtp://relay.test", "--dns-servers", "127.0.0.1", "--mail-rcpt", "a@b.test",
                       "-T", files_.write_file("m", kMessage)})
                .exit_code,
            2);
}

// --- direct delivery never logs in (issue 19, item 1) ---

// An MX that offers AUTH after STARTTLS (with a certificate smtpc cannot verify for it, so
// opportunistic TLS carries on unverified), reached by an address literal.
class SecurityMx : public MxTest {
 protected:
  SecurityMx()
      : server_([] {
          auto options = server_tls("--starttls");
          options.insert(options.end(), {"--auth-user", "me:mx-secret", "--auth-require-tls"});
          return options;
        }()) {}

  RunResult send(std::vector<std::string> extra, std::string url = "smtp:///client.test") {
    auto arguments = args(dns_, server_.port(), {"u@[127.0.0.1]"}, std::move(extra));
    arguments[0] = std::move(url);
    return run_smtpc(arguments);
  }

  void expect_no_auth() const {
    for (const auto& line : server_.log_lines()) EXPECT_THAT(line, Not(HasSubstr("AUTH")));
  }

  SmtpServer server_;
  DnsServer dns_{{}};
};

TEST_F(SecurityMx, EveryCommandLineLoginIsRefusedBeforeConnecting) {
  const std::string netrc =
      files_.write_file("netrc", "machine 127.0.0.1 login me password mx-secret\n");
  ASSERT_EQ(::chmod(netrc.c_str(), 0600), 0);
  const std::string password = files_.write_file("password", "mx-secret\n");
  const struct {
    std::vector<std::string> options;
    std::string url;
    std::string named;
  } cases[] = {
      {{"-u", "me:mx-secret"}, "smtp:///client.test", "-u"},
      {{"--mx", "-u", "me:mx-secret"}, "smtp:///client.test", "-u"},
      {{"-u", "me", "--password-file", password}, "smtp:///client.test", "-u"},
      {{"--password-file", password}, "smtp:///client.test", "--password-file"},
      {{"--oauth2-bearer", "mx-token"}, "smtp:///client.test", "--oauth2-bearer"},
      {{"--netrc"}, "smtp:///client.test", "--netrc"},
      {{"--netrc-optional"}, "smtp:///client.test", "--netrc-optional"},
      {{"--netrc-file", netrc}, "smtp:///client.test", "--netrc-file"},
      {{}, "smtp://me:mx-secret@/client.test", "a user name in the URL"},
  };
  for (const auto& c : cases) {
    const auto run = send(c.options, c.url);
    EXPECT_EQ(run.exit_code, 2) << c.named << ": " << run.err;
    EXPECT_EQ(run.err, "smtpc: (2) --mx: " + c.named +
                           " is refused: direct delivery never logs in, and the login would go "
                           "to the recipient's mail server\n");
  }
  EXPECT_THAT(server_.log_lines(), IsEmpty());
  EXPECT_THAT(server_.messages(), IsEmpty());
}

TEST_F(SecurityMx, AnAccountsLoginIsNotUsedAndItsPasswordCommandNotRun) {
  const std::string ran = files_.path() + "/password-command-ran";
  const std::string config =
      files_.write_file("config", "[default]\nuser = me\npassword-command = touch " + ran +
                                      "; echo mx-secret\nnetrc = optional\n");
  ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
  const auto run = send({"--account-file", config, "-v"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server_.messages(), SizeIs(1));
  expect_no_auth();
  EXPECT_THAT(server_.commands("STARTTLS"), Not(IsEmpty()));
  EXPECT_NE(::access(ran.c_str(), F_OK), 0) << "the account's password-command ran";
  EXPECT_THAT(run.err, HasSubstr("* account [default] in " + config +
                                 ": its login is not used: direct delivery (--mx) never logs in"));

  const std::string with_password =
      files_.write_file("config2", "[default]\nuser = me\npassword = mx-secret\n");
  ASSERT_EQ(::chmod(with_password.c_str(), 0600), 0);
  const auto inline_password = send({"--account-file", with_password});
  ASSERT_EQ(inline_password.exit_code, 0) << inline_password.err;
  EXPECT_THAT(server_.messages(), SizeIs(2));
  expect_no_auth();
}

}  // namespace
}  // namespace smtpc::it
