// sendmail mode for users without a writable home, run as those users: www-data (HOME
// /var/www, root's or missing), nobody (/nonexistent), no HOME at all, and a cron job's
// mailer (the daemon's HOME=/root, as another user). Each run happens in a private mount
// namespace (unshare -m) where /var/spool, /home and /etc/passwd are the test's own, so the
// machine's spool and users are untouched; setpriv switches the user.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kWwwData = 33;
constexpr uid_t kNobody = 65534;
constexpr uid_t kAlice = 4711;  // an ordinary user, only in the namespace's /etc/passwd

const std::string kCronMail =
    "To: b@example.com\nSubject: Cron <alice@host> run-parts\n\nreport line\n";

std::vector<std::string> queued(const std::string& dir) {
  std::vector<std::string> ids;
  if (!fs::exists(dir)) return ids;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name != "tmp" && name != "failed" && name != "users") ids.push_back(name);
  }
  return ids;
}

class SystemUsers : public ::testing::Test {
 protected:
  void SetUp() override {
    // Switching users and mounting need root (CI and the developers' machines run as root).
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: setpriv and unshare -m";
  }
  SystemUsers() {
    fs::permissions(dir_.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::create_directories(spool_root());
    fs::create_directories(home_root() + "/alice");
    ::chmod(spool_root().c_str(), 0755);
    ::chmod(home_root().c_str(), 0755);
    ::chmod((home_root() + "/alice").c_str(), 0700);
    EXPECT_EQ(::chown((home_root() + "/alice").c_str(), kAlice, kAlice), 0);
    std::string passwd = read_file("/etc/passwd");
    passwd += "alice:x:4711:4711:Alice:/home/alice:/bin/sh\n";
    (void)dir_.write_file("passwd", passwd);
    ::chmod((dir_.path() + "/passwd").c_str(), 0644);
  }

  // /var/spool in the namespace, and the home directories under /home.
  std::string spool_root() const { return dir_.path() + "/spool"; }
  std::string home_root() const { return dir_.path() + "/home"; }
  std::string system_spool() const { return spool_root() + "/smtpc"; }

  // The system spool as the package makes it: smtpc/ 0711 (root's queue), users/ 1733.
  void install_system_spool() const {
    fs::create_directories(system_spool() + "/users");
    ::chmod(system_spool().c_str(), 0711);
    ::chmod((system_spool() + "/users").c_str(), 01733);
  }

  // Runs `args` (smtpc's arguments after --sendmail) as `uid` with exactly `env`.
  RunResult sendmail_as(uid_t uid, const std::vector<std::string>& env,
                        const std::vector<std::string>& args, const std::string& input = "") const {
    const std::string script =
        "set -e; mount --bind \"$1\" /var/spool; mount --bind \"$2\" /home; "
        "mount --bind \"$3\" /etc/passwd; shift 3; exec \"$@\"";
    std::vector<std::string> argv{"/usr/bin/unshare",
                                  "-m",
                                  "--propagation",
                                  "private",
                                  "/bin/sh",
                                  "-c",
                                  script,
                                  "sh",
                                  spool_root(),
                                  home_root(),
                                  dir_.path() + "/passwd"};
    if (uid != 0) {
      for (const std::string part :
           {"/usr/bin/setpriv", "--reuid", "", "--regid", "", "--clear-groups"}) {
        argv.push_back(part.empty() ? std::to_string(uid) : part);
      }
    }
    argv.insert(argv.end(), {"/usr/bin/env", "-i", "PATH=/usr/bin:/bin"});
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {SMTPC_BINARY, "--sendmail"});
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult result = run_program(argv, input);
    std::cout << "--- uid " << uid << ", sendmail " << (args.empty() ? "" : args.front())
              << " (exit " << result.exit_code << ")\n"
              << result.out << result.err;
    return result;
  }

  TempDir dir_;
};

