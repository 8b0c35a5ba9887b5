// DKIM signing end to end (docs/dkim.md): smtpc signs, aiosmtpd stores what arrived, and two
// independent verifiers — dkimpy and OpenDKIM's library (tests/integration/dkim_verify.py) —
// check every signature against the public keys that dnsmasq serves, the DNS server the
// --mx tests run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "mx_support.hpp"
#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

/// Keys made once for all tests (openssl genpkey), each with its DNS record.
struct TestKey {
  std::string path;
  std::string selector;
  std::string record;  // "v=DKIM1; k=...; p=..."
};

class DkimTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_dir_ = new TempDir();
    rsa_ = new TestKey(make_key("rsa", {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}));
    ed25519_ = new TestKey(make_key("ed", {"-algorithm", "ED25519"}));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ed25519_;
    delete keys_dir_;
  }

  static TestKey make_key(const std::string& selector, std::vector<std::string> algorithm) {
    const std::string path = keys_dir_->path() + "/" + selector + ".pem";
    std::vector<std::string> args{"/usr/bin/openssl", "genpkey", "-out", path};
    args.insert(args.end(), algorithm.begin(), algorithm.end());
    const auto made = run_program(args);
    EXPECT_EQ(made.exit_code, 0) << made.err;
    ::chmod(path.c_str(), 0600);
    const auto record = run_program({PYTHON_EXECUTABLE, DKIM_VERIFY_SCRIPT, "--record", path});
    EXPECT_EQ(record.exit_code, 0) << record.err;
    std::string text = record.out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return {path, selector, text};
  }

  /// dnsmasq serving the keys' records for `domains`, and anything else the test adds.
  static std::vector<std::string> key_records(const std::vector<std::string>& domains) {
    std::vector<std::string> records;
    for (const auto& domain : domains) {
      for (const TestKey* key : {rsa_, ed25519_}) {
        records.push_back("--txt-record=" + key->selector + "._domainkey." + domain + "," +
                          key->record);
      }
    }
    return records;
  }

  static std::vector<std::string> sign_with(const TestKey& key) {
    return {"--dkim-key", key.path, "--dkim-selector", key.selector};
  }

  /// Both verifiers pass every signature of every message, and each has `expected` of them.
  void expect_verified(const DnsServer& dns, const std::vector<Message>& messages,
                       int expected = 1) {
    ASSERT_THAT(messages, Not(IsEmpty()));
    std::vector<std::string> args{PYTHON_EXECUTABLE, DKIM_VERIFY_SCRIPT, "--dns",
                                  dns.address(),     "--expect",         std::to_string(expected)};
    for (std::size_t i = 0; i < messages.size(); ++i) {
      args.push_back(
          files_.write_file(numbered("received", static_cast<int>(i)) + ".eml", messages[i].bytes));
    }
    const auto verified = run_program(args, "", {}, std::chrono::seconds(600));
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err << dns.log();
    EXPECT_THAT(verified.out, Not(HasSubstr("FAIL")));
    EXPECT_THAT(verified.out, HasSubstr("dkimpy: pass"));
    EXPECT_THAT(verified.out, HasSubstr("opendkim: pass"));
  }

  RunResult send(const SmtpServer& server, const std::string& message,
                 std::vector<std::string> options) {
    return run_smtpc(send_args({.url = server.url(),
                                .files = {files_.write_file("mail.eml", message)},
                                .options = std::move(options)}));
  }

  static TempDir* keys_dir_;
  static TestKey* rsa_;
  static TestKey* ed25519_;
  TempDir files_;
};

TempDir* DkimTest::keys_dir_ = nullptr;
TestKey* DkimTest::rsa_ = nullptr;
TestKey* DkimTest::ed25519_ = nullptr;

// What a relay or a verifier would most likely trip over, in one message: a long folded
// header, a dot line (dot-stuffed on the wire), bare LF line ends, blank lines at the end.
constexpr std::string_view kAwkward =
    "From: Alice Example <alice@example.com>\n"
    "To: bob@example.org\n"
    "Subject: a subject long enough that it has to be folded onto a second line\n"
    "   \t and a third   one with  blanks\n"
    "Date: Mon, 7 Dec 2026 04:00:00 +0000\n"
    "Message-ID: <awkward@example.com>\n"
    "X-Not-Signed: changes in transit\n"
    "\n"
    "first line  with   blanks \t\n"
    ".a line starting with a dot\n"
    ".\n"
    "..\n"
    "\n"
    "\n"
    "\n";

