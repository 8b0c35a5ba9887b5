// The connect step as curl 7.88 does it for SMTP: through SOCKS4/4a/5/5h and HTTP CONNECT
// proxies, plain or inside TLS to an https:// proxy (with a SOCKS --preproxy in front), over a Unix
// socket, then the PROXY protocol v1 header. The bytes come from core/proxy (pure, unit-tested);
// this file reads and writes them, bounded by the connect deadline, and traces what curl's -v
// shows.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "smtpc/core/error.hpp"
#include "smtpc/core/proxy.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/transport/tls.hpp"
#include "smtpc/transport/trace.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {
namespace {

// Where one hop of the route leads: the next proxy, or the mail server.
struct HopTarget {
  std::string host;
  std::uint16_t port = 0;
};

Deadline connect_deadline(const ConnectRequest& request) {
  Deadline deadline = request.deadline;
  if (request.connect_timeout) {
    deadline = std::min(deadline, Clock::now() + *request.connect_timeout);
  }
  return deadline;
}

void send_bytes(Transport& transport, std::string_view bytes, Deadline deadline) {
  try {
    transport.write_all(bytes, deadline);
  } catch (const Error& error) {
    if (error.code() == ExitCode::OperationTimedout) throw;
    throw Error(ExitCode::ProxyHandshake, "connection to proxy closed");
  }
}

// Exactly `size` bytes of a SOCKS reply; a proxy that closes first fails as in curl.
std::string receive_exactly(Transport& transport, std::size_t size, Deadline deadline) {
  std::string bytes(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    std::size_t n = 0;
    try {
      n = transport.read_some(std::span<char>(bytes.data() + got, size - got), deadline);
    } catch (const Error& error) {
      if (error.code() == ExitCode::OperationTimedout) throw;
      n = 0;
    }
    if (n == 0) throw Error(ExitCode::ProxyHandshake, "connection to proxy closed");
    got += n;
  }
  return bytes;
}

[[noreturn]] void fail(std::string_view message) {
  throw Error(ExitCode::ProxyHandshake, std::string(message));
}

// The proxy's credentials: the URL's, else -U's (curl: the URL wins).
struct Credentials {
  std::string user;
  std::string password;
};
std::optional<Credentials> credentials_of(const ProxySpec& proxy) {
  if (!proxy.user) return std::nullopt;
  return Credentials{*proxy.user, proxy.password.value_or("")};
}

// The first address of `target` of `family` (AF_UNSPEC: any), resolved here: SOCKS4 and
// SOCKS5 without "h" name an address, not a host.
std::string local_address(const ConnectRequest& request, const HopTarget& target, int family) {
  ConnectRequest lookup;
  lookup.host = target.host;
  lookup.port = target.port;
  lookup.family = family == AF_INET ? IpFamily::V4 : request.family;
  if (target.host == request.host && target.port == request.port) {
    lookup.addresses = request.addresses;  // --resolve applies to the mail server
  }
  const auto addresses = resolve_addresses(lookup);
  return addresses.front();
}

void socks4_handshake(Transport& proxy_transport, const ProxySpec& proxy,
                      const ConnectRequest& request, const HopTarget& target, Deadline deadline,
                      Tracer& tracer) {
  const bool socks4a = proxy.type == ProxyType::Socks4a;
  tracer.info(fmt::format("SOCKS4 communication to {}:{}", target.host, target.port));
  const std::string user = proxy.user.value_or("");
  std::string bytes;
  std::array<unsigned char, 4> ipv4{};
  if (socks4a && ::inet_pton(AF_INET, target.host.c_str(), ipv4.data()) != 1) {
    bytes = socks4a_request(target.port, target.host, user);
  } else {
    const std::string address = local_address(request, target, AF_INET);
    ::inet_pton(AF_INET, address.c_str(), ipv4.data());
    if (!socks4a) tracer.info(fmt::format("SOCKS4 connect to IPv4 {} (locally resolved)", address));
    bytes = socks4_request(target.port, ipv4, user);
  }
  send_bytes(proxy_transport, bytes, deadline);
  const auto verdict =
      parse_socks4_reply(receive_exactly(proxy_transport, kSocks4ReplySize, deadline));
  if (verdict.failure != ProxyFailure::None) fail(verdict.message);
  tracer.info(socks4a ? "SOCKS4a request granted." : "SOCKS4 request granted.");
}

Socks5Destination socks5_destination(const ProxySpec& proxy, const ConnectRequest& request,
                                     const HopTarget& target, Tracer& tracer) {
  Socks5Destination destination;
  destination.port = target.port;
  std::array<unsigned char, 16> raw{};
  if (proxy.type == ProxyType::Socks5h) {
    if (::inet_pton(AF_INET6, target.host.c_str(), raw.data()) == 1) {
      destination.address.assign(reinterpret_cast<const char*>(raw.data()), 16);
      destination.address_type = 4;
    } else if (::inet_pton(AF_INET, target.host.c_str(), raw.data()) == 1) {
      destination.address.assign(reinterpret_cast<const char*>(raw.data()), 4);
      destination.address_type = 1;
    } else {
      destination.address = target.host;
      destination.address_type = 3;
    }
    tracer.info(
        fmt::format("SOCKS5 connect to {}:{} (remotely resolved)", target.host, target.port));
    return destination;
  }
  const std::string address = local_address(request, target, AF_UNSPEC);
  if (::inet_pton(AF_INET, address.c_str(), raw.data()) == 1) {
    destination.address.assign(reinterpret_cast<const char*>(raw.data()), 4);
    destination.address_type = 1;
    tracer.info(
        fmt::format("SOCKS5 connect to IPv4 {}:{} (locally resolved)", address, target.port));
  } else {
    ::inet_pton(AF_INET6, address.c_str(), raw.data());
    destination.address.assign(reinterpret_cast<const char*>(raw.data()), 16);
    destination.address_type = 4;
    tracer.info(
        fmt::format("SOCKS5 connect to IPv6 {}:{} (locally resolved)", address, target.port));
  }
  return destination;
}

void socks5_handshake(Transport& proxy_transport, const ProxySpec& proxy,
                      const ConnectRequest& request, const HopTarget& target, Deadline deadline,
                      Tracer& tracer) {
  if (proxy.type == ProxyType::Socks5h && target.host.size() > 255) {
    fail("SOCKS5: the destination hostname is too long to be resolved remotely by the proxy.");
  }
  const auto credentials = credentials_of(proxy);
  send_bytes(proxy_transport, socks5_greeting(credentials.has_value()), deadline);
  const auto method = parse_socks5_method(
      receive_exactly(proxy_transport, kSocks5MethodReplySize, deadline), credentials.has_value());
  if (method.failure != ProxyFailure::None) fail(method.message);
  if (method.method == 2) {
    // RFC 1929: the password goes in clear to the proxy, as the protocol has it.
    send_bytes(proxy_transport, socks5_password_request(credentials->user, credentials->password),
               deadline);
    const std::string rejected = parse_socks5_password_reply(
        receive_exactly(proxy_transport, kSocks5PasswordReplySize, deadline));
    if (!rejected.empty()) fail(rejected);
  }
  send_bytes(proxy_transport,
             socks5_connect_request(socks5_destination(proxy, request, target, tracer)), deadline);
  std::string reply = receive_exactly(proxy_transport, kSocks5ReplyPrefix, deadline);
  // The verdict first: a refusal may come with a short or odd bound address.
  const auto verdict = parse_socks5_reply(reply, target.host);
  if (verdict.failure != ProxyFailure::None) fail(verdict.message);
  const auto size = socks5_reply_size(reply);
  if (!size) fail("SOCKS5 reply has an unknown address type.");
  reply += receive_exactly(proxy_transport, *size - reply.size(), deadline);
  tracer.info("SOCKS5 request granted.");
}

void http_tunnel(Transport& proxy_transport, const ProxySpec& proxy, const ConnectRequest& request,
                 const HopTarget& target, Deadline deadline, Tracer& tracer) {
  tracer.info(fmt::format(
      "Establish HTTP proxy tunnel to {}:{}",
      target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host,
      target.port));
  HttpConnectRequest connect;
  connect.host = target.host;
  connect.port = target.port;
  connect.http10 = proxy.type == ProxyType::Http10;
  connect.user_agent = request.route.user_agent;
  connect.custom_headers = request.route.proxy_headers;
  if (const auto credentials = credentials_of(proxy)) {
    connect.user = credentials->user;
    connect.password = credentials->password;
  }
  const std::string bytes = http_connect_request(connect);
  // curl shows each header line sent; the credentials are shown redacted here.
  std::string_view rest = bytes;
  while (!rest.empty()) {
    const auto end = rest.find("\r\n");
    const std::string line(rest.substr(0, end));
    rest.remove_prefix(end + 2);
    Command shown{line, Secrecy::Public, {}};
    // Also a --proxy-header one, in any case and with any scheme.
    constexpr std::string_view kAuthorization = "Proxy-Authorization:";
    if (equals_ignore_case(std::string_view(line).substr(0, kAuthorization.size()),
                           kAuthorization)) {
      shown.secrecy = Secrecy::Secret;
      shown.redacted = line.starts_with("Proxy-Authorization: Basic ")
                           ? "Proxy-Authorization: Basic [redacted]"
                           : line.substr(0, kAuthorization.size()) + " [redacted]";
    }
    tracer.command_sent(shown);
  }
  try {
    proxy_transport.write_all(bytes, deadline);
  } catch (const Error& error) {
    if (error.code() == ExitCode::OperationTimedout) throw;
    // 55, as curl's failed send of the request (an https:// proxy that hangs up at once).
    throw Error(ExitCode::SendError, fmt::format("Proxy CONNECT aborted: {}", error.what()));
  }
  HttpConnectReply reply;
  // One byte at a time, as curl reads it: whatever follows the header is the server's.
  while (true) {
    char byte = 0;
    std::size_t n = 0;
    std::string why;  // a failed read's own words (an https:// proxy's TLS alert)
    try {
      n = proxy_transport.read_some(std::span<char>(&byte, 1), deadline);
    } catch (const Error& error) {
      if (error.code() == ExitCode::OperationTimedout) throw;
      why = fmt::format(": {}", error.what());
    }
    if (n == 0) throw Error(ExitCode::RecvError, fmt::format("Proxy CONNECT aborted{}", why));
    const auto progress = reply.feed(byte);
    for (const auto& line : reply.take_lines()) tracer.reply_line_received(line);
    if (progress == HttpConnectReply::Progress::Complete) break;
  }
  if (reply.status() / 100 != 2) {
    throw Error(ExitCode::RecvError,
                fmt::format("CONNECT tunnel failed, response {}", reply.status()));
  }
  tracer.info("CONNECT phase completed");
  tracer.info(fmt::format("CONNECT tunnel established, response {}", reply.status()));
}

void handshake(Transport& proxy_transport, const ProxySpec& proxy, const ConnectRequest& request,
               const HopTarget& target, bool next_is_http_proxy, Deadline deadline,
               Tracer& tracer) {
  switch (proxy.type) {
    case ProxyType::Socks4:
    case ProxyType::Socks4a:
      if (next_is_http_proxy) {
        tracer.info(fmt::format("{}: connecting to HTTP proxy {} port {}",
                                proxy_type_name(proxy.type), target.host, target.port));
      }
      socks4_handshake(proxy_transport, proxy, request, target, deadline, tracer);
      return;
    case ProxyType::Socks5:
    case ProxyType::Socks5h:
      if (next_is_http_proxy) {
        tracer.info(
            fmt::format("SOCKS5: connecting to HTTP proxy {} port {}", target.host, target.port));
      }
      socks5_handshake(proxy_transport, proxy, request, target, deadline, tracer);
      return;
    case ProxyType::Http:
    case ProxyType::Http10:
    case ProxyType::Https:  // the same CONNECT, inside the TLS to the proxy
      http_tunnel(proxy_transport, proxy, request, target, deadline, tracer);
      return;
  }
}

// TCP to the first proxy of the route; a name that does not resolve is the proxy's.
std::unique_ptr<Transport> connect_first_proxy(const ConnectRequest& request,
                                               const ProxySpec& first, Tracer& tracer) {
  ConnectRequest hop = request;
  hop.host = first.host;
  hop.port = first.port;
  hop.addresses.clear();
  try {
    return connect_tcp(hop, tracer);
  } catch (const Error& error) {
    if (error.code() != ExitCode::CouldntResolveHost) throw;
    throw Error(ExitCode::CouldntResolveProxy,
                fmt::format("Could not resolve proxy: {}", first.host));
  }
}

std::unique_ptr<Transport> connect_through_proxies(const ConnectRequest& request, Tracer& tracer) {
  std::vector<ProxySpec> hops;
  if (request.route.preproxy) hops.push_back(*request.route.preproxy);
  hops.push_back(*request.route.proxy);
  const Deadline deadline = connect_deadline(request);
  auto transport = connect_first_proxy(request, hops.front(), tracer);
  for (std::size_t i = 0; i < hops.size(); ++i) {
    const bool last = i + 1 == hops.size();
    const HopTarget target = last ? HopTarget{request.host, request.port}
                                  : HopTarget{hops[i + 1].host, hops[i + 1].port};
    const bool next_is_http = !last && !is_socks(hops[i + 1].type);
    if (hops[i].type == ProxyType::Https) {
      // TLS to the proxy first, checked against the proxy's name with --proxy-cacert...;
      // the mail server's TLS, if any, goes inside the tunnel later, with its own name.
      TlsOptions tls = request.route.proxy_tls;
      tls.for_proxy = true;
      transport = start_tls(std::move(transport), tls, hops[i].host, deadline, tracer);
    }
    handshake(*transport, hops[i], request, target, next_is_http, deadline, tracer);
  }
  // curl names the first hop again once the route is through.
  tracer.info(fmt::format("Connected to {} ({}) port {}", hops.front().host,
                          transport->peer_address(), hops.front().port));
  return transport;
}

std::unique_ptr<Transport> connect_unix(const ConnectRequest& request, Tracer& tracer) {
  const std::string& path = *request.route.unix_socket;
  const bool abstract = request.route.abstract_unix_socket;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // An abstract name starts with a NUL byte (unix(7)) and is not NUL-terminated.
  const std::size_t offset = abstract ? 1 : 0;
  if (path.size() + offset + (abstract ? 0 : 1) > sizeof address.sun_path) {
    throw Error(ExitCode::CouldntConnect, fmt::format("Too long unix socket file path: {}", path));
  }
  std::memcpy(address.sun_path + offset, path.data(), path.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset +
                                             path.size() + (abstract ? 0 : 1));
  tracer.info(fmt::format("  Trying {}{}:0...", abstract ? "@" : "", path));
  Fd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket.valid()) throw Error(ExitCode::CouldntConnect, std::strerror(errno));
  const int fd = socket.get();
  const Deadline deadline = connect_deadline(request);
  int error = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    error = errno;
    if (error == EINPROGRESS || error == EAGAIN) {
      error = 0;
      if (!wait_until_ready(fd, POLLOUT, deadline)) error = ETIMEDOUT;
      socklen_t size = sizeof error;
      if (error == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    }
  }
  if (error != 0) {
    if (error == ETIMEDOUT) {
      throw Error(ExitCode::OperationTimedout,
                  fmt::format("Failed to connect to {}: timed out", path));
    }
    throw Error(ExitCode::CouldntConnect,
                fmt::format("Failed to connect to {}: {}", path, std::strerror(error)));
  }
  tracer.info(fmt::format("Connected to {} ({}) port {}", request.host, path, request.port));
  if (request.info != nullptr) {
    request.info->resolved = Clock::now();
    request.info->connected = request.info->resolved;
  }
  return socket_transport(std::move(socket), path);
}

