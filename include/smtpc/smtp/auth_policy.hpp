// When smtpc may send credentials: never in clear text beyond this host unless allowed.
// RFC 4954 §4 (no plaintext passwords without TLS) and RFC 8314 (TLS for submission); RFC 1122
// §3.2.1.3 and RFC 4291 §2.5.3/§2.5.5.2 define the loopback addresses.
#pragma once

#include <string_view>

namespace smtpc {

/// Whether `numeric_address` (a peer address as getnameinfo(NI_NUMERICHOST) writes it)
/// is a loopback address: 127.0.0.0/8, ::1, or ::ffff:127.x.y.z (IPv4-mapped). IPv6
/// text may carry brackets or a "%zone" suffix. Host names, "localhost" included, and
/// anything unparsable are not. Never throws.
[[nodiscard]] bool is_loopback_address(std::string_view numeric_address) noexcept;

enum class CredentialDecision {
  Send,             // TLS protects them, the peer is this host, or the user allowed it
  RefusePlaintext,  // they would cross the network in clear text
};

/// Whether credentials may be sent to `peer_address` (numeric): yes over TLS, yes to a
/// loopback peer, yes when `allow_plaintext_auth`; otherwise RefusePlaintext. curl itself
/// sends them either way; this is smtpc's safer default. Never throws.
[[nodiscard]] CredentialDecision decide_credentials(std::string_view peer_address, bool tls_active,
                                                    bool allow_plaintext_auth) noexcept;

}  // namespace smtpc
