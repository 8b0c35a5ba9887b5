// Plain TCP: name resolution (-4/-6, --resolve, curl's own "localhost"), binding the local
// end (--interface, --local-port, as curl's cf-socket.c bindlocal), connect with a timeout,
// and non-blocking reads and writes bounded by deadlines.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/transport/trace.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {
namespace {

using std::chrono::milliseconds;

// Milliseconds until `deadline` for poll(), rounded up so that a timeout means the deadline
// has passed (callers then name the limit that ran out), at most a day, never negative.
int poll_timeout(Deadline deadline) {
  if (deadline == Deadline::max()) return -1;
  const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<long long>(left, 24LL * 3600 * 1000));
}

std::string numeric_address(const sockaddr* address, socklen_t length) {
  char host[NI_MAXHOST] = {};
  if (::getnameinfo(address, length, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) {
    return "?";
  }
  return host;
}

class TcpTransport final : public Transport {
 public:
  TcpTransport(Fd fd, std::string peer) : fd_(std::move(fd)), peer_(std::move(peer)) {}

  void write_all(std::span<const char> data, Deadline deadline) override {
    while (!data.empty()) {
      const ssize_t sent = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        data = data.subspan(static_cast<std::size_t>(sent));
        continue;
      }
      if (sent < 0) {
        await_retry_after_send_error(deadline);
        continue;
      }
      throw Error(ExitCode::SendError,
                  fmt::format("failed sending data to the server: {}", std::strerror(errno)));
    }
  }

  [[nodiscard]] bool can_send_file() const noexcept override { return true; }

  // The kernel copies from the page cache to the socket: no read into this process. A
  // closed peer gives EPIPE (SIGPIPE is ignored, as curl ignores it).
  void send_file(int fd, std::uint64_t offset, std::size_t count, Deadline deadline) override {
    auto position = static_cast<off_t>(offset);
    while (count > 0) {
      const ssize_t sent = ::sendfile(fd_.get(), fd, &position, count);
      if (sent > 0) {
        count -= static_cast<std::size_t>(sent);
        continue;
      }
      if (sent == 0) {
        throw Error(ExitCode::ReadError, "the upload file became shorter while it was sent");
      }
      await_retry_after_send_error(deadline);  // sendfile failed (sent < 0)
    }
  }

  void write_slices(std::span<const std::string_view> slices, Deadline deadline) override {
    // writev straight from the slices (the read buffer and the few inserted bytes), at
    // most IOV_MAX at a time; a partial write resumes inside the slice it stopped in.
    std::vector<iovec> vectors;
    vectors.reserve(std::min<std::size_t>(slices.size(), IOV_MAX));
    std::size_t next = 0;  // the first slice not in `vectors` yet
    std::size_t skip = 0;  // bytes of slices[next] already written
    while (next < slices.size()) {
      vectors.clear();
      for (std::size_t i = next; i < slices.size() && vectors.size() < IOV_MAX; ++i) {
        const std::string_view slice = slices[i].substr(i == next ? skip : 0);
        if (!slice.empty()) {
          vectors.push_back(iovec{const_cast<char*>(slice.data()), slice.size()});  // NOLINT
        }
      }
      if (vectors.empty()) return;
      msghdr message{};
      message.msg_iov = vectors.data();
      message.msg_iovlen = vectors.size();
      const ssize_t sent = ::sendmsg(fd_.get(), &message, MSG_NOSIGNAL);
      if (sent < 0) {
        await_retry_after_send_error(deadline);
        continue;
      }
      // Advance over what went out.
      auto left = static_cast<std::size_t>(sent);
      while (next < slices.size() && left >= slices[next].size() - skip) {
        left -= slices[next].size() - skip;
        ++next;
        skip = 0;
      }
      skip += left;
    }
  }

  std::size_t read_some(std::span<char> buffer, Deadline deadline) override {
    while (true) {
      const ssize_t got = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_until_ready(fd_.get(), POLLIN, deadline)) {
          throw Error(ExitCode::OperationTimedout, "timed out waiting for the server");
        }
        continue;
      }
      throw Error(ExitCode::RecvError,
                  fmt::format("failure receiving data from the server: {}", std::strerror(errno)));
    }
  }

  [[nodiscard]] bool is_tls() const noexcept override { return false; }
  [[nodiscard]] bool has_pending_input() const noexcept override {
    char byte = 0;
    return ::recv(fd_.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }
  [[nodiscard]] int native_handle() const noexcept override { return fd_.get(); }
  [[nodiscard]] const std::string& peer_address() const noexcept override { return peer_; }

 private:
  // After a send, sendmsg or sendfile that failed with errno: returns when it may be tried
  // again (interrupted, or the socket became writable in time); else throws SendError, or
  // OperationTimedout at the deadline.
  void await_retry_after_send_error(Deadline deadline) const {
    if (errno == EINTR) return;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      throw Error(ExitCode::SendError,
                  fmt::format("failed sending data to the server: {}", std::strerror(errno)));
    }
    if (!wait_until_ready(fd_.get(), POLLOUT, deadline)) {
      throw Error(ExitCode::OperationTimedout, "timed out sending to the server");
    }
  }

  Fd fd_;
  std::string peer_;
};

