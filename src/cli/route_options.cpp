// Proxies and sockets from the command line and the environment (route_options.hpp).
#include "route_options.hpp"

#include <fmt/format.h>

#include "smtpc/core/error.hpp"
#include "smtpc/core/proxy.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::cli {
namespace {

struct EnvValue {
  std::string name;
  std::string value;
};

// The first of `names` that is set (curl_getenv: an empty value counts as set).
std::optional<EnvValue> first_set(const EnvLookup& env, std::initializer_list<std::string> names) {
  for (const auto& name : names) {
    if (const char* value = env(name.c_str()); value != nullptr) return EnvValue{name, value};
  }
  return std::nullopt;
}

// A proxy URL as -v may show it: without the password.
std::string without_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto at = url.find('@', start);
  if (at == std::string_view::npos) return std::string(url);
  const auto colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return fmt::format("{}:[redacted]{}", url.substr(0, colon), url.substr(at));
}

// The TLS to an https:// proxy from --proxy-cacert..., checked as --cacert... are for the
// server (make_tls_options).
TlsOptions proxy_tls_options(const Options& options) {
  require_cert_for_key(options.proxy_cert, options.proxy_key, "proxy-");
  require_sha256_pins(options.proxy_pinnedpubkey, "proxy-");
  TlsOptions tls;
  tls.verify_peer = !options.proxy_insecure;
  tls.ca_file = options.proxy_cacert;
  tls.ca_path = options.proxy_capath;
  tls.client_cert = options.proxy_cert;
  tls.client_key = options.proxy_key;
  tls.key_password = options.proxy_pass;
  tls.ciphers = options.proxy_ciphers;
  tls.tls13_ciphers = options.proxy_tls13_ciphers;
  tls.crl_file = options.proxy_crlfile;
  tls.pinned_public_key = options.proxy_pinnedpubkey;
  tls.for_proxy = true;
  return tls;
}

}  // namespace

ConnectRoute make_connect_route(const Options& options, Scheme scheme, const EnvLookup& env) {
  ConnectRoute route;
  std::vector<std::string>* notes = &route.trace_notes;
  route.unix_socket = options.unix_socket;
  route.abstract_unix_socket = options.abstract_unix_socket;
  route.haproxy_protocol = options.haproxy_protocol;
  route.tcp_fastopen = options.tcp_fastopen;
  if (options.happy_eyeballs_ms) {
    route.happy_eyeballs_timeout = std::chrono::milliseconds(*options.happy_eyeballs_ms);
  }
  route.user_agent = options.user_agent.value_or("smtpc/" SMTPC_VERSION);
  route.proxy_headers = options.proxy_headers;

  const auto note = [notes](std::string_view name, std::string_view value) {
    if (notes != nullptr) {
      notes->push_back(
          fmt::format("Uses proxy env variable {} == '{}'", name, without_password(value)));
    }
  };
  if (options.noproxy) {
    route.no_proxy = *options.noproxy;
  } else if (const auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"})) {
    note(no_proxy->name, no_proxy->value);
    route.no_proxy = no_proxy->value;
  }

  std::optional<std::string> proxy = options.proxy;
  if (!proxy) {
    // libcurl's detect_proxy: "<scheme>_proxy" in lower case, then in upper case, then
    // all_proxy and ALL_PROXY.
    const std::string lower = scheme == Scheme::Smtps ? "smtps_proxy" : "smtp_proxy";
    if (const auto found = first_set(env, {lower, ascii_upper(lower), "all_proxy", "ALL_PROXY"})) {
      note(found->name, found->value);
      proxy = found->value;
    }
  }
  if (proxy && !proxy->empty()) {
    route.proxy = parse_proxy_url(*proxy, options.proxy_type);
    if (!route.proxy->user && options.proxy_user) {
      const auto colon = options.proxy_user->find(':');
      route.proxy->user = options.proxy_user->substr(0, colon);
      route.proxy->password =
          colon == std::string::npos ? std::string() : options.proxy_user->substr(colon + 1);
    }
    if (options.preproxy && !options.preproxy->empty()) {
      route.preproxy = parse_proxy_url(*options.preproxy, ProxyType::Socks4);
    }
  } else if (options.preproxy && !options.preproxy->empty()) {
    // curl: a pre-proxy alone is the one proxy.
    route.proxy = parse_proxy_url(*options.preproxy, ProxyType::Socks4);
  }
  if (route.preproxy && route.preproxy->type == ProxyType::Https) {
    // curl 7.88 then speaks TLS to the pre-proxy and skips -x: a SOCKS pre-proxy only here.
    throw Error(
        ExitCode::FailedInit,
        "--preproxy: an https:// pre-proxy is not supported (docs/proxy.md); use socks5h://");
  }
  if (route.proxy && route.proxy->type == ProxyType::Https) {
    route.proxy_tls = proxy_tls_options(options);
  }
  return route;
}

}  // namespace smtpc::cli
