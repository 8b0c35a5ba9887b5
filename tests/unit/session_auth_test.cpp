// Session with SaslAuthenticator: AUTH dialogues, the plaintext policy, retries, cancelling.
#include <gtest/gtest.h>

#include "dialogue_script.hpp"
#include "smtpc/auth/sasl.hpp"
#include "smtpc/core/base64.hpp"

namespace smtpc {
namespace {

// CRAM-MD5's HMAC is never computed here: a bad challenge is the only one it gets.
const HmacMd5Hex kUnusedHmac = [](std::string_view, std::string_view) { return std::string(); };

using testing::mail_config;
using testing::Script;

SessionConfig auth_config(std::string peer = "127.0.0.1",
                          std::optional<std::string> login_options = std::nullopt,
                          bool initial_response = false) {
  SessionConfig config = mail_config();
  Credentials credentials;
  credentials.user = "me@example.com";
  credentials.password = "s3cret";
  config.auth.authenticator = std::make_shared<SaslAuthenticator>(credentials, login_options,
                                                                  initial_response, kUnusedHmac);
  config.peer_address = std::move(peer);
  return config;
}

const std::string kPlainBlob = base64_encode(std::string("\0me@example.com\0s3cret", 22));

TEST(SessionAuth, PlainWithChallengeThenMail) {
  const auto action = Script{auth_config()}
                          .hello("250-mx\n250 AUTH LOGIN PLAIN")
                          .client("AUTH PLAIN")
                          .server("334 ")
                          .client(kPlainBlob)
                          .server("235 2.7.0 ok")
                          .message()
                          .quit()
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(SessionAuth, InitialResponseOnTheAuthLine) {
  Script{auth_config("127.0.0.1", std::nullopt, true)}
      .hello("250-mx\n250 AUTH PLAIN")
      .client("AUTH PLAIN " + kPlainBlob)
      .server("235 ok")
      .message()
      .quit()
      .run();
}

TEST(SessionAuth, SecurityRefusesCredentialsInClearTextToARemotePeer) {
  const auto action =
      Script{auth_config("192.0.2.10")}.hello("250-mx\n250 AUTH PLAIN").quit().run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::LoginDenied);
  EXPECT_NE(std::string(error.what()).find("--allow-plaintext-auth"), std::string::npos);
}

TEST(SessionAuth, AllowPlaintextFlagSendsToARemotePeer) {
  auto config = auth_config("192.0.2.10");
  config.auth.allow_plaintext = true;
  Script{config}
      .hello("250-mx\n250 AUTH PLAIN")
      .client("AUTH PLAIN")
      .server("334 ")
      .client(kPlainBlob)
      .server("235 ok")
      .message()
      .quit()
      .run();
}

TEST(SessionAuth, TlsProtectsCredentialsToARemotePeer) {
  auto config = auth_config("192.0.2.10");
  config.tls = TlsPolicy::Required;
  Script{config}
      .hello("250-mx\n250-STARTTLS\n250 AUTH PLAIN")
      .client("STARTTLS")
      .server("220 go ahead")
      .tls()
      .client("EHLO client.example")
      .server("250-mx\n250 AUTH PLAIN")
      .client("AUTH PLAIN")
      .server("334 ")
      .client(kPlainBlob)
      .server("235 ok")
      .message()
      .quit()
      .run();
}

TEST(SessionAuth, NoAuthOfferedWarnsAndSends) {
  Script script{auth_config()};
  script.hello().message().quit();
  const auto action = script.run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
  const auto warnings = script.session().take_warnings();
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("offers no AUTH"), std::string::npos);
}

TEST(SessionAuth, RefusedLoginIs67WithTheServersText) {
  const auto action =
      Script{auth_config()}
          .hello("250-mx\n250 AUTH PLAIN LOGIN")
          .client("AUTH PLAIN")
          .server("334 ")
          .client(kPlainBlob)
          .server("535-5.7.8 Username and Password not accepted.\n535 5.7.8 https://x/app-pw")
          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::LoginDenied);
  EXPECT_NE(std::string(error.what()).find("https://x/app-pw"), std::string::npos);
  EXPECT_EQ(std::string(error.what()).find("s3cret"), std::string::npos);
}

TEST(SessionAuth, ListedMechanismsAreTriedInTurn) {
  const auto action = Script{auth_config("127.0.0.1", "AUTH=LOGIN;AUTH=PLAIN")}
                          .hello("250-mx\n250 AUTH PLAIN LOGIN")
                          .client("AUTH PLAIN")
                          .server("334 ")
                          .client(kPlainBlob)
                          .server("535 no")
                          .client("AUTH LOGIN")
                          .server("334 VXNlcm5hbWU6")
                          .client(base64_encode("me@example.com"))
                          .server("334 UGFzc3dvcmQ6")
                          .client(base64_encode("s3cret"))
                          .server("235 ok")
                          .message()
                          .quit()
                          .run();
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

TEST(SessionAuth, BadChallengeIsCancelledWithStar) {
  const auto action = Script{auth_config()}
                          .hello("250-mx\n250 AUTH CRAM-MD5")
                          .client("AUTH CRAM-MD5")
                          .server("334 not*base64!")
                          .client("*")
                          .server("501 5.7.0 cancelled")
                          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::LoginDenied);
  EXPECT_NE(std::string(error.what()).find("not valid base64"), std::string::npos);
}

