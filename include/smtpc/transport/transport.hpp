// One byte-stream interface for plain TCP and TLS, with deadlines instead of blocking forever.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/core/proxy.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/transport/tls_options.hpp"

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
  /// Writes the bytes of every slice, in order, before `deadline` (a body from the
  /// DotStuffer's WireSlices). This default gathers them into writes of up to 16 KiB, one
  /// TLS record each; TcpTransport hands them to writev as they are. Throws as write_all.
  virtual void write_slices(std::span<const std::string_view> slices, Deadline deadline);
  /// Whether send_file works here: a plain socket, or TLS whose records the kernel makes
  /// (kernel TLS); not TLS made in this process.
  [[nodiscard]] virtual bool can_send_file() const noexcept { return false; }
  /// Writes `count` bytes of the regular file `fd` from `offset` (sendfile: not read into
  /// this process) before `deadline`. Throws as write_all, and Error(ReadError) if the file
  /// ends first. Only where can_send_file().
  virtual void send_file(int fd, std::uint64_t offset, std::size_t count, Deadline deadline);
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

/// -4/-6: the address family a name may resolve to.
enum class IpFamily { Any, V4, V6 };

/// --local-port NUM[-NUM]: the local ports to try, in order (curl's CURLOPT_LOCALPORT and
/// CURLOPT_LOCALPORTRANGE).
struct LocalPortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  friend bool operator==(const LocalPortRange&, const LocalPortRange&) = default;
};

/// What connect_tcp learned, as far as it got: for -w's time_namelookup, time_connect,
/// remote_ip, remote_port, local_ip and local_port.
struct ConnectInfo {
  std::optional<Clock::time_point> resolved;   // the name had its addresses
  std::optional<Clock::time_point> connected;  // the TCP connection was established
  std::string remote_ip;
  std::uint16_t remote_port = 0;
  std::string local_ip;
  std::uint16_t local_port = 0;
};

/// The options curl sets on every socket it connects (lib/cf-socket.c): TCP_NODELAY
/// (--tcp-nodelay, on since curl 7.50.2) and TCP keepalive probes (--keepalive,
/// --keepalive-time: SO_KEEPALIVE with TCP_KEEPIDLE and TCP_KEEPINTVL, 60 s by default).
struct SocketOptions {
  bool tcp_nodelay = true;
  std::optional<int> keepalive_seconds{60};  // nullopt: --no-keepalive
  friend bool operator==(const SocketOptions&, const SocketOptions&) = default;
};

/// Sets `options` on the socket `fd`, as curl does: a setsockopt that fails is traced
/// ("Failed to set TCP_KEEPIDLE on fd N") and otherwise ignored.
void apply_socket_options(int fd, const SocketOptions& options, Tracer& tracer);

/// Whether the numeric address `address` ("127.0.0.1", "::1") is a loopback address:
/// 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104.
[[nodiscard]] bool is_loopback_address(const std::string& address) noexcept;

/// The send buffer connect_tcp gives a socket to a loopback peer (the kernel doubles it).
inline constexpr int kLoopbackSendBuffer = 256 * 1024;

/// How the connection reaches the host beyond TCP to it: proxies (-x, --preproxy, the
/// environment), a Unix socket instead of TCP, and what is set or sent on the way.
struct ConnectRoute {
  std::optional<ProxySpec> proxy;     // -x, --socks5..., all_proxy...
  std::optional<ProxySpec> preproxy;  // --preproxy: a SOCKS proxy in front of `proxy`
  /// --noproxy / NO_PROXY: hosts reached without the proxies (no_proxy_matches).
  std::string no_proxy;
  std::string user_agent;                  // the CONNECT request's User-Agent (-A, or smtpc's own)
  std::vector<std::string> proxy_headers;  // --proxy-header: more CONNECT request lines
  /// TLS to an https:// proxy: --proxy-cacert, --proxy-insecure, --proxy-cert... (the mail
  /// server's own TLS, inside the tunnel, keeps its own options and name).
  TlsOptions proxy_tls;
  /// --unix-socket / --abstract-unix-socket: the socket path instead of TCP (proxies are
  /// not used then, as in curl).
  std::optional<std::string> unix_socket;
  bool abstract_unix_socket = false;
  bool haproxy_protocol = false;  // --haproxy-protocol: PROXY v1 header before the greeting
  bool tcp_fastopen = false;      // --tcp-fastopen
  /// --happy-eyeballs-timeout-ms: how long the first address family has before the other
  /// family's attempt starts alongside it (RFC 8305; curl's default 200 ms).
  std::chrono::milliseconds happy_eyeballs_timeout{200};
  std::vector<std::string> trace_notes;  // -v lines on where the settings came from
  friend bool operator==(const ConnectRoute&, const ConnectRoute&) = default;
};

struct ConnectRequest {
  std::string host;  // the name to resolve, and to name in messages
  std::uint16_t port = 25;
  /// --resolve's addresses for host:port: used instead of asking the resolver.
  std::vector<std::string> addresses;
  IpFamily family = IpFamily::Any;  // -4, -6
  /// --interface NAME, ADDRESS, if!NAME or host!NAME: what the socket is bound to.
  std::optional<std::string> interface;
  std::optional<LocalPortRange> local_port;                  // --local-port
  std::optional<std::chrono::milliseconds> connect_timeout;  // per address tried
  Deadline deadline = Deadline::max();                       // --max-time
  ConnectInfo* info = nullptr;  // when set, filled as far as the connect gets
  SocketOptions socket;         // --tcp-nodelay, --keepalive, --keepalive-time
  ConnectRoute route;           // proxies, Unix socket, PROXY header, fast open
};

/// Resolves `host` (or takes `addresses`; "localhost" and "*.localhost" are 127.0.0.1
/// and ::1 without the resolver, as in curl) to addresses of `family`, and connects to
/// the first that answers, from the `interface` and `local_port` asked for, tracing each
/// try. Throws Error(CouldntResolveHost), Error(CouldntConnect), Error(OperationTimedout),
/// or Error(InterfaceFailed) when the interface, its address or every local port is unusable.
[[nodiscard]] std::unique_ptr<Transport> connect_tcp(const ConnectRequest& request, Tracer& tracer);

/// The numeric addresses connect_tcp would try for `request` (--resolve, curl's localhost,
/// -4/-6, the resolver), in order. Throws Error(CouldntResolveHost).
[[nodiscard]] std::vector<std::string> resolve_addresses(const ConnectRequest& request);

/// A Transport over the connected, non-blocking socket `fd`.
[[nodiscard]] std::unique_ptr<Transport> socket_transport(Fd fd, std::string peer);

/// The connection a job talks over, as `request.route` says: a Unix socket, or TCP to the
/// host directly or through its proxies (each handshake traced as curl traces it), then
/// the PROXY header when asked for. Throws as connect_tcp, and Error(CouldntResolveProxy),
/// Error(ProxyHandshake) (a SOCKS proxy refused), Error(RecvError) (an HTTP proxy refused
/// the tunnel).
[[nodiscard]] std::unique_ptr<Transport> open_connection(const ConnectRequest& request,
                                                         Tracer& tracer);

}  // namespace smtpc
