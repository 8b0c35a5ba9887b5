// Direct delivery, the pure part: a small reader of the DNS wire format (RFC 1035 §4),
// MX ordering (RFC 5321 §5.1), null MX (RFC 7505) and recipients grouped by domain.
#include "smtpc/mx/mx.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/core/url.hpp"

namespace smtpc {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxNameLength = 255;  // RFC 1035 §3.1, in wire form
constexpr std::size_t kMaxDnsServers = 3;    // glibc's MAXNS
constexpr std::uint16_t kClassIn = 1;

[[noreturn]] void malformed(std::string_view what) {
  throw Error(ExitCode::CouldntResolveHost, fmt::format("malformed DNS response: {}", what));
}

/// Reads big-endian fields and (compressed) names out of one packet, bounds-checked.
class WireReader {
 public:
  explicit WireReader(std::span<const unsigned char> packet) : packet_(packet) {}

  [[nodiscard]] std::size_t offset() const noexcept { return offset_; }
  void seek(std::size_t offset) {
    if (offset > packet_.size()) malformed("record runs past the end of the packet");
    offset_ = offset;
  }

  std::uint8_t u8() {
    need(1);
    return packet_[offset_++];
  }
  std::uint16_t u16() {
    need(2);
    const auto value = static_cast<std::uint16_t>((packet_[offset_] << 8) | packet_[offset_ + 1]);
    offset_ += 2;
    return value;
  }
  std::uint32_t u32() {
    const std::uint32_t high = u16();
    return (high << 16) | u16();
  }
  std::span<const unsigned char> bytes(std::size_t count) {
    need(count);
    auto out = packet_.subspan(offset_, count);
    offset_ += count;
    return out;
  }

  /// A domain name in dotted form, lower-cased, without the trailing dot ("" is the root).
  /// Follows compression pointers (RFC 1035 §4.1.4); each must point before the label that
  /// holds it, which rules out loops.
  std::string name() {
    std::string out;
    std::size_t wire_length = 0;
    std::size_t position = offset_;
    std::size_t lowest = offset_;  // pointers must go strictly below this
    bool jumped = false;
    while (true) {
      if (position >= packet_.size()) malformed("name runs past the end of the packet");
      const std::uint8_t length = packet_[position];
      if ((length & 0xC0) == 0xC0) {
        if (position + 1 >= packet_.size()) malformed("truncated compression pointer");
        const std::size_t target =
            (static_cast<std::size_t>(length & 0x3F) << 8) | packet_[position + 1];
        if (target >= lowest) malformed("compression pointer does not point backwards");
        if (!jumped) offset_ = position + 2;
        jumped = true;
        lowest = target;
        position = target;
        continue;
      }
      if ((length & 0xC0) != 0) malformed("unknown label type");
      wire_length += 1u + length;
      if (wire_length > kMaxNameLength) malformed("name longer than 255 bytes");
      if (length == 0) {
        if (!jumped) offset_ = position + 1;
        return out;
      }
      if (position + 1 + length > packet_.size()) malformed("label runs past the end");
      if (!out.empty()) out += '.';
      for (std::size_t i = 0; i < length; ++i) {
        const auto c = static_cast<char>(packet_[position + 1 + i]);
        out += ascii_lower(c);
      }
      position += 1u + length;
    }
  }

 private:
  void need(std::size_t count) const {
    if (packet_.size() - offset_ < count) malformed("record runs past the end of the packet");
  }
  std::span<const unsigned char> packet_;
  std::size_t offset_ = 0;
};

std::string address_text(int family, std::span<const unsigned char> raw) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (::inet_ntop(family, raw.data(), text.data(), static_cast<socklen_t>(text.size())) ==
      nullptr) {
    malformed("bad address record");
  }
  return text.data();
}

}  // namespace

std::string to_string(DnsRcode rcode) {
  switch (rcode) {
    case DnsRcode::NoError:
      return "NOERROR";
    case DnsRcode::FormErr:
      return "FORMERR";
    case DnsRcode::ServFail:
      return "SERVFAIL";
    case DnsRcode::NxDomain:
      return "NXDOMAIN";
    case DnsRcode::NotImp:
      return "NOTIMP";
    case DnsRcode::Refused:
      return "REFUSED";
  }
  return fmt::format("RCODE {}", static_cast<int>(rcode));
}

