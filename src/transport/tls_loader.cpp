// TLS and CRAM-MD5 through the smtpc-openssl module, loaded on first use. Mapping libssl
// and libcrypto costs a plain send about a millisecond (docs/performance.md); a send that
// uses neither TLS nor CRAM-MD5 never loads them.
//
// Loading a module runs its code, so it comes from one fixed, absolute place: the installed
// program's SMTPC_TLS_MODULE_INSTALLED (<libdir>/smtpc/, configured at build time), or, for
// the program in its build tree, the module built beside it. Never a path derived from
// where the program was started, which another user may control (a world-writable parent
// of a copied binary, or the working directory when /proc is missing); and only a file
// that root or the user running smtpc owns, in such a directory, writable by no one else.
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <string>

#include "openssl_backend.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/sys/trusted_file.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc {
namespace {

// The build-tree program is the file the build wrote: the kernel's name for the running
// program says so. A copy elsewhere, or no /proc, counts as installed.
bool running_from_build_tree() {
  std::array<char, 4096> path{};
  const ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  return length > 0 && std::string_view(path.data(), static_cast<std::size_t>(length)) ==
                           SMTPC_BUILD_TREE_PROGRAM;
}

const openssl::Backend& load_backend() {
  static const openssl::Backend* const backend = [] {
    const std::string module =
        running_from_build_tree() ? SMTPC_TLS_MODULE_IN_BUILD_TREE : SMTPC_TLS_MODULE_INSTALLED;
    const TrustedFileCheck check = check_trusted_file(module);
    if (check.verdict == FileTrust::Missing) {
      throw Error(ExitCode::SslConnectError,
                  fmt::format("TLS support is not installed: no {}", module));
    }
    if (check.verdict == FileTrust::Untrusted) {
      throw Error(ExitCode::SslConnectError,
                  fmt::format("TLS support: refusing to load {}: {}", module, check.problem));
    }
    void* handle = ::dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      throw Error(ExitCode::SslConnectError,
                  fmt::format("TLS support cannot be loaded: {}", ::dlerror()));
    }
    using Entry = decltype(&::smtpc_openssl_backend);
    // dlsym's void* to a function pointer is how POSIX defines its use.
    auto* entry = reinterpret_cast<Entry>(::dlsym(handle, "smtpc_openssl_backend"));  // NOLINT
    const openssl::Backend* found = entry == nullptr ? nullptr : entry();
    if (found == nullptr || std::string_view(found->build) != SMTPC_TLS_BACKEND_BUILD) {
      throw Error(ExitCode::SslConnectError,
                  fmt::format("TLS support: {} belongs to another build of smtpc", module));
    }
    return found;
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

}  // namespace smtpc
