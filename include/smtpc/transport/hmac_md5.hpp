// HMAC-MD5 (RFC 2104) with OpenSSL, the one piece of cryptography CRAM-MD5 (RFC 2195) needs.
// The SASL mechanisms in the pure core take it as an HmacMd5.
#pragma once

#include <string_view>

#include "smtpc/auth/sasl.hpp"

namespace smtpc {

/// HMAC-MD5 of `message` keyed with `key` (any length, empty included).
/// Throws Error(FailedInit) if OpenSSL cannot compute it (e.g. MD5 disabled in FIPS mode).
[[nodiscard]] Md5Digest openssl_hmac_md5(std::string_view key, std::string_view message);

}  // namespace smtpc
