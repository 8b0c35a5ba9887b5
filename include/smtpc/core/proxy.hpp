// Proxies as curl 7.88 names them: the proxy URL (-x, --socks5..., --preproxy, the
// environment), --noproxy/NO_PROXY matching, and the handshakes' bytes (SOCKS4/4a per the
// SOCKS4 and SOCKS4A notes, SOCKS5 per RFC 1928 with RFC 1929 user/password, HTTP CONNECT
// per RFC 9110 §9.3.6 with Basic per RFC 7617, the PROXY protocol v1 header). Pure: the
// transport layer does the reading and writing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

enum class ProxyType { Http, Http10, Https, Socks4, Socks4a, Socks5, Socks5h };

/// "HTTP", "SOCKS5"... as curl's -v lines name the proxy.
[[nodiscard]] std::string_view proxy_type_name(ProxyType type) noexcept;
[[nodiscard]] constexpr bool is_socks(ProxyType type) noexcept {
  return type != ProxyType::Http && type != ProxyType::Http10 && type != ProxyType::Https;
}

/// One proxy: where it is and how to speak to it.
struct ProxySpec {
  ProxyType type = ProxyType::Http;
  std::string host;  // a name or a numeric address, without IPv6 brackets
  std::uint16_t port = 1080;
  std::optional<std::string> user;      // percent-decoded from the URL, or -U
  std::optional<std::string> password;  // idem
  friend bool operator==(const ProxySpec&, const ProxySpec&) = default;
};

/// Reads a proxy as curl does: [scheme://][user[:password]@]host[:port], the scheme one of
/// http, https, socks4, socks4a, socks5, socks5h (case-insensitive); without one,
/// `default_type` (http for -x, socks5 for --socks5...). The port defaults to 1080 (443 for
/// https). Throws Error(CouldntConnect) "Unsupported proxy scheme for '...'" or
/// Error(CouldntResolveProxy) "Unsupported proxy syntax in '...'", as curl 7.88.
[[nodiscard]] ProxySpec parse_proxy_url(std::string_view text, ProxyType default_type);

/// Whether `host` is exempt from the proxy by the --noproxy/NO_PROXY list `list` (curl's
/// Curl_check_noproxy): "*" exempts all; names separated by commas or blanks match the host
/// and its subdomains (a leading dot is ignored, case-insensitively); IPv4/IPv6 entries,
/// with an optional /bits, match a numeric host.
[[nodiscard]] bool no_proxy_matches(std::string_view list, std::string_view host);

/// What a handshake failed on; the transport turns it into curl's exit code and wording.
enum class ProxyFailure {
  None,
  BadVersion,        // "SOCKS4 reply has wrong version..." (97)
  Refused,           // the proxy refused the request (97)
  NoAcceptableAuth,  // SOCKS5 method 0xFF (97)
  UnknownMethod,     // SOCKS5 picked a method not offered (97)
  UserRejected,      // RFC 1929 status not 0 (97)
  TooLong,           // a user, password or host longer than the protocol allows (97)
};

// --- SOCKS4 and SOCKS4a ---

/// The CONNECT request: VN=4, CD=1, port, IPv4 address, user id, NUL (and with SOCKS4a
/// the address 0.0.0.1 followed by the host name and NUL). Throws Error(ProxyHandshake)
/// for a user (or host) over 255 bytes or holding a NUL, as curl does.
[[nodiscard]] std::string socks4_request(std::uint16_t port,
                                         const std::array<unsigned char, 4>& ipv4,
                                         std::string_view user);
[[nodiscard]] std::string socks4a_request(std::uint16_t port, std::string_view host,
                                          std::string_view user);
constexpr std::size_t kSocks4ReplySize = 8;
/// The reply's failure (None when granted, CD=90) and curl's text for it.
struct Socks4Verdict {
  ProxyFailure failure = ProxyFailure::None;
  std::string message;
};
[[nodiscard]] Socks4Verdict parse_socks4_reply(std::string_view reply);

// --- SOCKS5 (RFC 1928, RFC 1929) ---

