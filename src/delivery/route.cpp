// Proxies and sockets from the settings, the secrets and the environment, as curl's tool and
// libcurl read them (-x, --socks*, --preproxy, -U, --noproxy, [scheme]_proxy, all_proxy,
// no_proxy; --unix-socket, --haproxy-protocol, --tcp-fastopen, --happy-eyeballs-timeout-ms).
#include <fmt/format.h>

#include "smtpc/core/error.hpp"
#include "smtpc/core/proxy.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/delivery/job_spec.hpp"

namespace smtpc::delivery {
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
TlsOptions proxy_tls_options(const settings::ProxyTlsSettings& settings,
                             const std::optional<std::string>& key_password) {
  require_cert_for_key(settings.proxy_cert, settings.proxy_key, "proxy-");
  require_sha256_pins(settings.proxy_pinnedpubkey, "proxy-");
  TlsOptions tls;
  tls.verify_peer = !settings.proxy_insecure;
  tls.ca_file = settings.proxy_cacert;
  tls.ca_path = settings.proxy_capath;
  tls.client_cert = settings.proxy_cert;
  tls.client_key = settings.proxy_key;
  tls.key_password = key_password;
  tls.ciphers = settings.proxy_ciphers;
  tls.tls13_ciphers = settings.proxy_tls13_ciphers;
  tls.crl_file = settings.proxy_crlfile;
  tls.pinned_public_key = settings.proxy_pinnedpubkey;
  tls.for_proxy = true;
  return tls;
}

// The socket's own settings: where it connects instead of TCP, and how.
void set_socket(ConnectRoute& route, const settings::DeliverySettings& settings,
                const Secrets& secrets) {
  const settings::ConnectSettings& connect = settings.connect;
  route.unix_socket = connect.unix_socket;
  route.abstract_unix_socket = connect.abstract_unix_socket;
  route.haproxy_protocol = connect.haproxy_protocol;
  route.tcp_fastopen = connect.tcp_fastopen;
  if (connect.happy_eyeballs_ms) {
    route.happy_eyeballs_timeout = std::chrono::milliseconds(*connect.happy_eyeballs_ms);
  }
  route.user_agent = settings.proxy.user_agent.value_or("smtpc/" SMTPC_VERSION);
  route.proxy_headers = secrets.proxy_headers;
}

}  // namespace

ConnectRoute make_connect_route(const settings::DeliverySettings& settings, const Secrets& secrets,
                                Scheme scheme, const EnvLookup& env) {
  ConnectRoute route;
  set_socket(route, settings, secrets);
  const auto note = [&route](std::string_view name, std::string_view value) {
    route.trace_notes.push_back(
        fmt::format("Uses proxy env variable {} == '{}'", name, without_password(value)));
  };
  if (settings.proxy.noproxy) {
    route.no_proxy = *settings.proxy.noproxy;
  } else if (const auto no_proxy = first_set(env, {"no_proxy", "NO_PROXY"})) {
    note(no_proxy->name, no_proxy->value);
    route.no_proxy = no_proxy->value;
  }

  const settings::Destination& destination = settings.destination;
  std::optional<std::string> proxy = secrets.proxy ? secrets.proxy : destination.proxy;
  const auto& preproxy = secrets.preproxy ? secrets.preproxy : destination.preproxy;
  const auto& proxy_user = secrets.proxy_user ? secrets.proxy_user : destination.proxy_user;
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
    route.proxy = parse_proxy_url(*proxy, settings.proxy.proxy_type);
    if (!route.proxy->user && proxy_user) {
      const auto colon = proxy_user->find(':');
      route.proxy->user = proxy_user->substr(0, colon);
      route.proxy->password =
          colon == std::string::npos ? std::string() : proxy_user->substr(colon + 1);
    }
    if (preproxy && !preproxy->empty()) {
      route.preproxy = parse_proxy_url(*preproxy, ProxyType::Socks4);
    }
  } else if (preproxy && !preproxy->empty()) {
    // curl: a pre-proxy alone is the one proxy.
    route.proxy = parse_proxy_url(*preproxy, ProxyType::Socks4);
  }
  if (route.preproxy && route.preproxy->type == ProxyType::Https) {
    // curl 7.88 then speaks TLS to the pre-proxy and skips -x: a SOCKS pre-proxy only here.
    throw Error(
        ExitCode::FailedInit,
        "--preproxy: an https:// pre-proxy is not supported (docs/proxy.md); use socks5h://");
  }
  if (route.proxy && route.proxy->type == ProxyType::Https) {
    route.proxy_tls = proxy_tls_options(settings.proxy_tls, secrets.proxy_key_password);
  }
  return route;
}

}  // namespace smtpc::delivery
