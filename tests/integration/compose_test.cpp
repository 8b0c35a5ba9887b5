// Integration tests for issue 5: composed messages, -t, and sendmail mode, delivered to the
// real test server and read back with Python's email parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

/// Runs parse_mail.py on `message` (saved to `dir`) with `checks`; its output on failure.
::testing::AssertionResult python_reads(const TempDir& dir, const std::string& message,
                                        std::vector<std::string> checks) {
  const std::string path = dir.write_file("received.eml", message);
  std::vector<std::string> args{PYTHON_EXECUTABLE, PARSE_MAIL_SCRIPT, path};
  args.insert(args.end(), checks.begin(), checks.end());
  const RunResult run = run_program(args);
  if (run.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "parse_mail.py exit " << run.exit_code << ":\n"
                                       << run.out << run.err;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// The header section of a received message (up to the first empty line).
std::string header_of(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

std::size_t longest_line(const std::string& message) {
  std::size_t longest = 0;
  for (const auto& line : split_lines(message)) longest = std::max(longest, line.size());
  return longest;
}

class ComposeTest : public ::testing::Test {
 protected:
  TempDir files_;
};

TEST_F(ComposeTest, MessageWithTwoAttachmentsArrivesAndPythonReadsItBack) {
  std::string binary;
  for (int i = 0; i < 256 * 1024; ++i) binary += static_cast<char>(i % 256);  // every byte value
  const auto bin = files_.write_file("data.bin", binary);
  const auto log = files_.write_file("build.log", "step 1 ok\nstep 2 FAILED: \xE2\x9C\x97\n");
  const auto body = files_.write_file(
      "summary.txt", "Build #42 failed.\nCaf\xC3\xA9 = broken \xE2\x80\x94 see log.\n");
  const std::string subject =
      "nightly build failed \xE2\x80\x94 r\xC3\xA9sum\xC3\xA9 \xF0\x9F\x94\xA5";
  SmtpServer server;

  const auto run = run_smtpc({server.url("client.example"), "--mail-from", "me@example.com",
                              "--mail-rcpt", "ops@example.com", "--subject", subject, "--body",
                              "@" + body, "--attach", log, "--attach",
                              bin + ";type=application/octet-stream;filename=donn\xC3\xA9"
                                    "es.bin"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].envelope.mail_from, "me@example.com");
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("ops@example.com"));
  const std::string& received = messages[0].bytes;
  EXPECT_LE(longest_line(received), 998U);
  const std::string header = header_of(received);
  for (const char* field : {"Date: ", "Message-ID: <", "MIME-Version: 1.0", "From: me@example.com",
                            "To: ops@example.com", "Subject: =?UTF-8?B?"}) {
    EXPECT_THAT(header, HasSubstr(field));
  }
  EXPECT_THAT(header, HasSubstr("@example.com>\r\n"));  // the Message-ID's domain
  EXPECT_TRUE(python_reads(files_, received,
                           {"--subject", subject, "--body-file", body, "--attachment",
                            "build.log=" + log, "--attachment",
                            "donn\xC3\xA9"
                            "es.bin=" +
                                bin}));
}

TEST_F(ComposeTest, BodyFromStandardInputWithSubject) {
  SmtpServer server;
  const auto run = run_smtpc({server.url(), "--mail-from", "cron@host.example", "--mail-rcpt",
                              "me@example.com", "--subject", "df alert"},
                             "disk 93% full\n");

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  const auto expected = files_.write_file("expected.txt", "disk 93% full\n");
  EXPECT_TRUE(
      python_reads(files_, messages[0].bytes, {"--subject", "df alert", "--body-file", expected}));
}

TEST_F(ComposeTest, TextAndHtmlBecomeAlternatives) {
  SmtpServer server;
  const auto html = files_.write_file("report.html", "<p>r\xC3\xA9sum\xC3\xA9</p>\n");
  const auto run = run_smtpc({server.url(), "--mail-from", "me@example.com", "--mail-rcpt",
                              "you@example.com", "--body", "plain text", "--html", "@" + html});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, HasSubstr("multipart/alternative"));
  const auto text = files_.write_file("plain.txt", "plain text\n");
  EXPECT_TRUE(python_reads(files_, messages[0].bytes, {"--body-file", text, "--html-file", html}));
}

TEST_F(ComposeTest, RecipientInNoHeaderStaysHidden) {
  SmtpServer server;
  const auto run =
      run_smtpc({server.url(), "--mail-from", "me@example.com", "--mail-rcpt", "team@example.com",
                 "--mail-rcpt", "boss@example.com", "-H", "To: Team <team@example.com>", "-H",
                 "X-Mailer-Test: yes", "--subject", "status", "--body", "fine"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("team@example.com", "boss@example.com"));
  const std::string header = header_of(messages[0].bytes);
  EXPECT_THAT(header, HasSubstr("To: Team <team@example.com>\r\n"));
  EXPECT_THAT(header, HasSubstr("X-Mailer-Test: yes\r\n"));
  EXPECT_THAT(messages[0].bytes, Not(HasSubstr("boss@example.com")));
}

TEST_F(ComposeTest, DumpMessageWritesWithoutConnecting) {
  const auto run = run_smtpc({"smtp://127.0.0.1:" + std::to_string(closed_port()), "--mail-from",
                              "me@example.com", "--mail-rcpt", "you@example.com", "--subject",
                              "dump", "--body", "text", "--dump-message"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("Subject: dump\r\n"));
  EXPECT_THAT(run.out, HasSubstr("\r\n\r\ntext\r\n"));
}

TEST_F(ComposeTest, ComposingWithoutSenderOrWithUploadIsUsageError) {
  auto run = run_smtpc(
      {"smtp://127.0.0.1:1", "--mail-rcpt", "a@example.com", "--subject", "x", "--body", "y"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("smtpc: (2) a composed message needs a sender"));
  run = run_smtpc({"smtp://127.0.0.1:1", "--mail-from", "a@example.com", "--mail-rcpt",
                   "a@example.com", "--subject", "x", "-T", "-"});
  EXPECT_EQ(run.exit_code, 2);
  run = run_smtpc({"smtp://127.0.0.1:1", "--mail-from", "a@example.com", "--mail-rcpt",
                   "a@example.com", "--attach", files_.path() + "/missing.bin"});
  EXPECT_EQ(run.exit_code, 26);
  EXPECT_THAT(run.err, HasSubstr("missing.bin"));
}

// --- -t ---

constexpr std::string_view kMessageWithBcc =
    "From: Sender <sender@example.com>\n"
    "To: \"Doe, Jane\" <jane@example.com>, Team: a@example.com, b@example.com;\n"
    "Cc: carol@example.com (Carol),\n"
    "  dave@example.com\n"
    "Bcc: secret@example.com\n"
    "Subject: with bcc\n"
    "\n"
    "Bcc: this line is body text, not a header\n";

TEST_F(ComposeTest, ReadRecipientsDeliversToToCcBccAndRemovesBcc) {
  SmtpServer server;
  const auto run = run_smtpc({"-t", server.url(), "--mail-rcpt", "extra@example.com"},
                             std::string(kMessageWithBcc));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].envelope.mail_from, "sender@example.com");  // from the From header
  EXPECT_THAT(messages[0].envelope.rcpt_tos,
              ElementsAre("extra@example.com", "jane@example.com", "a@example.com", "b@example.com",
                          "carol@example.com", "dave@example.com", "secret@example.com"));
  const std::string header = lower(header_of(messages[0].bytes));
  EXPECT_THAT("\r\n" + header, Not(HasSubstr("\r\nbcc:")));
  EXPECT_THAT(messages[0].bytes, Not(HasSubstr("secret@example.com")));
  EXPECT_THAT(messages[0].bytes, HasSubstr("\r\n\r\nBcc: this line is body text"));
  EXPECT_THAT(header, HasSubstr("\r\ndate: "));  // added, as msmtp does
  EXPECT_THAT(header, HasSubstr("\r\nmessage-id: <"));
  EXPECT_TRUE(python_reads(files_, messages[0].bytes, {"--absent-header", "Bcc"}));
}

// Issue 11, bug 2: recipients found by -t went out as "RCPT TO:<anna@b\xC3\xBCcher.example>"
// and did not count for SMTPUTF8: the envelope is now finalised after -t added them.
TEST_F(ComposeTest, ReadRecipientsGoOutInALabelsAndDecideSmtputf8) {
  SmtpServer server({"--smtputf8"});
  const auto ascii = run_smtpc({"-t", server.url(), "--mail-rcpt", "anna@xn--bcher-kva.example"},
                               "From: me@example.org\nTo: anna@b\xC3\xBC"
                               "cher.example\nSubject: idn\n\nbody\n");
  ASSERT_EQ(ascii.exit_code, 0) << ascii.err;
  const auto utf8 = run_smtpc({"-t", server.url()},
                              "From: me@example.org\nTo: j\xC3\xB6rg@b\xC3\xBC"
                              "cher.example\nSubject: idn\n\nbody\n");
  ASSERT_EQ(utf8.exit_code, 0) << utf8.err;

  EXPECT_THAT(server.commands("RCPT"),
              ElementsAre("RCPT TO:<anna@xn--bcher-kva.example>",  // once, not twice
                          "RCPT TO:<j\xC3\xB6rg@xn--bcher-kva.example>"));
  const auto mails = server.commands("MAIL");
  ASSERT_THAT(mails, SizeIs(2));
  EXPECT_THAT(mails[0], Not(HasSubstr("SMTPUTF8")));  // ASCII once in A-labels
  EXPECT_THAT(mails[1], HasSubstr(" SMTPUTF8"));      // the local part is not
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("anna@xn--bcher-kva.example"));
  EXPECT_THAT(messages[1].envelope.rcpt_tos, ElementsAre("j\xC3\xB6rg@xn--bcher-kva.example"));
}

TEST_F(ComposeTest, ReadRecipientsWithoutAnyIsUsageError) {
  const auto run = run_smtpc({"-t", "smtp://127.0.0.1:1"}, "Subject: nobody\n\nbody\n");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("no recipients"));
}

