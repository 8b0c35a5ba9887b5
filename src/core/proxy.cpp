// Proxy URLs, --noproxy matching and the proxy handshakes' bytes (see smtpc/core/proxy.hpp).
#include "smtpc/core/proxy.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/core/url.hpp"

namespace smtpc {
namespace {

constexpr std::size_t kMaxSocksField = 255;  // one length byte (RFC 1928, RFC 1929)

std::optional<ProxyType> scheme_type(std::string_view scheme) {
  const std::string lower = ascii_lower(scheme);
  if (lower == "http") return ProxyType::Http;
  if (lower == "https") return ProxyType::Https;
  if (lower == "socks4") return ProxyType::Socks4;
  if (lower == "socks4a") return ProxyType::Socks4a;
  if (lower == "socks5") return ProxyType::Socks5;
  if (lower == "socks5h") return ProxyType::Socks5h;
  return std::nullopt;
}

void put_port(std::string& out, std::uint16_t port) {
  out += static_cast<char>((port >> 8) & 0xFF);
  out += static_cast<char>(port & 0xFF);
}

unsigned byte_at(std::string_view bytes, std::size_t at) {
  return static_cast<unsigned char>(bytes.at(at));
}

// --- --noproxy ---

// A numeric `host` against a numeric entry with an optional /bits (curl's Curl_cidr4_match
// and Curl_cidr6_match).
bool address_matches(std::string_view host, std::string_view entry) {
  std::string address(entry);
  std::optional<unsigned> bits;
  if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
    address = std::string(entry.substr(0, slash));
    unsigned value = 0;
    const auto text = entry.substr(slash + 1);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return false;
    bits = value;
  }
  const std::string host_text(host);
  std::array<unsigned char, 16> mine{};
  std::array<unsigned char, 16> theirs{};
  std::size_t size = 0;
  if (::inet_pton(AF_INET, host_text.c_str(), mine.data()) == 1 &&
      ::inet_pton(AF_INET, address.c_str(), theirs.data()) == 1) {
    size = 4;
  } else if (::inet_pton(AF_INET6, host_text.c_str(), mine.data()) == 1 &&
             ::inet_pton(AF_INET6, address.c_str(), theirs.data()) == 1) {
    size = 16;
  } else {
    return false;
  }
  const unsigned total = bits.value_or(static_cast<unsigned>(size * 8));
  if (total > size * 8) return false;
  const unsigned whole = total / 8;
  if (std::memcmp(mine.data(), theirs.data(), whole) != 0) return false;
  const unsigned rest = total % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (mine[whole] & mask) == (theirs[whole] & mask);
}

bool name_matches(std::string_view host, std::string_view entry) {
  if (entry.starts_with('.')) entry.remove_prefix(1);
  if (entry.ends_with('.')) entry.remove_suffix(1);
  if (entry.empty()) return false;
  if (entry.size() == host.size()) return equals_ignore_case(entry, host);
  return entry.size() < host.size() && host[host.size() - entry.size() - 1] == '.' &&
         equals_ignore_case(host.substr(host.size() - entry.size()), entry);
}

bool is_numeric(std::string_view host) {
  std::array<unsigned char, 16> buffer{};
  const std::string text(host);
  return ::inet_pton(AF_INET, text.c_str(), buffer.data()) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer.data()) == 1;
}

}  // namespace

std::string_view proxy_type_name(ProxyType type) noexcept {
  switch (type) {
    case ProxyType::Http:
    case ProxyType::Http10:
      return "HTTP";
    case ProxyType::Https:
      return "HTTPS";
    case ProxyType::Socks4:
      return "SOCKS4";
    case ProxyType::Socks4a:
      return "SOCKS4a";
    case ProxyType::Socks5:
      return "SOCKS5";
    case ProxyType::Socks5h:
      return "SOCKS5h";
  }
  return "proxy";
}

