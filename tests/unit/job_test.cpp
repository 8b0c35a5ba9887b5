// run_job over a FakeTransport whose Nth operation fails, N raised from 0 until the send
// succeeds (Beast's test::stream fail_count): each failure before the message is accepted
// is a typed Error with the failing operation's exit code; after it, the send stands.
#include "smtpc/job/job.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "fake_transport.hpp"

namespace smtpc {
namespace {

using testing::FakePeer;
using testing::FakeTransport;
using testing::Fault;
using testing::Operation;

class StringSource final : public MessageSource {
 public:
  explicit StringSource(std::string text) : text_(std::move(text)) {}
  [[nodiscard]] std::size_t read(std::span<char> buffer) override {
    const std::size_t size = std::min(buffer.size(), text_.size() - offset_);
    std::memcpy(buffer.data(), text_.data() + offset_, size);
    offset_ += size;
    return size;
  }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  std::string text_;
  std::size_t offset_ = 0;
  std::string name_ = "message";
};

class IgnoredNotices final : public Notices {
 public:
  void warning(std::string_view /*text*/) override {}
};

JobSpec one_message_spec() {
  JobSpec spec;
  spec.url.host = "mx.example";
  spec.session.mode = SessionMode::SendMail;
  spec.session.ehlo_name = "client.example";
  spec.session.reverse_path = "a@example.com";
  spec.session.forward_paths = {"b@example.com"};
  spec.open_message = [] { return std::make_unique<StringSource>("Subject: x\n\nhi\n"); };
  return spec;
}

struct Server {
  const char* name;
  std::vector<std::string> replies;  // one read each
};

const Server kServers[] = {
    {"OneCommandAtATime",
     {"220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n",
      "221 bye\r\n"}},
    {"Pipelining",
     {"220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
      "250 queued\r\n", "221 bye\r\n"}},
    {"Chunking",
     {"220 mx\r\n", "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n", "250 ok\r\n", "250 ok\r\n",
      "250 queued\r\n", "221 bye\r\n"}},
};

struct Outcome {
  std::shared_ptr<FakePeer> peer;
  JobProgress progress;
  std::optional<SendResult> result;
  std::optional<Error> error;
};

Outcome run(const Server& server, std::optional<std::size_t> fail_at, Fault fault) {
  Outcome outcome;
  outcome.peer = std::make_shared<FakePeer>();
  outcome.peer->pieces = {server.replies.begin(), server.replies.end()};
  outcome.peer->fail_at = fail_at;
  outcome.peer->fault = fault;
  Tracer tracer;
  IgnoredNotices notices;
  const auto connect = [peer = outcome.peer](const ConnectRequest& /*request*/, Tracer&) {
    return std::make_unique<FakeTransport>(peer);
  };
  try {
    outcome.result = run_job(one_message_spec(), tracer, notices, outcome.progress, connect);
  } catch (const Error& error) {
    outcome.error = error;
  }
  return outcome;
}

// The operation that reads reply `reply` (counted from 0) in a run without faults.
std::size_t read_operation(const FakePeer& clean, std::size_t reply) {
  std::size_t reads = 0;
  for (std::size_t i = 0; i < clean.operations.size(); ++i) {
    if (clean.operations[i] == Operation::Read && reads++ == reply) return i;
  }
  ADD_FAILURE() << "reply " << reply << " was never read";
  return clean.operations.size();
}

ExitCode expected_code(Fault fault, Operation operation) {
  if (fault == Fault::Timeout) return ExitCode::OperationTimedout;
  // A closed peer: a read finds the end of the stream, a write fails (EPIPE).
  return operation == Operation::Write ? ExitCode::SendError : ExitCode::RecvError;
}

class JobFaults : public ::testing::TestWithParam<std::tuple<Server, Fault>> {};

TEST_P(JobFaults, EveryFailingOperationIsATypedErrorUntilTheMessageIsAccepted) {
  const auto& [server, fault] = GetParam();
  const Outcome clean = run(server, std::nullopt, fault);
  ASSERT_TRUE(clean.result.has_value()) << clean.error->what();
  EXPECT_NE(clean.peer->received.find("Subject: x\r\n\r\nhi\r\n"), std::string::npos);
  const std::size_t total = clean.peer->operations.size();
  const auto queued = std::find(server.replies.begin(), server.replies.end(), "250 queued\r\n");
  const std::size_t accepted_at =
      read_operation(*clean.peer, static_cast<std::size_t>(queued - server.replies.begin()));

  for (std::size_t fail_at = 0;; ++fail_at) {
    SCOPED_TRACE("operation " + std::to_string(fail_at) + " fails");
    ASSERT_LE(fail_at, total) << "the send never succeeds";
    const Outcome outcome = run(server, fail_at, fault);
    EXPECT_TRUE(outcome.progress.connected);
    EXPECT_EQ(outcome.progress.greeted, fail_at > 0);  // --mx may try another server
    if (!outcome.peer->failed) {                       // the fault came after the last operation
      EXPECT_EQ(fail_at, total);
      EXPECT_TRUE(outcome.result.has_value()) << outcome.error->what();
      break;
    }
    if (fail_at <= accepted_at) {
      ASSERT_TRUE(outcome.error.has_value()) << "a send that failed reported success";
      EXPECT_EQ(outcome.error->code(), expected_code(fault, *outcome.peer->failed))
          << outcome.error->what();
    } else {  // after "250 queued" nothing can undo the delivery: a failed QUIT is no error
      ASSERT_TRUE(outcome.result.has_value()) << outcome.error->what();
      EXPECT_EQ(outcome.result->messages.at(0).outcome, MessageOutcome::Accepted);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllServersAndFaults, JobFaults,
                         ::testing::Combine(::testing::ValuesIn(kServers),
                                            ::testing::Values(Fault::Reset, Fault::Timeout,
                                                              Fault::Close)),
                         [](const auto& tested) {
                           return std::string(std::get<0>(tested.param).name) +
                                  testing::to_string(std::get<1>(tested.param));
                         });

TEST(JobConnect, AFailedConnectIsItsOwnErrorAndNothingIsSent) {
  Tracer tracer;
  IgnoredNotices notices;
  JobProgress progress;
  testing::expect_error(ExitCode::CouldntConnect, [&] {
    (void)run_job(one_message_spec(), tracer, notices, progress,
                  [](const ConnectRequest& request, Tracer&) -> std::unique_ptr<Transport> {
                    EXPECT_EQ(request.host, "mx.example");
                    EXPECT_EQ(request.port, 25);
                    throw Error(ExitCode::CouldntConnect, "fake: connection refused");
                  });
  });
  EXPECT_FALSE(progress.connected);
  EXPECT_FALSE(progress.greeted);
}

}  // namespace
}  // namespace smtpc
