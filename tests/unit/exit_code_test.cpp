// Exit codes are curl's numbers and part of the interface: pin every value.
#include <gtest/gtest.h>

#include "smtpc/core/error.hpp"
#include "smtpc/smtp/reply.hpp"

namespace smtpc {
namespace {

TEST(ExitCode, ValuesAreCurls) {
  EXPECT_EQ(to_int(ExitCode::Ok), 0);
  EXPECT_EQ(to_int(ExitCode::UnsupportedProtocol), 1);
  EXPECT_EQ(to_int(ExitCode::FailedInit), 2);
  EXPECT_EQ(to_int(ExitCode::UrlMalformat), 3);
  EXPECT_EQ(to_int(ExitCode::CouldntResolveProxy), 5);
  EXPECT_EQ(to_int(ExitCode::CouldntResolveHost), 6);
  EXPECT_EQ(to_int(ExitCode::CouldntConnect), 7);
  EXPECT_EQ(to_int(ExitCode::WeirdServerReply), 8);
  EXPECT_EQ(to_int(ExitCode::RemoteAccessDenied), 9);
  EXPECT_EQ(to_int(ExitCode::WriteError), 23);
  EXPECT_EQ(to_int(ExitCode::ReadError), 26);
  EXPECT_EQ(to_int(ExitCode::OperationTimedout), 28);
  EXPECT_EQ(to_int(ExitCode::SslConnectError), 35);
  EXPECT_EQ(to_int(ExitCode::BadFunctionArgument), 43);
  EXPECT_EQ(to_int(ExitCode::InterfaceFailed), 45);
  EXPECT_EQ(to_int(ExitCode::SetoptOptionSyntax), 49);
  EXPECT_EQ(to_int(ExitCode::SendError), 55);
  EXPECT_EQ(to_int(ExitCode::RecvError), 56);
  EXPECT_EQ(to_int(ExitCode::SslCertProblem), 58);
  EXPECT_EQ(to_int(ExitCode::SslCipher), 59);
  EXPECT_EQ(to_int(ExitCode::PeerFailedVerification), 60);
  EXPECT_EQ(to_int(ExitCode::UseSslFailed), 64);
  EXPECT_EQ(to_int(ExitCode::LoginDenied), 67);
  EXPECT_EQ(to_int(ExitCode::SslCrlBadFile), 82);
  EXPECT_EQ(to_int(ExitCode::SslInvalidCertStatus), 91);
  EXPECT_EQ(to_int(ExitCode::ProxyHandshake), 97);
}

TEST(Error, CarriesCodeMessageAndReply) {
  const Reply reply = parse_reply("550 5.1.1 no such user\r\n");
  const Error error(ExitCode::SendError, describe_with_reply("RCPT failed", reply), reply);
  EXPECT_EQ(error.code(), ExitCode::SendError);
  EXPECT_STREQ(error.what(), "RCPT failed: 550 5.1.1 no such user");
  ASSERT_TRUE(error.reply().has_value());
  EXPECT_EQ(error.reply()->code.value(), 550);
}

}  // namespace
}  // namespace smtpc
