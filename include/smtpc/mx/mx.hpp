// Direct delivery, the pure part: DNS answers parsed from the wire, MX ordering, null MX,
// recipients grouped by domain. No sockets, no resolver: everything here takes bytes or
// strings and is tested with canned packets.
// RFC 1035 §4 (message format, name compression), RFC 5321 §5.1 (MX ordering, implicit MX),
// RFC 7505 (null MX), RFC 3596 (AAAA).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/core/text.hpp"

namespace smtpc {

/// DNS RR types smtpc asks for (RFC 1035 §3.2.2, RFC 3596).
enum class DnsType : std::uint16_t { A = 1, Cname = 5, Mx = 15, Txt = 16, Aaaa = 28 };

/// The response codes smtpc tells apart (RFC 1035 §4.1.1); others keep their number.
enum class DnsRcode : std::uint8_t {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NxDomain = 3,
  NotImp = 4,
  Refused = 5
};

/// "NXDOMAIN", "SERVFAIL", ... for messages; "RCODE n" for the others.
[[nodiscard]] std::string to_string(DnsRcode rcode);

/// One MX record. `exchange` has no trailing dot and is lower-cased; "" is the root
/// name ".", which is what a null MX (RFC 7505) points to.
struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;
  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

/// What a DNS response says about the question asked.
struct DnsAnswer {
  DnsRcode rcode = DnsRcode::NoError;
  bool truncated = false;
  std::vector<MxRecord> mx;            // MX records of the answer section
  std::vector<std::string> addresses;  // A or AAAA records, as numeric text
  std::vector<std::string> texts;      // TXT records, each one's strings joined (RFC 7208 §3.3)
};

/// Parses a DNS response (RFC 1035 §4.1) and collects the answer-section records of
/// `type` (Mx, A, Aaaa or Txt); records of other types (a CNAME chain) are skipped. The
/// recursive resolver has already followed CNAMEs, so owner names are not compared.
/// Compression pointers must point backwards (no loops), names are at most 255 bytes.
/// Throws Error(CouldntResolveHost) for a malformed packet, a response that is not one
/// (QR clear), or one whose ID differs from `expected_id` when that is non-negative.
[[nodiscard]] DnsAnswer parse_dns_response(std::span<const unsigned char> packet, DnsType type,
                                           int expected_id = -1);

/// A source of randomness: returns a number in [0, bound). Injectable for tests.
using RandomIndex = std::function<std::size_t(std::size_t bound)>;

/// RFC 5321 §5.1: sorts by preference (lowest first) and shuffles each run of equal
/// preference with `random`, so equal MX hosts share the load. Drops the root "."
/// records when others exist (a null MX must stand alone, RFC 7505 §3).
[[nodiscard]] std::vector<MxRecord> order_mx(std::vector<MxRecord> records,
                                             const RandomIndex& random);

/// RFC 7505 §3: the only MX record points to the root ("."): the domain accepts no mail.
[[nodiscard]] bool is_null_mx(const std::vector<MxRecord>& records);

/// One DNS server for --dns-servers: an IPv4 address and a port.
struct DnsServerAddress {
  std::string address;
  std::uint16_t port = 53;
  friend bool operator==(const DnsServerAddress&, const DnsServerAddress&) = default;
};

/// Parses curl's --dns-servers list, "ADDR[:PORT][,ADDR[:PORT]...]", IPv4 only (the
/// system resolver's override list takes IPv4 addresses). At most 3 servers (MAXNS).
/// Throws Error(FailedInit) naming the bad entry.
[[nodiscard]] std::vector<DnsServerAddress> parse_dns_servers(std::string_view text);

/// Converts a domain to the ASCII form looked up in DNS (IDN A-labels, lower case).
/// Throws Error(FailedInit) for a name that cannot be converted.
using DomainToAscii = std::function<std::string(std::string_view domain)>;

/// The recipients of one domain: one SMTP transaction each (RFC 5321 §5.1).
struct DomainGroup {
  std::string domain;                   // as looked up: ASCII, lower case
  std::string display;                  // as the user wrote it first
  std::vector<std::string> recipients;  // forward-paths, domain part in `domain`'s form
};

/// Groups forward-paths by domain, case-insensitively and after `to_ascii`, keeping the
/// order in which domains and recipients first appear. The domain part of each
/// recipient is rewritten to its ASCII form, so RCPT TO needs no SMTPUTF8 for the domain.
/// Address literals ("[127.0.0.1]") are kept as they are.
/// Throws Error(FailedInit) for a recipient without a domain, or what `to_ascii` throws.
[[nodiscard]] std::vector<DomainGroup> group_by_domain(const std::vector<std::string>& recipients,
                                                       const DomainToAscii& to_ascii);

}  // namespace smtpc
