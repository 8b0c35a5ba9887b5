// --connect-to: curl 7.88's matching and parsing (lib/url.c), each case checked against curl.
#include "smtpc/core/connect_to.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expect_error.hpp"

namespace smtpc {
namespace {

ConnectTarget target(const std::vector<std::string>& entries, std::string_view host = "mx.example",
                     std::uint16_t port = 25) {
  return apply_connect_to(entries, host, port);
}

void expect_target(const ConnectTarget& got, std::string_view host, std::uint16_t port) {
  EXPECT_EQ(got.host, host);
  EXPECT_EQ(got.port, port);
}

TEST(ConnectTo, EmptyHostAndPortMatchEverything) {
  expect_target(target({"::127.0.0.1:2525"}), "127.0.0.1", 2525);
}

TEST(ConnectTo, HostAndPortMustMatchTheUrl) {
  expect_target(target({"mx.example:25:127.0.0.1:2525"}), "127.0.0.1", 2525);
  expect_target(target({"MX.Example:25:127.0.0.1:2525"}), "127.0.0.1", 2525);
  expect_target(target({"other.example:25:127.0.0.1:2525"}), "mx.example", 25);
  expect_target(target({"mx.example:26:127.0.0.1:2525"}), "mx.example", 25);
  expect_target(target({"mx.example:025:127.0.0.1:2525"}), "127.0.0.1", 2525);
  // "25a" is no port: the entry does not apply (curl then resolves the URL's host).
  expect_target(target({":25a:127.0.0.1:2525"}), "mx.example", 25);
  expect_target(target({"mx.exam:25:127.0.0.1:2525"}), "mx.example", 25);
  expect_target(target({"garbage"}), "mx.example", 25);
}

TEST(ConnectTo, EmptyTargetFieldsKeepTheUrls) {
  expect_target(target({"::127.0.0.1"}), "127.0.0.1", 25);
  expect_target(target({"::127.0.0.1:"}), "127.0.0.1", 25);
  expect_target(target({":::2525"}), "mx.example", 2525);
  expect_target(target({":::"}), "mx.example", 25);
  expect_target(target({""}), "mx.example", 25);
}

TEST(ConnectTo, FirstEntryThatNamesSomethingWins) {
  expect_target(target({":::", "::127.0.0.1:2525"}), "127.0.0.1", 2525);
  expect_target(target({"::a.example", "::b.example:2525"}), "a.example", 25);
  expect_target(target({"other:25:a.example", "::b.example"}), "b.example", 25);
}

TEST(ConnectTo, Ipv6LiteralsAreBracketed) {
  expect_target(target({"::[::1]:2525"}), "::1", 2525);
  expect_target(target({"[::1]:25::2525"}, "::1"), "::1", 2525);
  expect_target(target({"::[127.0.0.1]:2525"}), "127.0.0.1", 2525);
}

TEST(ConnectTo, BadPortOfTheMatchingEntryIsSyntaxError49) {
  for (const std::string entry :
       {"::127.0.0.1:abc", "::127.0.0.1:99999", "::127.0.0.1:-1", "::127.0.0.1:25x"}) {
    SCOPED_TRACE(entry);
    testing::expect_error(
        ExitCode::SetoptOptionSyntax, [&] { (void)target({entry}); },
        "No valid port number in connect to host string");
  }
  // curl's own reading of "::1:25::2525" for the URL [::1]: empty HOST1 and PORT1, then
  // HOST2 "1" with the port "25::2525".
  testing::expect_error(
      ExitCode::SetoptOptionSyntax, [] { (void)target({"::1:25::2525"}, "::1"); }, "(25::2525)");
  // Not matching: never read.
  EXPECT_EQ(testing::code_of([] { (void)target({"other:25:127.0.0.1:abc"}); }), ExitCode::Ok);
}

TEST(ConnectTo, PortTakesBlanksAndSignAsStrtol) {
  expect_target(target({"::127.0.0.1: 2525"}), "127.0.0.1", 2525);
  expect_target(target({"::127.0.0.1:+2525"}), "127.0.0.1", 2525);
}

}  // namespace
}  // namespace smtpc
