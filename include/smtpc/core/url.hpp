// smtp:// and smtps:// URLs as curl reads them: the path is the EHLO name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

enum class Scheme { Smtp, Smtps };

struct SmtpUrl {
  Scheme scheme = Scheme::Smtp;
  std::string host;  // IPv6 literals without brackets
  std::uint16_t port = 25;
  bool host_is_ipv6_literal = false;
  std::string ehlo_name;                     // percent-decoded path; empty: use the local host name
  std::optional<std::string> user;           // percent-decoded userinfo
  std::optional<std::string> password;       // percent-decoded userinfo
  std::optional<std::string> login_options;  // ";AUTH=..." in the userinfo
};

[[nodiscard]] constexpr std::uint16_t default_port(Scheme scheme) noexcept {
  return scheme == Scheme::Smtps ? 465 : 25;
}

/// A TCP port as written in a URL: decimal digits only, 1 to 65535; nullopt otherwise.
[[nodiscard]] std::optional<std::uint16_t> parse_port(std::string_view text) noexcept;

/// Parses `smtp[s]://[user[:password][;options]@]host[:port][/ehlo-name]`.
/// A URL without "://" is taken as smtp://.
/// Throws Error(UnsupportedProtocol) for other schemes and Error(UrlMalformat) for
/// a bad host, port or percent-encoding, or a path that decodes to CR, LF or NUL.
/// With `allow_empty_host`, "smtp:///ehlo-name" parses with an empty host (direct delivery,
/// --mx); a port without a host is still refused.
[[nodiscard]] SmtpUrl parse_smtp_url(std::string_view url, bool allow_empty_host = false);

/// Decodes %XX escapes; throws Error(UrlMalformat) on a bad escape.
[[nodiscard]] std::string percent_decode(std::string_view text);

/// curl 7.88's protocol names (curl -V's "Protocols:" line of Debian's build).
[[nodiscard]] bool is_curl_protocol(std::string_view name);

/// What --proto LIST allows, as curl 7.88's proto2num reads it: starting from every
/// protocol, comma-separated names, each after any of '+' (allow), '-' (deny), '='
/// (only these), "all" for every protocol. `unknown` gets names curl warns about
/// ("unrecognized protocol") and ignores. Throws Error(FailedInit) ("is badly used here")
/// for another character before a name, or a token of modifiers only.
[[nodiscard]] bool proto_allows(std::string_view list, std::string_view scheme,
                                std::vector<std::string>* unknown = nullptr);

}  // namespace smtpc
