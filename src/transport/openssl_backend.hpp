// The OpenSSL side of TLS, CRAM-MD5 and DKIM, and the table through which the smtpc-openssl
// module hands it to the program (tls_loader.cpp) without the program linking OpenSSL.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "smtpc/transport/crypto.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc::openssl {

/// As smtpc::start_tls (smtpc/transport/tls.hpp).
[[nodiscard]] std::unique_ptr<Transport> start_tls(std::unique_ptr<Transport> inner,
                                                   const TlsOptions& options,
                                                   const std::string& server_name,
                                                   Deadline deadline, Tracer& tracer,
                                                   TlsDetails* details);
/// As smtpc::hmac_md5_hex.
[[nodiscard]] std::string hmac_md5_hex(std::string_view key, std::string_view message);
/// As the functions of smtpc/transport/crypto.hpp (DKIM).
[[nodiscard]] std::unique_ptr<Sha256> make_sha256();
[[nodiscard]] PrivateKeyInfo inspect_private_key(std::string_view pem);
[[nodiscard]] std::string sign_with_private_key(std::string_view pem, std::string_view data);
[[nodiscard]] std::string generate_private_key(KeyAlgorithm algorithm, int bits);
/// "OpenSSL/3.0.19".
[[nodiscard]] std::string version();

/// What the module's one exported function returns. `build` must equal the program's
/// SMTPC_TLS_BACKEND_BUILD: the table passes C++ types, so program and module must come
/// from the same build.
struct Backend {
  const char* build;
  std::unique_ptr<Transport> (*start_tls)(std::unique_ptr<Transport>, const TlsOptions&,
                                          const std::string&, Deadline, Tracer&, TlsDetails*);
  std::string (*hmac_md5_hex)(std::string_view, std::string_view);
  std::string (*version)();
  std::unique_ptr<Sha256> (*make_sha256)();
  PrivateKeyInfo (*inspect_private_key)(std::string_view);
  std::string (*sign_with_private_key)(std::string_view, std::string_view);
  std::string (*generate_private_key)(KeyAlgorithm, int);
};

}  // namespace smtpc::openssl

/// The module's entry point, looked up with dlsym.
extern "C" const smtpc::openssl::Backend* smtpc_openssl_backend();
