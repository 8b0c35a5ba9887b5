// -V/--version, in curl -V's shape: a line of versions, then Protocols and Features.
#include "version.hpp"

#include <fmt/format.h>
#include <idn2.h>
#include <magic.h>

#include "smtpc/core/error.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc::cli {

std::string version_text() {
  std::string tls;
  try {
    tls = tls_library_version();
  } catch (const Error& error) {
    tls = fmt::format("(no TLS: {})", error.what());
  }
  return fmt::format(
      "smtpc {} {} libidn2/{} libmagic/{}.{:02} fmt/{}.{}.{}\n"
      "Protocols: smtp smtps\n"
      "Features: 8BITMIME AUTH-CRAM-MD5 AUTH-LOGIN AUTH-OAUTHBEARER AUTH-PLAIN AUTH-XOAUTH2 "
      "CHUNKING IDN IPv6 MIME MX PIPELINING SMTPUTF8 SSL STARTTLS sendmail",
      SMTPC_VERSION, tls, IDN2_VERSION, MAGIC_VERSION / 100, MAGIC_VERSION % 100,
      FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
}

}  // namespace smtpc::cli
