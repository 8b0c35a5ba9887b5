// Kernel TLS: whether Linux offers its `tls` TCP upper-layer protocol, which lets the kernel
// encrypt the records OpenSSL would (and send a file with sendfile inside TLS).
#pragma once

#include <string_view>

namespace smtpc {

/// Where Linux lists the TCP upper-layer protocols a socket can take now: those built in
/// and those whose module is loaded ("tls" once `modprobe tls` ran).
inline constexpr const char* kAvailableUlpPath = "/proc/sys/net/ipv4/tcp_available_ulp";

/// Whether `available_ulp`, that file's text (names separated by spaces, then a line end),
/// names "tls".
[[nodiscard]] bool lists_tls_ulp(std::string_view available_ulp) noexcept;

/// Whether this kernel offers kernel TLS now (kAvailableUlpPath names "tls"). False when
/// the file cannot be read: a kernel without it (before 4.13) or without /proc.
[[nodiscard]] bool kernel_offers_tls();

}  // namespace smtpc