ProxySpec parse_proxy_url(std::string_view text, ProxyType default_type) {
  const auto syntax = [text] {
    return Error(ExitCode::CouldntResolveProxy,
                 fmt::format("Unsupported proxy syntax in '{}'", text));
  };
  ProxySpec spec;
  spec.type = default_type;
  std::string_view rest = text;
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    const auto type = scheme_type(rest.substr(0, sep));
    if (!type) {
      throw Error(ExitCode::CouldntConnect, fmt::format("Unsupported proxy scheme for '{}'", text));
    }
    // -x http://... after --proxy1.0 stays HTTP/1.0, as curl's proxyver does.
    spec.type =
        (*type == ProxyType::Http && default_type == ProxyType::Http10) ? default_type : *type;
    rest.remove_prefix(sep + 3);
  }
  spec.port = spec.type == ProxyType::Https ? 443 : 1080;
  // What follows the authority (a path, a query) says nothing to a proxy.
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    spec.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) spec.password = percent_decode(userinfo.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  std::optional<std::string_view> port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw syntax();
    spec.host = std::string(rest.substr(1, close - 1));
    if (!is_numeric(spec.host) || spec.host.find(':') == std::string::npos) throw syntax();
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') throw syntax();
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    spec.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (spec.host.empty() ||
      spec.host.find_first_of(std::string_view(" \t\r\n\0", 5)) != std::string::npos) {
    throw syntax();
  }
  if (port_text) {
    const auto port = parse_port(*port_text);
    if (!port) throw syntax();
    spec.port = *port;
  }
  return spec;
}

bool no_proxy_matches(std::string_view list, std::string_view host) {
  list = trim(list);
  if (list == "*") return true;
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  const bool numeric = is_numeric(host);
  if (!numeric && host.ends_with('.')) host.remove_suffix(1);
  constexpr std::string_view kSeparators = ", \t";
  std::size_t at = 0;
  while (at < list.size()) {
    const auto start = list.find_first_not_of(kSeparators, at);
    if (start == std::string_view::npos) break;
    const auto end = std::min(list.find_first_of(kSeparators, start), list.size());
    const std::string_view entry = list.substr(start, end - start);
    if (entry == "*" || (numeric ? address_matches(host, entry) : name_matches(host, entry))) {
      return true;
    }
    at = end;
  }
  return false;
}

// --- SOCKS4 ---

std::string socks4_request(std::uint16_t port, const std::array<unsigned char, 4>& ipv4,
                           std::string_view user) {
  if (user.find('\0') != std::string_view::npos) {
    throw Error(ExitCode::ProxyHandshake, "the SOCKS proxy user name holds a NUL byte");
  }
  if (user.size() > kMaxSocksField) {
    throw Error(ExitCode::ProxyHandshake, "Too long SOCKS proxy user name");
  }
  std::string out{'\x04', '\x01'};
  put_port(out, port);
  for (const unsigned char byte : ipv4) out += static_cast<char>(byte);
  out += user;
  out += '\0';
  return out;
}

std::string socks4a_request(std::uint16_t port, std::string_view host, std::string_view user) {
  if (host.empty() || host.size() >= kMaxSocksField || host.find('\0') != std::string_view::npos) {
    throw Error(ExitCode::ProxyHandshake, "SOCKS4: too long host name");
  }
  // SOCKS4A: the address 0.0.0.x (x not 0) says "the name follows the user id".
  std::string out = socks4_request(port, {0, 0, 0, 1}, user);
  out += host;
  out += '\0';
  return out;
}

Socks4Verdict parse_socks4_reply(std::string_view reply) {
  if (reply.size() != kSocks4ReplySize || reply[0] != 0) {
    return {ProxyFailure::BadVersion, "SOCKS4 reply has wrong version, version should be 0."};
  }
  const unsigned code = byte_at(reply, 1);
  if (code == 90) return {};
  const std::string where =
      fmt::format("{}.{}.{}.{}:{}", byte_at(reply, 4), byte_at(reply, 5), byte_at(reply, 6),
                  byte_at(reply, 7), (byte_at(reply, 2) << 8) | byte_at(reply, 3));
  std::string_view why = "Unknown.";
  if (code == 91) why = "request rejected or failed.";
  if (code == 92)
    why = "request rejected because SOCKS server cannot connect to identd on the client.";
  if (code == 93)
    why = "request rejected because the client program and identd report different user-ids.";
  return {ProxyFailure::Refused,
          fmt::format("Can't complete SOCKS4 connection to {}. ({}), {}", where, code, why)};
}

// --- SOCKS5 ---

