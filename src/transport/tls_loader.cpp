// TLS and CRAM-MD5 through the smtpc-openssl module, loaded on first use. Mapping libssl
// and libcrypto costs a plain send about a millisecond (docs/performance.md); a send that
// uses neither TLS nor CRAM-MD5 never loads them. The module is found relative to the
// program: SMTPC_TLS_MODULE_RELPATH from the installed program (bin/ -> lib/<arch>/smtpc/),
// or beside it in a build tree.
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <string>

#include "openssl_backend.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/transport/crypto.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc {
namespace {

std::string program_directory() {
  std::array<char, 4096> path{};
  const ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (length <= 0) return {};
  std::string text(path.data(), static_cast<std::size_t>(length));
  const auto slash = text.rfind('/');
  return slash == std::string::npos ? std::string{} : text.substr(0, slash + 1);
}

const openssl::Backend& load_backend() {
  static const openssl::Backend* const backend = [] {
    const std::string directory = program_directory();
    std::string tried;
    std::string reason;
    for (const std::string& candidate :
         {directory + SMTPC_TLS_MODULE_RELPATH "/" SMTPC_TLS_MODULE_NAME,
          directory + SMTPC_TLS_MODULE_NAME}) {
      void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        if (::access(candidate.c_str(), F_OK) == 0) reason = ::dlerror();
        tried += (tried.empty() ? "" : ", ") + candidate;
        continue;
      }
      using Entry = decltype(&::smtpc_openssl_backend);
      // dlsym's void* to a function pointer is how POSIX defines its use.
      auto* entry = reinterpret_cast<Entry>(::dlsym(handle, "smtpc_openssl_backend"));  // NOLINT
      const openssl::Backend* found = entry == nullptr ? nullptr : entry();
      if (found == nullptr || std::string_view(found->build) != SMTPC_TLS_BACKEND_BUILD) {
        throw Error(ExitCode::SslConnectError,
                    fmt::format("TLS support: {} belongs to another build of smtpc", candidate));
      }
      return found;
    }
    throw Error(ExitCode::SslConnectError,
                reason.empty() ? fmt::format("TLS support is not installed: no {}", tried)
                               : fmt::format("TLS support cannot be loaded: {}", reason));
  }();
  return *backend;
}

}  // namespace

std::unique_ptr<Transport> start_tls(std::unique_ptr<Transport> inner, const TlsOptions& options,
                                     const std::string& server_name, Deadline deadline,
                                     Tracer& tracer, TlsDetails* details) {
  return load_backend().start_tls(std::move(inner), options, server_name, deadline, tracer,
                                  details);
}

std::string hmac_md5_hex(std::string_view key, std::string_view message) {
  return load_backend().hmac_md5_hex(key, message);
}

std::string tls_library_version() { return load_backend().version(); }

std::unique_ptr<Sha256> make_sha256() { return load_backend().make_sha256(); }

PrivateKeyInfo inspect_private_key(std::string_view pem) {
  return load_backend().inspect_private_key(pem);
}

std::string sign_with_private_key(std::string_view pem, std::string_view data) {
  return load_backend().sign_with_private_key(pem, data);
}

std::string generate_private_key(KeyAlgorithm algorithm, int bits) {
  return load_backend().generate_private_key(algorithm, bits);
}

}  // namespace smtpc
