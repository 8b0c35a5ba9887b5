// What the user sees while a send runs: curl's progress meter on a terminal (run under
// script(1), which gives smtpc a pseudo-terminal), never elsewhere; and timeouts that say
// what was under way and which limit ran out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kHeader = "  % Total    % Received % Xferd  Average Speed";

// A message of about `megabytes` MiB in 78-byte CRLF lines, as a real server accepts it.
std::string big_message(std::size_t megabytes) {
  std::string message = "Subject: big\r\n\r\n";
  const std::string line = std::string(76, 'x') + "\r\n";
  while (message.size() < megabytes * 1024 * 1024) message += line;
  return message;
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// smtpc with `args` on a pseudo-terminal: script -qec; what it wrote to the terminal is
// script's stdout (stderr and stdout together, with CRLF line ends).
RunResult run_on_terminal(const std::vector<std::string>& args) {
  std::string command = shell_quote(SMTPC_BINARY);
  for (const auto& arg : args) command.append(1, ' ').append(shell_quote(arg));
  return run_program({"/usr/bin/script", "-qec", command, "/dev/null"}, "", {"COLUMNS=80"});
}

class ProgressMeter : public ::testing::Test {
 protected:
  TempDir dir_;
  SmtpServer server_;
  std::string file_ = dir_.write_file("big.eml", big_message(8));
  std::vector<std::string> send(std::vector<std::string> options) const {
    return send_args({.url = server_.url("client.example"), .files = {file_}, .options = options});
  }
};

TEST_F(ProgressMeter, IsShownOnATerminalForAnUpload) {
  const RunResult run = run_on_terminal(send({}));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr(kHeader));
  // The first line at 0, the last at 100 % of the 8.0M, then the line ends.
  EXPECT_THAT(run.out, HasSubstr("\r  0 8192k    0     0    0     0"));
  EXPECT_THAT(run.out, HasSubstr("\r100 8192k    0     0  100 8192k"));
  EXPECT_THAT(run.out, EndsWith("\r\n"));
  ASSERT_EQ(server_.messages().size(), 1U);
}

TEST_F(ProgressMeter, DashHashDrawsCurlsBar) {
  const RunResult run = run_on_terminal(send({"-#"}));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, Not(HasSubstr(kHeader)));
  EXPECT_THAT(run.out, HasSubstr("\r" + std::string(73, '#') + " 100.0%"));  // COLUMNS=80
}

TEST_F(ProgressMeter, IsNotShownWhenSilencedOrVerbose) {
  for (const char* option : {"-s", "--no-progress-meter", "-v"}) {
    SCOPED_TRACE(option);
    const RunResult run = run_on_terminal(send({option}));
    ASSERT_EQ(run.exit_code, 0) << run.out;
    EXPECT_THAT(run.out, Not(HasSubstr(kHeader)));
    EXPECT_THAT(run.out, Not(HasSubstr("100.0%")));
  }
}

TEST_F(ProgressMeter, IsNeverWrittenToANonTerminal) {
  for (const char* option : {"-#", "--progress-meter"}) {
    const RunResult run = run_smtpc(send({option}));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err, "");
  }
}

TEST(Timeouts, ASilentServerTimesOutWaitingForTheGreeting) {
  ScriptedServer server("SLEEP 10\n");
  TempDir dir;
  const auto run =
      run_smtpc(send_args({.url = server.url("client.example"),
                           .files = {dir.write_file("m.eml", "Subject: x\r\n\r\nhi\r\n")},
                           .options = {"-m", "2"}}));
  EXPECT_EQ(run.exit_code, 28);
  EXPECT_EQ(run.err,
            "smtpc: (28) timed out waiting for the greeting after 2 seconds (--max-time)\n");
  EXPECT_LT(run.elapsed, std::chrono::seconds(4));
}

TEST(Timeouts, AServerThatStopsAnsweringNamesTheCommand) {
  ScriptedServer server("S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nSLEEP 10\n");
  TempDir dir;
  const auto run =
      run_smtpc(send_args({.url = server.url("client.example"),
                           .files = {dir.write_file("m.eml", "Subject: x\r\n\r\nhi\r\n")},
                           .options = {"-m", "1.5"}}));
  EXPECT_EQ(run.exit_code, 28);
  EXPECT_EQ(run.err,
            "smtpc: (28) timed out waiting for the reply to RCPT TO after 1.5 seconds "
            "(--max-time)\n");
}

TEST(Timeouts, AServerThatStopsReadingTheBodyTimesOutTheSending) {
  ScriptedServer server("S 220 mx\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nSLEEP 10\n");
  TempDir dir;
  // More than the socket buffers on both sides hold, so the writes must block.
  const auto run = run_smtpc(send_args({.url = server.url("client.example"),
                                        .files = {dir.write_file("big.eml", big_message(40))},
                                        .options = {"-m", "1"}}));
  EXPECT_EQ(run.exit_code, 28);
  EXPECT_EQ(run.err,
            "smtpc: (28) timed out sending the message body after 1 second (--max-time)\n");
}

}  // namespace
}  // namespace smtpc::it
