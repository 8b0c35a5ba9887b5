// sendmail mode as cron and scripts use it, against a real server: bare local names
// qualified (issue 23 item 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

// cron's own message to a crontab's owner, as Debian's cron writes it.
const std::string kCronMail =
    "From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@vm> ls\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\nout\n";

class SendmailMode : public ::testing::Test {
 protected:
  std::vector<std::string> env(const SmtpServer& server, const std::string& extra_config = "") {
    const std::string config =
        dir_.write_file("config", "[default]\nurl = " + server.url() + "\n" + extra_config);
    return {"SMTPC_CONFIG=" + config, "SMTPC_QUEUE_DIR=" + dir_.path() + "/queue",
            "HOME=" + dir_.path()};
  }
  RunResult sendmail(const std::vector<std::string>& environment,
                     const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{SMTPC_BINARY, "--sendmail"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult result = run_program(argv, input, environment);
    std::cout << "--- sendmail (exit " << result.exit_code << ")\n" << result.err;
    return result;
  }
  TempDir dir_;
};

TEST_F(SendmailMode, BareLocalNamesGetTheAccountsDomainInEnvelopeAndHeader) {
  SmtpServer server;
  const RunResult run =
      sendmail(env(server, "domain = example.org\n"), {"-t", "-oi", "-f", "root"}, kCronMail);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.mail_from, "root@example.org");
  EXPECT_EQ(stored[0].envelope.rcpt_tos, std::vector<std::string>{"root@example.org"});
  EXPECT_NE(
      stored[0].bytes.find("From: Cron Daemon <root@example.org>\r\nTo: root@example.org\r\n"),
      std::string::npos)
      << stored[0].bytes;
}

TEST_F(SendmailMode, AnAliasSendsALocalRecipientElsewhere) {
  SmtpServer server;
  const std::string aliases =
      dir_.write_file("aliases", "root: admin@example.com, ops@example.com\n");
  const RunResult run = sendmail(env(server, "domain = example.org\naliases = " + aliases + "\n"),
                                 {"-oi", "root", "www-data"}, kCronMail);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(
      stored[0].envelope.rcpt_tos,
      (std::vector<std::string>{"admin@example.com", "ops@example.com", "www-data@example.org"}));
  EXPECT_NE(stored[0].bytes.find("To: admin@example.com, ops@example.com\r\n"), std::string::npos)
      << stored[0].bytes;
}

// Without a domain in the account: /etc/mailname, as Debian's MTAs (an overlay on /etc in
// a private mount namespace, so the machine's own /etc is untouched).
TEST_F(SendmailMode, BareLocalNamesGetTheMailnameWithoutAnAccountDomain) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: unshare -m";
  SmtpServer server;
  // /etc in the namespace: an overlay whose upper layer holds the test's mailname.
  std::filesystem::create_directories(dir_.path() + "/etc");
  std::filesystem::create_directories(dir_.path() + "/etc-work");
  (void)dir_.write_file("etc/mailname", "mail.example.net\n");
  std::vector<std::string> argv{
      "/usr/bin/unshare",
      "-m",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      "set -e; mount -t overlay overlay -o \"lowerdir=/etc,upperdir=$0/etc,workdir=$0/etc-work\" "
      "/etc; exec \"$@\"",
      dir_.path(),
      SMTPC_BINARY,
      "--sendmail",
      "-t",
      "-oi"};
  const RunResult run = run_program(argv, kCronMail, env(server));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.mail_from, "root@mail.example.net");
  EXPECT_EQ(stored[0].envelope.rcpt_tos, std::vector<std::string>{"root@mail.example.net"});
}

// A cron job that prints a line of 2500 characters: aiosmtpd, like Postfix's smtpd, refuses
// lines over 998 with 500. sendmail mode breaks them as Postfix does (issue 23 item 3).
TEST_F(SendmailMode, LinesOver998CharactersAreBrokenNotLost) {
  SmtpServer server;
  const std::string line(2500, 'x');
  const RunResult run = sendmail(env(server), {"-oi", "b@example.com"},
                                 "Subject: " + std::string(1200, 's') + "\n\n" + line + "\nend\n");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  std::string joined;
  for (const auto& piece : split_lines(stored[0].bytes)) {
    EXPECT_LE(piece.size(), 998U);
    if (piece.starts_with(" x") || piece.starts_with("x")) joined += piece;
  }
  std::erase(joined, ' ');
  EXPECT_EQ(joined, line);  // every byte arrived, in its order, with a space per break
  EXPECT_NE(stored[0].bytes.find("\r\nend\r\n"), std::string::npos);
}

// curl mode keeps curl's bytes, and says before sending why the server may refuse them.
TEST_F(SendmailMode, CurlModeWarnsOfLinesOver998AndSendsThemAsTheyAre) {
  SmtpServer server;
  const std::string file =
      dir_.write_file("long.eml", "Subject: long\r\n\r\n" + std::string(1500, 'y') + "\r\n");
  const RunResult run = run_smtpc(send_args({.url = server.url(), .files = {file}}));
  EXPECT_EQ(run.exit_code, 8) << run.err;  // 500 Line too long, as with curl
  EXPECT_NE(run.err.find("Warning: " + file + " has lines longer than 998 characters"),
            std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace smtpc::it
