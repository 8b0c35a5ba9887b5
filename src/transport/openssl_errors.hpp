// OpenSSL's error texts ("SSL routines::wrong version number"): left out when OpenSSL
// starts, loaded when the first error is described. Loading them costs every TLS send
// about 0.07 ms of CPU and 0.4 MiB of memory (docs/performance.md, "TLS start-up"), and
// most sends never describe an error.
#pragma once

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <string>

namespace smtpc::openssl {

// OpenSSL decides once per process whether its start-up loads the texts: a later
// OPENSSL_init_ssl(OPENSSL_INIT_LOAD_*_STRINGS) does nothing after these. openssl_error()
// loads them itself, with OpenSSL's per-library loaders (deprecated in 3.0, absent where
// OpenSSL is built without its 3.0 API): without those, start-up loads them as before.
#ifndef OPENSSL_NO_DEPRECATED_3_0
/// For the process's first OPENSSL_init_crypto (the module's entry point).
inline constexpr std::uint64_t kCryptoErrorTextsLater = OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS;
/// For OPENSSL_init_ssl before the first SSL_CTX_new.
inline constexpr std::uint64_t kSslErrorTextsLater = OPENSSL_INIT_NO_LOAD_SSL_STRINGS;
#else
inline constexpr std::uint64_t kCryptoErrorTextsLater = 0;
inline constexpr std::uint64_t kSslErrorTextsLater = 0;
#endif

/// The most recent OpenSSL error as text, "error:0A00010B:SSL routines::wrong version
/// number" (OpenSSL's texts loaded first), or "unknown error"; clears the queue.
[[nodiscard]] std::string openssl_error();

}  // namespace smtpc::openssl
