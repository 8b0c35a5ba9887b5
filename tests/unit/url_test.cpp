// parse_smtp_url: curl's URL rules for SMTP.
#include "smtpc/core/url.hpp"

#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

ExitCode code_of(std::string_view url) {
  return testing::code_of([&] { (void)parse_smtp_url(url); });
}

TEST(SmtpUrl, HostOnlyUsesDefaultPortAndNoEhloName) {
  const auto url = parse_smtp_url("smtp://mail.example.com");
  EXPECT_EQ(url.scheme, Scheme::Smtp);
  EXPECT_EQ(url.host, "mail.example.com");
  EXPECT_EQ(url.port, 25);
  EXPECT_EQ(url.ehlo_name, "");
  EXPECT_FALSE(url.user.has_value());
}

TEST(SmtpUrl, PortAndPathAsEhloName) {
  const auto url = parse_smtp_url("smtp://mail.example.com:2525/client.example.com");
  EXPECT_EQ(url.port, 2525);
  EXPECT_EQ(url.ehlo_name, "client.example.com");
}

TEST(SmtpUrl, PathIsPercentDecoded) {
  EXPECT_EQ(parse_smtp_url("smtp://h/my%2Dhost").ehlo_name, "my-host");
}

TEST(SmtpUrl, SmtpsDefaultsTo465) {
  const auto url = parse_smtp_url("SMTPS://mail.example.com");
  EXPECT_EQ(url.scheme, Scheme::Smtps);
  EXPECT_EQ(url.port, 465);
}

TEST(SmtpUrl, Ipv6Literal) {
  const auto url = parse_smtp_url("smtp://[::1]:2525/x");
  EXPECT_EQ(url.host, "::1");
  EXPECT_TRUE(url.host_is_ipv6_literal);
  EXPECT_EQ(url.port, 2525);
  EXPECT_EQ(parse_smtp_url("smtp://[::1]").port, 25);
}

TEST(SmtpUrl, UserInfoIsDecoded) {
  const auto url = parse_smtp_url("smtp://me%40example.com:p%3Ass@mail.example.com");
  EXPECT_EQ(url.user, "me@example.com");
  EXPECT_EQ(url.password, "p:ss");
  const auto with_options = parse_smtp_url("smtp://me;AUTH=LOGIN@mail.example.com");
  EXPECT_EQ(with_options.user, "me");
  EXPECT_EQ(with_options.login_options, "AUTH=LOGIN");
  EXPECT_FALSE(with_options.password.has_value());
}

TEST(SmtpUrl, MissingSchemeMeansSmtp) {
  const auto url = parse_smtp_url("mail.example.com:587");
  EXPECT_EQ(url.scheme, Scheme::Smtp);
  EXPECT_EQ(url.port, 587);
}

TEST(SmtpUrl, QueryAndFragmentAreIgnored) {
  EXPECT_EQ(parse_smtp_url("smtp://h/name?x=1#y").ehlo_name, "name");
}

TEST(SmtpUrl, Errors) {
  EXPECT_EQ(code_of("http://mail.example.com"), ExitCode::UnsupportedProtocol);
  EXPECT_EQ(code_of("imap://mail.example.com"), ExitCode::UnsupportedProtocol);
  EXPECT_EQ(code_of("smtp://h:99999"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h:0"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h:25x"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h:-1"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://:25"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://[::1"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://[zz::1]"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h/a%0d%0aRSET"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h/a%00"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h/a%0"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h/a%zz"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://ho st"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of("smtp://h\r\n"), ExitCode::UrlMalformat);
  EXPECT_EQ(code_of(""), ExitCode::UrlMalformat);
}

TEST(SmtpUrl, EmptyHostOnlyForDirectDelivery) {
  EXPECT_EQ(code_of("smtp:///client.example"), ExitCode::UrlMalformat);
  const auto url = parse_smtp_url("smtp:///client.example", true);
  EXPECT_EQ(url.host, "");
  EXPECT_EQ(url.ehlo_name, "client.example");
  EXPECT_EQ(parse_smtp_url("smtp://", true).host, "");
  EXPECT_EQ(parse_smtp_url("smtp://relay.example/x", true).host, "relay.example");
  // The MX port is --mx-port: a port without a host would be silently ignored.
  EXPECT_THROW((void)parse_smtp_url("smtp://:2525/x", true), Error);
}

}  // namespace
}  // namespace smtpc
