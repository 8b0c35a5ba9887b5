// Fault injection for --queue, --queue-run, sendmail mode and --retry: real smtpc processes
// against real servers on 127.0.0.1 that refuse, cut or vanish at every stage. Each test
// checks what the server stored and what stayed queued; each prints one FAULT line
// (fault | stored | queued | exit) for the fault table in docs/queue.md.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "test_support.hpp"

extern char** environ;

namespace smtpc::it {
namespace {

namespace fs = std::filesystem;

const std::string kMessage =
    "Subject: fault injection\r\nMessage-ID: <q1@example.com>\r\n\r\nbody\r\n";

// Queue entries (not tmp/ or failed/).
std::vector<std::string> queued(const std::string& dir) {
  std::vector<std::string> ids;
  if (!fs::exists(dir)) return ids;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name != "tmp" && name != "failed") ids.push_back(name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}
std::size_t count_in(const std::string& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

void fault_line(std::string_view fault, std::size_t stored, std::size_t in_queue, int exit_code) {
  std::cout << "FAULT | " << fault << " | stored " << stored << " | queued " << in_queue
            << " | exit " << exit_code << "\n";
}

class QueueFaults : public ::testing::Test {
 protected:
  std::string qdir() const { return dir_.path() + "/queue"; }
  std::string message_file() const { return dir_.write_file("mail.txt", kMessage); }
  std::vector<std::string> send_args(const std::string& url) const {
    return {"--queue",       "--queue-dir", qdir(),          url,  "--mail-from",
            "a@example.com", "--mail-rcpt", "b@example.com", "-T", message_file()};
  }
  RunResult queue_run(bool force = true) const {
    std::vector<std::string> args{"--queue-run", "--queue-dir", qdir()};
    if (force) args.emplace_back("--force");
    return run_smtpc(args);
  }
  // The message as the server stores it (aiosmtpd hands over the bytes as sent).
  static void expect_our_message(const Message& m) {
    EXPECT_NE(m.bytes.find("Message-ID: <q1@example.com>"), std::string::npos);
    EXPECT_EQ(m.envelope.mail_from, "a@example.com");
    EXPECT_EQ(m.envelope.rcpt_tos, std::vector<std::string>{"b@example.com"});
  }
  TempDir dir_;
};

TEST_F(QueueFaults, ServerDownThenUpDeliversOnceFromTheQueue) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  const RunResult first = run_smtpc(send_args(url));
  EXPECT_EQ(first.exit_code, 7) << first.err;
  EXPECT_NE(first.err.find("smtpc: queued as "), std::string::npos) << first.err;
  ASSERT_EQ(queued(qdir()).size(), 1U);
  fault_line("server down (connection refused)", 0, 1, first.exit_code);

  const RunResult not_due = queue_run(false);  // backoff: nothing is due yet
  EXPECT_EQ(not_due.exit_code, 0) << not_due.err;
  EXPECT_EQ(queued(qdir()).size(), 1U);

  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  expect_our_message(stored[0]);
  EXPECT_EQ(stored[0].bytes, kMessage);
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(count_in(qdir() + "/tmp"), 0U);
  const RunResult again = queue_run();
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(server.messages().size(), 1U);  // nothing sent twice
  fault_line("server down, then up: --queue-run", 1, 0, run.exit_code);
}

// Parameters written after the addresses (curl 8.16's DSN form) are part of the queued
// envelope: listed with it, and sent as written by the later queue run.
TEST_F(QueueFaults, WrittenParametersSurviveTheQueue) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  const RunResult first = run_smtpc({"--queue", "--queue-dir", qdir(), url, "--mail-from",
                                     "<a@example.com> RET=HDRS ENVID=Q1", "--mail-rcpt",
                                     "<b@example.com> NOTIFY=SUCCESS,FAILURE", "--mail-rcpt",
                                     "c@example.com", "-T", message_file()});
  EXPECT_EQ(first.exit_code, 7) << first.err;
  ASSERT_EQ(queued(qdir()).size(), 1U);
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_NE(list.out.find("  from <a@example.com> RET=HDRS ENVID=Q1\n"), std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("  to <b@example.com> NOTIFY=SUCCESS,FAILURE\n  to <c@example.com>\n"),
            std::string::npos)
      << list.out;

  SmtpServer server({"--port", std::to_string(port), "--dsn"});
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.commands("MAIL"),
            std::vector<std::string>{"MAIL FROM:<a@example.com> RET=HDRS ENVID=Q1"});
  EXPECT_EQ(server.commands("RCPT"),
            (std::vector<std::string>{"RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE",
                                      "RCPT TO:<c@example.com>"}));
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0].envelope.dsn_mail, (std::vector<std::string>{"RET=HDRS", "ENVID=Q1"}));
  EXPECT_EQ(stored[0].envelope.dsn_rcpt, (std::vector<std::string>{"NOTIFY=SUCCESS,FAILURE", ""}));
  EXPECT_TRUE(queued(qdir()).empty());
}

struct StageFault {
  const char* name;
  const char* stage;  // --refuse-message STAGE
  const char* reply;  // REPLY, or CLOSE
  int exit_code;
  bool stays_queued;
  bool unconfirmed;
};

class QueueStageFaults : public QueueFaults, public ::testing::WithParamInterface<StageFault> {};

