// Real clients that no one here wrote, with smtpc as their /usr/sbin/sendmail: Symfony
// Mailer's default transport (sendmail -bs), PHP's mail() as root and as www-data (Cc, Bcc,
// the -f fifth parameter), s-nail with UTF-8, git send-email with a cover letter, mutt with
// an attachment. Each run
// happens in a private mount namespace (unshare -m) where /usr/sbin is an overlay holding
// sendmail -> smtpc and /var/spool the test's own, so the machine's sendmail and spool are
// untouched. Each test checks what aiosmtpd stored (envelope and header, fully qualified)
// and that nothing stayed queued.
//
// Debian's cron (root with and without MAILTO, an ordinary user) runs in the same way,
// with /etc an overlay too. bsd-mailx is not run: its package depends on an MTA.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

namespace fs = std::filesystem;

bool has_program(const char* path) { return ::access(path, X_OK) == 0; }

std::vector<std::string> queued(const std::string& dir) {
  std::vector<std::string> ids;
  if (!fs::exists(dir)) return ids;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().filename() == "envelope") ids.push_back(e.path().string());
  }
  return ids;
}

bool has_header(const std::string& message, const std::string& line) {
  const auto end = message.find("\r\n\r\n");
  return message.substr(0, end + 2).find(line + "\r\n") != std::string::npos;
}

class Clients : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: unshare -m, overlay mounts, setpriv";
    fs::permissions(dir_.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    for (const char* sub : {"sbin", "sbin-work", "spool/smtpc/users"}) {
      fs::create_directories(dir_.path() + "/" + sub);
    }
    fs::create_symlink(SMTPC_BINARY, dir_.path() + "/sbin/sendmail");
    ::chmod((dir_.path() + "/spool").c_str(), 0755);
    ::chmod((dir_.path() + "/spool/smtpc").c_str(), 0711);
    ::chmod((dir_.path() + "/spool/smtpc/users").c_str(), 01733);
  }

  // Runs `command` (a shell command line) as `uid` in the namespace, with `env` and
  // SMTPC_URL naming the server, from `cwd`.
  RunResult run(uid_t uid, const std::string& command, const std::vector<std::string>& env = {},
                const std::string& input = "",
                std::chrono::seconds timeout = std::chrono::seconds(60)) const {
    std::string script =
        "set -e; mount -t overlay overlay -o "
        "\"lowerdir=/usr/sbin,upperdir=$0/sbin,workdir=$0/sbin-work\" /usr/sbin; "
        "mount --bind \"$0/spool\" /var/spool; exec \"$@\"";
    std::vector<std::string> argv{"/usr/bin/unshare", "-m", "--propagation", "private",
                                  "/bin/sh",          "-c", script,          dir_.path()};
    if (uid != 0) {
      argv.insert(argv.end(), {"/usr/bin/setpriv", "--reuid", std::to_string(uid), "--regid",
                               std::to_string(uid), "--clear-groups"});
    }
    argv.insert(argv.end(), {"/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/bin",
                             "SMTPC_URL=" + server_.url(), "SMTPC_CONFIG="});
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {"/bin/sh", "-c", command});
    RunResult result = run_program(argv, input, {}, timeout);
    std::cout << "--- uid " << uid << ": " << command << " (exit " << result.exit_code << ")\n"
              << result.out << result.err;
    return result;
  }
  void expect_nothing_queued() const {
    EXPECT_EQ(queued(dir_.path() + "/spool"), std::vector<std::string>{});
    EXPECT_EQ(queued(dir_.path() + "/home"), std::vector<std::string>{});
  }

  TempDir dir_;
  SmtpServer server_;
};