TEST_F(ComposeTest, HeaderOptionEditsAnUpload) {
  SmtpServer server;
  const auto file = files_.write_file("m.eml", "Subject: old\nX-Keep: 1\n\nbody\n");
  const auto run =
      run_smtpc({server.url(), "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T",
                 file, "-H", "Subject: new", "-H", "Reply-To: help@example.com"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].bytes,
            "X-Keep: 1\r\nSubject: new\r\nReply-To: help@example.com\r\n\r\nbody\r\n");
}

TEST_F(ComposeTest, HeaderOptionEditsEveryUpload) {
  SmtpServer server;
  const auto one = files_.write_file("1.eml", "Subject: one\n\n1\n");
  const auto two = files_.write_file("2.eml", "Subject: two\n\n2\n");
  const auto run = run_smtpc({server.url(), "--mail-from", "a@example.com", "--mail-rcpt",
                              "b@example.com", "-T", one, "-T", two, "-H", "X-Test: 1"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(2));  // the second used to be dropped
  EXPECT_EQ(messages[0].bytes, "Subject: one\r\nX-Test: 1\r\n\r\n1\r\n");
  EXPECT_EQ(messages[1].bytes, "Subject: two\r\nX-Test: 1\r\n\r\n2\r\n");
}

TEST_F(ComposeTest, ReadRecipientsTakesOneUpload) {
  const auto one = files_.write_file("1.eml", "To: a@example.com\n\n1\n");
  const auto two = files_.write_file("2.eml", "To: b@example.com\n\n2\n");
  const auto run = run_smtpc({"smtp://127.0.0.1:1", "-t", "-T", one, "-T", two});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("-t takes the recipients from one message"));
}