// curl ignores the text of the first 334 for a client-first mechanism: servers send
// "334 go ahead", which is no base64 challenge.
TEST(SessionAuth, ClientFirstMechanismIgnoresTheChallengeText) {
  const auto action = Script{auth_config()}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH PLAIN")
                          .client("AUTH PLAIN")
                          .server("334 go ahead")
                          .client(kPlainBlob)
                          .server("235 2.7.0 ok")
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
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

// --sasl-ir with LOGIN: "AUTH LOGIN <user>", then the password answers the one 334 (curl).
TEST(SessionAuth, LoginWithInitialResponse) {
  const auto action = Script{auth_config("127.0.0.1", "AUTH=LOGIN", true)}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH LOGIN")
                          .client("AUTH LOGIN " + base64_encode("me@example.com"))
                          .server("334 UGFzc3dvcmQ6")
                          .client(base64_encode("s3cret"))
                          .server("235 2.7.0 ok")
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
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

// curl's SASL downgrade: an undecodable CRAM-MD5 challenge is cancelled with "*", then the
// next mechanism offered is tried.
TEST(SessionAuth, UndecodableChallengeDowngradesToTheNextMechanism) {
  const auto action = Script{auth_config()}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH CRAM-MD5 PLAIN")
                          .client("AUTH CRAM-MD5")
                          .server("334 not*base64!")
                          .client("*")
                          .server("501 5.7.0 cancelled")
                          .client("AUTH PLAIN")
                          .server("334 ")
                          .client(kPlainBlob)
                          .server("235 2.7.0 ok")
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
  EXPECT_TRUE(std::holds_alternative<Finished>(action));
}

SessionConfig bearer_config(std::string login_options) {
  SessionConfig config = mail_config();
  Credentials credentials;
  credentials.user = "me@example.com";
  credentials.bearer_token = "tok";
  credentials.host = "mx.example";
  credentials.port = 587;
  config.auth.authenticator = std::make_shared<SaslAuthenticator>(
      credentials, std::move(login_options), false, kUnusedHmac);
  config.peer_address = "127.0.0.1";
  return config;
}

// RFC 7628 §3.2.3: the error challenge is answered with AQ== (0x01), then 535 is exit 67
// with the server's JSON in the message.
TEST(SessionAuth, OAuthBearerFailureIsAnsweredWithKvsep) {
  const std::string json = R"({"status":"invalid_token"})";
  const auto action =
      Script{bearer_config("AUTH=OAUTHBEARER")}
          .server("220 mx")
          .client("EHLO client.example")
          .server("250-mx\n250 AUTH OAUTHBEARER")
          .client("AUTH OAUTHBEARER")
          .server("334 ")
          .client(base64_encode("n,a=me@example.com,\x01host=mx.example\x01port=587\x01"
                                "auth=Bearer tok\x01\x01"))
          .server("334 " + base64_encode(json))
          .client("AQ==")
          .server("535 5.7.8 invalid")
          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::LoginDenied);
  EXPECT_NE(std::string(error.what()).find("invalid_token"), std::string::npos) << error.what();
}

TEST(SessionAuth, XOAuth2FailureIsAnsweredWithAnEmptyLine) {
  const auto action = Script{bearer_config("AUTH=XOAUTH2")}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH XOAUTH2")
                          .client("AUTH XOAUTH2")
                          .server("334 go ahead")
                          .client(base64_encode("user=me@example.com\x01"
                                                "auth=Bearer tok\x01\x01"))
                          .server("334 " + base64_encode(R"({"status":"401"})"))
                          .client("")
                          .server("535 5.7.8 bad")
                          .run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::LoginDenied);
}

// RFC 4422 appendix A: EXTERNAL with the user as authorization identity, or "=" for none;
// chosen when there is no password (curl).
TEST(SessionAuth, ExternalWithAndWithoutIdentity) {
  for (const auto& [user, response] :
       {std::pair<std::string, std::string>{"me@example.com", base64_encode("me@example.com")},
        {"", "="}}) {
    SessionConfig config = mail_config();
    Credentials credentials;
    credentials.user = user;
    config.auth.authenticator = std::make_shared<SaslAuthenticator>(
        credentials, std::string("AUTH=EXTERNAL"), true, kUnusedHmac);
    config.peer_address = "127.0.0.1";
    const auto action = Script{config}
                            .server("220 mx")
                            .client("EHLO client.example")
                            .server("250-mx\n250 AUTH PLAIN EXTERNAL")
                            .client("AUTH EXTERNAL " + response)
                            .server("235 ok")
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
    EXPECT_TRUE(std::holds_alternative<Finished>(action)) << user;
  }
}

