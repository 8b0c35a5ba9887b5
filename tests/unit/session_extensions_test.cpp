// Session with ESMTP extensions: PIPELINING (RFC 2920), CHUNKING (RFC 3030), 8BITMIME,
// SMTPUTF8, and several messages on one connection.
#include <gtest/gtest.h>

#include "dialogue_script.hpp"

namespace smtpc {
namespace {

using testing::mail_config;
using testing::Script;
using testing::wire_reply;

constexpr std::string_view kPipeliningEhlo = "250-mx\n250 PIPELINING";
constexpr std::string_view kChunkingEhlo = "250-mx\n250-PIPELINING\n250 CHUNKING";

TEST(SessionPipelining, EnvelopeAndDataGoInOneWriteAndQuitFollowsTheBody) {
  Script script{mail_config({"b@example.com", "c@example.com"})};
  script.hello(kPipeliningEhlo)
      .client("MAIL FROM:<a@example.com>")
      .client("RCPT TO:<b@example.com>")
      .client("RCPT TO:<c@example.com>")
      .client("DATA")
      .server("250 ok")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body()
      .client("QUIT")
      .server("250 queued")
      .server("221 bye");
  const auto result = Script::finished(script.run());
  ASSERT_EQ(result.messages.size(), 1U);
  EXPECT_EQ(result.messages[0].accepted.size(), 2U);
  // EHLO; MAIL+RCPT+RCPT+DATA; QUIT right behind the body.
  EXPECT_EQ(script.writes(), (std::vector<std::size_t>{1, 4, 1}));
}

TEST(SessionPipelining, NoPipeliningOptionWaitsForEachReply) {
  auto config = mail_config();
  config.use_pipelining = false;
  Script script{config};
  script.hello(kPipeliningEhlo).message().quit();
  (void)Script::finished(script.run());
  EXPECT_EQ(script.writes(), (std::vector<std::size_t>{1, 1, 1, 1, 1}));
}

TEST(SessionPipelining, RefusedRecipientAndDataRefusedToo) {
  const auto action = Script{mail_config({"b@example.com", "nobody@example.com"})}
                          .hello(kPipeliningEhlo)
                          .client("MAIL FROM:<a@example.com>")
                          .client("RCPT TO:<b@example.com>")
                          .client("RCPT TO:<nobody@example.com>")
                          .client("DATA")
                          .server("250 ok")
                          .server("250 ok")
                          .server("550 5.1.1 no such user")
                          .server("554 5.5.1 no valid recipients")
                          .quit()
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_EQ(std::string(error.what()),
            "RCPT TO <nobody@example.com> failed: 550 5.1.1 no such user");
}

TEST(SessionPipelining, DataAcceptedAfterARefusedRecipientDropsTheConnection) {
  // Sending "." would deliver to b@ although the user did not allow recipient failures.
  const auto action = Script{mail_config({"b@example.com", "nobody@example.com"})}
                          .hello(kPipeliningEhlo)
                          .client("MAIL FROM:<a@example.com>")
                          .client("RCPT TO:<b@example.com>")
                          .client("RCPT TO:<nobody@example.com>")
                          .client("DATA")
                          .server("250 ok")
                          .server("250 ok")
                          .server("550 no such user")
                          .server("354 go ahead")
                          .run();
  ASSERT_TRUE(std::holds_alternative<Failed>(action));
  EXPECT_EQ(std::get<Failed>(action).error.code(), ExitCode::SendError);
}

TEST(SessionPipelining, AllowFailsSendsToTheAcceptedRecipients) {
  auto config = mail_config({"nobody@example.com", "b@example.com"});
  config.allow_rcpt_failures = true;
  const auto result = Script::finished(Script{config}
                                           .hello(kPipeliningEhlo)
                                           .client("MAIL FROM:<a@example.com>")
                                           .client("RCPT TO:<nobody@example.com>")
                                           .client("RCPT TO:<b@example.com>")
                                           .client("DATA")
                                           .server("250 ok")
                                           .server("550 no")
                                           .server("250 ok")
                                           .server("354 go")
                                           .body()
                                           .client("QUIT")
                                           .server("250 queued")
                                           .server("221 bye")
                                           .run());
  EXPECT_EQ(result.messages.at(0).accepted, std::vector<std::string>{"b@example.com"});
  EXPECT_EQ(result.messages.at(0).refused.size(), 1U);
}

TEST(SessionPipelining, RefusedMailFromFailsTheMessage) {
  const auto action = Script{mail_config()}
                          .hello(kPipeliningEhlo)
                          .client("MAIL FROM:<a@example.com>")
                          .client("RCPT TO:<b@example.com>")
                          .client("DATA")
                          .server("553 sender refused")
                          .server("503 need MAIL")
                          .server("503 need RCPT")
                          .quit()
                          .run();
  EXPECT_NE(std::string(Script::failed(action).what()).find("MAIL FROM failed: 553"),
            std::string::npos);
}

TEST(SessionChunking, BodyGoesAsBdatAfterTheEnvelope) {
  Script script{mail_config()};
  script.hello(kChunkingEhlo)
      .client("MAIL FROM:<a@example.com>")
      .client("RCPT TO:<b@example.com>")
      .server("250 ok")
      .server("250 ok")
      .body(3)
      .client("QUIT")
      .server("250 1 MiB")
      .server("250 1 MiB")
      .server("250 queued")
      .server("221 bye");
  const auto result = Script::finished(script.run());
  EXPECT_EQ(result.messages.at(0).final_reply->summary(), "250 queued");
}

TEST(SessionChunking, RefusedChunkFailsTheMessage) {
  const auto action = Script{mail_config()}
                          .hello(kChunkingEhlo)
                          .client("MAIL FROM:<a@example.com>")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .server("250 ok")
                          .body(2)
                          .client("QUIT")
                          .server("552 5.3.4 too big")
                          .server("503 5.5.1 no transaction")
                          .server("221 bye")
                          .run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::SendError);
}

TEST(SessionChunking, NoChunkingOptionUsesData) {
  auto config = mail_config();
  config.use_chunking = false;
  Script{config}
      .hello(kChunkingEhlo)
      .pipelined_envelope()
      .body()
      .client("QUIT")
      .server("250 queued")
      .server("221 bye")
      .run();
}

// Drives a session through greeting and EHLO and returns the MAIL command it sends.
std::string mail_command_after(const SessionConfig& config, std::string_view ehlo) {
  Session session{config};
  (void)session.on_reply(parse_reply("220 mx\r\n"));
  const auto action = session.on_reply(parse_reply(wire_reply(ehlo)));
  return std::get<SendCommands>(action).commands.at(0).line;
}

TEST(SessionExtensions, BinaryMimeWithChunkingWhenTheMessageHasNulBytes) {
  auto config = mail_config();
  config.messages = {MessageInfo{std::nullopt, true, true}};
  EXPECT_EQ(mail_command_after(config,
                               "250-mx\n250-PIPELINING\n250-CHUNKING\n250-8BITMIME\n"
                               "250 BINARYMIME"),
            "MAIL FROM:<a@example.com> BODY=BINARYMIME");
  // Without BINARYMIME (or without CHUNKING) the best is 8BITMIME.
  EXPECT_EQ(mail_command_after(config, "250-mx\n250-PIPELINING\n250-CHUNKING\n250 8BITMIME"),
            "MAIL FROM:<a@example.com> BODY=8BITMIME");
  EXPECT_EQ(mail_command_after(config, "250-mx\n250-8BITMIME\n250 BINARYMIME"),
            "MAIL FROM:<a@example.com> BODY=8BITMIME");
}

TEST(SessionExtensions, BinaryBodyIsSentRaw) {
  auto config = mail_config();
  config.messages = {MessageInfo{std::nullopt, true, true}};
  Session session{config};
  (void)session.on_reply(parse_reply("220 mx\r\n"));
  (void)session.on_reply(
      parse_reply("250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n"));
  (void)session.on_reply(parse_reply("250 ok\r\n"));
  const auto action = session.on_reply(parse_reply("250 ok\r\n"));
  ASSERT_TRUE(std::holds_alternative<SendBody>(action));
  EXPECT_TRUE(std::get<SendBody>(action).chunked);
  EXPECT_TRUE(std::get<SendBody>(action).binary);
}

TEST(SessionExtensions, EightBitMimeOnlyWhenNeededAndOffered) {
  auto config = mail_config();
  config.messages = {MessageInfo{100, true}};
  Script{config}
      .hello("250-mx\n250-SIZE\n250 8BITMIME")
      .message("SIZE=100 BODY=8BITMIME")
      .quit()
      .run();
  Script{config}.hello("250 mx").message().quit().run();  // neither offered: neither sent
}

TEST(SessionExtensions, SmtpUtf8WhenAnAddressNeedsIt) {
  auto config = mail_config({"j\xc3\xb6rg@example.com"});
  config.smtputf8 = true;
  Script{config}
      .hello("250-mx\n250 SMTPUTF8")
      .client("MAIL FROM:<a@example.com> SMTPUTF8")
      .server("250 ok")
      .client("RCPT TO:<j\xc3\xb6rg@example.com>")
      .server("250 ok")
      .client("DATA")
      .server("354 go")
      .body()
      .server("250 ok")
      .quit()
      .run();
}

TEST(SessionExtensions, RefusalWithoutSmtpUtf8SaysWhy) {
  auto config = mail_config({"j\xc3\xb6rg@example.com"});
  config.smtputf8 = true;
  const auto action = Script{config}
                          .hello()
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<j\xc3\xb6rg@example.com>")
                          .server("553 5.6.7 bad address")
                          .quit()
                          .run();
  EXPECT_NE(std::string(Script::failed(action).what()).find("does not support SMTPUTF8"),
            std::string::npos);
}

TEST(SessionMessages, SeveralMessagesOnOneConnectionWithResetAfterAFailure) {
  auto config = mail_config();
  config.messages = {MessageInfo{std::nullopt, false}, MessageInfo{std::nullopt, false},
                     MessageInfo{std::nullopt, false}};
  Script script{config};
  script.hello()
      .envelope()
      .body()
      .server("250 first")
      .client("MAIL FROM:<a@example.com>")
      .server("250 ok")
      .client("RCPT TO:<b@example.com>")
      .server("452 4.2.2 mailbox full")
      .client("RSET")
      .server("250 reset")
      .envelope()
      .body()
      .server("250 third")
      .quit();
  const auto action = script.run();
  ASSERT_TRUE(std::holds_alternative<Finished>(action));
  const auto& messages = std::get<Finished>(action).result.messages;
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_FALSE(messages[0].error.has_value());
  ASSERT_TRUE(messages[1].error.has_value());
  EXPECT_EQ(messages[1].error->code(), ExitCode::SendError);
  EXPECT_FALSE(messages[2].error.has_value());
  EXPECT_EQ(messages[2].final_reply->summary(), "250 third");
}

TEST(SessionMessages, PipelinedMessagesFollowEachOtherWithoutWaiting) {
  auto config = mail_config();
  config.messages = {MessageInfo{std::nullopt, false}, MessageInfo{std::nullopt, false}};
  Script script{config};
  script.hello(kPipeliningEhlo)
      .pipelined_envelope()
      .body()
      .client("MAIL FROM:<a@example.com>")
      .client("RCPT TO:<b@example.com>")
      .client("DATA")
      .server("250 first")
      .server("250 ok")
      .server("250 ok")
      .server("354 go")
      .body()
      .client("QUIT")
      .server("554 5.7.1 second refused")
      .server("221 bye");
  const auto action = script.run();
  ASSERT_TRUE(std::holds_alternative<Finished>(action));
  const auto& messages = std::get<Finished>(action).result.messages;
  EXPECT_FALSE(messages[0].error.has_value());
  ASSERT_TRUE(messages[1].error.has_value());
  EXPECT_EQ(messages[1].error->code(), ExitCode::WeirdServerReply);
  EXPECT_EQ(script.writes(), (std::vector<std::size_t>{1, 3, 3, 1}));
}

// An empty message, as curl sends it: no SIZE (curl sends it only for "infilesize > 0").
TEST(EmptyMessage, DataWithoutSize) {
  auto config = mail_config({"b@example.com"});
  config.messages = {MessageInfo{0, false}};
  const auto action = Script{config}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 SIZE 1000")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .client("DATA")
                          .server("354 go")
                          .body()
                          .server("250 ok")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  (void)Script::finished(action);
}

}  // namespace
}  // namespace smtpc