TEST_P(QueueStageFaults, KeepsTheMessageExactlyWhenTheFailureIsTransient) {
  const StageFault& fault = GetParam();
  const std::string refuse =
      std::to_string(kMessage.size()) + ":" + fault.stage + ":" + fault.reply;
  SmtpServer server({"--size-limit", "1000000", "--refuse-message", refuse});
  const RunResult result = run_smtpc(send_args(server.url()));
  EXPECT_EQ(result.exit_code, fault.exit_code) << result.err;
  EXPECT_TRUE(server.messages().empty());
  const auto ids = queued(qdir());
  EXPECT_EQ(ids.size(), fault.stays_queued ? 1U : 0U) << result.err;
  EXPECT_EQ(result.err.find("queued as") != std::string::npos, fault.stays_queued) << result.err;
  EXPECT_EQ(count_in(qdir() + "/tmp"), 0U);
  if (fault.stays_queued) {
    const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
    EXPECT_NE(list.out.find(ids.at(0)), std::string::npos) << list.out;
    EXPECT_EQ(list.out.find("may already have been delivered") != std::string::npos,
              fault.unconfirmed)
        << list.out;
    // The same server keeps refusing: the entry stays, one attempt more.
    const RunResult run = queue_run();
    EXPECT_NE(run.exit_code, 0);
    EXPECT_EQ(queued(qdir()).size(), 1U);
    EXPECT_NE(run_smtpc({"--queue-list", "--queue-dir", qdir()}).out.find("attempts 2"),
              std::string::npos);
  }
  fault_line(fault.name, server.messages().size(), ids.size(), result.exit_code);
}