TEST(SessionAuth, NoCommonMechanismIs67) {
  const auto action = Script{auth_config()}.hello("250-mx\n250 AUTH NTLM GSSAPI").quit().run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::LoginDenied);
  EXPECT_NE(std::string(error.what()).find("NTLM GSSAPI"), std::string::npos);
}

TEST(SessionAuth, MailAuthParameterIsXtextAfterLogin) {
  auto config = auth_config("127.0.0.1", std::nullopt, true);
  config.auth.mail_auth = "e=mc2@example.com";
  Script{config}
      .hello("250-mx\n250 AUTH PLAIN")
      .client("AUTH PLAIN " + kPlainBlob)
      .server("235 ok")
      .message("AUTH=e+3Dmc2@example.com")
      .quit()
      .run();
}

TEST(SessionAuth, SecurityAuthLinesAreSecret) {
  Session session{auth_config("127.0.0.1", std::nullopt, true)};
  (void)session.on_reply(parse_reply("220 mx\r\n"));
  const auto action = session.on_reply(parse_reply("250-mx\r\n250 AUTH PLAIN\r\n"));
  const auto& commands = std::get<SendCommands>(action).commands;
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(commands[0].secrecy, Secrecy::Secret);
  EXPECT_EQ(commands[0].shown(), "AUTH PLAIN [redacted]");
}

// curl's test 948: the error report comes without base64 padding; it is answered with AQ==
// all the same, and the 535 is exit 67 with the report in the message.
TEST(SessionAuth, OAuthBearerErrorReportWithoutPaddingIsAnswered) {
  std::string json = base64_encode(R"({"status":"invalid_token"})");
  while (json.ends_with('=')) json.pop_back();
  ASSERT_NE(json.size() % 4, 0U);
  const auto action =
      Script{bearer_config("AUTH=OAUTHBEARER")}
          .server("220 mx")
          .client("EHLO client.example")
          .server("250-mx\n250 AUTH OAUTHBEARER")
          .client("AUTH OAUTHBEARER")
          .server("334 OAUTHBEARER supported")
          .client(base64_encode("n,a=me@example.com,\x01host=mx.example\x01port=587\x01"
                                "auth=Bearer tok\x01\x01"))
          .server("334 " + json)
          .client("AQ==")
          .server("535-Username and Password not accepted.\n535 http://support.example.com/")
          .run();
  const Error error = Script::failed(action);
  EXPECT_EQ(error.code(), ExitCode::LoginDenied);
  EXPECT_NE(std::string(error.what()).find("invalid_token"), std::string::npos) << error.what();
}

// RFC 7628 §3.2.3 asks for the answer whatever the report says, even when it is not base64.
TEST(SessionAuth, OAuthBearerErrorReportThatIsNotBase64IsAnsweredToo) {
  const auto action = Script{bearer_config("AUTH=OAUTHBEARER")}
                          .server("220 mx")
                          .client("EHLO client.example")
                          .server("250-mx\n250 AUTH OAUTHBEARER")
                          .client("AUTH OAUTHBEARER")
                          .server("334 ")
                          .client(base64_encode("n,a=me@example.com,\x01host=mx.example\x01"
                                                "port=587\x01"
                                                "auth=Bearer tok\x01\x01"))
                          .server("334 token expired!")
                          .client("AQ==")
                          .server("535 5.7.8 no")
                          .run();
  EXPECT_EQ(Script::failed(action).code(), ExitCode::LoginDenied);
}

// curl's test 943: without --sasl-ir, EXTERNAL's empty identity answers the 334 with "=".
TEST(SessionAuth, ExternalDeferredEmptyIdentityIsEquals) {
  SessionConfig config = mail_config();
  config.auth.authenticator = std::make_shared<SaslAuthenticator>(
      Credentials{}, std::string("AUTH=EXTERNAL"), false, kUnusedHmac);
  config.peer_address = "127.0.0.1";
  Script{config}
      .server("220 mx")
      .client("EHLO client.example")
      .server("250-mx\n250 AUTH EXTERNAL")
      .client("AUTH EXTERNAL")
      .server("334 EXTERNAL supported")
      .client("=")
      .server("235 Authenticated")
      .message()
      .quit()
      .run();
}

TEST(SessionAuth, OnlyExternalNeedsNoPassword) {
  EXPECT_FALSE(login_needs_password("AUTH=EXTERNAL"));
  EXPECT_FALSE(login_needs_password("auth=external;AUTH=EXTERNAL"));
  EXPECT_TRUE(login_needs_password("AUTH=EXTERNAL;AUTH=PLAIN"));
  EXPECT_TRUE(login_needs_password("AUTH=*"));
  EXPECT_TRUE(login_needs_password(std::nullopt));
}

}  // namespace
}  // namespace smtpc
