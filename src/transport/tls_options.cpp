// TLS settings that need no TLS library: the --tls-max version names.
#include "smtpc/transport/tls_options.hpp"

#include <fmt/format.h>

#include "smtpc/core/error.hpp"

namespace smtpc {

TlsVersion parse_tls_version(std::string_view text) {
  if (text == "1.2") return TlsVersion::Tls12;
  if (text == "1.3") return TlsVersion::Tls13;
  throw Error(ExitCode::FailedInit,
              fmt::format("unsupported TLS version \"{}\" (use 1.2 or 1.3)", text));
}

}  // namespace smtpc