INSTANTIATE_TEST_SUITE_P(
    Stages, QueueStageFaults,
    ::testing::Values(
        StageFault{"421 at MAIL", "mail", "421 4.3.2 busy", 55, true, false},
        StageFault{"451 at MAIL", "mail", "451 4.3.0 try later", 55, true, false},
        StageFault{"421 at RCPT", "rcpt", "421 4.3.2 busy", 55, true, false},
        StageFault{"450 at RCPT", "rcpt", "450 4.2.0 greylisted", 55, true, false},
        StageFault{"421 after data", "data", "421 4.3.2 busy", 8, true, false},
        StageFault{"cut at MAIL", "mail", "CLOSE", 56, true, false},
        StageFault{"cut at RCPT", "rcpt", "CLOSE", 56, true, false},
        StageFault{"cut after end of data, before the reply", "data", "CLOSE", 56, true, true},
        StageFault{"550 at RCPT (permanent)", "rcpt", "550 5.1.1 no such user", 55, false, false},
        StageFault{"554 after data (permanent)", "data", "554 5.7.1 rejected", 8, false, false}),
    [](const auto& param_info) {
      std::string name = param_info.param.name;
      std::replace_if(
          name.begin(), name.end(),
          [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
      return name;
    });

struct ScriptFault {
  const char* name;
  const char* script;
};

class QueueScriptFaults : public QueueFaults, public ::testing::WithParamInterface<ScriptFault> {};

TEST_P(QueueScriptFaults, ConnectionCutsAndGreetingRefusalsStayQueued) {
  ScriptedServer server(GetParam().script);
  const RunResult result = run_smtpc(send_args(server.url()));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("queued as"), std::string::npos) << result.err;
  EXPECT_EQ(queued(qdir()).size(), 1U);
  EXPECT_EQ(count_in(qdir() + "/tmp"), 0U);
  const std::string received = server.received();
  const bool body_arrived = received.find("\r\n.\r\n") != std::string::npos;
  const std::string name =
      std::string(GetParam().name) + (body_arrived ? " (end of data reached the server)" : "");
  fault_line(name, 0, queued(qdir()).size(), result.exit_code);  // a script stores nothing
}

INSTANTIATE_TEST_SUITE_P(
    Scripts, QueueScriptFaults,
    ::testing::Values(
        ScriptFault{"421 at greeting", "S 421 4.3.2 too busy\nDRAIN 1\n"},
        ScriptFault{"cut before greeting", "CLOSE\n"},
        ScriptFault{"cut after EHLO", "S 220 mx\nR\nCLOSE\n"},
        ScriptFault{"cut at DATA", "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nCLOSE\n"},
        ScriptFault{"cut in the body",
                    "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\n"
                    "S 354 go\nR\nCLOSE\n"},
        ScriptFault{
            "cut after end of data (scripted)",
            "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nCLOSE\n"}),
    [](const auto& param_info) {
      std::string name = param_info.param.name;
      std::replace_if(
          name.begin(), name.end(),
          [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
      return name;
    });

// Starts smtpc without waiting; stdout and stderr go to files.
pid_t spawn_smtpc(const std::vector<std::string>& args, const std::string& out_path) {
  std::vector<std::string> full{SMTPC_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 600; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  ADD_FAILURE() << "smtpc did not end within 30 s";
  return -1;
}

TEST_F(QueueFaults, KillNineDuringAQueueRunThenAnotherRunDelivers) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  ASSERT_EQ(run_smtpc(send_args(url)).exit_code, 7);
  // A server that takes the whole message and then never answers the end of data.
  {
    TempDir logs;
    ScriptedServer stall(
        "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nSLEEP 3\n",
        {"--port", std::to_string(port)});
    const pid_t pid =
        spawn_smtpc({"--queue-run", "--force", "--queue-dir", qdir()}, logs.path() + "/out");
    // The dialogue up to the end of data takes well under this; the script then stalls.
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
    ASSERT_EQ(queued(qdir()).size(), 1U);  // killed: the entry is still whole and queued
    const std::string received = stall.received();
    EXPECT_NE(received.find("\r\n.\r\n"), std::string::npos);
  }
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 0) << run.err;  // the lock died with the killed process
  ASSERT_EQ(server.messages().size(), 1U);
  expect_our_message(server.messages()[0]);
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(count_in(qdir() + "/tmp"), 0U);
  fault_line("kill -9 of smtpc after end of data, then another run", 1, 0, run.exit_code);
}

TEST_F(QueueFaults, TwoConcurrentQueueRunsOverTwentyEntriesSendEachOnce) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  for (int i = 0; i < 20; ++i) {
    std::string content = numbered("Subject: number ", i);
    content += numbered("\r\nMessage-ID: <n", i);
    content += "@example.com>\r\n\r\nbody\r\n";
    const std::string file = dir_.write_file(numbered("m", i), content);
    ASSERT_EQ(run_smtpc({"--queue", "--queue-dir", qdir(), url, "--mail-from", "a@example.com",
                         "--mail-rcpt", "b@example.com", "-T", file})
                  .exit_code,
              7);
  }
  ASSERT_EQ(queued(qdir()).size(), 20U);
  SmtpServer server({"--port", std::to_string(port)});
  const pid_t one =
      spawn_smtpc({"--queue-run", "--force", "-v", "--queue-dir", qdir()}, dir_.path() + "/one");
  const pid_t two =
      spawn_smtpc({"--queue-run", "--force", "-v", "--queue-dir", qdir()}, dir_.path() + "/two");
  EXPECT_EQ(wait_exit(one), 0);
  EXPECT_EQ(wait_exit(two), 0);
  std::cout << "--- run one\n"
            << read_file(dir_.path() + "/one") << "--- run two\n"
            << read_file(dir_.path() + "/two");
  const auto stored = server.messages();
  std::set<std::string> subjects;
  for (const auto& m : stored) subjects.insert(m.bytes.substr(0, m.bytes.find("\r\n")));
  EXPECT_EQ(stored.size(), 20U);
  EXPECT_EQ(subjects.size(), 20U);  // nothing sent twice, nothing lost
  EXPECT_TRUE(queued(qdir()).empty());
  std::cout << "stored " << stored.size() << " messages, " << subjects.size()
            << " distinct; queued " << queued(qdir()).size() << "\n";
}

// Queue runs remove an entry by renaming it out of the queue and then emptying it, so
// another run that listed it a moment before finds it gone or empty: that entry was sent,
// not broken, and must not be reported "unreadable" (nor make that run exit 26).
TEST_F(QueueFaults, ConcurrentQueueRunsReportNoEntryRemovedUnderThemAsUnreadable) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  constexpr int kEntries = 40;
  constexpr int kRuns = 6;
  for (int i = 0; i < kEntries; ++i) {
    const std::string file =
        dir_.write_file(numbered("m", i), numbered("Subject: number ", i) + "\r\n\r\nbody\r\n");
    ASSERT_EQ(run_smtpc({"--queue", "--queue-dir", qdir(), url, "--mail-from", "a@example.com",
                         "--mail-rcpt", "b@example.com", "-T", file})
                  .exit_code,
              7);
  }
  SmtpServer server({"--port", std::to_string(port)});
  std::vector<pid_t> runs;
  for (int k = 0; k < kRuns; ++k) {
    runs.push_back(spawn_smtpc({"--queue-run", "--force", "--queue-dir", qdir()},
                               numbered(dir_.path() + "/run", k)));
  }
  std::vector<int> exits;
  for (const pid_t run : runs) exits.push_back(wait_exit(run));
  for (int k = 0; k < kRuns; ++k) {
    const std::string output = read_file(numbered(dir_.path() + "/run", k));
    EXPECT_EQ(exits[static_cast<std::size_t>(k)], 0) << output;
    EXPECT_EQ(output.find("unreadable"), std::string::npos) << output;
  }
  EXPECT_EQ(server.messages().size(), static_cast<std::size_t>(kEntries));
  EXPECT_TRUE(queued(qdir()).empty());
}

