// The smtpc-openssl module's entry point: the table of the OpenSSL functions.
#include <openssl/crypto.h>

#include "openssl_backend.hpp"
#include "openssl_errors.hpp"

extern "C" __attribute__((visibility("default"))) const smtpc::openssl::Backend*
smtpc_openssl_backend() {
  // Called once, before any other OpenSSL call of the process: OpenSSL is not to free its
  // tables in an atexit handler, which cost a TLS send about 0.25 ms of its ~6.5 ms of CPU
  // (docs/performance.md) to free memory the process's exit returns anyway, nor to load
  // its error texts until an error is described (openssl_errors.hpp).
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT | smtpc::openssl::kCryptoErrorTextsLater, nullptr);
  static const smtpc::openssl::Backend backend{
      SMTPC_TLS_BACKEND_BUILD,
      &smtpc::openssl::start_tls,
      &smtpc::openssl::hmac_md5_hex,
      &smtpc::openssl::version,
      &smtpc::openssl::make_sha256,
      &smtpc::openssl::inspect_private_key,
      &smtpc::openssl::sign_with_private_key,
      &smtpc::openssl::generate_private_key,
  };
  return &backend;
}