// --- config profiles ---

TEST_F(ComposeTest, ConfigAccountSuppliesUrlAndSender) {
  SmtpServer server;
  const auto config = files_.write_file(
      "config", "[default]\nurl = smtp://192.0.2.1:1\n\n[lab]\nurl = " + server.url() +
                    "\nfrom = cron@example.com\n");
  const auto run = run_smtpc({"--account-file", config, "-a", "lab", "--mail-rcpt",
                              "me@example.com", "--subject", "from the lab", "--body", "hi"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].envelope.mail_from, "cron@example.com");
}

TEST_F(ComposeTest, SecurityConfigWithPasswordReadableByOthersIsRefused) {
  const auto config =
      files_.write_file("config", "[default]\nurl = smtp://127.0.0.1:1\npassword = secret\n");
  ASSERT_EQ(::chmod(config.c_str(), 0644), 0);
  const auto run = run_smtpc({"--account-file", config, "--mail-rcpt", "a@example.com", "-T", "-"},
                             "Subject: x\n\nbody\n");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("chmod 600 " + config));
}

// --- sendmail mode ---

class SendmailTest : public ::testing::Test {
 protected:
  SendmailTest() {
    sendmail_ = files_.path() + "/sendmail";
    EXPECT_EQ(::symlink(SMTPC_BINARY, sendmail_.c_str()), 0);
  }