TEST_F(QueueFaults, AFullDiskWhileQueuingFailsLoudlyAndLeavesNothing) {
  SmtpServer server;
  const std::string big =
      dir_.write_file("big.txt", "Subject: big\r\n\r\n" + std::string(200000, 'x') + "\r\n");
  // prlimit: a 64 KiB file size limit for smtpc alone (RLIMIT_FSIZE), as a full disk would.
  const RunResult result = run_program(
      {"/usr/bin/prlimit", "--fsize=65536", SMTPC_BINARY, "--queue", "--queue-dir", qdir(),
       server.url(), "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", big});
  EXPECT_EQ(result.exit_code, 23) << result.err;
  EXPECT_NE(result.err.find("cannot queue"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("File too large"), std::string::npos) << result.err;
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(count_in(qdir() + "/tmp"), 0U);
  EXPECT_TRUE(server.messages().empty());
  fault_line("full disk while queuing (RLIMIT_FSIZE 64 KiB)", 0, 0, result.exit_code);
}

TEST_F(QueueFaults, AnUnreadableUploadQueuesNothingAndSendsNothing) {
  SmtpServer server;
  const RunResult result = run_smtpc({"--queue", "--queue-dir", qdir(), server.url(), "--mail-from",
                                      "a@example.com", "--mail-rcpt", "b@example.com", "-T",
                                      message_file(), "-T", dir_.path() + "/missing.txt"});
  EXPECT_EQ(result.exit_code, 26) << result.err;
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(count_in(qdir() + "/tmp"), 0U);
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(QueueFaults, EntriesOfAnotherUserAreRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown an entry";
  const std::uint16_t port = closed_port();
  ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(port))).exit_code, 7);
  const auto ids = queued(qdir());
  ASSERT_EQ(ids.size(), 1U);
  ASSERT_EQ(::chown((qdir() + "/" + ids[0]).c_str(), 65534, 65534), 0);
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("belongs to another user"), std::string::npos) << run.err;
  EXPECT_TRUE(server.messages().empty());
  EXPECT_EQ(queued(qdir()).size(), 1U);
}

TEST_F(QueueFaults, APermanentFailureInAQueueRunMovesTheEntryToFailed) {
  const std::uint16_t port = closed_port();
  ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(port))).exit_code, 7);
  SmtpServer server({"--port", std::to_string(port), "--refuse-rcpt", "b@example.com"});
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 55) << run.err;
  EXPECT_NE(run.err.find("moved to failed/"), std::string::npos) << run.err;
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(count_in(qdir() + "/failed"), 1U);
  EXPECT_NE(run_smtpc({"--queue-list", "--queue-dir", qdir()}).out.find("FAILED"),
            std::string::npos);
}

TEST_F(QueueFaults, SendmailQueuesExitsZeroAndTheNextSendFlushes) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  const std::vector<std::string> env{"SMTPC_URL=" + url, "SMTPC_QUEUE_DIR=" + qdir(),
                                     "HOME=" + dir_.path(), "XDG_CONFIG_HOME=" + dir_.path(),
                                     "SMTPC_CONFIG="};
  const std::string cron_mail = "To: b@example.com\nSubject: cron one\n\nfirst\n";
  const RunResult down = run_program({SMTPC_BINARY, "--sendmail", "-t", "-oi"}, cron_mail, env);
  std::cout << "--- sendmail, server down (exit " << down.exit_code << ")\n" << down.err;
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_NE(down.err.find("queued as"), std::string::npos);
  ASSERT_EQ(queued(qdir()).size(), 1U);
  const RunResult list = run_program({SMTPC_BINARY, "--sendmail", "-bp"}, "", env);
  std::cout << "--- sendmail -bp\n" << list.out;
  EXPECT_NE(list.out.find("to <b@example.com>"), std::string::npos) << list.out;

  SmtpServer server({"--port", std::to_string(port)});
  const RunResult up = run_program({SMTPC_BINARY, "--sendmail", "-t", "-oi"},
                                   "To: b@example.com\nSubject: cron two\n\nsecond\n", env);
  std::cout << "--- sendmail, server up (exit " << up.exit_code << ")\n" << up.err;
  EXPECT_EQ(up.exit_code, 0) << up.err;
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 2U);  // the new one, then the flushed one
  EXPECT_NE(stored[0].bytes.find("cron two"), std::string::npos);
  EXPECT_NE(stored[1].bytes.find("cron one"), std::string::npos);
  EXPECT_TRUE(queued(qdir()).empty());
  const RunResult empty = run_program({SMTPC_BINARY, "--sendmail", "-q"}, "", env);
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(server.messages().size(), 2U);
}

TEST_F(QueueFaults, RetryConnrefusedWaitsForTheServerToComeUp) {
  const std::uint16_t port = closed_port();
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  // Without --retry-connrefused a refused connection is not retried (curl's rule).
  const RunResult plain =
      run_smtpc({url, "--retry", "3", "--retry-delay", "0.05", "--mail-from", "a@example.com",
                 "--mail-rcpt", "b@example.com", "-T", message_file()});
  EXPECT_EQ(plain.exit_code, 7);
  EXPECT_EQ(plain.err.find("Will retry"), std::string::npos) << plain.err;
  std::unique_ptr<SmtpServer> server;
  std::thread starter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    server = std::make_unique<SmtpServer>(std::vector<std::string>{"--port", std::to_string(port)});
  });
  const RunResult retried =
      run_smtpc({url, "--retry", "40", "--retry-delay", "0.1", "--retry-connrefused", "--mail-from",
                 "a@example.com", "--mail-rcpt", "b@example.com", "-T", "-"},
                kMessage);
  starter.join();
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.err.find("Warning: Problem : connection refused. Will retry in 0.1 seconds."),
            std::string::npos)
      << retried.err;
  ASSERT_EQ(server->messages().size(), 1U);
  EXPECT_EQ(server->messages()[0].bytes, kMessage);  // standard input, sent again whole
}

