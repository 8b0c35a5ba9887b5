// One classification: for random failures at random stages of a real send (run_job over a
// FakeTransport), the error's kind is the one a simple reference model expects, its curl
// exit code is one the table allows for that kind, and --retry, the queue and sendmail's
// sysexits follow the table's row for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "fake_transport.hpp"
#include "smtpc/core/failure.hpp"
#include "smtpc/job/job.hpp"

namespace smtpc {
namespace {

using testing::FakePeer;
using testing::FakeTransport;
using testing::Fault;

class TextOpener final : public MessageOpener {
 public:
  class Source final : public MessageSource {
   public:
    [[nodiscard]] std::size_t read(std::span<char> buffer) override {
      const std::string_view text = "Subject: x\n\nhi\n";
      const std::size_t size = std::min(buffer.size(), text.size() - offset_);
      std::memcpy(buffer.data(), text.data() + offset_, size);
      offset_ += size;
      return size;
    }
    [[nodiscard]] const std::string& name() const noexcept override { return name_; }

   private:
    std::size_t offset_ = 0;
    std::string name_ = "message";
  };
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return std::make_unique<Source>();
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return true; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  std::string name_ = "message";
};

class QuietNotices final : public Notices {
 public:
  void warning(std::string_view /*text*/) override {}
};

// The replies of a plain server, one command at a time, by stage.
enum Stage { Greeting, Ehlo, Mail, Rcpt, Data, EndOfData, kStages };
const char* const kReplies[kStages] = {"220 mx\r\n", "250 mx\r\n", "250 ok\r\n",
                                       "250 ok\r\n", "354 go\r\n", "250 queued\r\n"};
const char* const kStageNames[kStages] = {"greeting", "EHLO", "MAIL",
                                          "RCPT",     "DATA", "end of data"};

enum class Failure { Reply4xx, Reply5xx, Close, Reset, Timeout, kCount };
const char* const kFailureNames[] = {"4xx", "5xx", "close", "reset", "timeout"};

// The reference model: what each failure at each stage is, from RFC 5321 alone.
FailureKind expected_kind(Failure failure, Stage stage) {
  switch (failure) {
    case Failure::Reply4xx:
      return FailureKind::TransientReply;
    case Failure::Reply5xx:
      return FailureKind::PermanentReply;
    default:  // the connection broke: after the end of data the message may be stored
      return stage == EndOfData ? FailureKind::Unconfirmed : FailureKind::Network;
  }
}

struct Sent {
  std::shared_ptr<FakePeer> peer;
  std::optional<Error> error;  // the failed message's own error, else the job's
};

Sent send(std::shared_ptr<FakePeer> peer) {
  JobSpec spec;
  spec.url.host = "mx.example";
  spec.session.mode = SessionMode::SendMail;
  spec.session.ehlo_name = "client.example";
  spec.session.reverse_path = "a@example.com";
  spec.session.forward_paths = {"b@example.com"};
  spec.messages = {MessageOrigin(std::make_shared<TextOpener>())};
  Tracer tracer;
  QuietNotices notices;
  JobProgress progress;
  Sent sent{peer, std::nullopt};
  try {
    (void)run_job(spec, tracer, notices, progress, [peer](const ConnectRequest&, Tracer&) {
      return std::make_unique<FakeTransport>(peer);
    });
  } catch (const SendFailure& error) {
    const auto& messages = error.result().messages;
    sent.error = !messages.empty() && messages[0].error ? *messages[0].error : Error(error);
  } catch (const Error& error) {
    sent.error = error;
  }
  return sent;
}

// The operation (reads and writes counted from 0) that reads the reply of `stage`.
std::size_t read_of(Stage stage) {
  auto clean = std::make_shared<FakePeer>();
  for (const char* reply : kReplies) clean->pieces.emplace_back(reply);
  clean->pieces.emplace_back("221 bye\r\n");
  const Sent sent = send(clean);
  int reads = 0;
  for (std::size_t i = 0; i < clean->operations.size(); ++i) {
    if (clean->operations[i] == testing::Operation::Read && reads++ == stage) return i;
  }
  ADD_FAILURE() << "the clean send never read the reply to " << kStageNames[stage];
  return 0;
}

// Runs one send whose server fails so at `stage`; returns the failed message's error.
std::optional<Error> send_failing(Failure failure, Stage stage) {
  auto peer = std::make_shared<FakePeer>();
  for (int s = 0; s < stage; ++s) peer->pieces.emplace_back(kReplies[s]);
  if (failure == Failure::Reply4xx) peer->pieces.emplace_back("451 4.3.0 later\r\n");
  if (failure == Failure::Reply5xx) peer->pieces.emplace_back("554 5.7.1 no\r\n");
  if (failure == Failure::Reply4xx || failure == Failure::Reply5xx) {
    // A refused EHLO is followed by HELO (RFC 5321 §3.2): refused the same way.
    if (stage == Ehlo) peer->pieces.push_back(peer->pieces.back());
    peer->pieces.emplace_back("221 bye\r\n");
  } else if (failure != Failure::Close) {  // a close is the end of the pieces
    peer->fail_at = read_of(stage);
    peer->fault = failure == Failure::Reset ? Fault::Reset : Fault::Timeout;
  }
  return send(peer).error;
}

TEST(FailureTable, RandomFailuresAtRandomStagesAgreeWithTheTable) {
  std::mt19937 random(20);  // fixed: a failure is reproducible from the trace below
  for (int round = 0; round < 300; ++round) {
    const auto stage = static_cast<Stage>(random() % kStages);
    const auto failure = static_cast<Failure>(random() % static_cast<unsigned>(Failure::kCount));
    SCOPED_TRACE(std::string(kFailureNames[static_cast<int>(failure)]) + " at " +
                 kStageNames[stage]);
    const std::optional<Error> error = send_failing(failure, stage);
    ASSERT_TRUE(error.has_value()) << "the send succeeded";
    const FailureKind kind = expected_kind(failure, stage);
    EXPECT_EQ(policy_for(error->kind()).name, policy_for(kind).name) << error->what();
    const FailurePolicy& row = policy_for(error->kind());
    EXPECT_NE(std::find(row.exit_codes.begin(), row.exit_codes.end(), error->code()),
              row.exit_codes.end())
        << "exit code " << to_int(error->code()) << " is not one of " << row.name << "'s";
    // What the callers decide follows from the kind alone.
    EXPECT_EQ(retry_allows(error->kind(), false, false), row.retry == RetryRule::Always);
    EXPECT_TRUE(retry_allows(error->kind(), false, true));
    EXPECT_EQ(row.queue, kind == FailureKind::Unconfirmed      ? QueueAction::Keep
                         : kind == FailureKind::PermanentReply ? QueueAction::Fail
                                                               : QueueAction::Defer);
    EXPECT_EQ(row.sysexit,
              kind == FailureKind::PermanentReply ? SysExit::Unavailable : SysExit::TempFail);
  }
}

TEST(FailureTable, EveryKindHasOneRowAndNaturalKindsAreInTheirRow) {
  for (const FailureKind kind : kFailureKinds) EXPECT_EQ(policy_for(kind).kind, kind);
  using enum ExitCode;
  for (const ExitCode code : {UnsupportedProtocol,
                              FailedInit,
                              UrlMalformat,
                              CouldntResolveHost,
                              CouldntConnect,
                              WeirdServerReply,
                              RemoteAccessDenied,
                              WriteError,
                              ReadError,
                              OperationTimedout,
                              SslConnectError,
                              BadFunctionArgument,
                              InterfaceFailed,
                              SetoptOptionSyntax,
                              SendError,
                              RecvError,
                              SslCertProblem,
                              SslCipher,
                              PeerFailedVerification,
                              UseSslFailed,
                              LoginDenied,
                              SslCacertBadFile,
                              SslPinnedPubKeyMismatch}) {
    const Error error(code, "x");
    const auto codes = policy_for(error.kind()).exit_codes;
    EXPECT_NE(std::find(codes.begin(), codes.end(), code), codes.end()) << to_int(code);
  }
  EXPECT_EQ(Error(ExitCode::LoginDenied, "x").kind(), FailureKind::Auth);
  EXPECT_EQ(Error(ExitCode::FailedInit, "no password").kind(), FailureKind::Usage);
  EXPECT_EQ(Error(ExitCode::CouldntConnect, "x").kind(), FailureKind::Connect);
  EXPECT_EQ(policy_for(FailureKind::Usage).queue, QueueAction::Fail);  // to failed/ at once
  EXPECT_FALSE(retry_allows(FailureKind::Connect, false, false));
  EXPECT_TRUE(retry_allows(FailureKind::Connect, true, false));
}

}  // namespace
}  // namespace smtpc
