// -4/-6, --interface, --local-port, --connect-to and --resolve on the command line: the
// values curl 7.88 takes and the ones it refuses (each checked by running curl).
#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "options.hpp"
#include "parse_args.hpp"

namespace smtpc::cli {
namespace {

using smtpc::testing::code_of;
using testing::parse_args;

std::optional<LocalPortRange> local_port(const std::string& value) {
  return parse_args({"smtp://h", "--local-port", value}).local_port;
}

TEST(NetworkOptions, LastOfIpv4AndIpv6Wins) {
  EXPECT_EQ(parse_args({"smtp://h"}).ip_family, IpFamily::Any);
  EXPECT_EQ(parse_args({"smtp://h", "-4"}).ip_family, IpFamily::V4);
  EXPECT_EQ(parse_args({"smtp://h", "--ipv6"}).ip_family, IpFamily::V6);
  EXPECT_EQ(parse_args({"smtp://h", "-6", "-4"}).ip_family, IpFamily::V4);
  EXPECT_EQ(parse_args({"-46", "smtp://h"}).ip_family, IpFamily::V6);
}

TEST(NetworkOptions, LocalPortNumberOrRange) {
  EXPECT_EQ(local_port("40000"), (LocalPortRange{40000, 40000}));
  EXPECT_EQ(local_port("40000-40005"), (LocalPortRange{40000, 40005}));
  EXPECT_EQ(local_port("40000 - 40005"), (LocalPortRange{40000, 40005}));
  EXPECT_EQ(local_port("40000 -40001"), (LocalPortRange{40000, 40001}));
  EXPECT_EQ(local_port("40000-40000"), (LocalPortRange{40000, 40000}));
  EXPECT_EQ(local_port("65535"), (LocalPortRange{65535, 65535}));
  EXPECT_EQ(local_port("0"), (LocalPortRange{0, 0}));
  EXPECT_EQ(local_port("0-5"), (LocalPortRange{0, 5}));
  EXPECT_EQ(local_port("1-65535"), (LocalPortRange{1, 65535}));
  // curl reads the digits and then looks for " - N": anything else is ignored.
  EXPECT_EQ(local_port("40000x"), (LocalPortRange{40000, 40000}));
}

TEST(NetworkOptions, LocalPortBadlyUsedIsExit2) {
  for (const std::string value :
       {"", "abc", "-1", "65536", "123456", " 40000", "40000-", "40000 ", "40005-40000",
        "40000-70000", "40000-40005x", "40000-abc", "40000-1234567"}) {
    SCOPED_TRACE(value);
    smtpc::testing::expect_error(
        ExitCode::FailedInit, [&] { (void)local_port(value); },
        "option --local-port: is badly used here");
  }
}

TEST(NetworkOptions, InterfaceAndConnectToReachTheJob) {
  const JobSpec spec = make_job_spec(
      parse_args({"smtp://mx.example", "--interface", "host!localhost", "--connect-to",
                  "::127.0.0.1:2525", "--connect-to", ":::", "-6", "--local-port", "4000-4010"}));
  EXPECT_EQ(spec.interface, "host!localhost");
  EXPECT_EQ(spec.connect_to, (std::vector<std::string>{"::127.0.0.1:2525", ":::"}));
  EXPECT_EQ(spec.ip_family, IpFamily::V6);
  EXPECT_EQ(spec.local_port, (LocalPortRange{4000, 4010}));
  // An empty --interface binds nothing, as in curl.
  EXPECT_FALSE(make_job_spec(parse_args({"smtp://h", "--interface", ""})).interface);
}

TEST(NetworkOptions, ConnectToIsReadWhenConnectingNotWhenParsing) {
  // curl accepts any text here and complains (49) only about the entry that applies.
  EXPECT_EQ(code_of([] {
              (void)make_job_spec(parse_args({"smtp://h", "--connect-to", "x"}));
            }),
            ExitCode::Ok);
}

TEST(NetworkOptions, ResolveTakesSeveralAddresses) {
  const JobSpec spec = make_job_spec(
      parse_args({"smtp://h", "--resolve", "+h:25:127.0.0.1,[::1]", "--resolve", "g:26:::1"}));
  ASSERT_EQ(spec.resolve.size(), 2U);
  EXPECT_EQ(spec.resolve[0].host, "h");
  EXPECT_EQ(spec.resolve[0].addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(spec.resolve[1].addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(code_of([] {
              (void)make_job_spec(parse_args({"smtp://h", "--resolve", "h:25:127.0.0.1,"}));
            }),
            ExitCode::FailedInit);
}

TEST(NetworkOptions, SocketOptionsDefaultToCurls) {
  const JobSpec spec = make_job_spec(parse_args({"smtp://h"}));
  EXPECT_EQ(spec.socket, (SocketOptions{.tcp_nodelay = true, .keepalive_seconds = 60}));
}

TEST(NetworkOptions, NoTcpNodelayNoKeepaliveAndKeepaliveTime) {
  auto socket = [](std::vector<std::string> args) {
    args.insert(args.begin(), "smtp://h");
    return make_job_spec(parse_args(args)).socket;
  };
  EXPECT_FALSE(socket({"--no-tcp-nodelay"}).tcp_nodelay);
  EXPECT_TRUE(socket({"--no-tcp-nodelay", "--tcp-nodelay"}).tcp_nodelay);
  EXPECT_EQ(socket({"--no-keepalive"}).keepalive_seconds, std::nullopt);
  EXPECT_EQ(socket({"--no-keepalive", "--keepalive-time", "5"}).keepalive_seconds, std::nullopt);
  EXPECT_EQ(socket({"--keepalive-time", "5"}).keepalive_seconds, 5);
  EXPECT_EQ(socket({"--keepalive-time", "0"}).keepalive_seconds, 60);  // curl: 0 is unset
  EXPECT_EQ(socket({"--keepalive-time", "99999999999"}).keepalive_seconds, 2147483647);
}

TEST(NetworkOptions, KeepaliveTimeTakesAWholeNonNegativeNumber) {
  for (const char* bad : {"-1", "1.5", "", "x", "5s"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(code_of([&] {
                (void)parse_args({"smtp://h", "--keepalive-time", bad});
              }),
              ExitCode::FailedInit);
  }
}

TEST(ProtoOptions, ListReadAsCurl788ReadsIt) {
  EXPECT_TRUE(protocol_allowed("", "smtp"));
  EXPECT_FALSE(protocol_allowed("=https", "smtp"));
  EXPECT_TRUE(protocol_allowed("=https,smtp", "smtp"));
  EXPECT_TRUE(protocol_allowed("-all,+smtp", "smtp"));
  EXPECT_TRUE(protocol_allowed("-all,smtp", "smtp"));
  EXPECT_FALSE(protocol_allowed("all,-smtp", "smtp"));
  EXPECT_FALSE(protocol_allowed("+smtp,-all", "smtp"));
  EXPECT_FALSE(protocol_allowed("=smtp", "smtps"));
  EXPECT_TRUE(protocol_allowed("=SMTP", "smtp"));
  EXPECT_FALSE(protocol_allowed("=-smtp", "smtp"));  // the last modifier counts
  EXPECT_TRUE(protocol_allowed("-=smtp", "smtp"));
  EXPECT_TRUE(protocol_allowed("=smtp,,", "smtp"));
  std::vector<std::string> unknown;
  EXPECT_FALSE(protocol_allowed("=smtp;https", "smtp", &unknown));  // one unknown name
  EXPECT_EQ(unknown, std::vector<std::string>{"smtp;https"});
  EXPECT_TRUE(protocol_allowed("bogus", "smtp"));
  for (const char* bad : {"*smtp", "=", "= smtp", "+"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(code_of([&] { (void)protocol_allowed(bad, "smtp"); }), ExitCode::FailedInit);
  }
}

TEST(ProtoOptions, TheLastProtoCountsAndADisabledSchemeIsExit1) {
  EXPECT_EQ(parse_args({"smtp://h", "--proto", "=https", "--proto", "+smtp"}).proto, "+smtp");
  EXPECT_EQ(code_of([] {
              (void)make_job_spec(parse_args({"smtp://h", "--proto", "=https"}));
            }),
            ExitCode::UnsupportedProtocol);
  EXPECT_EQ(code_of([] {
              (void)parse_args({"smtp://h", "--proto", "*smtp"});
            }),
            ExitCode::FailedInit);
}

TEST(ProtoOptions, ProtoDefaultGivesASchemelessUrlItsScheme) {
  EXPECT_EQ(make_job_spec(parse_args({"h", "--proto-default", "smtps"})).url.scheme, Scheme::Smtps);
  EXPECT_EQ(make_job_spec(parse_args({"h", "--proto-default", "SMTPS"})).url.scheme, Scheme::Smtps);
  EXPECT_EQ(make_job_spec(parse_args({"smtp://h", "--proto-default", "smtps"})).url.scheme,
            Scheme::Smtp);
  EXPECT_EQ(make_job_spec(parse_args({"h"})).url.scheme, Scheme::Smtp);
  EXPECT_EQ(code_of([] {
              (void)make_job_spec(parse_args({"h", "--proto-default", "https"}));
            }),
            ExitCode::UnsupportedProtocol);
  EXPECT_EQ(code_of([] {
              (void)parse_args({"h", "--proto-default", "bogus"});
            }),
            ExitCode::UnsupportedProtocol);
  EXPECT_EQ(
      code_of([] {
        (void)make_job_spec(parse_args({"h", "--proto", "=smtp", "--proto-default", "smtps"}));
      }),
      ExitCode::UnsupportedProtocol);
}

TEST(UrlOptions, DisallowUsernameInUrlRefusesAnyUserPart) {
  for (const char* url : {"smtp://u@h", "smtp://u:p@h", "smtp://:p@h", "smtp://@h"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(code_of([&] {
                (void)make_job_spec(parse_args({url, "--disallow-username-in-url"}));
              }),
              ExitCode::LoginDenied);
  }
  EXPECT_NO_THROW(
      (void)make_job_spec(parse_args({"smtp://h", "--disallow-username-in-url", "-u", "a:b"})));
  EXPECT_NO_THROW((void)make_job_spec(
      parse_args({"smtp://u:p@h", "--disallow-username-in-url", "--no-disallow-username-in-url"})));
}

TEST(TlsOptionsFromCommandLine, CurvesReachTheTlsOptions) {
  EXPECT_EQ(make_job_spec(parse_args({"smtp://h", "--curves", "X25519:P-256"})).tls.curves,
            "X25519:P-256");
  EXPECT_FALSE(make_job_spec(parse_args({"smtp://h"})).tls.curves);
}

TEST(IgnoredOptions, SslV2AndV3OnlyWarnAsCurl) {
  const std::vector<std::string> args{"smtp://h",       "-2", "--sslv3", "--false-start",
                                      "--max-filesize", "1"};
  const CommandLine command_line = parse_command_line(args);
  EXPECT_EQ(command_line.warnings, (std::vector<std::string>{"Ignores instruction to use SSLv2",
                                                             "Ignores instruction to use SSLv3"}));
}

TEST(RateOption, IntervalAsCurl788ComputesIt) {
  EXPECT_EQ(rate_interval_ms("1/s"), 1000);
  EXPECT_EQ(rate_interval_ms("2/s"), 500);
  EXPECT_EQ(rate_interval_ms("3/m"), 20000);
  EXPECT_EQ(rate_interval_ms("3600"), 1000);  // per hour without a unit
  EXPECT_EQ(rate_interval_ms("1/h"), 3600000);
  EXPECT_EQ(rate_interval_ms("2/d"), 43200000);
  EXPECT_EQ(rate_interval_ms("1/second"), 1000);  // curl reads one letter
  for (const char* bad : {"0/s", "1/x", "1/", "1.5/s", "-1/s", "/s", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(code_of([&] { (void)rate_interval_ms(bad); }), ExitCode::FailedInit);
  }
}

TEST(RateOption, GlobalAcrossNext) {
  const CommandLine command_line = parse_command_line(
      std::vector<std::string>{"smtp://a", "--next", "--rate", "2/s", "smtp://b"});
  ASSERT_EQ(command_line.operations.size(), 2U);
  EXPECT_EQ(command_line.operations[0].rate_ms, 500);
  EXPECT_EQ(command_line.operations[1].rate_ms, 500);
}

TEST(LimitRateOption, SizeAsCurl788ReadsIt) {
  EXPECT_EQ(parse_args({"smtp://h", "--limit-rate", "100"}).limit_rate, 100U);
  EXPECT_EQ(parse_args({"smtp://h", "--limit-rate", "1k"}).limit_rate, 1024U);
  EXPECT_EQ(parse_args({"smtp://h", "--limit-rate", "2M"}).limit_rate, 2U * 1024 * 1024);
  EXPECT_EQ(parse_args({"smtp://h", "--limit-rate", "1g"}).limit_rate, 1024U * 1024 * 1024);
  EXPECT_EQ(parse_args({"smtp://h", "--limit-rate", "7b"}).limit_rate, 7U);
  EXPECT_EQ(parse_args({"smtp://h", "--limit-rate", "0"}).limit_rate, 0U);
  EXPECT_EQ(make_job_spec(parse_args({"smtp://h", "--limit-rate", "1k"})).max_send_speed, 1024U);
  for (const char* bad : {"1t", "1.5k", "-1", "1kb", "1x", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(code_of([&] {
                (void)parse_args({"smtp://h", "--limit-rate", bad});
              }),
              ExitCode::FailedInit);
  }
}

}  // namespace
}  // namespace smtpc::cli
