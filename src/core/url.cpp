// URL parsing for smtp:// and smtps:// (RFC 3986 syntax; curl's rule that the path is
// the EHLO name).
#include "smtpc/core/url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

[[noreturn]] void bad_url(std::string_view why) {
  throw Error(ExitCode::UrlMalformat, fmt::format("URL rejected: {}", why));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_host_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  // Names as DNS and /etc/hosts allow them; non-ASCII bytes are left for IDN handling.
  return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || u >= 0x80;
}

void parse_userinfo(std::string_view userinfo, SmtpUrl& url) {
  // user[:password][;options] as curl reads it; options may also follow the password.
  std::string_view user = userinfo;
  std::optional<std::string_view> password;
  std::optional<std::string_view> options;
  if (const auto semi = user.find(';'); semi != std::string_view::npos) {
    const auto colon = user.find(':');
    if (colon == std::string_view::npos || colon > semi) {
      options = user.substr(semi + 1);
      user = user.substr(0, semi);
    }
  }
  if (const auto colon = user.find(':'); colon != std::string_view::npos) {
    password = user.substr(colon + 1);
    user = user.substr(0, colon);
    if (const auto semi = password->find(';'); semi != std::string_view::npos && !options) {
      options = password->substr(semi + 1);
      password = password->substr(0, semi);
    }
  }
  url.user = percent_decode(user);
  if (password) url.password = percent_decode(*password);
  if (options) url.login_options = percent_decode(*options);
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      bad_url("incomplete %-escape");
    }
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) bad_url("bad %-escape");
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::optional<std::uint16_t> parse_port(std::string_view text) noexcept {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

SmtpUrl parse_smtp_url(std::string_view text, bool allow_empty_host) {
  SmtpUrl url;
  if (text.empty()) bad_url("empty URL");
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ') bad_url("URL contains a space or control character");
  }
  std::string_view rest = text;
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    const std::string scheme = ascii_lower(text.substr(0, sep));
    if (scheme == "smtp") {
      url.scheme = Scheme::Smtp;
    } else if (scheme == "smtps") {
      url.scheme = Scheme::Smtps;
    } else {
      throw Error(ExitCode::UnsupportedProtocol,
                  fmt::format("Protocol \"{}\" not supported (use smtp:// or smtps://)", scheme));
    }
    rest = text.substr(sep + 3);
  }
  url.port = default_port(url.scheme);

  // Query and fragment have no meaning for SMTP; curl ignores them too.
  rest = rest.substr(0, std::min(rest.find('?'), rest.find('#')));
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path =
      slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);

  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    parse_userinfo(authority.substr(0, at), url);
    authority = authority.substr(at + 1);
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad_url("unterminated IPv6 address");
    const std::string_view literal = authority.substr(1, close - 1);
    const bool valid = !literal.empty() && std::all_of(literal.begin(), literal.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
    });
    if (!valid) bad_url(fmt::format("bad IPv6 address \"{}\"", literal));
    url.host = std::string(literal);
    url.host_is_ipv6_literal = true;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url("junk after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (!std::all_of(url.host.begin(), url.host.end(), is_host_char)) {
      bad_url(fmt::format("bad host name \"{}\"", url.host));
    }
  }
  if (url.host.empty() && !allow_empty_host) bad_url("no host name");
  if (url.host.empty() && !port_text.empty()) {
    bad_url("a port without a host name (direct delivery takes --mx-port)");
  }

  if (!port_text.empty()) {
    const auto port = parse_port(port_text);
    if (!port) bad_url(fmt::format("bad port number \"{}\"", port_text));
    url.port = *port;
  }

  url.ehlo_name = percent_decode(path);
  if (url.ehlo_name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    bad_url("the path (EHLO name) contains CR, LF or NUL");
  }
  return url;
}

bool is_curl_protocol(std::string_view name) {
  static constexpr std::string_view kProtocols[] = {
      "dict",  "file", "ftp",   "ftps", "gopher", "gophers", "http", "https", "imap",
      "imaps", "ldap", "ldaps", "mqtt", "pop3",   "pop3s",   "rtmp", "rtsp",  "scp",
      "sftp",  "smb",  "smbs",  "smtp", "smtps",  "telnet",  "tftp"};
  return std::any_of(std::begin(kProtocols), std::end(kProtocols),
                     [name](std::string_view p) { return equals_ignore_case(p, name); });
}

bool proto_allows(std::string_view list, std::string_view scheme,
                  std::vector<std::string>* unknown) {
  bool allowed = true;  // curl starts from every protocol
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view token = list.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;  // strtok skips empty tokens
    enum class Action { Allow, Deny, Set } action = Action::Allow;
    while (token.empty() || std::isalnum(static_cast<unsigned char>(token.front())) == 0) {
      if (token.empty()) throw Error(ExitCode::FailedInit, "option --proto: is badly used here");
      switch (token.front()) {
        case '=':
          action = Action::Set;
          break;
        case '-':
          action = Action::Deny;
          break;
        case '+':
          action = Action::Allow;
          break;
        default:
          throw Error(ExitCode::FailedInit, "option --proto: is badly used here");
      }
      token.remove_prefix(1);
    }
    if (equals_ignore_case(token, "all")) {
      allowed = action != Action::Deny;
      continue;
    }
    const bool known = is_curl_protocol(token);
    if (!known && unknown != nullptr) unknown->emplace_back(token);
    if (action == Action::Set) allowed = false;
    if (known && equals_ignore_case(token, scheme)) allowed = action != Action::Deny;
  }
  return allowed;
}

}  // namespace smtpc
