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
#include "string_source.hpp"

namespace smtpc {
namespace {

using testing::FakePeer;
using testing::FakeTransport;
using testing::Fault;
using testing::Operation;

using testing_support::StringSource;

// The message as an origin: a fresh StringSource each time it is opened.
class StringOpener final : public MessageOpener {
 public:
  explicit StringOpener(std::string text) : text_(std::move(text)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return std::make_unique<StringSource>(text_);
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return true; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  std::string text_;
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
  spec.messages = {MessageOrigin(std::make_shared<StringOpener>("Subject: x\n\nhi\n"))};
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

// Each flight of bytes goes out in one write: the end of a small body, its BDAT LAST (with
// CHUNKING) and the QUIT after it are one write, not one for the command, one for the body
// and one for QUIT. So no two writes follow each other without a read between them.
TEST(JobWrites, EveryFlightIsOneWrite) {
  for (const Server& server : kServers) {
    SCOPED_TRACE(server.name);
    const Outcome clean = run(server, std::nullopt, Fault::Reset);
    ASSERT_TRUE(clean.result.has_value()) << clean.error->what();
    const auto& operations = clean.peer->operations;
    const auto twice = std::adjacent_find(
        operations.begin(), operations.end(),
        [](Operation a, Operation b) { return a == Operation::Write && b == Operation::Write; });
    EXPECT_EQ(twice, operations.end())
        << "two writes in a row at operation " << (twice - operations.begin());
  }
  const Outcome chunked = run(kServers[2], std::nullopt, Fault::Reset);
  EXPECT_TRUE(chunked.peer->received.ends_with("BDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\nQUIT\r\n"))
      << chunked.peer->received;
}

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

TEST(JobConnect, ConnectToThenResolveDecideWhereTheRequestGoes) {
  JobSpec spec = one_message_spec();
  spec.connect_to = {"other.example:25:wrong.test:1", "mx.example::relay.test:2525"};
  spec.resolve = {ResolveOverride{"relay.test", 25, {"192.0.2.9"}},
                  ResolveOverride{"RELAY.test", 2525, {"127.0.0.1", "::1"}}};
  spec.ip_family = IpFamily::V6;
  spec.interface = "if!lo";
  spec.local_port = LocalPortRange{4000, 4009};
  Tracer tracer;
  IgnoredNotices notices;
  JobProgress progress;
  std::optional<ConnectRequest> seen;
  testing::expect_error(ExitCode::CouldntConnect, [&] {
    (void)run_job(spec, tracer, notices, progress,
                  [&seen](const ConnectRequest& request, Tracer&) -> std::unique_ptr<Transport> {
                    seen = request;
                    throw Error(ExitCode::CouldntConnect, "fake: connection refused");
                  });
  });
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->host, "relay.test");
  EXPECT_EQ(seen->port, 2525);
  EXPECT_EQ(seen->addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(seen->family, IpFamily::V6);
  EXPECT_EQ(seen->interface, "if!lo");
  EXPECT_EQ(seen->local_port, (LocalPortRange{4000, 4009}));
  EXPECT_EQ(seen->info, &progress.connection);
}

TEST(JobConnect, BadConnectToPortIsExit49BeforeConnecting) {
  JobSpec spec = one_message_spec();
  spec.connect_to = {"::127.0.0.1:port"};
  Tracer tracer;
  IgnoredNotices notices;
  JobProgress progress;
  bool connected = false;
  testing::expect_error(ExitCode::SetoptOptionSyntax, [&] {
    (void)run_job(spec, tracer, notices, progress,
                  [&connected](const ConnectRequest&, Tracer&) -> std::unique_ptr<Transport> {
                    connected = true;
                    throw Error(ExitCode::CouldntConnect, "fake: connection refused");
                  });
  });
  EXPECT_FALSE(connected);
}

// What the job reports of the upload's progress, in order.
class RecordingNotices final : public Notices {
 public:
  void warning(std::string_view /*text*/) override {}
  void upload_progress(const UploadProgress& progress) noexcept override {
    updates.push_back(progress);
  }
  std::vector<UploadProgress> updates;
};

TEST(JobUploadProgress, StartsAtZeroAndEndsWithTheWholeMessage) {
  for (const auto& server : kServers) {
    SCOPED_TRACE(server.name);
    auto peer = std::make_shared<FakePeer>();
    peer->pieces = {server.replies.begin(), server.replies.end()};
    Tracer tracer;
    RecordingNotices notices;
    JobProgress progress;
    (void)run_job(
        one_message_spec(), tracer, notices, progress,
        [peer](const ConnectRequest&, Tracer&) { return std::make_unique<FakeTransport>(peer); });
    ASSERT_GE(notices.updates.size(), 2U);
    EXPECT_EQ(notices.updates.front().sent, 0U);
    EXPECT_EQ(notices.updates.back().sent, 15U);  // "Subject: x\n\nhi\n", as read
    EXPECT_EQ(notices.updates.back().total, std::optional<std::uint64_t>(15));
    // As sent (CRLF line ends), without the end-of-data mark: -w's size_upload.
    EXPECT_EQ(progress.body_bytes_sent, 18U);
  }
}

// The warnings the job gives, in order.
class WarningNotices final : public Notices {
 public:
  void warning(std::string_view text) override { warnings.emplace_back(text); }
  std::vector<std::string> warnings;
};

// An empty upload goes as curl sends it (DATA, then at once the end-of-data mark), with a
// warning; after a whole message and before another on the same connection too.
TEST(JobEmptyUpload, IsSentAsCurlSendsItWithAWarning) {
  struct Case {
    const char* name;
    std::vector<std::string> messages;
    std::vector<std::string> replies;
    std::string sent;
  };
  const std::string envelope = "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n";
  const Case cases[] = {
      {"Alone",
       {""},
       {"220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n",
        "221 bye\r\n"},
       "EHLO client.example\r\n" + envelope + "DATA\r\n.\r\nQUIT\r\n"},
      {"BetweenTwoMessages",
       {"a\n", "", "b\n"},
       {"220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n",
        "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n", "250 ok\r\n", "250 ok\r\n",
        "354 go\r\n", "250 queued\r\n", "221 bye\r\n"},
       "EHLO client.example\r\n" + envelope + "DATA\r\na\r\n.\r\n" + envelope + "DATA\r\n.\r\n" +
           envelope + "DATA\r\nb\r\n.\r\nQUIT\r\n"},
      {"Chunked",
       {""},
       {"220 mx\r\n", "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n", "250 ok\r\n", "250 ok\r\n",
        "250 queued\r\n", "221 bye\r\n"},
       "EHLO client.example\r\n" + envelope + "BDAT 0 LAST\r\nQUIT\r\n"},
  };
  for (const auto& tested : cases) {
    SCOPED_TRACE(tested.name);
    JobSpec spec = one_message_spec();
    spec.messages.clear();
    for (const auto& text : tested.messages) {
      spec.messages.emplace_back(std::make_shared<StringOpener>(text));
    }
    auto peer = std::make_shared<FakePeer>();
    peer->pieces = {tested.replies.begin(), tested.replies.end()};
    Tracer tracer;
    WarningNotices notices;
    JobProgress progress;
    const SendResult result = run_job(
        spec, tracer, notices, progress,
        [peer](const ConnectRequest&, Tracer&) { return std::make_unique<FakeTransport>(peer); });
    EXPECT_EQ(peer->received, tested.sent);
    ASSERT_EQ(result.messages.size(), tested.messages.size());
    for (const auto& message : result.messages) {
      EXPECT_EQ(message.outcome, MessageOutcome::Accepted);
    }
    EXPECT_EQ(notices.warnings,
              std::vector<std::string>{"the upload from test is empty: sending an empty message"});
  }
}

// A timeout names what the job was waiting for or sending, and the limit that ran out.
TEST(JobTimeouts, NameTheStepAndTheLimit) {
  const Server& server = kServers[0];  // one command at a time
  const Outcome clean = run(server, std::nullopt, Fault::Timeout);
  ASSERT_TRUE(clean.result.has_value());
  const char* const awaited[] = {"the greeting",           "the reply to EHLO",
                                 "the reply to MAIL FROM", "the reply to RCPT TO",
                                 "the reply to DATA",      "the reply to the end of data"};
  for (std::size_t reply = 0; reply < std::size(awaited); ++reply) {
    const Outcome outcome = run(server, read_operation(*clean.peer, reply), Fault::Timeout);
    ASSERT_TRUE(outcome.error.has_value());
    EXPECT_EQ(outcome.error->code(), ExitCode::OperationTimedout);
    EXPECT_EQ(std::string(outcome.error->what()),
              std::string("timed out waiting for ") + awaited[reply] + " after 120 seconds");
  }
  // The writes: EHLO is the first, the body the one after DATA's 354.
  const auto first_write = static_cast<std::size_t>(
      std::find(clean.peer->operations.begin(), clean.peer->operations.end(), Operation::Write) -
      clean.peer->operations.begin());
  Outcome outcome = run(server, first_write, Fault::Timeout);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(std::string(outcome.error->what()), "timed out sending EHLO after 120 seconds");
  outcome = run(server, read_operation(*clean.peer, 4) + 1, Fault::Timeout);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(std::string(outcome.error->what()),
            "timed out sending the message body after 120 seconds");
}

TEST(JobTimeouts, NameMaxTimeWhenItRanOut) {
  auto peer = std::make_shared<FakePeer>();
  peer->pieces = {"220 mx\r\n"};
  peer->fail_at = 2;  // read, write EHLO, read its reply
  peer->fault = Fault::Timeout;
  JobSpec spec = one_message_spec();
  spec.max_time = std::chrono::milliseconds(0);  // already over when the fault comes
  Tracer tracer;
  IgnoredNotices notices;
  JobProgress progress;
  try {
    (void)run_job(spec, tracer, notices, progress, [peer](const ConnectRequest&, Tracer&) {
      return std::make_unique<FakeTransport>(peer);
    });
    ADD_FAILURE() << "no timeout";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::OperationTimedout);
    EXPECT_EQ(std::string(error.what()),
              "timed out waiting for the reply to EHLO after 0 seconds (--max-time)");
  }
}

}  // namespace
}  // namespace smtpc
