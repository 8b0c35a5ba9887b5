// Internationalised domain names: U-labels to the A-labels DNS knows (RFC 5890, UTS #46),
// with GNU libidn2.
#pragma once

#include <string>
#include <string_view>

namespace smtpc {

/// "Bücher.example" -> "xn--bcher-kva.example"; ASCII names are only lower-cased.
/// Throws Error(FailedInit) naming the domain and libidn2's reason when it is not a valid
/// domain name (e.g. disallowed characters).
[[nodiscard]] std::string domain_to_ascii(std::string_view domain);

}  // namespace smtpc