TEST_F(QueueFaults, RetryDoesNotResendAnUnansweredEndOfDataUnlessAllErrors) {
  const std::string refuse = std::to_string(kMessage.size()) + ":data:CLOSE";
  SmtpServer server({"--size-limit", "1000000", "--refuse-message", refuse});
  auto args = [&](bool all) {
    std::vector<std::string> a{
        server.url(),  "--retry",       "2",           "--retry-delay", "0.05",
        "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T",
        message_file()};
    if (all) a.emplace_back("--retry-all-errors");
    return a;
  };
  const RunResult once = run_smtpc(args(false));
  EXPECT_EQ(once.exit_code, 56) << once.err;
  EXPECT_EQ(server.commands("DATA").size(), 1U);
  const RunResult all = run_smtpc(args(true));
  EXPECT_EQ(all.exit_code, 56) << all.err;
  EXPECT_EQ(server.commands("DATA").size(), 4U);  // 1 + 1 + 2 retries
  EXPECT_NE(all.err.find("Problem (retrying all errors)"), std::string::npos) << all.err;
}

TEST_F(QueueFaults, RetryOnA421ThenGivesUpWithinRetryMaxTime) {
  const std::string refuse = std::to_string(kMessage.size()) + ":mail:451 4.3.0 later";
  SmtpServer server({"--size-limit", "1000000", "--refuse-message", refuse});
  const RunResult result = run_smtpc({server.url(), "--retry", "100", "--retry-delay", "0.1",
                                      "--retry-max-time", "0.5", "--mail-from", "a@example.com",
                                      "--mail-rcpt", "b@example.com", "-T", message_file()});
  EXPECT_EQ(result.exit_code, 55) << result.err;
  const auto mails = server.commands("MAIL").size();
  EXPECT_GE(mails, 3U);
  EXPECT_LE(mails, 8U);
  EXPECT_LT(result.elapsed, std::chrono::seconds(3));
}

// ---- Defects of issue 20, each with the fault that showed it ----

// smtpc's command line run without root's right to ignore file modes (CAP_DAC_OVERRIDE),
// so that a read-only directory refuses writes even when the tests run as root.
std::vector<std::string> unprivileged(std::vector<std::string> args) {
  std::vector<std::string> full;
  if (::geteuid() == 0) {
    full = {"/usr/bin/setpriv", "--inh-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search,-fowner"};
  }
  full.emplace_back(SMTPC_BINARY);
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

pid_t spawn_program(std::vector<std::string> full, const std::string& out_path) {
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  return pid;
}

class QueueDefects : public QueueFaults {
 protected:
  RunResult unprivileged_run() const {
    return run_program(unprivileged({"--queue-run", "--force", "--queue-dir", qdir()}));
  }
  void set_mode(const std::string& path, mode_t mode) const {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
  }
  std::string entry_dir(std::size_t index) const { return qdir() + "/" + queued(qdir()).at(index); }
};

// Defect 1: the removal of a delivered entry fails (tmp/ read-only) after the server's 250.
// Before the fix the entry was deferred and the next run delivered it a second time.
TEST_F(QueueDefects, ADeliveredEntryWhoseRemovalFailsIsNeverSentAgain) {
  const std::uint16_t port = closed_port();
  ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(port))).exit_code, 7);
  set_mode(qdir() + "/tmp", 0500);
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = unprivileged_run();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("delivered"), std::string::npos) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
  const RunResult again = unprivileged_run();
  EXPECT_EQ(server.messages().size(), 1U) << again.err;  // nothing sent twice
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_NE(list.out.find("delivered"), std::string::npos) << list.out;
  set_mode(qdir() + "/tmp", 0700);
  const RunResult cleaned = unprivileged_run();
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.err;
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(server.messages().size(), 1U);
  fault_line("entry removal fails after the 250 (--queue-run)", 1, 0, run.exit_code);
}

