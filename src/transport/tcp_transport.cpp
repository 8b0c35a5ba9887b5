// Plain TCP: name resolution, connect with a timeout, and non-blocking reads and writes
// bounded by deadlines.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smtpc/core/error.hpp"
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
  TcpTransport(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  ~TcpTransport() override { ::close(fd_); }
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  void write_all(std::span<const char> data, Deadline deadline) override {
    while (!data.empty()) {
      const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent > 0) {
        data = data.subspan(static_cast<std::size_t>(sent));
        continue;
      }
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait_until_ready(fd_, POLLOUT, deadline)) {
          throw Error(ExitCode::OperationTimedout, "timed out sending to the server");
        }
        continue;
      }
      throw Error(ExitCode::SendError,
                  fmt::format("failed sending data to the server: {}", std::strerror(errno)));
    }
  }

  std::size_t read_some(std::span<char> buffer, Deadline deadline) override {
    while (true) {
      const ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!wait_until_ready(fd_, POLLIN, deadline)) {
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
    return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }
  [[nodiscard]] int native_handle() const noexcept override { return fd_; }
  [[nodiscard]] const std::string& peer_address() const noexcept override { return peer_; }

 private:
  int fd_;
  std::string peer_;
};

// Connects one address; returns the socket or -1 with `why` set.
int try_connect(const addrinfo& ai, Deadline deadline, std::string& why) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
  if (fd < 0) {
    why = std::strerror(errno);
    return -1;
  }
  // Commands go out in whole groups: Nagle's delay would only hold back the last one.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0) return fd;
  if (errno != EINPROGRESS) {
    why = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  if (!wait_until_ready(fd, POLLOUT, deadline)) {
    why = "timed out";
    ::close(fd);
    return -1;
  }
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    why = std::strerror(error);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

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

std::unique_ptr<Transport> connect_tcp(const ConnectRequest& request, Tracer& tracer) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // A numeric address needs neither the resolver nor AI_ADDRCONFIG's interface scan.
  hints.ai_flags = is_ip_literal(request.host) ? AI_NUMERICHOST : AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(request.port);
  const int rc = ::getaddrinfo(request.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    throw Error(ExitCode::CouldntResolveHost,
                fmt::format("Could not resolve host: {} ({})", request.host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);

  std::string last_failure;
  bool timed_out = false;
  for (const addrinfo* ai = addresses.get(); ai != nullptr; ai = ai->ai_next) {
    const std::string address = numeric_address(ai->ai_addr, ai->ai_addrlen);
    tracer.info(fmt::format("  Trying {}:{}...",
                            ai->ai_family == AF_INET6 ? "[" + address + "]" : address,
                            request.port));
    Deadline deadline = request.deadline;
    if (request.connect_timeout) {
      deadline = std::min(deadline, Clock::now() + *request.connect_timeout);
    }
    std::string why;
    const int fd = try_connect(*ai, deadline, why);
    if (fd >= 0) {
      tracer.info(fmt::format("Connected to {} ({}) port {}", request.host, address, request.port));
      return std::make_unique<TcpTransport>(fd, address);
    }
    timed_out = timed_out || why == "timed out";
    // "mail.example.com (192.0.2.1) port 25: why", or "127.0.0.1 port 25: why" when the
    // host is the address: the host is named once.
    last_failure =
        address == request.host
            ? fmt::format("{} port {}: {}", address, request.port, why)
            : fmt::format("{} ({}) port {}: {}", request.host, address, request.port, why);
    tracer.info(fmt::format("connect to {}", last_failure));
    if (Clock::now() >= request.deadline) break;
  }
  if (timed_out && Clock::now() >= request.deadline) {
    throw Error(ExitCode::OperationTimedout,
                fmt::format("Failed to connect to {}: timed out (--max-time)", request.host));
  }
  if (timed_out && last_failure.ends_with("timed out")) {
    throw Error(ExitCode::OperationTimedout, fmt::format("Failed to connect to {}", last_failure));
  }
  throw Error(ExitCode::CouldntConnect, fmt::format("Failed to connect to {}", last_failure));
}

}  // namespace smtpc
