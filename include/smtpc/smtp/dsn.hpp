// Delivery status notification requests (RFC 3461): what the user asked for, checked once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtpc {

/// --dsn-notify, --dsn-return, --dsn-envid and --dsn-required, validated and normalised.
/// Sent only when the server offers DSN (RFC 3461 §4: the parameters are an extension).
struct DsnRequest {
  std::optional<std::string> notify;  // "NEVER", or SUCCESS/FAILURE/DELAY joined by ","
  std::optional<std::string> ret;     // "FULL" or "HDRS"
  std::optional<std::string> envid;   // as given; xtext-encoded on the wire
  bool required = false;              // fail (55) instead of warning when DSN is not offered

  /// Any DSN parameter was asked for: then every RCPT also carries ORCPT.
  [[nodiscard]] bool requested() const noexcept { return notify || ret || envid; }
};

/// Builds a DsnRequest from the option texts. NOTIFY is "never" or a comma-separated
/// subset of success, failure, delay (any case); RET is full or hdrs; ENVID is 1 to 100
/// printable ASCII characters (RFC 3461 §4.4). Throws Error(FailedInit) naming the option.
[[nodiscard]] DsnRequest make_dsn_request(const std::optional<std::string>& notify,
                                          const std::optional<std::string>& ret,
                                          const std::optional<std::string>& envid, bool required);

}  // namespace smtpc