TEST_F(DkimTest, RsaRelaxedSignatureVerifiesAndIsShownByVerbose) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  auto options = sign_with(*rsa_);
  options.push_back("-v");
  const auto run = send(server, std::string(kAwkward), options);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("* added DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
                                 "d=example.com; s=rsa; t="));
  EXPECT_THAT(run.err, HasSubstr("h=from:subject:date:to:message-id:from; bh="));
  EXPECT_THAT(run.err, HasSubstr("..."));  // b= shortened
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].bytes.rfind("DKIM-Signature: v=1; a=rsa-sha256;", 0), 0U);
  expect_verified(dns, messages);
}

TEST_F(DkimTest, Ed25519SignatureVerifies) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  const auto run = send(server, std::string(kAwkward), sign_with(*ed25519_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_verified(dns, server.messages());
}

TEST_F(DkimTest, TwoKeysGiveTwoSignaturesRsaAndEd25519) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  auto options = sign_with(*rsa_);
  for (const auto& option : sign_with(*ed25519_)) options.push_back(option);
  const auto run = send(server, std::string(kAwkward), options);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, HasSubstr("a=rsa-sha256;"));
  EXPECT_THAT(messages[0].bytes, HasSubstr("a=ed25519-sha256;"));
  expect_verified(dns, messages, 2);
}

// simple/simple hashes the body as it is: trailing blank lines removed, no final CRLF
// added by the sender's file (smtpc adds it on the wire, and the hash must agree).
TEST_F(DkimTest, SimpleCanonicalizationWithTrailingBlankLinesAndNoFinalNewline) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  auto options = sign_with(*rsa_);
  for (const std::string option : {"--dkim-canon", "simple"}) options.push_back(option);
  for (const std::string_view message :
       {kAwkward, std::string_view("From: a@example.com\r\nSubject: x\r\n\r\nno final newline"),
        std::string_view("From: a@example.com\nSubject: only headers, no body\n")}) {
    const auto run = send(server, std::string(message), options);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(3));
  EXPECT_THAT(messages[0].bytes, HasSubstr("c=simple/simple;"));
  expect_verified(dns, messages);
}

TEST_F(DkimTest, RelaxedMessageWithoutFinalNewlineAndEmptyBody) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  for (const std::string_view message :
       {std::string_view("From: a@example.com\nSubject: x\n\nno final newline   "),
        std::string_view("From: a@example.com\nSubject: empty\n\n"),
        std::string_view("From: a@example.com\nSubject: blank lines only\n\n\n  \n\t\n")}) {
    const auto run = send(server, std::string(message), sign_with(*ed25519_));
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  expect_verified(dns, server.messages());
}

// 8-bit header fields go out with SMTPUTF8, byte for byte as signed.
TEST_F(DkimTest, Utf8HeadersAreSignedAsSent) {
  SmtpServer server({"--smtputf8"});
  DnsServer dns(key_records({"example.com"}));
  const std::string message =
      "From: Zoë Ångström <zoe@example.com>\nTo: jürgen@example.org\n"
      "Subject: Grüße aus Köln — ünïcödé\n\nLiebe Grüße\n";
  const auto run = run_smtpc(send_args({.url = server.url(),
                                        .files = {files_.write_file("mail.eml", message)},
                                        .options = sign_with(*rsa_),
                                        .recipients = {"jürgen@example.org"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, HasSubstr("Subject: Grüße aus Köln"));
  expect_verified(dns, messages);
}

// -H edits and a composed message: what is signed is the message as smtpc changed it.
TEST_F(DkimTest, HeaderEditsAndComposedMessagesAreSignedAfterTheEdits) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  auto edit = sign_with(*rsa_);
  for (const std::string option : {"-H", "Subject: replaced by -H", "-H", "X-Added: yes"}) {
    edit.push_back(option);
  }
  ASSERT_EQ(send(server, std::string(kAwkward), edit).exit_code, 0);

  auto compose = sign_with(*ed25519_);
  for (const std::string option :
       {"--subject", "composed", "--body", "hello\n.\n", "-H", "From: Me <me@example.com>"}) {
    compose.push_back(option);
  }
  const auto composed =
      run_smtpc(send_args({.url = server.url(), .options = compose, .sender = "me@example.com"}));
  ASSERT_EQ(composed.exit_code, 0) << composed.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));
  EXPECT_THAT(messages[0].bytes, HasSubstr("Subject: replaced by -H"));
  expect_verified(dns, messages);
}

