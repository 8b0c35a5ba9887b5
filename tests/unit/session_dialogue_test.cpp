// Session: whole dialogues with canned replies, checking every line the client sends.
#include <gtest/gtest.h>

#include "dialogue_script.hpp"

namespace smtpc {
namespace {

using testing::mail_config;
using testing::Script;

// Written out in full; the other tests use the fragments hello(), message() and quit().
TEST(SessionDialogue, SendsOneMessage) {
  const auto action = Script{mail_config()}
                          .server("220 mx ESMTP")
                          .client("EHLO client.example")
                          .server("250-mx\n250 8BITMIME")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 2.1.0 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 2.1.5 ok")
                          .client("DATA")
                          .server("354 go ahead")
                          .body()
                          .server("250 2.0.0 queued as 123")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  const auto result = Script::finished(action);
  EXPECT_EQ(result.messages.at(0).accepted, std::vector<std::string>{"b@example.com"});
  ASSERT_TRUE(result.messages.at(0).final_reply.has_value());
  EXPECT_EQ(result.messages.at(0).final_reply->summary(), "250 2.0.0 queued as 123");
}

TEST(SessionDialogue, ServerClosingAfterQuitIsFine) {
  const auto action = Script{mail_config()}.hello().message().client("QUIT").closed().run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(SessionDialogue, NullReversePath) {
  auto config = mail_config();
  config.reverse_path = "";
  Script{config}
      .hello()
      .client("MAIL FROM:<>")
      .server("250 ok")
      .client("RCPT TO:<b@example.com>")
      .server("250 ok")
      .client("DATA")
      .server("354 go")
      .body()
      .server("250 ok")
      .quit()
      .run();
}

TEST(SessionDialogue, FallsBackToHeloWhenEhloIsUnknown) {
  const auto action = Script{mail_config()}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("502 5.5.2 command not recognized")
                          .client("HELO client.example")
                          .server("250 mx")
                          .message()
                          .quit()
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(SessionDialogue, RefusedHeloIsAccessDenied) {
  const auto action = Script{mail_config()}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("500 no")
                          .client("HELO client.example")
                          .server("550 go away")
                          .quit()
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::RemoteAccessDenied);
  EXPECT_NE(std::string(error.what()).find("550 go away"), std::string::npos);
}

TEST(SessionDialogue, BadGreetingIsWeirdReplyAndQuits) {
  const auto action = Script{mail_config()}.server("554 5.3.2 no service").quit().run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::WeirdServerReply);
}

TEST(SessionDialogue, AddsSizeWhenAdvertisedAndKnown) {
  auto config = mail_config();
  config.messages = {MessageInfo{4321, false}};
  Script{config}.hello("250-mx\n250 SIZE 10000000").message("SIZE=4321").quit().run();
}

TEST(SessionDialogue, NoSizeWithoutTheExtension) {
  auto config = mail_config();
  config.messages = {MessageInfo{4321, false}};
  Script{config}.hello("250 mx").message().quit().run();  // a plain MAIL FROM, no SIZE=
}

TEST(SessionDialogue, OversizedMessageRefusedAtMail) {
  auto config = mail_config();
  config.messages = {MessageInfo{2000, false}};
  const auto action = Script{config}
                          .hello("250-mx\n250 SIZE 1000")
                          .client("MAIL FROM:<a@example.com> SIZE=2000")
                          .server("552 5.3.4 message size exceeds fixed limit")
                          .quit()
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_NE(std::string(error.what()).find("552 5.3.4"), std::string::npos);
}

TEST(SessionDialogue, RefusedRecipientStopsTheSendWithoutAllowFails) {
  const auto action = Script{mail_config({"b@example.com", "nobody@example.com", "c@example.com"})}
                          .hello()
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<nobody@example.com>")
                          .server("550 5.1.1 no such user")
                          .quit()
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_EQ(std::string(error.what()),
            "RCPT TO <nobody@example.com> failed: 550 5.1.1 no such user");
}

TEST(SessionDialogue, RefusedRecipientIsReportedWhenAllowFails) {
  auto config = mail_config({"b@example.com", "nobody@example.com"});
  config.allow_rcpt_failures = true;
  const auto action = Script{config}
                          .hello()
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<nobody@example.com>")
                          .server("550 5.1.1 no such user")
                          .client("DATA")
                          .server("354 go")
                          .body()
                          .server("250 ok")
                          .quit()
                          .run();
  const auto result = Script::finished(action);
  EXPECT_EQ(result.messages.at(0).accepted, std::vector<std::string>{"b@example.com"});
  ASSERT_EQ(result.messages.at(0).refused.size(), 1U);
  EXPECT_EQ(result.messages.at(0).refused[0].address, "nobody@example.com");
  EXPECT_EQ(result.messages.at(0).refused[0].reply.code.value(), 550);
}

TEST(SessionDialogue, AllRecipientsRefusedFailsEvenWithAllowFails) {
  auto config = mail_config({"x@example.com", "y@example.com"});
  config.allow_rcpt_failures = true;
  const auto action = Script{config}
                          .hello()
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<x@example.com>")
                          .server("550 no x")
                          .client("RCPT TO:<y@example.com>")
                          .server("451 try later")
                          .quit()
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_NE(std::string(error.what()).find("451 try later"), std::string::npos);
}

TEST(SessionDialogue, RefusedDataIsSendError) {
  const auto action = Script{mail_config()}
                          .hello()
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .client("DATA")
                          .server("554 no valid recipients")
                          .quit()
                          .run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::SendError);
}

TEST(SessionDialogue, MessageNotAcceptedAtEndOfDataIsReported) {
  const auto action =
      Script{mail_config()}.hello().envelope().body().server("554 5.7.1 spam").quit().run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::WeirdServerReply);
  EXPECT_NE(std::string(error.what()).find("NOT accepted: 554 5.7.1 spam"), std::string::npos);
}