std::string socks5_greeting(bool with_password) {
  // VER, NMETHODS, METHODS: 0 = no authentication, 2 = user/password (RFC 1928 §3).
  return with_password ? std::string{'\x05', '\x02', '\x00', '\x02'}
                       : std::string{'\x05', '\x01', '\x00'};
}

Socks5Method parse_socks5_method(std::string_view reply, bool offered_password) {
  if (reply.size() != kSocks5MethodReplySize || reply[0] != 5) {
    return {ProxyFailure::BadVersion, 0, "Received invalid version in initial SOCKS5 response."};
  }
  const unsigned method = byte_at(reply, 1);
  if (method == 0 || (method == 2 && offered_password)) return {ProxyFailure::None, method, ""};
  if (method == 0xFF) {
    return {ProxyFailure::NoAcceptableAuth, method, "No authentication method was acceptable."};
  }
  if (method == 1) {
    return {ProxyFailure::UnknownMethod, method,
            "SOCKS5 GSSAPI per-message authentication is not supported."};
  }
  return {ProxyFailure::UnknownMethod, method,
          "Undocumented SOCKS5 mode attempted to be used by server."};
}

std::string socks5_password_request(std::string_view user, std::string_view password) {
  if (user.size() > kMaxSocksField) {
    throw Error(ExitCode::ProxyHandshake, "Excessive user name length for proxy auth");
  }
  if (password.size() > kMaxSocksField) {
    throw Error(ExitCode::ProxyHandshake, "Excessive password length for proxy auth");
  }
  std::string out{'\x01'};
  out += static_cast<char>(user.size());
  out += user;
  out += static_cast<char>(password.size());
  out += password;
  return out;
}

std::string parse_socks5_password_reply(std::string_view reply) {
  if (reply.size() == kSocks5PasswordReplySize && reply[1] == 0) return {};
  // curl ignores the version byte and shows both.
  return fmt::format("User was rejected by the SOCKS5 server ({} {}).",
                     reply.empty() ? 0 : byte_at(reply, 0),
                     reply.size() < 2 ? 0 : byte_at(reply, 1));
}

std::string socks5_connect_request(const Socks5Destination& destination) {
  std::string out{'\x05', '\x01', '\x00', static_cast<char>(destination.address_type)};
  if (destination.address_type == 3) {
    if (destination.address.empty() || destination.address.size() > kMaxSocksField) {
      throw Error(ExitCode::ProxyHandshake,
                  "SOCKS5: the destination hostname is too long to be resolved remotely by the "
                  "proxy.");
    }
    out += static_cast<char>(destination.address.size());
  } else if (destination.address.size() != (destination.address_type == 4 ? 16U : 4U)) {
    throw Error(ExitCode::ProxyHandshake, "SOCKS5: bad destination address");
  }
  out += destination.address;
  put_port(out, destination.port);
  return out;
}

std::optional<std::size_t> socks5_reply_size(std::string_view prefix) {
  if (prefix.size() < kSocks5ReplyPrefix) return std::nullopt;
  switch (byte_at(prefix, 3)) {
    case 1:
      return 4 + 4 + 2;
    case 3:
      return 4 + 1 + byte_at(prefix, 4) + 2;
    case 4:
      return 4 + 16 + 2;
    default:
      return std::nullopt;
  }
}

Socks5Verdict parse_socks5_reply(std::string_view reply, std::string_view host) {
  if (reply.size() < 2 || reply[0] != 5) {
    return {ProxyFailure::BadVersion, "SOCKS5 reply has wrong version, version should be 5."};
  }
  if (const unsigned code = byte_at(reply, 1); code != 0) {
    return {ProxyFailure::Refused,
            fmt::format("Can't complete SOCKS5 connection to {}. ({})", host, code)};
  }
  return {};
}

// --- HTTP CONNECT ---

namespace {

// One --proxy-header line as curl's Curl_add_custom_headers reads it: its name, and the
// line to send (none for "Name:", which only keeps curl's own line of that name out).
struct CustomHeader {
  std::string_view name;
  std::optional<std::string> line;
};

std::optional<CustomHeader> read_custom_header(std::string_view header) {
  const auto colon = header.find(':');
  const auto semicolon = header.find(';');
  if (colon != std::string_view::npos &&
      (semicolon == std::string_view::npos || colon < semicolon)) {
    const bool empty = trim(header.substr(colon + 1)).empty();
    return CustomHeader{header.substr(0, colon),
                        empty ? std::nullopt : std::optional<std::string>(header)};
  }
  if (semicolon != std::string_view::npos && trim(header.substr(semicolon + 1)).empty()) {
    return CustomHeader{header.substr(0, semicolon),
                        fmt::format("{}:", header.substr(0, semicolon))};
  }
  return std::nullopt;
}

}  // namespace