// Sendmail mode, -t with Bcc: Bcc is removed before signing, From is added from the config
// account, which also names the key.
TEST_F(DkimTest, SendmailWithBccIsSignedWithTheConfigAccountsKey) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  const std::string sendmail = files_.path() + "/sendmail";
  ASSERT_EQ(::symlink(SMTPC_BINARY, sendmail.c_str()), 0);
  ::mkdir((files_.path() + "/smtpc").c_str(), 0700);
  files_.write_file("smtpc/config", "[default]\nurl = " + server.url() +
                                        "\nfrom = cron@example.com\ndkim-key = " + rsa_->path +
                                        "\ndkim-selector = rsa\n");
  const auto run = run_program(
      {sendmail, "-t", "-i"},
      "To: one@example.org\nBcc: hidden@example.org\nSubject: cron\n\nresult\n",
      {"XDG_CONFIG_HOME=" + files_.path(), "SMTPC_CONFIG=", "SMTPC_URL=", "HOME=" + files_.path(),
       "SMTPC_QUEUE_DIR=" + files_.path() + "/queue"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, Not(HasSubstr("hidden@")));
  EXPECT_THAT(messages[0].bytes, HasSubstr("d=example.com; s=rsa;"));
  expect_verified(dns, messages);
}

TEST_F(DkimTest, MxDeliveryToTwoDomainsIsSignedForEach) {
  SmtpServer server;
  auto records = key_records({"example.com"});
  for (const std::string domain : {"one.test", "two.test"}) {
    records.push_back("--mx-host=" + domain + ",mx." + domain + ",10");
    records.push_back("--host-record=mx." + domain + ",127.0.0.1");
  }
  DnsServer dns(records);
  auto args = send_args({.url = "smtp:///client.test",
                         .files = {files_.write_file("mail.eml", std::string(kAwkward))},
                         .options = sign_with(*ed25519_),
                         .recipients = {"a@one.test", "b@two.test"},
                         .sender = "alice@example.com"});
  args.insert(args.end(),
              {"--dns-servers", dns.address(), "--mx-port", std::to_string(server.port())});
  const auto run = run_smtpc(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));
  expect_verified(dns, messages);
}

// The first MX fails temporarily (421 greeting); the second one gets the message signed, and
// that signature verifies.
TEST_F(DkimTest, MxFallbackHostAfterATemporaryFailureGetsAVerifyingSignature) {
  SmtpServer server;  // on 127.0.0.1 only
  ScriptedServer busy("S 421 4.3.2 mx1 is busy, try another\nR\nS 221 bye\nCLOSE\n",
                      {"--host", "::1", "--port", std::to_string(server.port())});
  auto records = key_records({"example.com"});
  for (const std::string record :
       {"--mx-host=busy.test,mx1.busy.test,10", "--mx-host=busy.test,mx2.busy.test,20",
        "--host-record=mx1.busy.test,::1", "--host-record=mx2.busy.test,127.0.0.1"}) {
    records.push_back(record);
  }
  DnsServer dns(records);
  auto args = send_args({.url = "smtp:///client.test",
                         .files = {files_.write_file("mail.eml", std::string(kAwkward))},
                         .options = sign_with(*rsa_),
                         .recipients = {"user@busy.test"},
                         .sender = "alice@example.com"});
  args.insert(args.end(),
              {"-v", "--dns-servers", dns.address(), "--mx-port", std::to_string(server.port())});
  const auto run = run_smtpc(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("< 421 4.3.2 mx1 is busy, try another"));
  EXPECT_THAT(run.err, HasSubstr("via mx2.busy.test [127.0.0.1]"));
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  expect_verified(dns, messages);
}

