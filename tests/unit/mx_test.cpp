// DNS answer parsing, MX ordering, null MX, --dns-servers and grouping by domain.
#include "smtpc/mx/mx.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

using Bytes = std::vector<unsigned char>;

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(
        static_cast<unsigned char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Captured from dnsmasq 2.90 (--mx-host=one.test,mx2.one.test,20 --mx-host=one.test,mx1.one.test,10
// --host-record=mx1.one.test,127.0.0.1): two compressed MX records and an additional A record.
const Bytes kOneTestMx = from_hex(
    "000185800001000200000001036f6e65047465737400000f0001c00c000f00010000000000100014036d7832036f"
    "6e65047465737400c00c000f0001000000000010000a036d7831036f6e65047465737400c044000100010000000000"
    "047f000001");
// dnsmasq's answer for --mx-host=null.test,.,0: one MX with the root as exchange.
const Bytes kNullMx = from_hex(
    "000185800001000100000000046e756c6c047465737400000f0001c00c000f0001000000000003000000");
// NXDOMAIN for nx.test MX.
const Bytes kNxDomain = from_hex("000181830001000000000000026e78047465737400000f0001");
// NOERROR without answers (a name with an A record but no MX).
const Bytes kNoData = from_hex("000181800001000000000000036e6f61047465737400000f0001");
// A record of mx1.one.test.
const Bytes kARecord = from_hex(
    "000185800001000100000000036d7831036f6e6504746573740000010001c00c000100010000000000047f000001");

/// Builds responses by hand for the cases dnsmasq will not produce.
class PacketBuilder {
 public:
  explicit PacketBuilder(std::uint16_t flags = 0x8180, std::uint16_t id = 7) {
    u16(id);
    u16(flags);
    u16(1);  // one question
    u16(0);  // answers: patched by answer()
    u16(0);
    u16(0);
    name("example.com");
    u16(15);
    u16(1);
  }
  PacketBuilder& answer(std::uint16_t type, const Bytes& rdata, const Bytes& owner = {0xC0, 12}) {
    ++answers_;
    bytes_[6] = static_cast<unsigned char>(answers_ >> 8);
    bytes_[7] = static_cast<unsigned char>(answers_ & 0xFF);
    bytes_.insert(bytes_.end(), owner.begin(), owner.end());
    u16(type);
    u16(1);
    u16(0);
    u16(300);
    u16(static_cast<std::uint16_t>(rdata.size()));
    bytes_.insert(bytes_.end(), rdata.begin(), rdata.end());
    return *this;
  }
  [[nodiscard]] const Bytes& bytes() const { return bytes_; }
  Bytes& raw() { return bytes_; }

  static Bytes wire_name(std::string_view dotted) {
    Bytes out;
    std::size_t start = 0;
    while (start < dotted.size()) {
      std::size_t dot = dotted.find('.', start);
      if (dot == std::string_view::npos) dot = dotted.size();
      out.push_back(static_cast<unsigned char>(dot - start));
      for (std::size_t i = start; i < dot; ++i)
        out.push_back(static_cast<unsigned char>(dotted[i]));
      start = dot + 1;
    }
    out.push_back(0);
    return out;
  }
  static Bytes mx(std::uint16_t preference, std::string_view exchange) {
    Bytes out{static_cast<unsigned char>(preference >> 8),
              static_cast<unsigned char>(preference & 0xFF)};
    const Bytes name = wire_name(exchange);
    out.insert(out.end(), name.begin(), name.end());
    return out;
  }

 private:
  void u16(std::uint16_t value) {
    bytes_.push_back(static_cast<unsigned char>(value >> 8));
    bytes_.push_back(static_cast<unsigned char>(value & 0xFF));
  }
  void name(std::string_view dotted) {
    const Bytes wire = wire_name(dotted);
    bytes_.insert(bytes_.end(), wire.begin(), wire.end());
  }
  Bytes bytes_;
  std::uint16_t answers_ = 0;
};

ExitCode parse_error(const Bytes& packet, DnsType type = DnsType::Mx) {
  try {
    (void)parse_dns_response(packet, type);
  } catch (const Error& error) {
    return error.code();
  }
  return ExitCode::Ok;
}

std::size_t always_first(std::size_t /*bound*/) { return 0; }

// --- Parsing ---

TEST(DnsResponse, ParsesCompressedMxRecordsFromDnsmasq) {
  const auto answer = parse_dns_response(kOneTestMx, DnsType::Mx, 1);
  EXPECT_EQ(answer.rcode, DnsRcode::NoError);
  EXPECT_FALSE(answer.truncated);
  ASSERT_EQ(answer.mx.size(), 2U);
  EXPECT_EQ(answer.mx[0], (MxRecord{20, "mx2.one.test"}));
  EXPECT_EQ(answer.mx[1], (MxRecord{10, "mx1.one.test"}));
  EXPECT_TRUE(answer.addresses.empty());  // the additional A record is not an answer
}

TEST(DnsResponse, NullMxHasTheRootAsExchange) {
  const auto answer = parse_dns_response(kNullMx, DnsType::Mx);
  ASSERT_EQ(answer.mx.size(), 1U);
  EXPECT_EQ(answer.mx[0], (MxRecord{0, ""}));
  EXPECT_TRUE(is_null_mx(answer.mx));
}

TEST(DnsResponse, NxDomainAndNoDataAreRcodesNotErrors) {
  EXPECT_EQ(parse_dns_response(kNxDomain, DnsType::Mx).rcode, DnsRcode::NxDomain);
  const auto nodata = parse_dns_response(kNoData, DnsType::Mx);
  EXPECT_EQ(nodata.rcode, DnsRcode::NoError);
  EXPECT_TRUE(nodata.mx.empty());
  EXPECT_EQ(to_string(DnsRcode::NxDomain), "NXDOMAIN");
  EXPECT_EQ(to_string(DnsRcode::ServFail), "SERVFAIL");
  EXPECT_EQ(to_string(static_cast<DnsRcode>(9)), "RCODE 9");
}

TEST(DnsResponse, ARecords) {
  const auto answer = parse_dns_response(kARecord, DnsType::A);
  ASSERT_EQ(answer.addresses.size(), 1U);
  EXPECT_EQ(answer.addresses[0], "127.0.0.1");
}

TEST(DnsResponse, AaaaRecordsAreCompressedText) {
  Bytes loopback(16, 0);
  loopback[15] = 1;
  const auto packet = PacketBuilder().answer(28, loopback).bytes();
  const auto answer = parse_dns_response(packet, DnsType::Aaaa);
  ASSERT_EQ(answer.addresses.size(), 1U);
  EXPECT_EQ(answer.addresses[0], "::1");
}

TEST(DnsResponse, SkipsCnameChainAndLowerCasesNames) {
  const auto packet = PacketBuilder()
                          .answer(5, PacketBuilder::wire_name("alias.example.net"))
                          .answer(15, PacketBuilder::mx(5, "MX.Example.NET"))
                          .bytes();
  const auto answer = parse_dns_response(packet, DnsType::Mx);
  ASSERT_EQ(answer.mx.size(), 1U);
  EXPECT_EQ(answer.mx[0], (MxRecord{5, "mx.example.net"}));
}

TEST(DnsResponse, TruncatedFlagIsReported) {
  EXPECT_TRUE(parse_dns_response(PacketBuilder(0x8380).bytes(), DnsType::Mx).truncated);
}

TEST(DnsResponse, RefusesMalformedPackets) {
  EXPECT_EQ(parse_error(Bytes{0x00, 0x01}), ExitCode::CouldntResolveHost);
  // A query, not a response.
  EXPECT_EQ(parse_error(PacketBuilder(0x0100).bytes()), ExitCode::CouldntResolveHost);
  // Every truncation of a valid packet fails cleanly instead of reading past its end.
  for (std::size_t size = 0; size < kOneTestMx.size(); ++size) {
    const Bytes cut(kOneTestMx.begin(), kOneTestMx.begin() + static_cast<std::ptrdiff_t>(size));
    const auto code = parse_error(cut);
    // From byte 76 only the additional section is cut, which is never read: that parses.
    if (size < 76) {
      EXPECT_EQ(code, ExitCode::CouldntResolveHost) << "size " << size;
    }
  }
  // MX rdata longer than its contents.
  Bytes padded = PacketBuilder::mx(10, "mx.example.com");
  padded.push_back(0);
  EXPECT_EQ(parse_error(PacketBuilder().answer(15, padded).bytes()), ExitCode::CouldntResolveHost);
  // An A record of the wrong size.
  EXPECT_EQ(parse_error(PacketBuilder().answer(1, {127, 0, 0}).bytes(), DnsType::A),
            ExitCode::CouldntResolveHost);
}

TEST(DnsResponse, RefusesCompressionLoops) {
  // An owner name that points at itself, and one that points forwards.
  const auto self = PacketBuilder().answer(15, PacketBuilder::mx(1, "a"), {0xC0, 29}).bytes();
  EXPECT_EQ(parse_error(self), ExitCode::CouldntResolveHost);
  const auto forwards = PacketBuilder().answer(15, PacketBuilder::mx(1, "a"), {0xC0, 60}).bytes();
  EXPECT_EQ(parse_error(forwards), ExitCode::CouldntResolveHost);
}

TEST(DnsResponse, RefusesNamesOver255Bytes) {
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  long_name += "com";
  const auto packet = PacketBuilder().answer(15, PacketBuilder::mx(1, long_name)).bytes();
  EXPECT_EQ(parse_error(packet), ExitCode::CouldntResolveHost);
}

TEST(DnsResponse, ChecksTheQueryId) {
  EXPECT_NO_THROW((void)parse_dns_response(kOneTestMx, DnsType::Mx, 1));
  EXPECT_THROW((void)parse_dns_response(kOneTestMx, DnsType::Mx, 2), Error);
}

// --- Ordering ---

TEST(MxOrder, LowestPreferenceFirst) {
  const auto ordered =
      order_mx({{20, "b"}, {10, "a"}, {30, "c"}, {15, "d"}}, RandomIndex(always_first));
  ASSERT_EQ(ordered.size(), 4U);
  EXPECT_EQ(ordered[0].exchange, "a");
  EXPECT_EQ(ordered[1].exchange, "d");
  EXPECT_EQ(ordered[2].exchange, "b");
  EXPECT_EQ(ordered[3].exchange, "c");
}

TEST(MxOrder, EqualPreferencesAreShuffledButStayInTheirRank) {
  std::mt19937 engine(42);
  RandomIndex random = [&](std::size_t bound) {
    return std::uniform_int_distribution<std::size_t>(0, bound - 1)(engine);
  };
  std::set<std::string> firsts;
  for (int i = 0; i < 200; ++i) {
    const auto ordered =
        order_mx({{10, "a"}, {10, "b"}, {10, "c"}, {5, "first"}, {20, "last"}}, random);
    ASSERT_EQ(ordered.size(), 5U);
    EXPECT_EQ(ordered.front().exchange, "first");
    EXPECT_EQ(ordered.back().exchange, "last");
    firsts.insert(ordered[1].exchange);
    std::set<std::string> middle{ordered[1].exchange, ordered[2].exchange, ordered[3].exchange};
    EXPECT_EQ(middle, (std::set<std::string>{"a", "b", "c"}));
  }
  EXPECT_EQ(firsts.size(), 3U);  // each of the equal hosts came first at some point
}

TEST(MxOrder, UsesTheInjectedRandomSource) {
  // Fisher-Yates with "always 0": swap the last with the first, then the next-to-last...
  const auto ordered = order_mx({{10, "a"}, {10, "b"}, {10, "c"}}, RandomIndex(always_first));
  EXPECT_EQ(ordered[0].exchange, "b");
  EXPECT_EQ(ordered[1].exchange, "c");
  EXPECT_EQ(ordered[2].exchange, "a");
}

TEST(MxOrder, RootRecordsAreDroppedWhenMixedWithRealOnes) {
  const std::vector<MxRecord> mixed{{0, ""}, {10, "mx.example.com"}};
  EXPECT_FALSE(is_null_mx(mixed));
  const auto ordered = order_mx(mixed, RandomIndex(always_first));
  ASSERT_EQ(ordered.size(), 1U);
  EXPECT_EQ(ordered[0].exchange, "mx.example.com");
  // A lone null MX stays, whatever its preference.
  EXPECT_TRUE(is_null_mx(order_mx({{0, ""}}, RandomIndex(always_first))));
  EXPECT_TRUE(is_null_mx({{10, ""}}));
  EXPECT_FALSE(is_null_mx({}));
}

// --- --dns-servers ---

TEST(DnsServers, ParsesAddressesWithOptionalPorts) {
  EXPECT_EQ(parse_dns_servers("127.0.0.1"), (std::vector<DnsServerAddress>{{"127.0.0.1", 53}}));
  EXPECT_EQ(parse_dns_servers("127.0.0.1:5353,127.0.0.2"),
            (std::vector<DnsServerAddress>{{"127.0.0.1", 5353}, {"127.0.0.2", 53}}));
}

TEST(DnsServers, RefusesBadEntries) {
  for (const char* bad : {"", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "localhost", "::1",
                          "127.0.0.1,", "1.2.3.4,1.2.3.5,1.2.3.6,1.2.3.7", "127.0.0.1:53x"}) {
    try {
      (void)parse_dns_servers(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ExitCode::FailedInit) << bad;
    }
  }
}

// --- Grouping ---

TEST(GroupByDomain, OneGroupPerDomainCaseInsensitivelyInFirstSeenOrder) {
  const auto groups = group_by_domain(
      {"a@Example.COM", "b@example.net", "c@example.com", "d@EXAMPLE.net", "e@[127.0.0.1]"},
      DomainToAscii([](std::string_view d) { return ascii_lower(d); }));
  ASSERT_EQ(groups.size(), 3U);
  EXPECT_EQ(groups[0].domain, "example.com");
  EXPECT_EQ(groups[0].display, "Example.COM");
  EXPECT_EQ(groups[0].recipients, (std::vector<std::string>{"a@example.com", "c@example.com"}));
  EXPECT_EQ(groups[1].domain, "example.net");
  EXPECT_EQ(groups[1].recipients, (std::vector<std::string>{"b@example.net", "d@example.net"}));
  EXPECT_EQ(groups[2].domain, "[127.0.0.1]");
  EXPECT_EQ(groups[2].recipients, (std::vector<std::string>{"e@[127.0.0.1]"}));
}

TEST(GroupByDomain, UsesTheAsciiFormForGroupingAndRcpt) {
  const DomainToAscii fake_idn = [](std::string_view domain) {
    return domain ==
                   "b\xC3\xBC"
                   "cher.example"
               ? std::string("xn--bcher-kva.example")
               : ascii_lower(domain);
  };
  const auto groups = group_by_domain({"Ann@b\xC3\xBC"
                                       "cher.example",
                                       "bob@XN--BCHER-KVA.example"},
                                      fake_idn);
  ASSERT_EQ(groups.size(), 1U);
  EXPECT_EQ(groups[0].domain, "xn--bcher-kva.example");
  EXPECT_EQ(groups[0].recipients,
            (std::vector<std::string>{"Ann@xn--bcher-kva.example", "bob@xn--bcher-kva.example"}));
}

TEST(GroupByDomain, RecipientWithoutDomainIsUsageError) {
  for (const char* bad : {"postmaster", "user@"}) {
    try {
      (void)group_by_domain({bad},
                            DomainToAscii([](std::string_view d) { return ascii_lower(d); }));
      ADD_FAILURE() << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ExitCode::FailedInit);
      EXPECT_NE(std::string(error.what()).find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace smtpc
