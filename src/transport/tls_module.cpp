// The smtpc-openssl module's entry point: the table of the OpenSSL functions.
#include "openssl_backend.hpp"

extern "C" __attribute__((visibility("default"))) const smtpc::openssl::Backend*
smtpc_openssl_backend() {
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
