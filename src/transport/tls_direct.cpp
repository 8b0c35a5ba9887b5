// TLS and CRAM-MD5 with OpenSSL linked into the program: the static build and the tests.
#include "openssl_backend.hpp"
#include "smtpc/transport/crypto.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc {

std::unique_ptr<Transport> start_tls(std::unique_ptr<Transport> inner, const TlsOptions& options,
                                     const std::string& server_name, Deadline deadline,
                                     Tracer& tracer, TlsDetails* details) {
  return openssl::start_tls(std::move(inner), options, server_name, deadline, tracer, details);
}

std::string hmac_md5_hex(std::string_view key, std::string_view message) {
  return openssl::hmac_md5_hex(key, message);
}

std::string tls_library_version() { return openssl::version(); }

std::unique_ptr<Sha256> make_sha256() { return openssl::make_sha256(); }

PrivateKeyInfo inspect_private_key(std::string_view pem) {
  return openssl::inspect_private_key(pem);
}

std::string sign_with_private_key(std::string_view pem, std::string_view data) {
  return openssl::sign_with_private_key(pem, data);
}

std::string generate_private_key(KeyAlgorithm algorithm, int bits) {
  return openssl::generate_private_key(algorithm, bits);
}

}  // namespace smtpc