// Defect 1, --queue path: the 250 came, then the entry could not be removed. The server has
// the message: exit 0 with a warning, and no later run sends it again.
TEST_F(QueueDefects, QueueSendWhoseRemovalFailsExitsZeroAndNeverResends) {
  std::uint16_t port = 0;
  {
    ScriptedServer slow(
        "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nSLEEP 1\n"
        "S 250 2.0.0 stored\nR\nS 221 bye\nDRAIN 3\n");  // smtpc closes first: no TIME_WAIT here
    port = slow.port();
    const pid_t pid = spawn_program(unprivileged(send_args(slow.url())), dir_.path() + "/out");
    // The entry is whole in the queue before the connection opens; then tmp/ turns read-only.
    for (int i = 0; i < 100 && queued(qdir()).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(queued(qdir()).size(), 1U);
    set_mode(qdir() + "/tmp", 0500);
    const int exit_code = wait_exit(pid);
    const std::string err = read_file(dir_.path() + "/out");
    EXPECT_EQ(exit_code, 0) << err;
    EXPECT_NE(err.find("Warning: "), std::string::npos) << err;
    EXPECT_NE(slow.received().find("\r\n.\r\n"), std::string::npos);
  }
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = unprivileged_run();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(server.messages().empty()) << run.err;  // delivered once, by the first send
  set_mode(qdir() + "/tmp", 0700);
  EXPECT_EQ(unprivileged_run().exit_code, 0);
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_TRUE(server.messages().empty());
}

// Defect 3: paths are stored absolute. Queued from one directory with a relative --cacert,
// the queue run from / must verify the server with that same file.
TEST_F(QueueDefects, RelativePathsInAnEntryAreStoredAbsolute) {
  const std::string home = dir_.path() + "/work";
  fs::create_directories(home);
  fs::copy_file(test_cert("ca.pem"), home + "/ca.pem");
  const std::uint16_t port = closed_port();
  const RunResult first =
      run_program({"/usr/bin/env", "-C", home, SMTPC_BINARY, "--queue", "--queue-dir", qdir(),
                   "smtp://127.0.0.1:" + std::to_string(port) + "/client.example", "--ssl-reqd",
                   "--cacert", "ca.pem", "--mail-from", "a@example.com", "--mail-rcpt",
                   "b@example.com", "-T", message_file()});
  ASSERT_EQ(first.exit_code, 7) << first.err;
  auto options = server_tls("--starttls");
  options.insert(options.end(), {"--port", std::to_string(port)});
  SmtpServer server(options);
  const RunResult run = run_program(
      {"/usr/bin/env", "-C", "/", SMTPC_BINARY, "--queue-run", "--force", "--queue-dir", qdir()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
  EXPECT_TRUE(queued(qdir()).empty());
}

// Defect 4: --mail-rcpt-allowfails with --queue: a recipient refused for now (450) is
// queued; the others have the message.
TEST_F(QueueDefects, AllowfailsQueuesTheTemporarilyRefusedRecipients) {
  std::uint16_t port = 0;
  {
    ScriptedServer greylist(
        "S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 450 4.2.0 greylisted\nR\n"
        "S 354 go\nRDATA\nS 250 2.0.0 stored\nR\nS 221 bye\nDRAIN 3\n");
    port = greylist.port();
    const RunResult sent =
        run_smtpc({"--queue", "--queue-dir", qdir(), greylist.url(), "--mail-from", "a@example.com",
                   "--mail-rcpt", "b@example.com", "--mail-rcpt", "c@example.com",
                   "--mail-rcpt-allowfails", "-T", message_file()});
    EXPECT_EQ(sent.exit_code, 0) << sent.err;
    EXPECT_NE(sent.err.find("queued as"), std::string::npos) << sent.err;
  }
  ASSERT_EQ(queued(qdir()).size(), 1U);
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_NE(list.out.find("  to <c@example.com>"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("  to <b@example.com>"), std::string::npos) << list.out;
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].envelope.rcpt_tos, std::vector<std::string>{"c@example.com"});
  EXPECT_TRUE(queued(qdir()).empty());
}

// Defect 5: an entry that cannot be updated (its directory read-only) is reported, and the
// run goes on to the next entry; before, the run stopped at the oldest entry every time.
TEST_F(QueueDefects, AnEntryThatCannotBeUpdatedDoesNotStopTheRun) {
  const std::uint16_t down = closed_port();
  ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(down))).exit_code, 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // ids sort by second
  const std::uint16_t up_port = closed_port();
  ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(up_port))).exit_code, 7);
  ASSERT_EQ(queued(qdir()).size(), 2U);
  const std::string stuck = entry_dir(0);
  set_mode(stuck, 0500);
  SmtpServer server({"--port", std::to_string(up_port)});
  const RunResult run = unprivileged_run();
  set_mode(stuck, 0700);
  EXPECT_NE(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(queued(qdir()).at(0)), std::string::npos) << run.err;
  EXPECT_EQ(server.messages().size(), 1U) << run.err;  // the second entry went
  EXPECT_EQ(queued(qdir()).size(), 1U);
}

// Defect 6: an entry older than the queue lifetime (5 days unless --queue-lifetime says
// otherwise) goes to failed/ with a report saying why.
TEST_F(QueueDefects, AnEntryPastTheQueueLifetimeGoesToFailedWithAReport) {
  const std::uint16_t port = closed_port();
  ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(port))).exit_code, 7);
  const std::string id = queued(qdir()).at(0);
  // Six days old: the envelope's creation time rewritten, as if queued then.
  const std::string envelope_path = entry_dir(0) + "/envelope";
  std::string envelope = read_file(envelope_path);
  const auto at = envelope.find("created ");
  const auto end = envelope.find('\n', at);
  const auto six_days_ago = static_cast<long long>(std::time(nullptr)) - 6 * 86400;
  envelope.replace(at, end - at, "created " + std::to_string(six_days_ago));
  {
    std::ofstream out(envelope_path, std::ios::trunc | std::ios::binary);
    out << envelope;
  }
  const RunResult kept =
      run_smtpc({"--queue-run", "--force", "--queue-dir", qdir(), "--queue-lifetime", "10d"});
  EXPECT_NE(kept.err.find("deferred"), std::string::npos) << kept.err;
  EXPECT_EQ(queued(qdir()).size(), 1U);
  const RunResult run = queue_run();
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("moved to failed/"), std::string::npos) << run.err;
  EXPECT_TRUE(queued(qdir()).empty());
  const std::string report = read_file(qdir() + "/failed/" + id + "/report");
  EXPECT_NE(report.find("could not be delivered"), std::string::npos) << report;
  EXPECT_NE(report.find("b@example.com"), std::string::npos) << report;
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_NE(list.out.find("FAILED"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("queue lifetime"), std::string::npos) << list.out;
}