DnsAnswer parse_dns_response(std::span<const unsigned char> packet, DnsType type, int expected_id) {
  if (packet.size() < kHeaderSize) malformed("shorter than a DNS header");
  WireReader reader(packet);
  const std::uint16_t id = reader.u16();
  const std::uint16_t flags = reader.u16();
  const std::uint16_t questions = reader.u16();
  const std::uint16_t answers = reader.u16();
  reader.u16();  // authority records: not needed
  reader.u16();  // additional records: not needed
  if (expected_id >= 0 && id != expected_id) malformed("the ID does not match the query");
  if ((flags & 0x8000) == 0) malformed("not a response (QR bit clear)");

  DnsAnswer answer;
  answer.truncated = (flags & 0x0200) != 0;
  answer.rcode = static_cast<DnsRcode>(flags & 0x000F);
  for (std::uint16_t i = 0; i < questions; ++i) {
    (void)reader.name();
    reader.u16();  // QTYPE
    reader.u16();  // QCLASS
  }
  for (std::uint16_t i = 0; i < answers; ++i) {
    (void)reader.name();  // owner: the CNAME chain was followed by the recursive resolver
    const std::uint16_t rr_type = reader.u16();
    const std::uint16_t rr_class = reader.u16();
    reader.u32();  // TTL: smtpc does not cache
    const std::uint16_t length = reader.u16();
    const std::size_t end = reader.offset() + length;
    if (end > packet.size()) malformed("record data runs past the end of the packet");
    if (rr_class == kClassIn && rr_type == static_cast<std::uint16_t>(type)) {
      switch (type) {
        case DnsType::Mx: {
          MxRecord record;
          record.preference = reader.u16();
          record.exchange = reader.name();
          if (reader.offset() != end) malformed("MX record length does not match its data");
          answer.mx.push_back(std::move(record));
          break;
        }
        case DnsType::A:
          if (length != 4) malformed("A record is not 4 bytes");
          answer.addresses.push_back(address_text(AF_INET, reader.bytes(4)));
          break;
        case DnsType::Aaaa:
          if (length != 16) malformed("AAAA record is not 16 bytes");
          answer.addresses.push_back(address_text(AF_INET6, reader.bytes(16)));
          break;
        case DnsType::Txt: {
          // One or more <character-string>s: a length byte, then that many bytes.
          std::string text;
          while (reader.offset() < end) {
            const std::size_t size = reader.u8();
            if (reader.offset() + size > end) malformed("TXT string runs past its record");
            const auto piece = reader.bytes(size);
            text.append(piece.begin(), piece.end());
          }
          answer.texts.push_back(std::move(text));
          break;
        }
        case DnsType::Cname:
          break;
      }
    }
    reader.seek(end);
  }
  return answer;
}

std::vector<MxRecord> order_mx(std::vector<MxRecord> records, const RandomIndex& random) {
  if (records.size() > 1) {
    std::erase_if(records, [](const MxRecord& record) { return record.exchange.empty(); });
  }
  std::stable_sort(records.begin(), records.end(), [](const MxRecord& a, const MxRecord& b) {
    return a.preference < b.preference;
  });
  // Fisher-Yates within each run of equal preference.
  for (std::size_t begin = 0; begin < records.size();) {
    std::size_t end = begin + 1;
    while (end < records.size() && records[end].preference == records[begin].preference) ++end;
    for (std::size_t i = end - begin; i > 1; --i) {
      const std::size_t j = random(i);
      std::swap(records[begin + i - 1], records[begin + std::min(j, i - 1)]);
    }
    begin = end;
  }
  return records;
}

bool is_null_mx(const std::vector<MxRecord>& records) {
  return records.size() == 1 && records.front().exchange.empty();
}

std::vector<DnsServerAddress> parse_dns_servers(std::string_view text) {
  std::vector<DnsServerAddress> servers;
  auto bad = [](std::string_view entry, std::string_view why) {
    throw Error(
        ExitCode::FailedInit,
        fmt::format("--dns-servers: \"{}\": {} (expected IPv4ADDR[:PORT][,...])", entry, why));
  };
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view entry =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    DnsServerAddress server;
    const std::size_t colon = entry.find(':');
    server.address = std::string(entry.substr(0, colon));
    if (colon != std::string_view::npos) {
      const std::string_view port = entry.substr(colon + 1);
      const auto number = parse_port(port);
      if (!number) bad(entry, "bad port");
      server.port = *number;
    }
    in_addr parsed{};
    if (::inet_pton(AF_INET, server.address.c_str(), &parsed) != 1) {
      bad(entry, "not an IPv4 address");
    }
    servers.push_back(std::move(server));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (servers.size() > kMaxDnsServers) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--dns-servers: at most {} servers", kMaxDnsServers));
  }
  return servers;
}

std::vector<DomainGroup> group_by_domain(const std::vector<std::string>& recipients,
                                         const DomainToAscii& to_ascii) {
  std::vector<DomainGroup> groups;
  std::map<std::string, std::size_t> index;
  for (const auto& recipient : recipients) {
    const std::string domain(domain_of(recipient));
    if (domain.empty()) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("--mx: recipient <{}> has no domain to look up", recipient));
    }
    const bool literal = domain.front() == '[';
    const std::string ascii = literal ? domain : ascii_lower(to_ascii(domain));
    auto [it, inserted] = index.try_emplace(ascii, groups.size());
    if (inserted) groups.push_back(DomainGroup{ascii, domain, {}});
    const std::string local = recipient.substr(0, recipient.size() - domain.size());
    groups[it->second].recipients.push_back(local + ascii);
  }
  return groups;
}

}  // namespace smtpc
