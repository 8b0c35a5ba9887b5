// Proxy URLs, --noproxy and the handshake bytes, checked against the RFCs' layouts and
// curl 7.88's wording, with hostile replies.
#include "smtpc/core/proxy.hpp"

#include <gtest/gtest.h>

#include <string>

#include "expect_error.hpp"

namespace smtpc {
namespace {

using testing::expect_error;
using namespace std::string_literals;

TEST(ProxyUrl, SchemeHostPortAndCredentials) {
  const auto spec = parse_proxy_url("socks5h://bob:s%3Acret@proxy.example:1081", ProxyType::Http);
  EXPECT_EQ(spec.type, ProxyType::Socks5h);
  EXPECT_EQ(spec.host, "proxy.example");
  EXPECT_EQ(spec.port, 1081);
  EXPECT_EQ(spec.user, "bob");
  EXPECT_EQ(spec.password, "s:cret");
}

TEST(ProxyUrl, DefaultsAreCurls) {
  const auto http = parse_proxy_url("proxy.example", ProxyType::Http);
  EXPECT_EQ(http.type, ProxyType::Http);
  EXPECT_EQ(http.port, 1080);
  EXPECT_FALSE(http.user.has_value());
  EXPECT_EQ(parse_proxy_url("HTTPS://p", ProxyType::Http).port, 443);
  EXPECT_EQ(parse_proxy_url("p:3128", ProxyType::Socks4a).type, ProxyType::Socks4a);
  EXPECT_EQ(parse_proxy_url("http://p", ProxyType::Http10).type, ProxyType::Http10);
  EXPECT_EQ(parse_proxy_url("socks4://p", ProxyType::Http10).type, ProxyType::Socks4);
  EXPECT_EQ(parse_proxy_url("p:8080/ignored", ProxyType::Http).port, 8080);
}

TEST(ProxyUrl, Ipv6LiteralInBrackets) {
  const auto spec = parse_proxy_url("socks5://[::1]:9050", ProxyType::Http);
  EXPECT_EQ(spec.host, "::1");
  EXPECT_EQ(spec.port, 9050);
}

TEST(ProxyUrl, UserWithoutPassword) {
  const auto spec = parse_proxy_url("socks4://alice@p", ProxyType::Http);
  EXPECT_EQ(spec.user, "alice");
  EXPECT_FALSE(spec.password.has_value());
}

TEST(ProxyUrl, BadSyntaxIsCurlsCode5AndUnknownSchemeCode7) {
  expect_error(
      ExitCode::CouldntConnect, [] { (void)parse_proxy_url("ftp://p", ProxyType::Http); },
      "Unsupported proxy scheme for 'ftp://p'");
  for (const char* bad : {"socks5://", "socks5://p:99999", "socks5://p:0", "socks5://p:x",
                          "socks5://[::1", "socks5://[nothost]:1", "p:", "p q:1"}) {
    SCOPED_TRACE(bad);
    expect_error(
        ExitCode::CouldntResolveProxy, [bad] { (void)parse_proxy_url(bad, ProxyType::Http); },
        "Unsupported proxy syntax in");
  }
}

TEST(NoProxy, NamesMatchTheHostAndItsSubdomains) {
  EXPECT_TRUE(no_proxy_matches("*", "anything"));
  EXPECT_TRUE(no_proxy_matches("example.com", "example.com"));
  EXPECT_TRUE(no_proxy_matches("example.com", "MX.Example.COM"));
  EXPECT_TRUE(no_proxy_matches(".example.com", "mx.example.com"));
  EXPECT_TRUE(no_proxy_matches("a.test, example.com", "mx.example.com."));
  EXPECT_TRUE(no_proxy_matches("a.test example.com", "example.com"));
  EXPECT_FALSE(no_proxy_matches("example.com", "badexample.com"));
  EXPECT_FALSE(no_proxy_matches("mx.example.com", "example.com"));
  EXPECT_FALSE(no_proxy_matches("", "example.com"));
  EXPECT_FALSE(no_proxy_matches(" , ,", "example.com"));
}

TEST(NoProxy, AddressesMatchExactlyOrByPrefix) {
  EXPECT_TRUE(no_proxy_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(no_proxy_matches("10.0.0.0/8,127.0.0.0/8", "127.3.4.5"));
  EXPECT_TRUE(no_proxy_matches("192.168.0.0/23", "192.168.1.7"));
  EXPECT_FALSE(no_proxy_matches("192.168.0.0/23", "192.168.2.7"));
  EXPECT_TRUE(no_proxy_matches("::1", "[::1]"));
  EXPECT_TRUE(no_proxy_matches("2001:db8::/32", "2001:db8:1::5"));
  EXPECT_FALSE(no_proxy_matches("2001:db8::/32", "2001:db9::5"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.0/33", "127.0.0.1"));
  EXPECT_FALSE(no_proxy_matches("127.0.0.0/x", "127.0.0.1"));
  EXPECT_FALSE(no_proxy_matches("localhost", "127.0.0.1"));
}

TEST(Socks4, RequestLayout) {
  EXPECT_EQ(socks4_request(25, {127, 0, 0, 1}, "bob"),
            "\x04\x01\x00\x19\x7f\x00\x00\x01"
            "bob\0"s);
  EXPECT_EQ(socks4a_request(587, "mx.example", ""),
            "\x04\x01\x02\x4b\x00\x00\x00\x01\0mx.example\0"s);
}

TEST(Socks4, OversizedOrNulFieldsAreRefused) {
  expect_error(
      ExitCode::ProxyHandshake,
      [] {
        (void)socks4_request(25, {1, 2, 3, 4}, std::string(256, 'u'));
      },
      "Too long SOCKS proxy user name");
  expect_error(ExitCode::ProxyHandshake, [] { (void)socks4_request(25, {1, 2, 3, 4}, "a\0b"s); });
  expect_error(
      ExitCode::ProxyHandshake, [] { (void)socks4a_request(25, std::string(255, 'h'), ""); },
      "too long host name");
}

TEST(Socks4, Replies) {
  EXPECT_EQ(parse_socks4_reply("\x00\x5a\x00\x00\x00\x00\x00\x00"s).failure, ProxyFailure::None);
  const auto refused = parse_socks4_reply("\x00\x5b\x00\x19\x7f\x00\x00\x01"s);
  EXPECT_EQ(refused.failure, ProxyFailure::Refused);
  EXPECT_EQ(refused.message,
            "Can't complete SOCKS4 connection to 127.0.0.1:25. (91), request rejected or failed.");
  EXPECT_EQ(parse_socks4_reply("\x04\x5a\x00\x00\x00\x00\x00\x00"s).failure,
            ProxyFailure::BadVersion);
  EXPECT_EQ(parse_socks4_reply("\x00"s).failure, ProxyFailure::BadVersion);
  EXPECT_EQ(parse_socks4_reply("\x00\xff\x00\x00\x00\x00\x00\x00"s).failure, ProxyFailure::Refused);
}

TEST(Socks5, GreetingOffersPasswordOnlyWithAUser) {
  EXPECT_EQ(socks5_greeting(false), "\x05\x01\x00"s);
  EXPECT_EQ(socks5_greeting(true), "\x05\x02\x00\x02"s);
}

TEST(Socks5, MethodChoice) {
  EXPECT_EQ(parse_socks5_method("\x05\x00"s, false).failure, ProxyFailure::None);
  EXPECT_EQ(parse_socks5_method("\x05\x02"s, true).method, 2U);
  // A proxy that picks user/password that was never offered is not obeyed.
  EXPECT_EQ(parse_socks5_method("\x05\x02"s, false).failure, ProxyFailure::UnknownMethod);
  const auto none = parse_socks5_method("\x05\xff"s, true);
  EXPECT_EQ(none.failure, ProxyFailure::NoAcceptableAuth);
  EXPECT_EQ(none.message, "No authentication method was acceptable.");
  EXPECT_EQ(parse_socks5_method("\x04\x00"s, false).failure, ProxyFailure::BadVersion);
  EXPECT_EQ(parse_socks5_method("\x05\x07"s, true).failure, ProxyFailure::UnknownMethod);
}

TEST(Socks5, PasswordSubnegotiationIsRfc1929) {
  EXPECT_EQ(socks5_password_request("bob", "pw"),
            "\x01\x03"
            "bob\x02pw"s);
  EXPECT_EQ(socks5_password_request("", ""), "\x01\x00\x00"s);
  expect_error(
      ExitCode::ProxyHandshake, [] { (void)socks5_password_request(std::string(256, 'u'), "p"); },
      "Excessive user name length");
  expect_error(
      ExitCode::ProxyHandshake, [] { (void)socks5_password_request("u", std::string(256, 'p')); },
      "Excessive password length");
  EXPECT_EQ(parse_socks5_password_reply("\x01\x00"s), "");
  EXPECT_EQ(parse_socks5_password_reply("\x01\x02"s),
            "User was rejected by the SOCKS5 server (1 2).");
  EXPECT_NE(parse_socks5_password_reply("\x01"s), "");
}

TEST(Socks5, ConnectRequests) {
  EXPECT_EQ(socks5_connect_request({"\x7f\x00\x00\x01"s, 1, 25}),
            "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x19"s);
  EXPECT_EQ(socks5_connect_request({"mx", 3, 465}), "\x05\x01\x00\x03\x02mx\x01\xd1"s);
  EXPECT_EQ(socks5_connect_request({std::string(16, '\0'), 4, 25}).size(), 4U + 16 + 2);
  expect_error(
      ExitCode::ProxyHandshake,
      [] {
        (void)socks5_connect_request({std::string(256, 'h'), 3, 25});
      },
      "too long");
  expect_error(ExitCode::ProxyHandshake, [] { (void)socks5_connect_request({"abc", 1, 25}); });
}

TEST(Socks5, ReplySizeComesFromTheAddressType) {
  EXPECT_EQ(socks5_reply_size("\x05\x00\x00\x01\x7f"s), 10U);
  EXPECT_EQ(socks5_reply_size("\x05\x00\x00\x04\x00"s), 22U);
  EXPECT_EQ(socks5_reply_size("\x05\x00\x00\x03\xff"s), 4U + 1 + 255 + 2);  // bounded by one byte
  EXPECT_FALSE(socks5_reply_size("\x05\x00\x00\x09\x00"s).has_value());
  EXPECT_FALSE(socks5_reply_size("\x05\x00"s).has_value());
}

TEST(Socks5, ReplyVerdicts) {
  EXPECT_EQ(parse_socks5_reply("\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00"s, "h").failure,
            ProxyFailure::None);
  const auto refused = parse_socks5_reply("\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"s, "mx.test");
  EXPECT_EQ(refused.failure, ProxyFailure::Refused);
  EXPECT_EQ(refused.message, "Can't complete SOCKS5 connection to mx.test. (5)");
  EXPECT_EQ(parse_socks5_reply("\x00\x00"s, "h").failure, ProxyFailure::BadVersion);
}

TEST(HttpConnect, RequestAsCurlWritesIt) {
  EXPECT_EQ(http_connect_request({"127.0.0.1", 25, false, "bob", "se cret", "smtpc/1", {}}),
            "CONNECT 127.0.0.1:25 HTTP/1.1\r\nHost: 127.0.0.1:25\r\n"
            "Proxy-Authorization: Basic Ym9iOnNlIGNyZXQ=\r\nUser-Agent: smtpc/1\r\n"
            "Proxy-Connection: Keep-Alive\r\n\r\n");
  EXPECT_EQ(
      http_connect_request({"::1", 587, true, {}, {}, "", {}}),
      "CONNECT [::1]:587 HTTP/1.0\r\nHost: [::1]:587\r\nProxy-Connection: Keep-Alive\r\n\r\n");
}

// --proxy-header, with the bytes curl 7.88.1 sent for `-p -x ... --proxy-header "X-Test: 1"`
// to an smtp:// URL; "Name:" keeps curl's own line of that name out, "Name;" sends it empty.
TEST(HttpConnect, CustomHeadersAsCurlSendsThem) {
  EXPECT_EQ(http_connect_request({"127.0.0.1", 41943, false, {}, {}, "curl/7.88.1", {"X-Test: 1"}}),
            "CONNECT 127.0.0.1:41943 HTTP/1.1\r\nHost: 127.0.0.1:41943\r\n"
            "User-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\nX-Test: 1\r\n\r\n");
  EXPECT_EQ(http_connect_request({"h",
                                  25,
                                  false,
                                  {},
                                  {},
                                  "smtpc/1",
                                  {"user-agent:", "Proxy-Connection: close", "X-Empty;",
                                   "no separator", "Host: other:25"}}),
            "CONNECT h:25 HTTP/1.1\r\nProxy-Connection: close\r\nX-Empty:\r\n"
            "Host: other:25\r\n\r\n");
}

TEST(HttpConnect, RequestRefusesLineBreaks) {
  expect_error(ExitCode::ProxyHandshake, [] {
    (void)http_connect_request({"h\r\nX: y", 25, false, {}, {}, "", {}});
  });
  expect_error(ExitCode::ProxyHandshake, [] {
    (void)http_connect_request({"h", 25, false, {}, {}, "a\nb", {}});
  });
  expect_error(ExitCode::ProxyHandshake, [] {
    (void)http_connect_request({"h", 25, false, {}, {}, "", {"X: a\r\nY: b"}});
  });
}

HttpConnectReply feed_all(std::string_view bytes, std::size_t* used = nullptr) {
  HttpConnectReply reply;
  std::size_t n = 0;
  for (const char byte : bytes) {
    ++n;
    if (reply.feed(byte) == HttpConnectReply::Progress::Complete) break;
  }
  if (used != nullptr) *used = n;
  return reply;
}

TEST(HttpConnect, ReplyEndsAtTheBlankLineAndTakesNothingMore) {
  const std::string text =
      "HTTP/1.0 200 Connection established\r\nProxy-agent: x\r\n\r\n220 mx\r\n";
  std::size_t used = 0;
  auto reply = feed_all(text, &used);
  EXPECT_EQ(reply.status(), 200);
  EXPECT_EQ(used, text.find("220"));
  const auto lines = reply.take_lines();
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0], "HTTP/1.0 200 Connection established");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(feed_all("HTTP/1.1 403\n\n").status(), 403);
}

TEST(HttpConnect, HostileRepliesAreBounded) {
  expect_error(ExitCode::ProxyHandshake, [] { (void)feed_all("SSH-2.0-OpenSSH\r\n"); });
  expect_error(ExitCode::ProxyHandshake, [] { (void)feed_all("HTTP/1.1 2x0 ok\r\n"); });
  expect_error(ExitCode::ProxyHandshake, [] { (void)feed_all("HTTP/1.1 200 ok\0\r\n"s); });
  expect_error(
      ExitCode::ProxyHandshake, [] { (void)feed_all("HTTP/1.1 200 " + std::string(9000, 'a')); },
      "too long");
  std::string many = "HTTP/1.1 200 ok\r\n";
  for (int i = 0; i < 200; ++i) many += "X: y\r\n";
  expect_error(
      ExitCode::ProxyHandshake, [&] { (void)feed_all(many); }, "too many");
}

TEST(HaproxyProtocol, Version1Header) {
  EXPECT_EQ(haproxy_v1_header("127.0.0.1", 40000, "127.0.0.1", 25),
            "PROXY TCP4 127.0.0.1 127.0.0.1 40000 25\r\n");
  EXPECT_EQ(haproxy_v1_header("::1", 5, "::1", 587), "PROXY TCP6 ::1 ::1 5 587\r\n");
}

}  // namespace
}  // namespace smtpc