TEST(SessionDialogue, ConnectionLostMidDialogueIsRecvError) {
  const auto action =
      Script{mail_config()}.server("220 mx").client("EHLO client.example").closed().run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::RecvError);
}

TEST(SessionDialogue, HelpPrintsTheReply) {
  SessionConfig config = mail_config({});
  config.mode = SessionMode::Help;
  const auto action = Script{config}
                          .hello()
                          .client("HELP")
                          .server("214-Commands:\n214 EHLO MAIL RCPT")
                          .quit()
                          .run();
  EXPECT_EQ(Script::finished(action).output,
            (std::vector<std::string>{"214-Commands:", "214 EHLO MAIL RCPT"}));
}

TEST(SessionDialogue, VerifyEachRecipient) {
  SessionConfig config = mail_config({"b@example.com", "c@example.com"});
  config.mode = SessionMode::Verify;
  const auto action = Script{config}
                          .hello()
                          .client("VRFY b@example.com")
                          .server("250 <b@example.com>")
                          .client("VRFY c@example.com")
                          .server("553 ambiguous")
                          .quit()
                          .run();
  EXPECT_EQ(Script::finished(action).output,
            (std::vector<std::string>{"250 <b@example.com>", "553 ambiguous"}));
}

// Parameters written after a recipient belong to RCPT TO: VRFY and -X take the mailbox.
TEST(SessionDialogue, VerifyLeavesWrittenParametersOut) {
  SessionConfig config = mail_config({"b@example.com"});
  config.mode = SessionMode::Verify;
  config.address_parameters.forward_paths.emplace("b@example.com", "NOTIFY=NEVER");
  SessionConfig custom = config;
  custom.custom_request = "EXPN";
  (void)Script{config}
      .hello()
      .client("VRFY b@example.com")
      .server("250 <b@example.com>")
      .quit()
      .run();
  (void)Script{custom}.hello().client("EXPN b@example.com").server("250 b").quit().run();
}