// One address to connect to.
struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // numeric: "127.0.0.1", "::1"

  [[nodiscard]] int family() const noexcept { return address.ss_family; }
  [[nodiscard]] const sockaddr* sockaddr_ptr() const noexcept {
    return reinterpret_cast<const sockaddr*>(&address);
  }
};

int address_family(IpFamily family) {
  switch (family) {
    case IpFamily::V4:
      return AF_INET;
    case IpFamily::V6:
      return AF_INET6;
    case IpFamily::Any:
      break;
  }
  return AF_UNSPEC;
}

// A numeric IPv4 or IPv6 address with `port`, or nullopt.
std::optional<Endpoint> numeric_endpoint(const std::string& text, std::uint16_t port) {
  Endpoint endpoint;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&endpoint.address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&endpoint.address);
  if (::inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    endpoint.length = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    endpoint.length = sizeof(sockaddr_in6);
  } else {
    return std::nullopt;
  }
  endpoint.text = numeric_address(endpoint.sockaddr_ptr(), endpoint.length);
  return endpoint;
}

// curl 7.88 answers "localhost" and "*.localhost" itself (RFC 6761 §6.3): 127.0.0.1, then
// ::1 (tried in that order, as curl does).
bool is_localhost_name(std::string_view host) {
  constexpr std::string_view kSuffix = ".localhost";
  return equals_ignore_case(host, "localhost") ||
         (host.size() > kSuffix.size() &&
          equals_ignore_case(host.substr(host.size() - kSuffix.size()), kSuffix));
}

bool wanted(int family, IpFamily wanted_family) {
  const int af = address_family(wanted_family);
  return af == AF_UNSPEC || af == family;
}

