// --connect-to, after curl 7.88's parse_connect_to_string and parse_connect_to_host_port.
#include "smtpc/core/connect_to.hpp"

#include <fmt/format.h>

#include <optional>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

// The part after HOST1:PORT1 when the entry applies to the URL, else nullopt.
std::optional<std::string_view> matching_rest(std::string_view entry, std::string_view url_host,
                                              std::uint16_t url_port) {
  std::string_view rest = entry;
  if (rest.starts_with(':')) {
    rest.remove_prefix(1);  // an empty HOST1 matches every host
  } else {
    const bool literal = url_host.find(':') != std::string_view::npos;
    const std::string host = literal ? fmt::format("[{}]", url_host) : std::string(url_host);
    if (rest.size() <= host.size() || !equals_ignore_case(rest.substr(0, host.size()), host) ||
        rest[host.size()] != ':') {
      return std::nullopt;
    }
    rest.remove_prefix(host.size() + 1);
  }
  if (rest.starts_with(':')) return rest.substr(1);  // an empty PORT1 matches every port
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port = parse_long(rest.substr(0, colon));
  if (port.error != std::errc{} || port.value != url_port) return std::nullopt;
  return rest.substr(colon + 1);
}

}  // namespace

ConnectTarget apply_connect_to(std::span<const std::string> entries, std::string_view url_host,
                               std::uint16_t url_port) {
  for (const auto& entry : entries) {
    const auto rest = matching_rest(entry, url_host, url_port);
    if (!rest || rest->empty()) continue;
    // HOST2[:PORT2], HOST2 an IPv6 literal in brackets or a name; either may be empty.
    std::string_view host;
    std::string_view after_host;  // ":PORT2", or empty
    if (rest->starts_with('[')) {
      const auto close = rest->find(']');
      host = rest->substr(1, close == std::string_view::npos ? close : close - 1);
      if (close != std::string_view::npos) after_host = rest->substr(close + 1);
    } else {
      const auto colon = rest->find(':');
      host = rest->substr(0, colon);
      if (colon != std::string_view::npos) after_host = rest->substr(colon);
    }
    std::optional<long> port;
    if (const auto colon = after_host.find(':'); colon != std::string_view::npos) {
      const std::string port_text(after_host.substr(colon + 1));
      if (!port_text.empty()) {
        const auto number = parse_long(port_text);
        port = number.value;
        if (number.error != std::errc{} || *port < 0 || *port > 65535) {
          throw Error(
              ExitCode::SetoptOptionSyntax,
              fmt::format("No valid port number in connect to host string ({})", port_text));
        }
      }
    }
    if (host.empty() && !port) continue;  // names nothing: the next entry may
    return ConnectTarget{host.empty() ? std::string(url_host) : std::string(host),
                         port ? static_cast<std::uint16_t>(*port) : url_port};
  }
  return ConnectTarget{std::string(url_host), url_port};
}

}  // namespace smtpc