std::string http_connect_request(const HttpConnectRequest& request) {
  const auto check = [](std::string_view field) {
    if (field.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      throw Error(ExitCode::ProxyHandshake, "CR, LF or NUL in the proxy CONNECT request");
    }
  };
  check(request.host);
  check(request.user_agent);
  std::vector<CustomHeader> custom;
  for (const auto& header : request.custom_headers) {
    check(header);
    if (auto parsed = read_custom_header(header)) custom.push_back(std::move(*parsed));
  }
  // curl's own line of a name the user gave is left out (Curl_checkProxyheaders).
  const auto own = [&custom](std::string_view name) {
    return std::none_of(custom.begin(), custom.end(),
                        [name](const CustomHeader& h) { return equals_ignore_case(h.name, name); });
  };
  const std::string authority = request.host.find(':') != std::string::npos
                                    ? fmt::format("[{}]:{}", request.host, request.port)
                                    : fmt::format("{}:{}", request.host, request.port);
  std::string out =
      fmt::format("CONNECT {} HTTP/{}\r\n", authority, request.http10 ? "1.0" : "1.1");
  if (own("Host")) out += fmt::format("Host: {}\r\n", authority);
  if (request.user) {
    // RFC 7617 §2: base64 of user-id ":" password; the encoding hides CR and LF.
    out += fmt::format("Proxy-Authorization: Basic {}\r\n",
                       base64_encode(*request.user + ":" + request.password.value_or("")));
  }
  if (!request.user_agent.empty() && own("User-Agent")) {
    out += fmt::format("User-Agent: {}\r\n", request.user_agent);
  }
  if (own("Proxy-Connection")) out += "Proxy-Connection: Keep-Alive\r\n";
  for (const auto& header : custom) {
    if (header.line) out += *header.line + "\r\n";
  }
  out += "\r\n";
  return out;
}

HttpConnectReply::Progress HttpConnectReply::feed(char byte) {
  if (done_) return Progress::Complete;
  if (byte == '\n') {
    end_line();
    return done_ ? Progress::Complete : Progress::NeedMore;
  }
  if (byte == '\0') throw Error(ExitCode::ProxyHandshake, "NUL byte in the proxy's CONNECT reply");
  if (line_.size() >= kMaxLine) {
    throw Error(ExitCode::ProxyHandshake, "too long line in the proxy's CONNECT reply");
  }
  line_ += byte;
  return Progress::NeedMore;
}

void HttpConnectReply::end_line() {
  if (line_.ends_with('\r')) line_.pop_back();
  if (++lines_ > kMaxLines) {
    throw Error(ExitCode::ProxyHandshake, "too many header lines in the proxy's CONNECT reply");
  }
  if (lines_ == 1) {
    // "HTTP/1.x NNN reason" (RFC 9112 §4).
    const std::string_view line = line_;
    if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ' ||
        (line.size() > 12 && line[12] != ' ')) {
      throw Error(ExitCode::ProxyHandshake,
                  "Proxy CONNECT aborted: the proxy's reply is not HTTP/1.x");
    }
    const auto code = line.substr(9, 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw Error(ExitCode::ProxyHandshake, "Proxy CONNECT aborted: bad status code");
    }
    status_ = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  } else if (line_.empty()) {
    done_ = true;
  }
  completed_.push_back(std::move(line_));
  line_.clear();
}

std::vector<std::string> HttpConnectReply::take_lines() {
  std::vector<std::string> lines;
  lines.swap(completed_);
  return lines;
}

// --- PROXY protocol v1 ---

std::string haproxy_v1_header(std::string_view source, std::uint16_t source_port,
                              std::string_view destination, std::uint16_t destination_port) {
  const bool v6 = source.find(':') != std::string_view::npos;
  return fmt::format("PROXY {} {} {} {} {}\r\n", v6 ? "TCP6" : "TCP4", source, destination,
                     source_port, destination_port);
}

}  // namespace smtpc