// A -F multipart message (text and HTML alternatives, a base64 attachment) is signed as the
// MIME engine streams it, with both keys.
TEST_F(DkimTest, FormMultipartMessageIsSignedWithBothKeys) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  const std::string attachment = files_.write_file("report.bin", std::string(5000, '\x01') + ".\n");
  std::vector<std::string> options = sign_with(*rsa_);
  for (const auto& option : sign_with(*ed25519_)) options.push_back(option);
  for (const std::string option :
       {"-H", "From: Alice <alice@example.com>", "-H", "To: bob@example.org", "-H",
        "Subject: report", "-F", "=(;type=multipart/alternative", "-F",
        "=plain text\n.\nwith a dot line;encoder=quoted-printable", "-F",
        "=an HTML part;type=text/html", "-F", "=)"}) {
    options.push_back(option);
  }
  options.push_back("-F");
  options.push_back("=@" + attachment + ";encoder=base64");
  const auto run = run_smtpc(
      send_args({.url = server.url(), .options = options, .sender = "alice@example.com"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, HasSubstr("Content-Type: multipart/mixed"));
  EXPECT_THAT(messages[0].bytes, HasSubstr("filename=\"report.bin\""));
  expect_verified(dns, messages, 2);
}

// The queue keeps where the key is, not the key; the queue run signs when it delivers.
TEST_F(DkimTest, QueuedMessageIsSignedWhenDeliveredLater) {
  const std::string queue_dir = files_.path() + "/queue";
  const std::uint16_t port = closed_port();
  auto args = send_args({.url = "smtp://127.0.0.1:" + std::to_string(port),
                         .files = {files_.write_file("mail.eml", std::string(kAwkward))},
                         .options = sign_with(*rsa_)});
  for (const std::string option : {"--queue", "--queue-dir", queue_dir.c_str()}) {
    args.push_back(option);
  }
  const auto first = run_smtpc(args);
  ASSERT_THAT(first.err, HasSubstr("queued as")) << first.err;
  const auto secrets = run_program({"/usr/bin/grep", "-rl", "PRIVATE KEY", queue_dir});
  EXPECT_EQ(secrets.out, "") << "a queue file holds the private key";
  const auto paths = run_program({"/usr/bin/grep", "-rl", rsa_->path, queue_dir});
  EXPECT_THAT(paths.out, Not(IsEmpty())) << "the queue does not say where the key is";

  SmtpServer server({"--port", std::to_string(port)});
  DnsServer dns(key_records({"example.com"}));
  const auto run = run_smtpc({"--queue-run", "--force", "--queue-dir", queue_dir});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  expect_verified(dns, server.messages());
}

// A key named relative to where the message was queued is still that key when the queue
// runs from another directory (where the same relative name may be something else).
TEST_F(DkimTest, QueuedRelativeKeyPathIsTheSameKeyWhenTheQueueRunsElsewhere) {
  const std::string queue_dir = files_.path() + "/queue";
  const std::uint16_t port = closed_port();
  const std::string message = files_.write_file("mail.eml", std::string(kAwkward));
  const auto queued =
      run_program({"/usr/bin/env", "--chdir=" + keys_dir_->path(), SMTPC_BINARY, "--url",
                   "smtp://127.0.0.1:" + std::to_string(port), "--mail-from", "alice@example.com",
                   "--mail-rcpt", "bob@example.org", "-T", message, "--dkim-key", "rsa.pem",
                   "--dkim-selector", rsa_->selector, "--queue", "--queue-dir", queue_dir});
  ASSERT_THAT(queued.err, HasSubstr("queued as")) << queued.err;

  SmtpServer server({"--port", std::to_string(port)});
  DnsServer dns(key_records({"example.com"}));
  const auto run = run_program({"/usr/bin/env", "--chdir=" + files_.path(), SMTPC_BINARY,
                                "--queue-run", "--force", "--queue-dir", queue_dir});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  expect_verified(dns, server.messages());
}

TEST_F(DkimTest, HundredMebibyteBodyIsSignedAndVerifies) {
  SmtpServer server;
  DnsServer dns(key_records({"example.com"}));
  std::string message = "From: big@example.com\nSubject: 100 MiB\n\n";
  const std::string line = std::string(76, 'x') + "\r\n";
  while (message.size() < 100U * 1024 * 1024) message += line;
  message += ".\r\n..\r\n\r\n\r\n";
  const auto run = run_smtpc(send_args({.url = server.url(),
                                        .files = {files_.write_file("big.eml", message)},
                                        .options = sign_with(*ed25519_)}),
                             "", std::chrono::seconds(300));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expect_verified(dns, server.messages());
}

// Signing loads the OpenSSL module; a plain send without a key still maps no libcrypto.
TEST_F(DkimTest, OnlyASignedSendLoadsTheCryptoLibrary) {
  SmtpServer server;
  const std::string message = files_.write_file("mail.eml", std::string(kAwkward));
  auto plain = send_args({.url = server.url(), .files = {message}});
  plain.insert(plain.begin(), SMTPC_BINARY);
  const auto unsigned_run = run_program(plain, "", {"LD_DEBUG=files"});
  ASSERT_EQ(unsigned_run.exit_code, 0) << unsigned_run.err;
  EXPECT_THAT(unsigned_run.err, Not(HasSubstr("libcrypto")));

  auto with_key = plain;
  for (const auto& option : sign_with(*ed25519_)) with_key.push_back(option);
  const auto signed_run = run_program(with_key, "", {"LD_DEBUG=files"});
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.err;
  EXPECT_THAT(signed_run.err, HasSubstr("smtpc-openssl.so"));
  EXPECT_THAT(signed_run.err, HasSubstr("libcrypto"));
}

// The record --dkim-keygen prints, as dnsmasq's --txt-record takes it: the strings joined.
std::string record_of(const std::string& zone_line) {
  std::string record;
  bool quoted = false;
  for (const char c : zone_line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      record += c;
    }
  }
  return record;
}

