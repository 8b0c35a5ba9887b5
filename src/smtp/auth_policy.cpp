// Clear-text credential policy: loopback detection (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3,
// §2.5.5.2) and the decision whether to authenticate without TLS (RFC 4954 §4, RFC 8314).
#include "smtpc/smtp/auth_policy.hpp"

#include <arpa/inet.h>

#include <array>

namespace smtpc {

bool is_loopback_address(std::string_view numeric_address) noexcept {
  std::string_view text = numeric_address;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (const auto zone = text.find('%'); zone != std::string_view::npos) {
    text = text.substr(0, zone);
  }
  // inet_pton wants a NUL-terminated string; a fixed buffer keeps this noexcept.
  std::array<char, 64> address{};
  if (text.empty() || text.size() >= address.size()) return false;
  if (text.find('\0') != std::string_view::npos) return false;
  text.copy(address.data(), text.size());

  // inet_pton accepts only the dotted-quad form for IPv4 ("127.1" is refused).
  std::array<unsigned char, 4> v4{};
  if (inet_pton(AF_INET, address.data(), v4.data()) == 1) return v4[0] == 127;

  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, address.data(), v6.data()) != 1) return false;
  bool first_ten_zero = true;
  for (std::size_t i = 0; i < 10; ++i) first_ten_zero = first_ten_zero && v6[i] == 0;
  if (!first_ten_zero) return false;
  // ::ffff:a.b.c.d is an IPv4 peer seen through an IPv6 socket (RFC 4291 §2.5.5.2).
  if (v6[10] == 0xFF && v6[11] == 0xFF) return v6[12] == 127;
  // ::1 (RFC 4291 §2.5.3).
  return v6[10] == 0 && v6[11] == 0 && v6[12] == 0 && v6[13] == 0 && v6[14] == 0 && v6[15] == 1;
}

CredentialDecision decide_credentials(std::string_view peer_address, bool tls_active,
                                      bool allow_plaintext_auth) noexcept {
  if (tls_active || allow_plaintext_auth || is_loopback_address(peer_address)) {
    return CredentialDecision::Send;
  }
  return CredentialDecision::RefusePlaintext;
}

}  // namespace smtpc