  /// Writes $XDG_CONFIG_HOME/smtpc/config (XDG_CONFIG_HOME is the temp dir) for `url`.
  std::vector<std::string> config_env(const std::string& url,
                                      const std::string& extra = "from = cron@example.com\n") {
    ::mkdir((files_.path() + "/smtpc").c_str(), 0700);
    files_.write_file("smtpc/config", "[default]\nurl = " + url + "\n" + extra);
    return {"XDG_CONFIG_HOME=" + files_.path(),
            "SMTPC_CONFIG=", "SMTPC_URL=", "HOME=" + files_.path()};
  }

  RunResult sendmail(std::vector<std::string> args, const std::string& input,
                     const std::vector<std::string>& env) {
    args.insert(args.begin(), sendmail_);
    return run_program(std::move(args), input, env);
  }

  TempDir files_;
  std::string sendmail_;
};

TEST_F(SendmailTest, SymlinkWithConfigFileDeliversWithTOi) {
  SmtpServer server;
  const auto env = config_env(server.url());
  const auto run = sendmail({"-t", "-oi"},
                            "To: me@example.com\nSubject: cron\n\nhello\n.\nafter the dot\n", env);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].envelope.mail_from, "cron@example.com");
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("me@example.com"));
  const std::string header = header_of(messages[0].bytes);
  EXPECT_THAT(header, HasSubstr("From: cron@example.com\r\n"));  // added: the message had none
  EXPECT_THAT(header, HasSubstr("Date: "));
  EXPECT_THAT(header, HasSubstr("Message-ID: <"));
  EXPECT_THAT(messages[0].bytes, HasSubstr("\r\n\r\nhello\r\n.\r\nafter the dot\r\n"));
}

// Unchanged by the empty upload of -T: sendmail mode sends what sendmail sends for an
// empty standard input, a message of the header fields it adds, without a warning.
TEST_F(SendmailTest, EmptyInputSendsTheAddedHeaderFields) {
  SmtpServer server;
  const auto run = sendmail({"me@example.com"}, "", config_env(server.url()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, Not(HasSubstr("empty")));
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, StartsWith("From: cron@example.com\r\n"));
  EXPECT_TRUE(messages[0].bytes.ends_with("\r\n\r\n")) << messages[0].bytes;
}

