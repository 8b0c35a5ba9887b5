// One byte-stream interface for plain TCP and TLS, with deadlines instead of blocking forever.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace smtpc {

class Tracer;
using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

/// A connected byte stream. TcpTransport is one; a TLS transport wraps one.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Writes every byte before `deadline`. Throws Error(SendError) or Error(OperationTimedout).
  virtual void write_all(std::span<const char> data, Deadline deadline) = 0;
  /// Reads what is available (waiting until `deadline`); returns 0 at end of stream.
  /// Throws Error(RecvError) or Error(OperationTimedout).
  virtual std::size_t read_some(std::span<char> buffer, Deadline deadline) = 0;
  [[nodiscard]] virtual bool is_tls() const noexcept = 0;
  /// Whether the peer has sent bytes not read yet (nothing is consumed). A server that
  /// waits for the client, as after a reply to STARTTLS, has none.
  [[nodiscard]] virtual bool has_pending_input() const noexcept = 0;
  /// The socket descriptor, for a TLS layer put over this transport.
  [[nodiscard]] virtual int native_handle() const noexcept = 0;
  /// The peer's numeric address, e.g. "127.0.0.1" or "::1".
  [[nodiscard]] virtual const std::string& peer_address() const noexcept = 0;
};

/// Waits until the socket `fd` is ready for poll() `events` (POLLIN, POLLOUT); false when
/// `deadline` passed first. Shared by the TCP and TLS transports.
[[nodiscard]] bool wait_until_ready(int fd, short events, Deadline deadline);

/// Whether `host` is a numeric IPv4 or IPv6 address rather than a name.
[[nodiscard]] bool is_ip_literal(const std::string& host) noexcept;

struct ConnectRequest {
  std::string host;
  std::uint16_t port = 25;
  std::optional<std::chrono::milliseconds> connect_timeout;  // per address tried
  Deadline deadline = Deadline::max();                       // --max-time
};

/// Resolves `host` and connects to the first address that answers, tracing each try.
/// Throws Error(CouldntResolveHost), Error(CouldntConnect) or Error(OperationTimedout).
[[nodiscard]] std::unique_ptr<Transport> connect_tcp(const ConnectRequest& request, Tracer& tracer);

}  // namespace smtpc