TEST_F(Clients, SymfonyMailerDefaultTransportSpeaksSmtpOnSendmailBs) {
  const char* autoload = "/usr/share/php/Symfony/Component/Mailer/autoload.php";
  if (!fs::exists(autoload)) GTEST_SKIP() << "php-symfony-mailer is not installed";
  const std::string php = dir_.write_file("symfony.php", std::string(R"(<?php
require ')") + autoload + R"(';
use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Transport\SendmailTransport;
use Symfony\Component\Mime\Email;
$transport = new SendmailTransport();  // '/usr/sbin/sendmail -bs', its default
$email = (new Email())->from('app@example.com')->to('b@example.com')->cc('c@example.com')
    ->bcc('d@example.com')->subject('symfony')->text("hello from symfony\n");
(new Mailer($transport))->send($email);
echo "sent\n";
)");
  const RunResult result = run(0, "php " + php, {"HOME=/root"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "sent\n");
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.mail_from, "app@example.com");
  EXPECT_EQ(stored[0].envelope.rcpt_tos,
            (std::vector<std::string>{"b@example.com", "c@example.com", "d@example.com"}));
  EXPECT_TRUE(has_header(stored[0].bytes, "To: b@example.com")) << stored[0].bytes;
  EXPECT_EQ(stored[0].bytes.find("Bcc:"), std::string::npos);
  expect_nothing_queued();
}

// PHP's mail() runs "sendmail -t -i" (its sendmail_path) with the fifth parameter appended.
TEST_F(Clients, PhpMailAsRootWithCcBccAndTheFifthParameter) {
  if (!has_program("/usr/bin/php")) GTEST_SKIP() << "php-cli is not installed";
  const RunResult result =
      run(0,
          "php -r 'var_dump(mail(\"b@example.com\", \"php root\", \"body\\n\", "
          "\"From: App <app@example.com>\\r\\nCc: c@example.com\\r\\nBcc: d@example.com\", "
          "\"-fbounce@example.com\"));'",
          {"HOME=/root"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "bool(true)\n");
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.mail_from, "bounce@example.com");
  EXPECT_EQ(stored[0].envelope.rcpt_tos,
            (std::vector<std::string>{"b@example.com", "c@example.com", "d@example.com"}));
  EXPECT_TRUE(has_header(stored[0].bytes, "From: App <app@example.com>")) << stored[0].bytes;
  EXPECT_EQ(stored[0].bytes.find("Bcc:"), std::string::npos);
  expect_nothing_queued();
}

// www-data: HOME=/var/www, which is not its own (here it does not even exist). The system
// spool gives it a queue, and the relay takes the message at once.
TEST_F(Clients, PhpMailAsWwwDataWithoutAHomeOfItsOwn) {
  if (!has_program("/usr/bin/php")) GTEST_SKIP() << "php-cli is not installed";
  const RunResult result =
      run(33,
          "php -r 'var_dump(mail(\"b@example.com, root\", \"php www-data\", \"body\\n\", "
          "\"Cc: c@example.com\\r\\nBcc: d@example.com\", \"-fwww-data\"));'",
          {"HOME=/var/www"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "bool(true)\n");
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 1U);
  const std::string& from = stored[0].envelope.mail_from;
  EXPECT_TRUE(from.starts_with("www-data@") && from.size() > 9) << from;  // qualified
  ASSERT_EQ(stored[0].envelope.rcpt_tos.size(), 4U);
  EXPECT_EQ(stored[0].envelope.rcpt_tos[0], "b@example.com");
  EXPECT_TRUE(stored[0].envelope.rcpt_tos[1].starts_with("root@"));
  EXPECT_TRUE(has_header(stored[0].bytes, "From: " + from)) << stored[0].bytes;
  expect_nothing_queued();
}

TEST_F(Clients, SNailSendsUtf8ThroughSendmail) {
  if (!has_program("/usr/bin/s-nail")) GTEST_SKIP() << "s-nail is not installed";
  const RunResult result =
      run(0,
          "s-nail -: / -S ttycharset=UTF-8 -S sendcharsets=utf-8 -s 'Grüße aus Köln' "
          "-r 'Jörg <j@example.com>' b@example.com",
          {"HOME=/root", "LC_ALL=C.UTF-8"}, "Straße, Übermut\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.mail_from, "j@example.com");
  EXPECT_EQ(stored[0].envelope.rcpt_tos, std::vector<std::string>{"b@example.com"});
  EXPECT_NE(stored[0].bytes.find("Subject: =?utf-8?"), std::string::npos) << stored[0].bytes;
  expect_nothing_queued();
}

TEST_F(Clients, GitSendEmailSendsASeriesWithACoverLetter) {
  if (!has_program("/usr/lib/git-core/git-send-email"))
    GTEST_SKIP() << "git-email is not installed";
  const std::string repo = dir_.path() + "/repo";
  const RunResult result = run(
      0,
      "set -e; git init -q " + repo + "; cd " + repo +
          "; git config user.name Dev; git config user.email dev@example.com;"
          " for i in 1 2; do echo $i > f$i; git add f$i; git commit -qm \"change $i\"; done;"
          " git format-patch -q --cover-letter -2 -o out;"
          " sed -i 's/[*][*][*] SUBJECT HERE [*][*][*]/the series/' out/0000-cover-letter.patch;"
          " git send-email --confirm=never --suppress-cc=all --to=list@example.com"
          " --quiet out/*.patch",
      {"HOME=" + dir_.path(), "GIT_CONFIG_NOSYSTEM=1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 3U);  // the cover letter and two patches
  for (const auto& message : stored) {
    EXPECT_EQ(message.envelope.mail_from, "dev@example.com");
    EXPECT_EQ(message.envelope.rcpt_tos, std::vector<std::string>{"list@example.com"});
  }
  EXPECT_NE(stored[0].bytes.find("[PATCH 0/2]"), std::string::npos);
  EXPECT_NE(stored[2].bytes.find("In-Reply-To: <"), std::string::npos);
  expect_nothing_queued();
}

// mutt hands sendmail the message with its MIME parts already built: the attachment must
// arrive byte for byte (every byte value, so base64), with the envelope sender from -f.
TEST_F(Clients, MuttSendsAnAttachmentThroughSendmail) {
  if (!has_program("/usr/bin/mutt")) GTEST_SKIP() << "mutt is not installed";
  std::string attachment(256, '\0');
  for (std::size_t i = 0; i < attachment.size(); ++i) attachment[i] = static_cast<char>(i);
  const std::string file = dir_.write_file("report.bin", attachment);
  const std::string body = dir_.write_file("body.txt", "see the attachment\n");
  const std::string muttrc = dir_.write_file("muttrc",
                                             "set sendmail=\"/usr/sbin/sendmail -oem -oi\"\n"
                                             "set from=\"Ann <ann@example.com>\"\n"
                                             "set use_from=yes\n"
                                             "set use_envelope_from=yes\n"
                                             "set record=\"\"\n"
                                             "set charset=utf-8\n");
  const RunResult result = run(
      0, "mutt -n -F " + muttrc + " -s 'mutt report' -a " + file + " -- b@example.com < " + body,
      {"HOME=" + dir_.path()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.mail_from, "ann@example.com");
  EXPECT_EQ(stored[0].envelope.rcpt_tos, std::vector<std::string>{"b@example.com"});
  EXPECT_TRUE(has_header(stored[0].bytes, "From: Ann <ann@example.com>")) << stored[0].bytes;
  EXPECT_NE(stored[0].bytes.find("Content-Type: multipart/mixed"), std::string::npos);
  const std::string eml = dir_.write_file("stored.eml", stored[0].bytes);
  const RunResult parsed =
      run_program({PYTHON_EXECUTABLE, PARSE_MAIL_SCRIPT, eml, "--subject", "mutt report",
                   "--body-file", body, "--attachment", "report.bin=" + file});
  EXPECT_EQ(parsed.exit_code, 0) << parsed.out << parsed.err;
  expect_nothing_queued();
}

const Message* addressed_to(const std::vector<Message>& messages, const std::string& rcpt) {
  const auto found = std::find_if(messages.begin(), messages.end(), [&](const Message& m) {
    return m.envelope.rcpt_tos == std::vector<std::string>{rcpt};
  });
  return found == messages.end() ? nullptr : &*found;
}

// Debian's cron, run in the foreground in the namespace with /etc an overlay (so useradd,
// /etc/mailname, /etc/smtpc.conf and /etc/cron.d stay private) and its own /run (pid file).
// Three jobs print a line each minute: root's crontab without MAILTO (mail to "root"), an
// /etc/cron.d file with MAILTO, and the crontab of a user made here whose home does not
// exist. cron pipes the output to "/usr/sbin/sendmail -FCronDaemon -i -B8BITMIME -oem
// RCPT" as the job's owner, with the daemon's environment (no HOME, and here no SMTPC_URL:
// the relay comes from /etc/smtpc.conf). cron runs jobs at the start of a minute, so the
// shell waits (at most 75 s) for three stored messages, then stops cron.
TEST_F(Clients, CronMailsJobOutputForRootAndAnOrdinaryUser) {
  if (!has_program("/usr/sbin/cron")) GTEST_SKIP() << "cron is not installed";
  const std::string d = dir_.path();
  const std::string spool = "/var/spool/cron/crontabs";
  const std::string script =
      "set -e; mkdir -p " + d + "/etc-up " + d + "/etc-work " + d +
      "/run;"
      " mount -t overlay overlay -o lowerdir=/etc,upperdir=" +
      d + "/etc-up,workdir=" + d + "/etc-work /etc; mount --bind " + d +
      "/run /run;"
      " rm -f /etc/crontab; find /etc/cron.d -mindepth 1 -delete;"
      " echo cron.example.org > /etc/mailname;"
      " printf '[default]\\nurl = " +
      server_.url() +
      "\\n' > /etc/smtpc.conf;"
      " useradd -M -d /nonexistent -s /bin/sh cronuser;"
      " mkdir -p " +
      spool + "; chgrp crontab " + spool + "; chmod 1730 " + spool +
      ";"
      " echo '* * * * * echo root job' > " +
      spool + "/root; chmod 600 " + spool +
      "/root;"
      " echo '* * * * * echo user job' > " +
      spool +
      "/cronuser;"
      " chown cronuser:crontab " +
      spool + "/cronuser; chmod 600 " + spool +
      "/cronuser;"
      " printf 'MAILTO=ops@example.com\\n* * * * * root echo cron.d job\\n' >"
      " /etc/cron.d/smtpc-test;"
      " env -u SMTPC_URL cron -f & pid=$!; n=0;"
      " while [ $(ls " +
      server_.spool_dir() +
      " | grep -c 'json$') -lt 3 ] && [ $n -lt 75 ];"
      " do sleep 1; n=$((n+1)); done; kill $pid; wait $pid || true; echo waited $n s";
  const RunResult result = run(0, script, {}, "", std::chrono::seconds(100));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto stored = server_.messages();
  ASSERT_EQ(stored.size(), 3U);

  const Message* root = addressed_to(stored, "root@cron.example.org");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->envelope.mail_from, "root@cron.example.org");
  EXPECT_TRUE(has_header(root->bytes, "From: Cron Daemon <root@cron.example.org>")) << root->bytes;
  EXPECT_TRUE(has_header(root->bytes, "To: root@cron.example.org")) << root->bytes;
  EXPECT_NE(root->bytes.find("\r\n\r\nroot job\r\n"), std::string::npos) << root->bytes;

  const Message* mailto = addressed_to(stored, "ops@example.com");
  ASSERT_NE(mailto, nullptr);
  EXPECT_EQ(mailto->envelope.mail_from, "root@cron.example.org");
  EXPECT_TRUE(has_header(mailto->bytes, "From: Cron Daemon <root@cron.example.org>"))
      << mailto->bytes;
  EXPECT_TRUE(has_header(mailto->bytes, "To: ops@example.com")) << mailto->bytes;
  EXPECT_NE(mailto->bytes.find("\r\n\r\ncron.d job\r\n"), std::string::npos) << mailto->bytes;

  const Message* user = addressed_to(stored, "cronuser@cron.example.org");
  ASSERT_NE(user, nullptr);
  // Debian's cron writes "From: root (Cron Daemon)" for every user's job, and without -f
  // sendmail mode takes the envelope sender from From (docs/cron.md), so root it is here
  // too (Postfix's sendmail would use the login name, cronuser).
  EXPECT_EQ(user->envelope.mail_from, "root@cron.example.org");
  EXPECT_TRUE(has_header(user->bytes, "From: Cron Daemon <root@cron.example.org>")) << user->bytes;
  EXPECT_TRUE(has_header(user->bytes, "To: cronuser@cron.example.org")) << user->bytes;
  EXPECT_NE(user->bytes.find("\r\n\r\nuser job\r\n"), std::string::npos) << user->bytes;
  expect_nothing_queued();
}

// bsd-mailx, the mail(1) that Debian's "mailx" means by default, is not run: its package
// Depends on "default-mta | mail-transport-agent", so installing it would install exim4,
// which takes /usr/sbin/sendmail and a port-25 daemon on every machine running this suite.
// s-nail above is the mailx that is tested.
TEST_F(Clients, BsdMailxIsNotInstalledBecauseItsPackageDependsOnAnMta) {
  GTEST_SKIP() << "bsd-mailx is not run: its package depends on default-mta | "
                  "mail-transport-agent (exim4); s-nail is the mailx tested here";
}

}  // namespace
}  // namespace smtpc::it