TEST_F(DkimTest, KeygenWritesAPrivateKeyWhoseRecordVerifiesAndChecks) {
  for (const std::string algorithm : {"rsa", "ed25519"}) {
    const std::string key = files_.path() + "/" + algorithm + ".pem";
    const auto made = run_smtpc({"--dkim-keygen", "--dkim-key", key, "--dkim-selector", "new",
                                 "--dkim-domain", "example.com", "--dkim-algorithm", algorithm});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    struct stat info {};
    ASSERT_EQ(::stat(key.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    EXPECT_EQ(made.out.rfind("new._domainkey.example.com. IN TXT ( \"v=DKIM1; k=" + algorithm, 0),
              0U)
        << made.out;
    for (std::size_t start = made.out.find('"'); start != std::string::npos;) {
      const auto end = made.out.find('"', start + 1);
      EXPECT_LE(end - start - 1, 255U);  // each string of the record fits a TXT string
      start = made.out.find('"', end + 1);
    }
    const auto again = run_smtpc({"--dkim-keygen", "--dkim-key", key, "--dkim-selector", "new",
                                  "--dkim-domain", "example.com"});
    EXPECT_EQ(again.exit_code, 23) << "an existing key was overwritten";

    SmtpServer server;
    DnsServer dns({"--txt-record=new._domainkey.example.com," + record_of(made.out),
                   "--txt-record=other._domainkey.example.com," + rsa_->record,
                   "--local=/example.com/"});  // other names: NXDOMAIN, not unanswered
    const auto sent =
        send(server, std::string(kAwkward), {"--dkim-key", key, "--dkim-selector", "new"});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    expect_verified(dns, server.messages());

    const auto check = run_smtpc({"--dkim-check", "--dkim-key", key, "--dkim-selector", "new",
                                  "--dkim-domain", "example.com", "--dns-servers", dns.address()});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_THAT(check.out, HasSubstr("new._domainkey.example.com"));
    EXPECT_THAT(check.out, HasSubstr("result       matches the private key"));

    // The same key checked against a selector that publishes another one, and one that
    // publishes nothing: a report, then exit 2.
    for (const std::string selector : {"other", "absent"}) {
      const auto mismatch =
          run_smtpc({"--dkim-check", "--dkim-key", key, "--dkim-selector", selector,
                     "--dkim-domain", "example.com", "--dns-servers", dns.address()});
      EXPECT_EQ(mismatch.exit_code, 2) << mismatch.out << mismatch.err;
      EXPECT_THAT(mismatch.out, HasSubstr(selector == "other" ? "DIFFERS" : "MISSING"));
      EXPECT_THAT(mismatch.out, HasSubstr("publish      " + selector + "._domainkey.example.com"));
      EXPECT_THAT(mismatch.err, HasSubstr("DNS does not publish the key as it is"));
    }
  }
}

// --- bad input: one line, exit code, nothing sent ---

struct BadInput {
  std::string name;
  std::string message;
  std::vector<std::string> options;  // "@rsa", "@weak", "@garbage", "@open": the test's keys
  int exit_code;
  std::string error;
};

const std::string kGood = "From: a@example.com\nSubject: x\n\nbody\n";
const std::vector<std::string> kRsa{"--dkim-key", "@rsa", "--dkim-selector", "rsa"};

std::vector<std::string> with(std::vector<std::string> options, std::vector<std::string> more) {
  options.insert(options.end(), more.begin(), more.end());
  return options;
}

class DkimBadInputTest : public DkimTest, public ::testing::WithParamInterface<BadInput> {
 protected:
  std::string key_file(const std::string& name) {
    if (name == "@rsa") return rsa_->path;
    const std::string path = files_.path() + "/" + name.substr(1) + ".pem";
    if (name == "@weak") {
      EXPECT_EQ(run_program({"/usr/bin/openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                             "rsa_keygen_bits:512", "-out", path})
                    .exit_code,
                0);
    } else if (name == "@garbage") {
      files_.write_file("garbage.pem", "-----BEGIN PRIVATE KEY-----\nnot base64\n");
    } else if (name == "@open") {
      files_.write_file("open.pem", read_file(rsa_->path));
    }
    ::chmod(path.c_str(), name == "@open" ? 0644 : 0600);
    return path;
  }
};

TEST_P(DkimBadInputTest, OneLineAndNothingSent) {
  const BadInput& bad = GetParam();
  SmtpServer server;
  std::vector<std::string> options;
  for (const auto& option : bad.options) {
    options.push_back(option.starts_with("@") ? key_file(option) : option);
  }
  const auto run = send(server, bad.message, options);
  EXPECT_EQ(run.exit_code, bad.exit_code) << run.err;
  EXPECT_THAT(run.err, HasSubstr(bad.error));
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_THAT(server.log_lines(), IsEmpty());  // never even connected
}

INSTANTIATE_TEST_SUITE_P(
    Refused, DkimBadInputTest,
    ::testing::Values(
        BadInput{"NoFrom", "Subject: x\n\nbody\n", kRsa, 2, "has no From field: cannot sign it"},
        BadInput{"TwoFroms", "From: a@example.com\nFrom: b@example.com\n\nbody\n", kRsa, 2,
                 "has two From fields"},
        BadInput{"UnparsableHeader", "From: a@example.com\nnot a field\n\nbody\n", kRsa, 2,
                 "line 2 of the header section is not a header field"},
        BadInput{"BadSelector",
                 kGood,
                 {"--dkim-key", "@rsa", "--dkim-selector", "bad_sel!"},
                 2,
                 "the DKIM selector \"bad_sel!\" is not a domain name"},
        BadInput{
            "NoSelector", kGood, {"--dkim-key", "@rsa"}, 2, "--dkim-key needs --dkim-selector"},
        BadInput{"BadDomain", kGood, with(kRsa, {"--dkim-domain", "exa_mple.com"}), 2,
                 "the DKIM domain \"exa_mple.com\" is not a domain name"},
        BadInput{"HeadersWithoutFrom", kGood, with(kRsa, {"--dkim-headers", "To:Subject"}), 2,
                 "--dkim-headers: the list must include From"},
        BadInput{"BadCanon", kGood, with(kRsa, {"--dkim-canon", "loose"}), 2,
                 "--dkim-canon: \"loose\""},
        BadInput{"MissingKey",
                 kGood,
                 {"--dkim-key", "/nonexistent/key.pem", "--dkim-selector", "rsa"},
                 26,
                 "cannot read the DKIM key \"/nonexistent/key.pem\""},
        BadInput{"WeakKey",
                 kGood,
                 {"--dkim-key", "@weak", "--dkim-selector", "rsa"},
                 2,
                 "has 512 bits: RSA keys need at least 1024"},
        BadInput{"MalformedKey",
                 kGood,
                 {"--dkim-key", "@garbage", "--dkim-selector", "rsa"},
                 2,
                 "not an unencrypted PEM private key"},
        BadInput{"KeyReadableByOthers",
                 kGood,
                 {"--dkim-key", "@open", "--dkim-selector", "rsa"},
                 2,
                 "readable by its owner only"}),
    [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace smtpc::it