// www-data: HOME=/var/www is not its own (nor does it exist here); no system spool. The
// relay is up, so the message goes, with a warning that nothing would have kept it.
TEST_F(SystemUsers, WwwDataWithoutAWritableHomeSendsThroughTheRelay) {
  SmtpServer server;
  const RunResult run = sendmail_as(kWwwData, {"HOME=/var/www", "SMTPC_URL=" + server.url()},
                                    {"-t", "-oi"}, kCronMail);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("sending without a queue"), std::string::npos) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].envelope.rcpt_tos, std::vector<std::string>{"b@example.com"});
}

// No HOME at all and no queue anywhere, relay down: EX_TEMPFAIL (the caller keeps the
// message, as PHP's mail() returns false), not EX_CONFIG.
TEST_F(SystemUsers, NoHomeNoQueueAndTheRelayDownIsATemporaryFailure) {
  const std::string url = "smtp://127.0.0.1:" + std::to_string(closed_port());
  const RunResult run = sendmail_as(kWwwData, {"SMTPC_URL=" + url}, {"-t", "-oi"}, kCronMail);
  EXPECT_EQ(run.exit_code, 75) << run.err;
  EXPECT_NE(run.err.find("sending without a queue"), std::string::npos) << run.err;
}

// nobody (HOME=/nonexistent) with the package's system spool: the message waits in
// /var/spool/smtpc/users/65534 (made 0700, nobody's), and root's `sendmail -q` delivers it
// as nobody, silently (cron would mail any output).
TEST_F(SystemUsers, NobodyQueuesInTheSystemSpoolAndRootsQueueRunDeliversIt) {
  install_system_spool();
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  const RunResult down =
      sendmail_as(kNobody, {"HOME=/nonexistent", "SMTPC_URL=" + url}, {"-t", "-oi"}, kCronMail);
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_NE(down.err.find("queued as"), std::string::npos) << down.err;
  const std::string own = system_spool() + "/users/65534";
  struct stat info {};
  ASSERT_EQ(::lstat(own.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, kNobody);
  EXPECT_EQ(info.st_mode & 07777U, 0700U);
  ASSERT_EQ(queued(own).size(), 1U);

  const RunResult still_down = sendmail_as(0, {"HOME=/root"}, {"-q"});
  EXPECT_EQ(still_down.exit_code, 0);
  EXPECT_EQ(still_down.out + still_down.err, "");  // silent: cron mails any output
  EXPECT_EQ(queued(own).size(), 1U);

  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = sendmail_as(0, {"HOME=/root"}, {"-q"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_NE(server.messages()[0].bytes.find("report line"), std::string::npos);
  EXPECT_TRUE(queued(own).empty());
  EXPECT_TRUE(queued(system_spool()).empty());
}

// A user's crontab: cron runs the mailer as the user with its own HOME=/root. The user's
// ~/.smtpcrc is found through the password database, and its queue-dir is used.
TEST_F(SystemUsers, CronsDaemonHomeFindsTheUsersOwnConfigAndQueueDir) {
  const std::uint16_t port = closed_port();
  const std::string rc = home_root() + "/alice/.smtpcrc";
  (void)dir_.write_file("home/alice/.smtpcrc",
                        "[default]\nurl = smtp://127.0.0.1:" + std::to_string(port) +
                            "\nqueue-dir = /home/alice/mailq\n");
  ASSERT_EQ(::chown(rc.c_str(), kAlice, kAlice), 0);
  ::chmod(rc.c_str(), 0600);
  const RunResult down = sendmail_as(kAlice, {"HOME=/root"}, {"-t", "-oi"}, kCronMail);
  EXPECT_EQ(down.exit_code, 0) << down.err;
  ASSERT_EQ(queued(home_root() + "/alice/mailq").size(), 1U);

  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = sendmail_as(kAlice, {}, {"-q"});  // no HOME at all
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
  EXPECT_TRUE(queued(home_root() + "/alice/mailq").empty());
}

}  // namespace
}  // namespace smtpc::it