TEST_F(SendmailTest, CronStylePipeThroughTheShell) {
  SmtpServer server;
  auto env = config_env(server.url());
  env.push_back("PATH=" + files_.path() + ":/usr/bin:/bin");
  // What cron runs for MAILTO= (without -i: a lone "." ends the message).
  const auto run =
      run_program({"/bin/sh", "-c",
                   "printf 'To: me@example.com\\nSubject: cron\\n\\nhello\\n.\\nnot sent\\n' | "
                   "sendmail -t"},
                  "", env);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].bytes, HasSubstr("Subject: cron\r\n"));
  EXPECT_TRUE(messages[0].bytes.ends_with("\r\n\r\nhello\r\n")) << messages[0].bytes;
}

TEST_F(SendmailTest, RecipientsAsArgumentsAndSmtpcUrlWithoutConfig) {
  SmtpServer server;
  const auto run =
      sendmail({"-f", "bounce@example.com", "-F", "Build Bot", "a@example.com", "b@example.com"},
               "Subject: args\n\nbody\n",
               {"SMTPC_URL=" + server.url(), "SMTPC_CONFIG=", "XDG_CONFIG_HOME=" + files_.path(),
                "HOME=" + files_.path()});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].envelope.mail_from, "bounce@example.com");
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre("a@example.com", "b@example.com"));
  EXPECT_THAT(messages[0].bytes, HasSubstr("From: Build Bot <bounce@example.com>\r\n"));
}

TEST_F(SendmailTest, ExitCodesAreSysexits) {
  const std::string input = "To: me@example.com\nSubject: x\n\nbody\n";
  // EX_USAGE: no recipients at all.
  EXPECT_EQ(sendmail({}, input, config_env("smtp://127.0.0.1:1")).exit_code, 64);
  // Nothing listens: a transient failure, so the message is queued and that is success
  // (docs/queue.md; queue_test.cpp covers the queue itself).
  const auto closed = "smtp://127.0.0.1:" + std::to_string(closed_port());
  const auto tempfail = sendmail({"-t", "-i"}, input, config_env(closed));
  EXPECT_EQ(tempfail.exit_code, 0) << tempfail.err;
  EXPECT_THAT(tempfail.err, HasSubstr("queued as "));
  // EX_UNAVAILABLE: the server refuses the recipient with 550.
  SmtpServer refusing({"--refuse-rcpt", "me@example.com"});
  EXPECT_EQ(sendmail({"-t", "-i"}, input, config_env(refusing.url())).exit_code, 69);
  // EX_DATAERR: -t but the message names nobody.
  EXPECT_EQ(sendmail({"-t", "-i"}, "Subject: x\n\nbody\n", config_env(closed)).exit_code, 65);
  // EX_CONFIG: no server configured.
  const std::vector<std::string> empty_env{
      "SMTPC_URL=", "SMTPC_CONFIG=", "XDG_CONFIG_HOME=" + files_.path() + "/none",
      "HOME=" + files_.path() + "/none"};
  if (::access("/etc/smtpc.conf", F_OK) != 0) {
    EXPECT_EQ(sendmail({"-t", "-i"}, input, empty_env).exit_code, 78);
  }
  // EX_NOPERM: a password in a config file others can read.
  auto env = config_env(closed, "password = secret\n");
  ::chmod((files_.path() + "/smtpc/config").c_str(), 0644);
  const auto noperm = sendmail({"-t", "-i"}, input, env);
  EXPECT_EQ(noperm.exit_code, 77);
  EXPECT_THAT(noperm.err, HasSubstr("chmod 600"));
}

// --- config files no one else can write (issue 19, item 7) ---

// An account file, a -K file and sendmail's -C file are refused, naming the file and its
// mode, when the group or others can write them or another user owns them, before the
// password-command in them runs.
class SecurityConfigFiles : public SendmailTest {
 protected:
  // An account file for `server` whose password-command leaves a mark.
  std::string account_file(const SmtpServer& server, mode_t mode) {
    const std::string config = files_.write_file(
        "account", "[default]\nurl = " + server.url() + "\nfrom = cron@example.com\n" +
                       "user = me\npassword-command = touch " + mark_ + "; echo pw\n");
    EXPECT_EQ(::chmod(config.c_str(), mode), 0);
    return config;
  }
  [[nodiscard]] bool command_ran() const { return ::access(mark_.c_str(), F_OK) == 0; }