// Both ends of a connected socket, numeric, for the PROXY header.
struct SocketEnds {
  std::string local;
  std::uint16_t local_port = 0;
  std::string remote;
  std::uint16_t remote_port = 0;
  bool inet = false;
};

std::pair<std::string, std::uint16_t> numeric_end(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    return {text, ntohs(v6.sin6_port)};
  }
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
  ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
  return {text, ntohs(v4.sin_port)};
}

SocketEnds socket_ends(int fd) {
  SocketEnds ends;
  sockaddr_storage local{};
  sockaddr_storage remote{};
  socklen_t local_size = sizeof local;
  socklen_t remote_size = sizeof remote;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0 ||
      ::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_size) != 0 ||
      (local.ss_family != AF_INET && local.ss_family != AF_INET6)) {
    return ends;
  }
  ends.inet = true;
  std::tie(ends.local, ends.local_port) = numeric_end(local);
  std::tie(ends.remote, ends.remote_port) = numeric_end(remote);
  return ends;
}

// --haproxy-protocol: the header goes first on the connection to the server (through any
// tunnel), naming this socket's ends; "PROXY UNKNOWN" over a Unix socket, as curl sends.
void send_haproxy_header(Transport& transport, const ConnectRequest& request) {
  const SocketEnds ends = socket_ends(transport.native_handle());
  const std::string header =
      ends.inet ? haproxy_v1_header(ends.local, ends.local_port, ends.remote, ends.remote_port)
                : std::string("PROXY UNKNOWN\r\n");
  transport.write_all(header, connect_deadline(request));
}

}  // namespace

std::unique_ptr<Transport> open_connection(const ConnectRequest& request, Tracer& tracer) {
  std::unique_ptr<Transport> transport;
  const ConnectRoute& route = request.route;
  for (const auto& note : route.trace_notes) tracer.info(note);
  if (route.unix_socket) {
    transport = connect_unix(request, tracer);
  } else if (route.proxy && !no_proxy_matches(route.no_proxy, request.host)) {
    transport = connect_through_proxies(request, tracer);
  } else {
    transport = connect_tcp(request, tracer);
  }
  if (route.haproxy_protocol) send_haproxy_header(*transport, request);
  return transport;
}

}  // namespace smtpc
