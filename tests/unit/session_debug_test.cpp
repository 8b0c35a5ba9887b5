// Session: --quit-after at every stage, DSN parameters (RFC 3461) and the facts recorded
// for --serverinfo, with canned dialogues.
#include <gtest/gtest.h>

#include "dialogue_script.hpp"
#include "smtpc/smtp/dsn.hpp"

namespace smtpc {
namespace {

using testing::mail_config;
using testing::Script;

// Says "PLAIN" to everything: enough to drive AUTH.
class FixedAuthenticator final : public Authenticator {
 public:
  std::optional<Command> start(const std::vector<std::string>&) override {
    Command command;
    command.line = "AUTH PLAIN AGEAYg==";
    command.secrecy = Secrecy::Secret;
    command.redacted = "AUTH PLAIN [redacted]";
    return command;
  }
  std::optional<Command> respond(std::string_view) override { return std::nullopt; }
  std::optional<Command> retry(const std::vector<std::string>&) override { return std::nullopt; }
  std::string mechanism() const override { return "PLAIN"; }
};

SessionConfig quitting_after(Stage stage) {
  auto config = mail_config();
  config.quit_after = stage;
  return config;
}

SessionConfig with_tls_and_auth(Stage stage) {
  auto config = quitting_after(stage);
  config.tls = TlsPolicy::Required;
  config.auth.authenticator = std::make_shared<FixedAuthenticator>();
  config.peer_address = "127.0.0.1";
  return config;
}

TEST(QuitAfter, StageNamesAsSwaksSpellsThem) {
  EXPECT_EQ(parse_stage("rcpt"), Stage::Rcpt);
  EXPECT_EQ(parse_stage("RCPT"), Stage::Rcpt);
  EXPECT_EQ(parse_stage("banner"), Stage::Greeting);
  EXPECT_EQ(parse_stage("first-helo"), Stage::Ehlo);
  EXPECT_EQ(parse_stage("connect"), Stage::Connect);
  EXPECT_EQ(parse_stage("data"), Stage::Data);
  EXPECT_FALSE(parse_stage("body").has_value());
  EXPECT_FALSE(parse_stage("").has_value());
  for (const Stage stage : {Stage::Connect, Stage::Greeting, Stage::Ehlo, Stage::Tls, Stage::Auth,
                            Stage::Mail, Stage::Rcpt, Stage::Data}) {
    EXPECT_EQ(parse_stage(to_string(stage)), stage);
  }
}

TEST(QuitAfter, Greeting) {
  const auto action = Script{quitting_after(Stage::Greeting)}
                          .server("220 mx")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(QuitAfter, EhloStopsBeforeStartTls) {
  const auto action = Script{with_tls_and_auth(Stage::Ehlo)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 STARTTLS")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(QuitAfter, TlsIsTheHelloInsideTls) {
  const auto action = Script{with_tls_and_auth(Stage::Tls)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 STARTTLS")
                          .client("STARTTLS")
                          .server("220 go")
                          .tls()
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH PLAIN")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(QuitAfter, TlsWithoutTlsIsTheFirstHello) {
  const auto action = Script{quitting_after(Stage::Tls)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 STARTTLS")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(QuitAfter, AuthStopsBeforeMail) {
  Script script{with_tls_and_auth(Stage::Auth)};
  const auto action = script.server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 STARTTLS")
                          .client("STARTTLS")
                          .server("220 go")
                          .tls()
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH PLAIN")
                          .client("AUTH PLAIN AGEAYg==")
                          .server("235 2.7.0 ok")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
  // What --serverinfo reports.
  const ServerFacts& facts = script.session().facts();
  ASSERT_TRUE(facts.greeting && facts.hello_plain && facts.hello_tls && facts.starttls &&
              facts.auth);
  EXPECT_EQ(facts.greeting->summary(), "220 mx");
  EXPECT_TRUE(Capabilities::from_ehlo(*facts.hello_plain).starttls);
  EXPECT_EQ(Capabilities::from_ehlo(*facts.hello_tls).auth_mechanisms,
            std::vector<std::string>{"PLAIN"});
  EXPECT_EQ(facts.starttls->code.value(), 220);
  EXPECT_EQ(facts.auth->code.value(), 235);
  EXPECT_EQ(facts.auth_mechanism, "PLAIN");
}

TEST(QuitAfter, AuthRefusedFails) {
  const auto action = Script{with_tls_and_auth(Stage::Auth)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 STARTTLS")
                          .client("STARTTLS")
                          .server("220 go")
                          .tls()
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH PLAIN")
                          .client("AUTH PLAIN AGEAYg==")
                          .server("535 5.7.8 no")
                          .run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::LoginDenied);
}

TEST(QuitAfter, MailSendsNoRecipients) {
  auto config = quitting_after(Stage::Mail);
  Script script{config};
  const auto action = script.server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 PIPELINING")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  const auto result = Script::finished(action);
  EXPECT_EQ(result.messages.at(0).outcome, MessageOutcome::NotSent);
}

TEST(QuitAfter, RcptPipelinesTheEnvelopeButNoData) {
  Script script{quitting_after(Stage::Rcpt)};
  const auto action = script.server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 PIPELINING")
                          .client("MAIL FROM:<a@example.com>")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .server("250 ok")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  const auto result = Script::finished(action);
  EXPECT_EQ(result.messages.at(0).accepted, std::vector<std::string>{"b@example.com"});
  EXPECT_EQ(script.writes(), (std::vector<std::size_t>{1, 2, 1}));
}

TEST(QuitAfter, RefusedRecipientFails) {
  const auto action = Script{quitting_after(Stage::Rcpt)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250 mx")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("550 5.1.1 no such user")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_NE(std::string(error.what()).find("550 5.1.1"), std::string::npos);
}

TEST(QuitAfter, DataEndsAtTheGoAheadWithoutBodyOrQuit) {
  auto config = quitting_after(Stage::Data);
  config.messages.push_back(MessageInfo{std::nullopt, false});  // only the first is tried
  const auto action = Script{config}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250-PIPELINING\n250 CHUNKING")
                          .client("MAIL FROM:<a@example.com>")
                          .client("RCPT TO:<b@example.com>")
                          .client("DATA")
                          .server("250 ok")
                          .server("250 ok")
                          .server("354 go ahead")
                          .run();
  // Finished with nothing more to send: the job closes the connection.
  const auto result = Script::finished(action);
  ASSERT_EQ(result.messages.size(), 1U);
  EXPECT_EQ(result.messages.at(0).outcome, MessageOutcome::NotSent);
}

TEST(QuitAfter, DataRefusedFails) {
  const auto action = Script{quitting_after(Stage::Data)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250 mx")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .client("DATA")
                          .server("554 5.7.1 no thanks")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::SendError);
}

SessionConfig with_dsn(bool required = false) {
  auto config = mail_config({"b@example.com", "c+d=e@example.com"});
  config.dsn = make_dsn_request("success,failure", "hdrs", "id 1+x", required);
  return config;
}

TEST(Dsn, ParametersWhenOffered) {
  const auto action = Script{with_dsn()}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 DSN")
                          .client("MAIL FROM:<a@example.com> RET=HDRS ENVID=id+201+2Bx")
                          .server("250 ok")
                          .client(
                              "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE "
                              "ORCPT=rfc822;b@example.com")
                          .server("250 ok")
                          .client(
                              "RCPT TO:<c+d=e@example.com> NOTIFY=SUCCESS,FAILURE "
                              "ORCPT=rfc822;c+2Bd+3De@example.com")
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

// curl 8.16's form: parameters written after an address go first, and a keyword written
// there is not added again from --dsn-*; the others still get --dsn-*'s.
TEST(Dsn, WrittenParametersWinOverDsnOptions) {
  auto config = with_dsn();
  config.address_parameters.reverse_path = "RET=FULL";
  config.address_parameters.forward_paths.emplace("b@example.com", "NOTIFY=NEVER");
  const auto action = Script{config}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 DSN")
                          .client("MAIL FROM:<a@example.com> RET=FULL ENVID=id+201+2Bx")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com> NOTIFY=NEVER ORCPT=rfc822;b@example.com")
                          .server("250 ok")
                          .client(
                              "RCPT TO:<c+d=e@example.com> NOTIFY=SUCCESS,FAILURE "
                              "ORCPT=rfc822;c+2Bd+3De@example.com")
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

// Written parameters are the user's own: sent whether or not the server offers DSN.
TEST(Dsn, WrittenParametersAreSentWithoutDsnOffered) {
  auto config = mail_config({"b@example.com"});
  config.address_parameters.forward_paths.emplace("b@example.com", "NOTIFY=NEVER");
  const auto action = Script{config}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250 mx")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com> NOTIFY=NEVER")
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

TEST(Dsn, NotOfferedWarnsAndSendsPlainCommands) {
  Script script{with_dsn()};
  const auto action = script.server("220 mx")
                          .client("EHLO client.example")
                          .server("250 mx")
                          .client("MAIL FROM:<a@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<b@example.com>")
                          .server("250 ok")
                          .client("RCPT TO:<c+d=e@example.com>")
                          .server("250 ok")
                          .client("DATA")
                          .server("354 go")
                          .body()
                          .server("250 ok")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  (void)Script::finished(action);
  const auto warnings = script.session().take_warnings();
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("does not offer DSN"), std::string::npos);
}

TEST(Dsn, RequiredButNotOfferedSendsNoMail) {
  const auto action = Script{with_dsn(true)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250 mx")
                          .client("QUIT")
                          .server("221 bye")
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_NE(std::string(error.what()).find("--dsn-required"), std::string::npos);
}

TEST(Dsn, NotRequestedMeansNoParametersEvenWhenOffered) {
  Script{mail_config()}
      .server("220 mx")
      .client("EHLO client.example")
      .server("250-mx\n250 DSN")
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
}

TEST(Dsn, RequestValidation) {
  EXPECT_EQ(make_dsn_request("never", {}, {}, false).notify, "NEVER");
  EXPECT_EQ(make_dsn_request("Delay,SUCCESS", {}, {}, false).notify, "DELAY,SUCCESS");
  EXPECT_EQ(make_dsn_request({}, "Full", {}, false).ret, "FULL");
  EXPECT_FALSE(make_dsn_request({}, {}, {}, false).requested());
  auto code_of = [](auto make) {
    try {
      (void)make();
    } catch (const Error& error) {
      return error.code();
    }
    return ExitCode::Ok;
  };
  for (const char* bad : {"never,success", "sometimes", "", "success,,failure", "success,success",
                          "SUCCESS\r\nRSET"}) {
    EXPECT_EQ(code_of([&] { return make_dsn_request(std::string(bad), {}, {}, false); }),
              ExitCode::FailedInit)
        << bad;
  }
  EXPECT_EQ(code_of([] { return make_dsn_request({}, "body", {}, false); }), ExitCode::FailedInit);
  EXPECT_EQ(code_of([] { return make_dsn_request({}, {}, std::string(101, 'x'), false); }),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of([] { return make_dsn_request({}, {}, std::string("a\nb"), false); }),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of([] { return make_dsn_request({}, {}, std::string("caf\xc3\xa9"), false); }),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of([] { return make_dsn_request({}, {}, {}, true); }), ExitCode::FailedInit);
}

TEST(Dsn, CommandParameters) {
  MailParameters mail;
  mail.dsn_ret = "FULL";
  mail.dsn_envid = "a=b c";
  EXPECT_EQ(mail_from_command("a@example.com", mail).line,
            "MAIL FROM:<a@example.com> RET=FULL ENVID=a+3Db+20c");
  RcptParameters rcpt;
  rcpt.dsn_notify = "NEVER";
  rcpt.dsn_orcpt = true;
  EXPECT_EQ(rcpt_to_command("x+y@example.com", rcpt).line,
            "RCPT TO:<x+y@example.com> NOTIFY=NEVER ORCPT=rfc822;x+2By@example.com");
}

TEST(ServerFacts, HeloOnlyServerIsNoted) {
  Script script{quitting_after(Stage::Ehlo)};
  script.server("220 mx")
      .client("EHLO client.example")
      .server("502 5.5.2 what")
      .client("HELO client.example")
      .server("250 mx")
      .client("QUIT")
      .server("221 bye")
      .run();
  const ServerFacts& facts = script.session().facts();
  EXPECT_TRUE(facts.ehlo_refused);
  ASSERT_TRUE(facts.hello_plain.has_value());
  EXPECT_EQ(facts.hello_plain->summary(), "250 mx");
}

TEST(Capabilities, DsnRequireTlsAndTheRawKeywords) {
  const auto caps = Capabilities::from_ehlo(
      parse_reply(testing::wire_reply("250-mx\n250-DSN\n250-RequireTLS\n250 X-EXPS GSSAPI")));
  EXPECT_TRUE(caps.dsn);
  EXPECT_TRUE(caps.requiretls);
  EXPECT_EQ(caps.keywords, (std::vector<std::string>{"DSN", "RequireTLS", "X-EXPS GSSAPI"}));
}

}  // namespace
}  // namespace smtpc