  std::string mark_ = files_.path() + "/password-command-ran";
};

TEST_F(SecurityConfigFiles, AnAccountFileOthersCanWriteIsRefused) {
  SmtpServer server;
  for (const mode_t mode : {0666U, 0620U, 0602U}) {
    const std::string config = account_file(server, mode);
    const auto run =
        run_smtpc({"--account-file", config, "--mail-rcpt", "a@example.com", "-T", "-"},
                  "Subject: x\n\nbody\n");
    EXPECT_EQ(run.exit_code, 2) << run.err;
    char shown[8];
    std::snprintf(shown, sizeof shown, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(run.err, "smtpc: (2) config file " + config +
                           " is writable by group or others (mode " + shown +
                           "): refused, as what it says runs as you; run 'chmod go-w " + config +
                           "'\n");
  }
  EXPECT_FALSE(command_ran());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(SecurityConfigFiles, AConfigFileOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  SmtpServer server;
  const std::string config = account_file(server, 0644);
  ASSERT_EQ(::chown(config.c_str(), 65534, 65534), 0);
  const auto run = run_smtpc({"--account-file", config, "--mail-rcpt", "a@example.com", "-T", "-"},
                             "Subject: x\n\nbody\n");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("config file " + config +
                        " belongs to uid 65534, neither root nor the user running smtpc: refused"));
  const std::string curl_config = files_.write_file("curl.cfg", "url = " + server.url() + "\n");
  ASSERT_EQ(::chown(curl_config.c_str(), 65534, 65534), 0);
  const auto k = run_smtpc({"-K", curl_config, "--mail-rcpt", "a@example.com", "-T", "-"},
                           "Subject: x\n\nbody\n");
  EXPECT_EQ(k.exit_code, 2) << k.err;
  EXPECT_THAT(k.err, HasSubstr("belongs to uid 65534"));
  EXPECT_FALSE(command_ran());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(SecurityConfigFiles, ACurlConfigFileOthersCanWriteIsRefused) {
  SmtpServer server;
  const std::string config =
      files_.write_file("curl.cfg", "url = " + server.url() + "\nmail-rcpt = a@example.com\n");
  ASSERT_EQ(::chmod(config.c_str(), 0666), 0);
  const auto run = run_smtpc({"-K", config, "-T", "-"}, "Subject: x\n\nbody\n");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("config file " + config + " is writable by group or others (mode 0666)"));
  EXPECT_THAT(server.messages(), IsEmpty());

  // Standard input and /dev/null are not files anyone could have left behind.
  const auto from_stdin = run_smtpc({"-K", "-", "-T", "/dev/null"},
                                    "url = " + server.url() + "\nmail-rcpt = a@example.com\n");
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  const auto dev_null = run_smtpc(
      {"-K", "/dev/null", server.url(), "--mail-rcpt", "a@example.com", "-T", "/dev/null", "-s"});
  EXPECT_EQ(dev_null.exit_code, 0) << dev_null.err;
}

TEST_F(SecurityConfigFiles, SendmailsConfigFileOthersCanWriteIsRefused) {
  SmtpServer server;
  const std::string config = account_file(server, 0664);
  const auto run = sendmail({"-C", config, "-t", "-i"}, "To: me@example.com\nSubject: x\n\nbody\n",
                            {"HOME=" + files_.path(), "SMTPC_CONFIG=", "SMTPC_URL="});
  EXPECT_NE(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("config file " + config + " is writable by group or others (mode 0664)"));
  EXPECT_FALSE(command_ran());
  EXPECT_THAT(server.messages(), IsEmpty());
}

}  // namespace
}  // namespace smtpc::it