/// The method selection: "no authentication", and "user/password" when there is a user.
[[nodiscard]] std::string socks5_greeting(bool with_password);
constexpr std::size_t kSocks5MethodReplySize = 2;
/// The method the proxy chose (0 none, 2 user/password), or its failure and curl's text.
struct Socks5Method {
  ProxyFailure failure = ProxyFailure::None;
  unsigned method = 0;
  std::string message;
};
[[nodiscard]] Socks5Method parse_socks5_method(std::string_view reply, bool offered_password);
/// RFC 1929's request: VER=1, ULEN, UNAME, PLEN, PASSWD. Throws Error(ProxyHandshake) when
/// the user or password is longer than 255 bytes.
[[nodiscard]] std::string socks5_password_request(std::string_view user, std::string_view password);
constexpr std::size_t kSocks5PasswordReplySize = 2;
/// Empty when the proxy accepted the user, else curl's text.
[[nodiscard]] std::string parse_socks5_password_reply(std::string_view reply);

/// The destination of a SOCKS5 CONNECT: an address (4 or 16 bytes) or a name.
struct Socks5Destination {
  std::string address;             // raw bytes: 4 for IPv4, 16 for IPv6, or the host name (ATYP 3)
  unsigned char address_type = 1;  // 1 IPv4, 3 name, 4 IPv6
  std::uint16_t port = 0;
};
/// VER=5, CMD=1 (CONNECT), RSV, ATYP, DST.ADDR, DST.PORT. Throws Error(ProxyHandshake) for
/// a name over 255 bytes (RFC 1928 §5).
[[nodiscard]] std::string socks5_connect_request(const Socks5Destination& destination);
/// The reply has 4 bytes of header, then the bound address (its size from ATYP) and the
/// port: how many bytes the whole reply has, known from its first 5 bytes; nullopt for an
/// unknown ATYP.
constexpr std::size_t kSocks5ReplyPrefix = 5;
[[nodiscard]] std::optional<std::size_t> socks5_reply_size(std::string_view prefix);
/// None when the CONNECT succeeded (REP=0); otherwise the failure and curl's text, which
/// names `host`.
struct Socks5Verdict {
  ProxyFailure failure = ProxyFailure::None;
  std::string message;
};
[[nodiscard]] Socks5Verdict parse_socks5_reply(std::string_view reply, std::string_view host);

// --- HTTP CONNECT ---

struct HttpConnectRequest {
  std::string host;  // a name, IPv4 or IPv6 (bracketed here)
  std::uint16_t port = 0;
  bool http10 = false;                  // --proxy1.0
  std::optional<std::string> user;      // Basic credentials when set
  std::optional<std::string> password;  //
  std::string user_agent;               // -A, or smtpc's own
  /// --proxy-header lines, as given: "Name: value" is sent after the lines above, "Name:"
  /// sends nothing and "Name;" sends "Name:"; each of them stands in for Host, User-Agent
  /// or Proxy-Connection of the same name. Lines of another form are left out (curl's
  /// Curl_add_custom_headers).
  std::vector<std::string> custom_headers;
};
/// "CONNECT host:port HTTP/1.1", Host, Proxy-Authorization, User-Agent, Proxy-Connection,
/// then the custom headers, as curl 7.88 writes them. Throws Error(ProxyHandshake) for CR,
/// LF or NUL in any field.
[[nodiscard]] std::string http_connect_request(const HttpConnectRequest& request);

/// Reads the proxy's reply to CONNECT one byte at a time (as curl does, so that nothing
/// after the header is taken from the tunnelled stream), bounded: a header line of at most
/// kMaxLine bytes, at most kMaxLines lines.
class HttpConnectReply {
 public:
  static constexpr std::size_t kMaxLine = 8192;
  static constexpr std::size_t kMaxLines = 100;
  enum class Progress { NeedMore, Complete };

  /// Takes one byte. Throws Error(ProxyHandshake) for a malformed or oversized reply.
  Progress feed(char byte);
  /// Lines completed by the last feed (without CR LF), for the -v trace; cleared on read.
  [[nodiscard]] std::vector<std::string> take_lines();
  /// The status code, once the first line was read.
  [[nodiscard]] int status() const noexcept { return status_; }

 private:
  void end_line();
  std::string line_;
  std::vector<std::string> completed_;
  std::size_t lines_ = 0;
  int status_ = 0;
  bool done_ = false;
};

// --- PROXY protocol v1 (--haproxy-protocol) ---

/// "PROXY TCP4 src dst sport dport\r\n" (TCP6 when the addresses are IPv6), as the
/// haproxy PROXY protocol specification's version 1 says.
[[nodiscard]] std::string haproxy_v1_header(std::string_view source, std::uint16_t source_port,
                                            std::string_view destination,
                                            std::uint16_t destination_port);

}  // namespace smtpc