// The addresses of `host` (or `preset`, from --resolve) of the family asked for.
std::vector<Endpoint> resolve(const std::string& host, std::uint16_t port,
                              const std::vector<std::string>& preset, IpFamily family) {
  std::vector<Endpoint> endpoints;
  auto add_numeric = [&](const std::string& text) {
    if (auto endpoint = numeric_endpoint(text, port);
        endpoint && wanted(endpoint->family(), family)) {
      endpoints.push_back(std::move(*endpoint));
    }
  };
  if (!preset.empty() || is_localhost_name(host)) {
    for (const auto& address :
         preset.empty() ? std::vector<std::string>{"127.0.0.1", "::1"} : preset) {
      add_numeric(address);
    }
    if (endpoints.empty()) {
      throw Error(ExitCode::CouldntResolveHost, fmt::format("Could not resolve host: {}", host));
    }
    return endpoints;
  }
  if (auto literal = numeric_endpoint(host, port)) {
    if (!wanted(literal->family(), family)) {
      // curl: the literal is not refused as a name, it just cannot be connected to.
      throw Error(
          ExitCode::CouldntConnect,
          fmt::format("Failed to connect to {} port {}: not an IPv{} address (-{})", host, port,
                      family == IpFamily::V4 ? 4 : 6, family == IpFamily::V4 ? 4 : 6));
    }
    endpoints.push_back(std::move(*literal));
    return endpoints;
  }
  addrinfo hints{};
  hints.ai_family = address_family(family);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    throw Error(ExitCode::CouldntResolveHost,
                fmt::format("Could not resolve host: {} ({})", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  for (const addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Endpoint endpoint;
    std::memcpy(&endpoint.address, ai->ai_addr, ai->ai_addrlen);
    endpoint.length = ai->ai_addrlen;
    endpoint.text = numeric_address(ai->ai_addr, ai->ai_addrlen);
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

// Curl_ipv6_scope: an interface's IPv6 address is used only for a peer of the same scope.
int ipv6_scope(const in6_addr& address) {
  const unsigned char* b = address.s6_addr;
  if ((b[0] & 0xFE) == 0xFC) return 4;                  // unique local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return 1;  // link-local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return 2;  // site-local
  if (IN6_IS_ADDR_LOOPBACK(&address)) return 3;         // node-local
  return 0;                                             // global
}

enum class InterfaceLookup { Found, NoSuchInterface, NoAddressOfFamily };

// Curl_if2ip: the address of the interface `name` for a connection to `remote`.
InterfaceLookup interface_address(const std::string& name, const Endpoint& remote,
                                  Endpoint& local) {
  ifaddrs* head = nullptr;
  if (::getifaddrs(&head) != 0) return InterfaceLookup::NoSuchInterface;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> interfaces(head, ::freeifaddrs);
  InterfaceLookup result = InterfaceLookup::NoSuchInterface;
  for (const ifaddrs* i = head; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || !equals_ignore_case(i->ifa_name, name)) continue;
    if (i->ifa_addr->sa_family != remote.family()) {
      result = InterfaceLookup::NoAddressOfFamily;
      continue;
    }
    const socklen_t length =
        remote.family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (remote.family() == AF_INET6) {
      const auto& mine = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr;
      const auto& theirs = reinterpret_cast<const sockaddr_in6*>(&remote.address)->sin6_addr;
      if (ipv6_scope(mine) != ipv6_scope(theirs)) {
        result = InterfaceLookup::NoAddressOfFamily;
        continue;
      }
    }
    std::memcpy(&local.address, i->ifa_addr, length);
    local.length = length;
    local.text = numeric_address(i->ifa_addr, length);
    return InterfaceLookup::Found;
  }
  return result;
}

std::string bind_failure(int error) {
  return fmt::format("bind failed with errno {}: {}", error, std::strerror(error));
}

// Binds `fd` to `local` at the first free port from `first_port` to `last_port` (0: the
// kernel's choice at connect()). Throws Error(InterfaceFailed) when none is free.
void bind_port_in_range(int fd, Endpoint local, std::uint16_t first_port, std::uint16_t last_port,
                        Tracer& tracer) {
#ifdef IP_BIND_ADDRESS_NO_PORT
  // With port 0 the kernel picks the port at connect(), so that the 4-tuple decides.
  const int one = 1;
  ::setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
  auto set_port = [&local](std::uint16_t port) {
    if (local.family() == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(&local.address)->sin6_port = htons(port);
    } else {
      reinterpret_cast<sockaddr_in*>(&local.address)->sin_port = htons(port);
    }
  };
  for (unsigned port = first_port;; ++port) {
    set_port(static_cast<std::uint16_t>(port));
    if (::bind(fd, local.sockaddr_ptr(), local.length) == 0) {
      tracer.info(fmt::format("Local port: {}", port));
      return;
    }
    const int error = errno;
    if (port >= last_port) throw Error(ExitCode::InterfaceFailed, bind_failure(error));
    tracer.info(fmt::format("Bind to local port {} failed, trying next", port));
  }
}

// curl's bindlocal(): binds `fd`, about to connect to `remote`, to what --interface and
// --local-port ask for. Returns false (with `why`) when the interface or host has no
// address of the remote's family: the next address is tried. Throws
// Error(InterfaceFailed) when the interface or host is unknown or nothing can be bound.
bool bind_local(int fd, const Endpoint& remote, const ConnectRequest& request, Tracer& tracer,
                std::string& why) {
  const std::uint16_t first_port = request.local_port ? request.local_port->first : 0;
  const std::uint16_t last_port = request.local_port ? request.local_port->last : 0;
  const bool with_interface = request.interface && !request.interface->empty();
  if (!with_interface && first_port == 0) return true;

  Endpoint local;  // the wildcard address unless the interface names one
  local.address.ss_family = static_cast<sa_family_t>(remote.family());
  local.length = remote.family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (with_interface) {
    std::string name = *request.interface;
    const bool interface_only = name.starts_with("if!");
    const bool host_only = name.starts_with("host!");
    if (interface_only) name.erase(0, 3);
    if (host_only) name.erase(0, 5);
    bool found = false;
    if (!host_only) {
      // A device binding (Linux, needs CAP_NET_RAW; a VRF has no address) is what curl
      // tries first; without the privilege, the interface's address is bound instead.
      if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                       static_cast<socklen_t>(name.size() + 1)) == 0) {
        tracer.info(fmt::format("Bound to device {}", name));
        if (first_port == 0) return true;
        found = true;
      } else {
        switch (interface_address(name, remote, local)) {
          case InterfaceLookup::Found:
            tracer.info(fmt::format("Local Interface {} is ip {}", name, local.text));
            found = true;
            break;
          case InterfaceLookup::NoAddressOfFamily:
            why = fmt::format("interface {} has no IPv{} address for it", name,
                              remote.family() == AF_INET6 ? 6 : 4);
            return false;
          case InterfaceLookup::NoSuchInterface:
            if (interface_only) {
              throw Error(ExitCode::InterfaceFailed,
                          fmt::format("Couldn't bind to interface '{}'", name));
            }
            break;
        }
      }
    }
    if (!found) {
      // A host name or address: resolved in the remote's family only.
      std::vector<Endpoint> addresses;
      try {
        addresses = resolve(name, 0, {}, remote.family() == AF_INET6 ? IpFamily::V6 : IpFamily::V4);
      } catch (const Error&) {
        if (!is_ip_literal(name)) {
          throw Error(ExitCode::InterfaceFailed, fmt::format("Couldn't bind to '{}'", name));
        }
        why = fmt::format("--interface {} is not an IPv{} address", name,
                          remote.family() == AF_INET6 ? 6 : 4);
        return false;
      }
      local = addresses.front();
      tracer.info(fmt::format("Name '{}' resolved to '{}'", name, local.text));
    }
  }
  bind_port_in_range(fd, local, first_port, last_port, tracer);
  return true;
}

}  // namespace

