// A hostile server's words never reach a terminal or a queue file as terminal escapes:
// control bytes are shown as "\xHH" in error lines, the report, -v, --queue-list and the
// queue's state files; -o keeps the server's bytes, as curl writes them.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

namespace fs = std::filesystem;

// Retitles the terminal, clears it and rings its bell: what must stay inert.
constexpr const char* kHostileText = R"(\x1b]0;PWNED\x07\x1b[2J\x1b[31mred\x7f)";
constexpr const char* kShown = R"(\x1b]0;PWNED\x07\x1b[2J\x1b[31mred\x7f)";

// A server whose greeting and refusal of MAIL carry escapes.
std::string refusing_script() {
  return std::string("SRAW 220 mx.example ") + kHostileText +
         "\\r\\n\n"
         "R\nS 250 mx.example\nR\n"
         "SRAW 451 4.3.0 " +
         kHostileText +
         " try later\\r\\n\n"
         "R\nS 221 bye\nDRAIN 2\n";
}

::testing::AssertionResult inert(const std::string& where, const std::string& text) {
  if (text.find_first_of("\x1b\x07\x7f") != std::string::npos) {
    return ::testing::AssertionFailure() << where << " holds raw escapes: " << text;
  }
  return ::testing::AssertionSuccess();
}

class SecurityServerText : public ::testing::Test {
 protected:
  std::string message() const { return dir_.write_file("mail.txt", "Subject: x\r\n\r\nbody\r\n"); }
  std::string qdir() const { return dir_.path() + "/queue"; }
  TempDir dir_;
};

TEST_F(SecurityServerText, TheErrorLineShowsEscapesAsText) {
  ScriptedServer server(refusing_script());
  const RunResult result = run_smtpc(send_args({.url = server.url(), .files = {message()}}));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(inert("stderr", result.err));
  EXPECT_NE(result.err.find(std::string("451 4.3.0 ") + kShown), std::string::npos) << result.err;
}

TEST_F(SecurityServerText, VerboseShowsEscapesAsText) {
  ScriptedServer server(refusing_script());
  const RunResult result =
      run_smtpc(send_args({.url = server.url(), .files = {message()}, .options = {"-v"}}));
  EXPECT_TRUE(inert("-v", result.err));
  EXPECT_NE(result.err.find(std::string("< 220 mx.example ") + kShown), std::string::npos)
      << result.err;
}

TEST_F(SecurityServerText, TheQueueStoresAndListsEscapesAsText) {
  std::uint16_t port = 0;
  {
    ScriptedServer server(refusing_script());
    port = server.port();
    const RunResult queued =
        run_smtpc({"--queue", "--queue-dir", qdir(), server.url(), "--mail-from", "a@example.com",
                   "--mail-rcpt", "b@example.com", "-T", message()});
    EXPECT_NE(queued.err.find("queued as"), std::string::npos) << queued.err;
    EXPECT_TRUE(inert("--queue stderr", queued.err));
  }
  {
    // The same hostile server again, where the entry's URL points.
    ScriptedServer server(refusing_script(), {"--port", std::to_string(port)});
    const RunResult run = run_smtpc({"--queue-run", "--queue-dir", qdir(), "--force"});
    EXPECT_NE(run.err.find("deferred"), std::string::npos) << run.err;
    EXPECT_TRUE(inert("--queue-run stderr", run.err));
  }
  int states = 0;
  for (const auto& entry : fs::directory_iterator(qdir())) {
    const fs::path state = entry.path() / "state";
    if (!fs::exists(state)) continue;
    ++states;
    const std::string text = read_file(state.string());
    EXPECT_TRUE(inert(state.string(), text));
    EXPECT_NE(text.find(kShown), std::string::npos) << text;
  }
  EXPECT_EQ(states, 1);
  const RunResult list = run_smtpc({"--queue-list", "--queue-dir", qdir()});
  EXPECT_TRUE(inert("--queue-list", list.out));
  EXPECT_NE(list.out.find(kShown), std::string::npos) << list.out;
}

TEST_F(SecurityServerText, OutputFileKeepsTheServersBytes) {
  ScriptedServer server(std::string("S 220 mx.example\nR\nS 250 mx.example\nR\n") + "SRAW 214 " +
                        kHostileText + "\\r\\n\nR\nS 221 bye\nDRAIN 2\n");
  const std::string out = dir_.path() + "/help.txt";
  const RunResult result = run_smtpc({server.url(), "-o", out});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(out), "214 \x1b]0;PWNED\x07\x1b[2J\x1b[31mred\x7f\r\n");
}

}  // namespace
}  // namespace smtpc::it
