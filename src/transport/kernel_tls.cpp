// Kernel TLS: whether Linux offers it (kernel_tls.hpp).
#include "smtpc/transport/kernel_tls.hpp"

#include "smtpc/sys/file.hpp"

namespace smtpc {

bool lists_tls_ulp(std::string_view available_ulp) noexcept {
  constexpr std::string_view kSeparators = " \t\n";
  while (!available_ulp.empty()) {
    const auto start = available_ulp.find_first_not_of(kSeparators);
    if (start == std::string_view::npos) return false;
    available_ulp.remove_prefix(start);
    const auto end = available_ulp.find_first_of(kSeparators);
    if (available_ulp.substr(0, end) == "tls") return true;
    if (end == std::string_view::npos) return false;
    available_ulp.remove_prefix(end);
  }
  return false;
}

bool kernel_offers_tls() {
  // A few names at most; 4 KiB is a page of /proc.
  const FileContent content = read_file(kAvailableUlpPath, 4096);
  return content.ok() && lists_tls_ulp(content.text);
}

}  // namespace smtpc
