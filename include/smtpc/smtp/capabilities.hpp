// ESMTP service extensions learnt from an EHLO reply (RFC 5321 §4.1.1.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "smtpc/smtp/reply.hpp"

namespace smtpc {

struct Capabilities {
  bool esmtp = false;  // the server answered EHLO (not only HELO)
  bool starttls = false;
  bool pipelining = false;
  bool chunking = false;
  bool binarymime = false;
  bool eightbitmime = false;
  bool smtputf8 = false;
  bool enhanced_status_codes = false;
  bool size = false;
  bool dsn = false;         // RFC 3461
  bool requiretls = false;  // RFC 8689
  /// Every EHLO line after the first, as the server sent it (for --serverinfo).
  std::vector<std::string> keywords;
  /// SIZE's announced limit; 0 or absent means no fixed limit (RFC 1870).
  std::optional<std::uint64_t> size_limit;
  /// AUTH mechanisms, upper-cased, in the server's order.
  std::vector<std::string> auth_mechanisms;

  /// Keywords are compared case-insensitively; unknown ones are ignored.
  [[nodiscard]] static Capabilities from_ehlo(const Reply& reply);
};

}  // namespace smtpc