void apply_socket_options(int fd, const SocketOptions& options, Tracer& tracer) {
  const auto set = [fd, &tracer](int level, int name, int value, std::string_view shown) {
    if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
      tracer.info(fmt::format("Failed to set {} on fd {}: {}", shown, fd, std::strerror(errno)));
    }
  };
  // Commands go out in whole groups: Nagle's delay would only hold back the last one.
  if (options.tcp_nodelay) set(IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  if (options.keepalive_seconds) {
    set(SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
    set(IPPROTO_TCP, TCP_KEEPIDLE, *options.keepalive_seconds, "TCP_KEEPIDLE");
    set(IPPROTO_TCP, TCP_KEEPINTVL, *options.keepalive_seconds, "TCP_KEEPINTVL");
  }
}

bool is_loopback_address(const std::string& address) noexcept {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
}

namespace {

// A server (or proxy) on this host: the bytes written are read by the peer within
// microseconds, so a send buffer that stays in the CPU cache between the two copies is
// enough. Left to autotuning it grows to megabytes (tcp_wmem), and each side then copies
// from memory instead of the cache: for 100 MiB sent to bench's sink, 256 KiB cut the
// client's CPU by a fifth and the sink's by half (docs/performance.md). Other peers keep
// autotuning: a fixed buffer would cap a long link's throughput at buffer / round trip.
void size_send_buffer(int fd, const std::string& peer) {
  if (!is_loopback_address(peer)) return;
  const int size = kLoopbackSendBuffer;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);  // an advice: failure is harmless
}

// One connection attempt to one address, in flight (RFC 8305 §5: several may be at once).
struct Attempt {
  Fd fd;
  const Endpoint* endpoint = nullptr;
  Deadline deadline;  // --connect-timeout for this address, or --max-time
};

// Starts connecting to `endpoint`: returns the attempt, its socket not valid with `why` set
// when it failed at once (an empty `why` when the interface has no address of its family).
Attempt start_attempt(const Endpoint& endpoint, const ConnectRequest& request, Tracer& tracer,
                      std::string& why) {
  Attempt attempt;
  attempt.endpoint = &endpoint;
  attempt.deadline = request.deadline;
  if (request.connect_timeout) {
    attempt.deadline = std::min(attempt.deadline, Clock::now() + *request.connect_timeout);
  }
  Fd socket(::socket(endpoint.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket.valid()) {
    why = std::strerror(errno);
    return attempt;
  }
  const int fd = socket.get();
  apply_socket_options(fd, request.socket, tracer);
  if (request.route.tcp_fastopen) {
    // curl on Linux: connect() returns at once and the SYN leaves with the first write
    // when the kernel holds a cookie for the server; otherwise it is an ordinary connect.
    const int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof one) != 0) {
      tracer.info(
          fmt::format("Failed to set TCP_FASTOPEN_CONNECT on fd {}: {}", fd, std::strerror(errno)));
    }
  }
  if (!bind_local(fd, endpoint, request, tracer, why)) return attempt;
  if (::connect(fd, endpoint.sockaddr_ptr(), endpoint.length) != 0 && errno != EINPROGRESS) {
    why = std::strerror(errno);
    return attempt;
  }
  attempt.fd = std::move(socket);
  return attempt;
}

