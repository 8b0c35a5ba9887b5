// IDN to A-labels with libidn2 (idn2_to_ascii_8z), the library Debian's tools use: opened
// with dlopen only when a domain is not ASCII (SMTPC_DLOPEN_LIBS; linked with
// SMTPC_LINK_OPTIONAL_LIBS).
#include "smtpc/sys/idn.hpp"

#include <fmt/format.h>
#include <idn2.h>

#include <algorithm>
#include <memory>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#if SMTPC_DLOPEN_LIBS
#include "smtpc/sys/shared_library.hpp"
#endif

namespace smtpc {

std::string domain_to_ascii(std::string_view domain) {
  if (is_ascii(domain)) return ascii_lower(domain);
#if SMTPC_DLOPEN_LIBS
  static const SharedLibrary library("libidn2.so.0");
  static auto* const to_ascii = library.symbol<decltype(::idn2_to_ascii_8z)>("idn2_to_ascii_8z");
  static auto* const release = library.symbol<decltype(::idn2_free)>("idn2_free");
  static auto* const describe = library.symbol<decltype(::idn2_strerror)>("idn2_strerror");
#else
  auto* const to_ascii = &::idn2_to_ascii_8z;
  auto* const release = &::idn2_free;
  auto* const describe = &::idn2_strerror;
#endif
#if SMTPC_DLOPEN_LIBS
  if (to_ascii == nullptr || release == nullptr || describe == nullptr) {
    throw Error(
        ExitCode::FailedInit,
        fmt::format("cannot convert the domain \"{}\" to ASCII: libidn2 is not installed", domain));
  }
#endif
  const std::string input(domain);
  char* output = nullptr;
  // Non-transitional UTS #46 processing with NFC, as browsers and MTAs do (IDNA2008):
  // it also maps upper case to lower case.
  const int rc = to_ascii(input.c_str(), &output, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  const std::unique_ptr<char, decltype(release)> owned(output, release);
  if (rc != IDN2_OK || output == nullptr) {
    throw Error(ExitCode::FailedInit,
                fmt::format("cannot convert the domain \"{}\" to ASCII: {}", domain, describe(rc)));
  }
  return ascii_lower(output);
}

}  // namespace smtpc
