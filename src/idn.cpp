// IDN to A-labels with libidn2 (idn2_to_ascii_8z), the library Debian's tools use.
#include "smtpc/idn.hpp"

#include <fmt/format.h>
#include <idn2.h>

#include <algorithm>
#include <memory>

#include "smtpc/error.hpp"
#include "smtpc/mx.hpp"

namespace smtpc {

std::string domain_to_ascii(std::string_view domain) {
  const bool ascii = std::all_of(domain.begin(), domain.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return ascii_lower(domain);
  const std::string input(domain);
  char* output = nullptr;
  // Non-transitional UTS #46 processing with NFC, as browsers and MTAs do (IDNA2008):
  // it also maps upper case to lower case.
  const int rc = ::idn2_to_ascii_8z(input.c_str(), &output, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  const std::unique_ptr<char, decltype(&::idn2_free)> owned(output, ::idn2_free);
  if (rc != IDN2_OK || output == nullptr) {
    throw Error(ExitCode::FailedInit, fmt::format("cannot convert the domain \"{}\" to ASCII: {}",
                                                  domain, ::idn2_strerror(rc)));
  }
  return ascii_lower(output);
}

}  // namespace smtpc
