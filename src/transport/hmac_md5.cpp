// HMAC-MD5 for CRAM-MD5 (RFC 2195 §2, RFC 2104): OpenSSL's, through the TLS provider
// (the module loaded on first use, or OpenSSL linked in), as the pure SASL core wants it.
#include "smtpc/transport/hmac_md5.hpp"

#include <string>

#include "smtpc/core/error.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Md5Digest openssl_hmac_md5(std::string_view key, std::string_view message) {
  const std::string hex = hmac_md5_hex(key, message);
  Md5Digest digest{};
  if (hex.size() != digest.size() * 2) {
    throw Error(ExitCode::FailedInit, "CRAM-MD5: OpenSSL cannot compute HMAC-MD5");
  }
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      throw Error(ExitCode::FailedInit, "CRAM-MD5: OpenSSL cannot compute HMAC-MD5");
    }
    digest[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return digest;
}

}  // namespace smtpc