// curl's rule (smtp_perform_command): VRFY says SMTPUTF8 when the server offers it and the
// mailbox is not ASCII; a -X verb takes each recipient as given, and EXPN says SMTPUTF8
// whenever the server offers it.
TEST(SessionDialogue, VerifySaysSmtputf8ForNonAsciiMailboxesOnly) {
  SessionConfig config = mail_config({"b@example.com", "j\xc3\xb6rg@example.com"});
  config.mode = SessionMode::Verify;
  const auto action = Script{config}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 SMTPUTF8")
                          .client("VRFY b@example.com")
                          .server("252 b")
                          .client("VRFY j\xc3\xb6rg@example.com SMTPUTF8")
                          .server("252 j")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_EQ(Script::finished(action).output, (std::vector<std::string>{"252 b", "252 j"}));
}

TEST(SessionDialogue, CustomRequestWithAndWithoutRecipients) {
  SessionConfig expn = mail_config({"staff"});
  expn.mode = SessionMode::Verify;
  expn.custom_request = "EXPN";
  const auto listed = Script{expn}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 SMTPUTF8")
                          .client("EXPN staff SMTPUTF8")
                          .server("250-<a@example.com>\n250 <b@example.com>")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_EQ(Script::finished(listed).output,
            (std::vector<std::string>{"250-<a@example.com>", "250 <b@example.com>"}));

  SessionConfig noop = mail_config({});
  noop.mode = SessionMode::Help;
  noop.custom_request = "noop";  // sent as given
  const auto refused = Script{noop}
                           .server("220 mx")
                           .client("EHLO client.example")
                           .server("250 mx")
                           .client("noop")
                           .server("502 no")
                           .client("QUIT")
                           .server("221 bye")
                           .run();
  const Error error = Script::failed(refused);
  EXPECT_EQ(error.code(), ExitCode::WeirdServerReply);
  EXPECT_NE(std::string(error.what()).find("Command failed"), std::string::npos);
}

TEST(SessionDialogue, RefusedVerifyIsWeirdReply) {
  SessionConfig config = mail_config({"b@example.com"});
  config.mode = SessionMode::Verify;
  const auto action =
      Script{config}.hello().client("VRFY b@example.com").server("502 VRFY disabled").quit().run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::WeirdServerReply);
}

TEST(SessionDialogue, OpportunisticTlsUpgradesWhenOffered) {
  SessionConfig config = mail_config();
  config.tls = TlsPolicy::Opportunistic;
  Script script{config};
  const auto action = script.hello("250-mx\n250 STARTTLS")
                          .client("STARTTLS")
                          .server("220 go ahead")
                          .tls()
                          .client("EHLO client.example")
                          .server("250 mx")
                          .client("MAIL FROM:<a@example.com>")
                          .run();
  EXPECT_TRUE(std::holds_alternative<SendCommands>(action));
  EXPECT_TRUE(script.session().take_warnings().empty());
}

TEST(SessionDialogue, OpportunisticTlsGoesOnInPlainTextWithoutWarning) {
  SessionConfig config = mail_config();
  config.tls = TlsPolicy::Opportunistic;
  Script not_offered{config};
  (void)not_offered.hello().client("MAIL FROM:<a@example.com>").run();
  EXPECT_TRUE(not_offered.session().take_warnings().empty());

  Script refused{config};
  (void)refused.hello("250-mx\n250 STARTTLS")
      .client("STARTTLS")
      .server("454 4.7.0 TLS not available")
      .client("MAIL FROM:<a@example.com>")
      .run();
  EXPECT_TRUE(refused.session().take_warnings().empty());
}

TEST(SessionDialogue, SslTryStillWarnsAboutPlainText) {
  SessionConfig config = mail_config();
  config.tls = TlsPolicy::Try;
  Script script{config};
  (void)script.hello().client("MAIL FROM:<a@example.com>").run();
  EXPECT_EQ(script.session().take_warnings().size(), 1U);
}

}  // namespace
}  // namespace smtpc
