// --connect-to HOST1:PORT1:HOST2:PORT2, as curl's CURLOPT_CONNECT_TO (lib/url.c
// parse_connect_to_slist): connect elsewhere while the URL's host stays the name that is
// greeted, sent as SNI and checked in the certificate.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace smtpc {

/// Where to connect instead of the URL's host and port.
struct ConnectTarget {
  std::string host;  // brackets removed from an IPv6 literal
  std::uint16_t port = 0;
};

/// Applies curl's rules: the first entry whose HOST1 (empty: any; an IPv6 literal in
/// brackets) and PORT1 (empty: any) match the URL, and that names a HOST2 or a PORT2,
/// decides; an empty HOST2 or PORT2 keeps the URL's. `url_host` is the URL's host
/// without brackets. Entries that do not match are ignored, whatever they hold.
/// Throws Error(SetoptOptionSyntax) when the deciding entry's PORT2 is not a number
/// from 0 to 65535 (curl: "No valid port number in connect to host string").
[[nodiscard]] ConnectTarget apply_connect_to(std::span<const std::string> entries,
                                             std::string_view url_host, std::uint16_t url_port);

}  // namespace smtpc