// The pending error of a socket poll() found ready: 0 when it connected.
int connect_result(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

// RFC 8305 §4: the addresses alternate between the families, the first address's family
// first; each family's addresses keep the resolver's order.
std::vector<const Endpoint*> interleaved(const std::vector<Endpoint>& endpoints) {
  std::vector<const Endpoint*> first;
  std::vector<const Endpoint*> other;
  for (const auto& endpoint : endpoints) {
    (endpoint.family() == endpoints.front().family() ? first : other).push_back(&endpoint);
  }
  std::vector<const Endpoint*> order;
  for (std::size_t i = 0; i < std::max(first.size(), other.size()); ++i) {
    if (i < first.size()) order.push_back(first[i]);
    if (i < other.size()) order.push_back(other[i]);
  }
  return order;
}

// The local end of a connected socket: address and port.
void record_local_end(int fd, ConnectInfo& info) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return;
  info.local_ip = numeric_address(reinterpret_cast<const sockaddr*>(&local), length);
  info.local_port =
      ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port
                                        : reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
}

}  // namespace

std::vector<std::string> resolve_addresses(const ConnectRequest& request) {
  std::vector<std::string> addresses;
  for (const auto& endpoint :
       resolve(request.host, request.port, request.addresses, request.family)) {
    addresses.push_back(endpoint.text);
  }
  return addresses;
}

std::unique_ptr<Transport> socket_transport(Fd fd, std::string peer) {
  return std::make_unique<TcpTransport>(std::move(fd), std::move(peer));
}

