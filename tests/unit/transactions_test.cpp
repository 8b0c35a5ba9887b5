// Several messages on one connection: each body under its own envelope, each outcome
// reported as the server decided, with strict servers that refuse early pipelining.
#include <gtest/gtest.h>

#include "dialogue_script.hpp"
#include "smtpc/smtp/session.hpp"

namespace smtpc {
namespace {

using testing::mail_config;
using testing::Script;

constexpr const char* kPipeliningEhlo = "250-mx\n250-PIPELINING\n250 SIZE";
constexpr const char* kTooEarly =
    "503 5.5.1 Bad sequence of commands - pipelined after end of DATA";

SessionConfig messages_config(std::size_t count) {
  auto config = mail_config();
  config.messages.clear();
  for (std::size_t i = 0; i < count; ++i) config.messages.push_back(MessageInfo{100 + i, false});
  return config;
}

std::vector<MessageOutcome> outcomes(const Action& action) {
  const SendResult* result = nullptr;
  if (const auto* done = std::get_if<Finished>(&action)) result = &done->result;
  if (const auto* failed = std::get_if<Failed>(&action)) result = &failed->result;
  std::vector<MessageOutcome> found;
  if (result != nullptr) {
    for (const auto& message : result->messages) found.push_back(message.outcome);
  }
  return found;
}

constexpr auto kAccepted = MessageOutcome::Accepted;
constexpr auto kRefused = MessageOutcome::Refused;
constexpr auto kNotSent = MessageOutcome::NotSent;
constexpr auto kUnconfirmed = MessageOutcome::Unconfirmed;

// Haraka's early-talker defence: the envelope pipelined behind message 1's data is
// refused; it goes again, unpipelined, and its own body follows its own 354.
TEST(Transactions, EnvelopeRefusedForArrivingWithTheDataEndIsSentAgain) {
  Script script{messages_config(3)};
  script.server("220 mx")
      .client("EHLO client.example")
      .server(kPipeliningEhlo)
      .client("MAIL FROM:<a@example.com> SIZE=100")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body_of(0)
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 2.0.0 stored 1")
      .server(kTooEarly)
      .server(kTooEarly)
      .server(kTooEarly)
      .client("RSET")
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 reset")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body_of(1)
      // From now on the next envelope waits for the end of data's reply.
      .server("250 2.0.0 stored 2")
      .client("MAIL FROM:<a@example.com> SIZE=102")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body_of(2)
      .server("250 2.0.0 stored 3")
      .client("QUIT")
      .server("221 bye");
  const Action action = script.run();
  EXPECT_EQ(outcomes(action), (std::vector{kAccepted, kAccepted, kAccepted}));
}

// A second 503 for the same message is its own failure: no endless retry.
TEST(Transactions, SecondRefusalOfARetriedEnvelopeFailsTheMessage) {
  Script script{messages_config(2)};
  script.server("220 mx")
      .client("EHLO client.example")
      .server(kPipeliningEhlo)
      .client("MAIL FROM:<a@example.com> SIZE=100")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body_of(0)
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 stored")
      .server(kTooEarly)
      .server(kTooEarly)
      .server(kTooEarly)
      .client("RSET")
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 reset")
      .server("503 5.5.1 still no")
      .server("503 5.5.1 no")
      .server("503 5.5.1 no")
      .client("QUIT")
      .server("221 bye");
  const Action action = script.run();
  EXPECT_EQ(outcomes(action), (std::vector{kAccepted, kRefused}));
}

// Without PIPELINING: message 1 loses a recipient, message 2 must carry its own body.
TEST(Transactions, BodyAfterARefusedMessageIsTheNextMessagesOwn) {
  auto config = messages_config(2);
  config.forward_paths = {"b@example.com", "c@example.com"};
  Script script{config};
  script.server("220 mx")
      .client("EHLO client.example")
      .server("250-mx\n250 SIZE")
      .client("MAIL FROM:<a@example.com> SIZE=100")
      .server("250 ok")
      .client("RCPT TO:<b@example.com>")
      .server("250 ok")
      .client("RCPT TO:<c@example.com>")
      .server("451 4.3.0 try later")
      .client("RSET")
      .server("250 reset")
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .server("250 ok")
      .client("RCPT TO:<b@example.com>")
      .server("250 ok")
      .client("RCPT TO:<c@example.com>")
      .server("250 ok")
      .client("DATA")
      .server("354 go")
      .body_of(1)
      .server("250 stored")
      .client("QUIT")
      .server("221 bye");
  EXPECT_EQ(outcomes(script.run()), (std::vector{kRefused, kAccepted}));
}

// With CHUNKING the body follows an accepted envelope; a refused one gets no BDAT.
TEST(Transactions, ChunkedBodiesFollowTheirOwnAcceptedEnvelope) {
  Script script{messages_config(3)};
  script.server("220 mx")
      .client("EHLO client.example")
      .server("250-mx\n250-PIPELINING\n250-CHUNKING\n250 SIZE")
      .client("MAIL FROM:<a@example.com> SIZE=100")
      .client("RCPT TO:<b@example.com>")
      .server("552 5.3.4 too big")
      .server("503 5.5.1 need MAIL")
      .client("RSET")
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .client("RCPT TO:<b@example.com>")
      .server("250 reset")
      .server("250 ok")
      .server("250 ok")
      .body_of(1, 1)
      .client("MAIL FROM:<a@example.com> SIZE=102")
      .client("RCPT TO:<b@example.com>")
      .server("250 stored")
      .server("250 ok")
      .server("250 ok")
      .body_of(2, 1)
      .client("QUIT")
      .server("554 5.7.1 refused after data")
      .server("221 bye");
  EXPECT_EQ(outcomes(script.run()), (std::vector{kRefused, kAccepted, kRefused}));
}

// After a lost connection the report still says which messages were accepted.
TEST(Transactions, LostConnectionKeepsTheOutcomesKnownSoFar) {
  Script script{messages_config(3)};
  script.server("220 mx")
      .client("EHLO client.example")
      .server(kPipeliningEhlo)
      .client("MAIL FROM:<a@example.com> SIZE=100")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body_of(0)
      .client("MAIL FROM:<a@example.com> SIZE=101")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 stored")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body_of(1)
      .client("MAIL FROM:<a@example.com> SIZE=102")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .closed();
  const Action action = script.run();
  ASSERT_TRUE(std::holds_alternative<Failed>(action));
  EXPECT_EQ(std::get<Failed>(action).error.code(), ExitCode::RecvError);
  // Message 2's data ended but its reply never came: it may have arrived.
  EXPECT_EQ(outcomes(action), (std::vector{kAccepted, kUnconfirmed, kNotSent}));
}

// 421 closes the service: the message it answers is refused, the rest are not sent.
TEST(Transactions, ServiceClosingEndsTheConnectionAndSettlesEveryMessage) {
  Script script{messages_config(3)};
  script.server("220 mx")
      .client("EHLO client.example")
      .server("250 mx")
      .client("MAIL FROM:<a@example.com>")
      .server("250 ok")
      .client("RCPT TO:<b@example.com>")
      .server("250 ok")
      .client("DATA")
      .server("354 go")
      .body_of(0)
      .server("250 stored")
      .client("MAIL FROM:<a@example.com>")
      .server("421 4.3.2 shutting down");
  const Action action = script.run();
  ASSERT_TRUE(std::holds_alternative<Failed>(action));
  EXPECT_EQ(outcomes(action), (std::vector{kAccepted, kRefused, kNotSent}));
}

}  // namespace
}  // namespace smtpc
