// Command line -> direct delivery: --mx, smtp:///ehlo-name, --dns-servers, --mx-port.
#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "options.hpp"
#include "parse_args.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

struct Parsed {
  JobSpec spec;
  std::optional<MxOptions> mx;
};

Parsed parse(const std::vector<std::string>& args) {
  const Options options = testing::parse_args(args);
  JobSpec spec = make_job_spec(options);
  auto mx = make_mx_options(options, spec);
  return {std::move(spec), std::move(mx)};
}

ExitCode code_of(std::vector<std::string> args) {
  return smtpc::testing::code_of([&] { (void)parse(std::move(args)); });
}

const std::vector<std::string> kSend{"--mail-rcpt", "a@example.com", "-T", "mail.txt"};

std::vector<std::string> with_send(std::vector<std::string> args) {
  args.insert(args.end(), kSend.begin(), kSend.end());
  return args;
}

TEST(MxOptions, MxFlagNeedsNoUrl) {
  const auto parsed = parse(with_send({"--mx"}));
  ASSERT_TRUE(parsed.mx.has_value());
  EXPECT_EQ(parsed.mx->port, 25);
  EXPECT_TRUE(parsed.mx->dns_servers.empty());
  EXPECT_EQ(parsed.spec.session.ehlo_name, "");  // the local host name, as for a relay
}

TEST(MxOptions, UrlWithoutHostMeansMxAndGivesTheEhloName) {
  const auto parsed = parse(with_send({"smtp:///client.example"}));
  ASSERT_TRUE(parsed.mx.has_value());
  EXPECT_EQ(parsed.spec.session.ehlo_name, "client.example");
}

TEST(MxOptions, DnsServersAndPort) {
  const auto parsed =
      parse(with_send({"--mx", "--dns-servers", "127.0.0.1:5353,127.0.0.2", "--mx-port", "2525"}));
  ASSERT_TRUE(parsed.mx.has_value());
  EXPECT_EQ(parsed.mx->port, 2525);
  EXPECT_EQ(parsed.mx->dns_servers,
            (std::vector<DnsServerAddress>{{"127.0.0.1", 5353}, {"127.0.0.2", 53}}));
}

TEST(MxOptions, RelayUrlIsNotMx) {
  EXPECT_FALSE(parse(with_send({"smtp://relay.example"})).mx.has_value());
}

TEST(MxOptions, UsageErrors) {
  EXPECT_EQ(code_of(with_send({"smtp://relay.example", "--mx"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"smtps:///x"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"--mx", "--mail-rcpt", "a@example.com"}), ExitCode::FailedInit);  // no -T
  EXPECT_EQ(code_of(with_send({"--mx", "--resolve", "a:25:127.0.0.1"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"--mx", "--connect-to", "::127.0.0.1:2525"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"smtp://relay.example", "--dns-servers", "127.0.0.1"})),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"smtp://relay.example", "--mx-port", "2525"})),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"--mx", "--mx-port", "0"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"--mx", "--mx-port", "65536"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"--mx", "--dns-servers", "dns.example"})), ExitCode::FailedInit);
  EXPECT_EQ(code_of(with_send({"smtp://:2525/x"})), ExitCode::UrlMalformat);
}

}  // namespace
}  // namespace smtpc::cli