bool is_ip_literal(const std::string& host) noexcept {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool wait_until_ready(int fd, short events, Deadline deadline) {
  while (true) {
    pollfd pfd{fd, events, 0};
    const int rc = ::poll(&pfd, 1, poll_timeout(deadline));
    if (rc > 0) return true;
    if (rc == 0 && Clock::now() >= deadline) return false;
    if (rc < 0 && errno != EINTR) return false;
  }
}

namespace {

// Happy Eyeballs (RFC 8305 §5), as curl 7.88 does it: one attempt at a time while it is
// young; when it has not connected after --happy-eyeballs-timeout-ms (200 ms), or failed,
// the next address is tried alongside it. The first to connect wins; the others close.
class ConnectRace {
 public:
  ConnectRace(const ConnectRequest& request, Tracer& tracer, std::vector<const Endpoint*> order)
      : request_(request), tracer_(tracer), order_(std::move(order)) {}
  ConnectRace(const ConnectRace&) = delete;
  ConnectRace& operator=(const ConnectRace&) = delete;
  ~ConnectRace() = default;  // the attempts still running close with it

  // The connected socket and its address, or no socket when every address failed.
  std::pair<Fd, const Endpoint*> run() {
    start_next();
    while (!running_.empty() || next_ < order_.size()) {
      if (running_.empty()) {
        start_next();
        continue;
      }
      const Deadline next_start = next_ < order_.size()
                                      ? last_start_ + request_.route.happy_eyeballs_timeout
                                      : Deadline::max();
      Deadline wake = next_start;
      for (const auto& attempt : running_) wake = std::min(wake, attempt.deadline);
      std::vector<pollfd> fds;
      for (const auto& attempt : running_) fds.push_back({attempt.fd.get(), POLLOUT, 0});
      const int rc = ::poll(fds.data(), fds.size(), poll_timeout(wake));
      if (rc < 0 && errno != EINTR) break;
      for (std::size_t i = fds.size(); i-- > 0;) {
        if (fds[i].revents == 0) continue;
        const int error = connect_result(running_[i].fd.get());
        if (error == 0) return take(i);
        fail(i, std::strerror(error));
      }
      const auto now = Clock::now();
      for (std::size_t i = running_.size(); i-- > 0;) {
        if (now >= running_[i].deadline) {
          timed_out_ = true;
          fail(i, "timed out");
        }
      }
      if (now >= request_.deadline) break;
      if (now >= next_start) start_next();
    }
    return {Fd(), nullptr};
  }

  [[nodiscard]] const std::string& last_failure() const noexcept { return last_failure_; }
  [[nodiscard]] bool timed_out() const noexcept { return timed_out_; }

 private:
  void start_next() {
    while (next_ < order_.size()) {
      const Endpoint& endpoint = *order_[next_++];
      tracer_.info(
          fmt::format("  Trying {}:{}...",
                      endpoint.family() == AF_INET6 ? "[" + endpoint.text + "]" : endpoint.text,
                      request_.port));
      std::string why;
      Attempt attempt = start_attempt(endpoint, request_, tracer_, why);
      last_start_ = Clock::now();
      if (attempt.fd.valid()) {
        running_.push_back(std::move(attempt));
        return;
      }
      record_failure(endpoint, why);
    }
  }

  std::pair<Fd, const Endpoint*> take(std::size_t i) {
    Attempt winner = std::move(running_[i]);
    running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
    return {std::move(winner.fd), winner.endpoint};
  }

  void fail(std::size_t i, std::string_view why) {
    const Attempt attempt = std::move(running_[i]);  // its socket closes on return
    running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
    record_failure(*attempt.endpoint, why);
    // A failed attempt hands over at once (RFC 8305 §5).
    if (running_.empty()) last_start_ = Deadline::min();
  }

  void record_failure(const Endpoint& endpoint, std::string_view why) {
    // "mail.example.com (192.0.2.1) port 25: why", or "127.0.0.1 port 25: why" when the
    // host is the address: the host is named once.
    last_failure_ =
        endpoint.text == request_.host
            ? fmt::format("{} port {}: {}", endpoint.text, request_.port, why)
            : fmt::format("{} ({}) port {}: {}", request_.host, endpoint.text, request_.port, why);
    tracer_.info(fmt::format("connect to {}", last_failure_));
  }

  const ConnectRequest& request_;
  Tracer& tracer_;
  std::vector<const Endpoint*> order_;
  std::size_t next_ = 0;
  std::vector<Attempt> running_;
  Deadline last_start_ = Deadline::min();
  std::string last_failure_;
  bool timed_out_ = false;
};

}  // namespace

std::unique_ptr<Transport> connect_tcp(const ConnectRequest& request, Tracer& tracer) {
  const std::vector<Endpoint> endpoints =
      resolve(request.host, request.port, request.addresses, request.family);
  if (request.info != nullptr) request.info->resolved = Clock::now();

  ConnectRace race(request, tracer, interleaved(endpoints));
  auto [fd, endpoint] = race.run();
  if (fd.valid()) {
    const std::string& address = endpoint->text;
    tracer.info(fmt::format("Connected to {} ({}) port {}", request.host, address, request.port));
    size_send_buffer(fd.get(), address);
    if (request.info != nullptr) {
      request.info->connected = Clock::now();
      request.info->remote_ip = address;
      request.info->remote_port = request.port;
      record_local_end(fd.get(), *request.info);
    }
    return std::make_unique<TcpTransport>(std::move(fd), address);
  }
  if (Clock::now() >= request.deadline) {
    throw Error(ExitCode::OperationTimedout,
                fmt::format("Failed to connect to {}: timed out (--max-time)", request.host));
  }
  if (race.timed_out() && race.last_failure().ends_with("timed out")) {
    throw Error(ExitCode::OperationTimedout,
                fmt::format("Failed to connect to {}", race.last_failure()));
  }
  throw Error(ExitCode::CouldntConnect,
              fmt::format("Failed to connect to {}", race.last_failure()));
}

}  // namespace smtpc
