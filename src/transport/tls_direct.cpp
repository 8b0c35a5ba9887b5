// TLS and CRAM-MD5 with OpenSSL linked into the program: the static build and the tests.
#include "openssl_backend.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc {

std::unique_ptr<Transport> start_tls(std::unique_ptr<Transport> inner, const TlsOptions& options,
                                     const std::string& server_name, Deadline deadline,
                                     Tracer& tracer) {
  return openssl::start_tls(std::move(inner), options, server_name, deadline, tracer);
}

std::string hmac_md5_hex(std::string_view key, std::string_view message) {
  return openssl::hmac_md5_hex(key, message);
}

std::string tls_library_version() { return openssl::version(); }

}  // namespace smtpc