// Defect 6: a configuration error (here the password, which the queue never keeps) cannot
// heal by waiting: the entry goes to failed/ at the first run, not deferred for ever.
TEST_F(QueueDefects, AConfigurationErrorGoesToFailedAtOnce) {
  const std::uint16_t port = closed_port();
  auto args = send_args("smtp://127.0.0.1:" + std::to_string(port));
  args.insert(args.end(), {"-u", "user:secret"});
  args.insert(args.begin(), SMTPC_BINARY);
  const RunResult queued_send = run_program(args);
  ASSERT_EQ(queued_send.exit_code, 7) << queued_send.err;
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run =
      run_program({SMTPC_BINARY, "--queue-run", "--force", "--queue-dir", qdir()}, "");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("no password"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("moved to failed/"), std::string::npos) << run.err;
  EXPECT_TRUE(queued(qdir()).empty());
  EXPECT_EQ(count_in(qdir() + "/failed"), 1U);
  EXPECT_TRUE(server.messages().empty());
}

// Defect 7: entries that cannot be read are listed, with the reason, not skipped.
TEST_F(QueueDefects, BrokenEntriesAreListedAsUnreadable) {
  const std::uint16_t port = closed_port();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(run_smtpc(send_args("smtp://127.0.0.1:" + std::to_string(port))).exit_code, 7);
  }
  const auto ids = queued(qdir());
  ASSERT_EQ(ids.size(), 3U);
  { std::ofstream truncate(qdir() + "/" + ids[0] + "/envelope", std::ios::trunc); }
  fs::remove(qdir() + "/" + ids[1] + "/message");
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_NE(list.out.find(ids[0] + "  unreadable: "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(ids[1] + "  unreadable: "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("no message file"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("3 messages queued"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("2 unreadable"), std::string::npos) << list.out;
  SmtpServer server({"--port", std::to_string(port)});
  const RunResult run = queue_run();
  EXPECT_NE(run.err.find(ids[0]), std::string::npos) << run.err;  // reported, not hidden
  EXPECT_EQ(server.messages().size(), 1U) << run.err;             // the whole one went
}

}  // namespace
}  // namespace smtpc::it

namespace smtpc::it {
namespace {

// The queue keeps DeliverySettings with the versioned codec (format 2, the codec's names);
// entries written before it (format 1, tests/data/queue-format1, made by smtpc at ac88194)
// and format 2 entries written before the mx group was stored (tests/data/queue-format2, made
// by smtpc at 0c6abb0) are still read and sent.
class QueueFormat : public QueueFaults {
 protected:
  // Copies fixture entry `name` (of `fixtures`) into the queue, private as smtpc makes it,
  // with `port` in place of 59999 (the port nothing listened on when it was written).
  std::string install(const std::string& name, std::uint16_t port,
                      const char* fixtures = QUEUE_FORMAT1_DIR) const {
    const fs::path from = fs::path(fixtures) / name;
    const fs::path entry = *fs::directory_iterator(from);
    const std::string to = qdir() + "/" + entry.filename().string();
    fs::create_directories(to);
    ::chmod(qdir().c_str(), 0700);
    ::chmod(to.c_str(), 0700);
    for (const auto& file : fs::directory_iterator(entry)) {
      std::string text = read_text(file.path().string());
      for (auto at = text.find("59999"); at != std::string::npos; at = text.find("59999", at)) {
        text.replace(at, 5, std::to_string(port));
      }
      const std::string path = to + "/" + file.path().filename().string();
      std::ofstream(path, std::ios::binary) << text;
      ::chmod(path.c_str(), 0600);
    }
    return to;
  }
  static std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::string only_envelope() const {
    const auto ids = queued(qdir());
    return ids.size() == 1 ? read_text(qdir() + "/" + ids[0] + "/envelope") : std::string();
  }
  // The fixtures' entry, sent by a queue run with its stored settings: --resolve
  // (fixture.invalid -> 127.0.0.1) took it to `server`, with its DSN parameters, and the
  // message holds `text`; the queue is empty after.
  void expect_sent_with_its_settings(const SmtpServer& server, const RunResult& run,
                                     std::string_view text) const {
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(server.commands("MAIL"),
              std::vector<std::string>{"MAIL FROM:<old@example.com> RET=HDRS"});
    EXPECT_EQ(server.commands("RCPT"),
              std::vector<std::string>{"RCPT TO:<rcpt@example.com> NOTIFY=NEVER"});
    ASSERT_EQ(server.messages().size(), 1U);
    EXPECT_NE(server.messages()[0].bytes.find(text), std::string::npos);
    EXPECT_TRUE(queued(qdir()).empty());
  }
};

TEST_F(QueueFormat, AnEntryOfFormatOneWrittenBeforeTheCodecIsSentWithItsSettings) {
  SmtpServer server({"--dsn"});
  install("deliverable", server.port());
  expect_sent_with_its_settings(server, queue_run(), "written by smtpc before the versioned codec");
}

TEST_F(QueueFormat, AFormatTwoEntryWrittenBeforeTheMxSettingsIsSentWithItsSettings) {
  SmtpServer server({"--dsn"});
  install("before-mx", server.port(), QUEUE_FORMAT2_DIR);
  expect_sent_with_its_settings(server, queue_run(), "before the mx settings were stored");
}

TEST_F(QueueFormat, AnEntryAskingForMxIsAConfigurationErrorAndNotSentToTheRelay) {
  // No smtpc queues --mx (a domain that took the message would get it again); an entry
  // that asks for it anyway must not go to the relay its URL names, with the mx settings
  // left out.
  SmtpServer server;
  const std::string entry = install("before-mx", server.port(), QUEUE_FORMAT2_DIR);
  std::ofstream(entry + "/envelope", std::ios::app) << "setting mx.direct yes\n";
  const RunResult run = queue_run();
  EXPECT_NE(run.exit_code, 0) << run.err;
  EXPECT_TRUE(server.messages().empty());
  EXPECT_NE(run.err.find("a configuration error, moved to failed/"), std::string::npos) << run.err;
  EXPECT_TRUE(queued(qdir()).empty());
}

TEST_F(QueueFormat, AnEntryWithEveryFormatOneSettingIsListedNotUnreadable) {
  install("all-settings", 2525);
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("  via smtp://alice@mail.example.com:2525/ehlo.example\n"),
            std::string::npos)
      << list.out;
  EXPECT_EQ(list.out.find("unreadable"), std::string::npos) << list.out;
}

TEST_F(QueueFormat, NewEntriesAreFormatTwoInTheCodecsNamesWithoutSecrets) {
  const RunResult first = run_smtpc(
      {"--queue", "--queue-dir", qdir(),
       "smtp://bob:urlsecret@127.0.0.1:" + std::to_string(closed_port()) + "/client.example",
       "--insecure", "-x", "socks5h://pu:proxysecret@127.0.0.1:" + std::to_string(closed_port()),
       "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", message_file()});
  EXPECT_EQ(first.exit_code, 7) << first.err;
  const std::string envelope = only_envelope();
  EXPECT_TRUE(envelope.starts_with("smtpc-queue 2\n")) << envelope;
  EXPECT_NE(envelope.find("\nsetting destination.url smtp://bob@127.0.0.1:"), std::string::npos)
      << envelope;
  EXPECT_NE(envelope.find("\nsetting tls.insecure yes\n"), std::string::npos) << envelope;
  EXPECT_NE(envelope.find("\nsetting destination.proxy socks5h://pu@127.0.0.1:"), std::string::npos)
      << envelope;
  EXPECT_EQ(envelope.find("\nset "), std::string::npos) << envelope;
  EXPECT_EQ(envelope.find("secret"), std::string::npos) << envelope;
}

TEST_F(QueueFormat, AnEntryOfAnUnknownFormatOrSettingIsListedUnreadableAndNeverSent) {
  SmtpServer server;
  const std::string newer = install("deliverable", server.port());
  std::string text = read_text(newer + "/envelope");
  text.replace(0, std::string("smtpc-queue 1").size(), "smtpc-queue 3");
  std::ofstream(newer + "/envelope", std::ios::binary) << text;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // another id
  ASSERT_EQ(run_smtpc({"--queue", "--queue-dir", qdir(),
                       "smtp://127.0.0.1:" + std::to_string(closed_port()), "--mail-from",
                       "a@example.com", "--mail-rcpt", "b@example.com", "-T", message_file()})
                .exit_code,
            7);
  const auto ids = queued(qdir());
  ASSERT_EQ(ids.size(), 2U);
  const std::string unknown_setting = qdir() + "/" + ids[1] + "/envelope";
  std::ofstream(unknown_setting, std::ios::app) << "setting tls.from_the_future yes\n";

  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_NE(list.out.find("unreadable: the envelope does not start with \"smtpc-queue 1\""),
            std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("unreadable: unknown setting \"tls.from_the_future\""), std::string::npos)
      << list.out;
  (void)queue_run();
  EXPECT_TRUE(server.messages().empty());
  EXPECT_EQ(queued(qdir()).size(), 2U);
}

// --crlfile was not kept in the entry: a queue run trusted a server whose certificate the
// send had been told was revoked.
TEST_F(QueueDefects, AQueueRunChecksTheCrlTheSendWasGiven) {
  const std::uint16_t port = closed_port();
  const RunResult first =
      run_smtpc({"--queue", "--queue-dir", qdir(), "smtps://127.0.0.1:" + std::to_string(port),
                 "--cacert", test_cert("ca.pem"), "--crlfile", test_cert("ca.crl"), "--mail-from",
                 "a@example.com", "--mail-rcpt", "b@example.com", "-T", message_file()});
  ASSERT_EQ(first.exit_code, 7) << first.err;
  auto options = server_tls("--implicit-tls", "revoked");
  options.insert(options.end(), {"--port", std::to_string(port)});
  SmtpServer revoked(options);
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 60) << run.err;
  EXPECT_NE(run.err.find("revoked"), std::string::npos) << run.err;
  EXPECT_TRUE(revoked.messages().empty());
}

// -x was not kept in the entry: a queue run went to the server directly, around the proxy
// the user had asked for.
TEST_F(QueueDefects, AQueueRunGoesThroughTheProxyTheSendWasGiven) {
  SmtpServer server;
  const std::string proxy = "socks5h://127.0.0.1:" + std::to_string(closed_port());
  const RunResult first =
      run_smtpc({"--queue", "--queue-dir", qdir(), server.url(), "-x", proxy, "--mail-from",
                 "a@example.com", "--mail-rcpt", "b@example.com", "-T", message_file()});
  ASSERT_EQ(first.exit_code, 7) << first.err;
  const RunResult run = queue_run();
  EXPECT_EQ(run.exit_code, 7) << run.err;
  EXPECT_TRUE(server.messages().empty());
  EXPECT_EQ(queued(qdir()).size(), 1U);
}

}  // namespace
}  // namespace smtpc::it
