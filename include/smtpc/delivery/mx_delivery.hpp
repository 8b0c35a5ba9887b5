// Direct delivery (--mx): one SMTP transaction per recipient domain, to the servers its MX
// records name, as an MTA does. RFC 5321 §5.1 (MX, implicit MX, fallback), RFC 7505 (null
// MX), RFC 3207 and RFC 7435 (opportunistic STARTTLS).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/mx/mx.hpp"

namespace smtpc {

struct MxOptions {
  std::vector<DnsServerAddress> dns_servers;  // --dns-servers; empty: the system resolver
  std::uint16_t port = 25;                    // --mx-port
  /// Shuffles MX hosts of equal preference; empty: seeded from std::random_device.
  RandomIndex random;
};

/// What happened to one domain's recipients.
struct DomainOutcome {
  std::string domain;                   // ASCII, as looked up
  std::vector<std::string> recipients;  // this domain's forward-paths
  std::optional<std::string> mx_host;   // the server that took (or last refused) the mail
  std::optional<std::string> address;   // its numeric address
  std::string security;                 // "plain text", "TLS", "TLS, certificate not verified"
  std::optional<SendResult> result;     // set when the domain accepted the message
  std::optional<Error> error;           // set when it did not

  [[nodiscard]] bool delivered() const noexcept { return result.has_value(); }
};

struct MxReport {
  std::vector<DomainOutcome> domains;

  /// The first failed domain's error, or null when every domain accepted the message.
  [[nodiscard]] const DomainOutcome* first_failure() const noexcept;
  /// One line per domain: "example.com: delivered via mx.example.com [192.0.2.1] (TLS):
  /// 250 queued" or "example.org: failed (6): Could not resolve ...".
  [[nodiscard]] std::vector<std::string> summary() const;
};

/// Delivers `spec`'s upload to each recipient domain through its MX hosts. `spec` gives the
/// envelope, the upload, timeouts (-m bounds the whole delivery) and TLS settings; its URL
/// host must be empty. --ssl-reqd (TlsPolicy::Required) requires STARTTLS with a verified
/// certificate; otherwise STARTTLS is opportunistic (see docs/mx.md).
/// Errors of one domain are recorded in its outcome, with the codes: 6 (NXDOMAIN, no
/// address, DNS server down), 55 (null MX, or the server refused), 7, 8, 28, 35, 56, 60, 64.
/// Throws Error(FailedInit) for recipients without a domain or with an invalid IDN, and
/// Error(ReadError) when standard input cannot be spooled.
[[nodiscard]] MxReport run_mx_delivery(const JobSpec& spec, const MxOptions& options,
                                       Tracer& tracer, Notices& notices);

}  // namespace smtpc
