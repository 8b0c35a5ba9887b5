// Proxies and sockets from the command line and the environment, as curl's tool and
// libcurl read them (-x, --socks*, --preproxy, -U, --noproxy, [scheme]_proxy, all_proxy,
// no_proxy; --unix-socket, --haproxy-protocol, --tcp-fastopen, --happy-eyeballs-timeout-ms).
#pragma once

#include <functional>

#include "options.hpp"
#include "smtpc/core/url.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc::cli {

/// Reads an environment variable: null when unset.
using EnvLookup = std::function<const char*(const char*)>;

/// The route for a URL of `scheme`. Without -x (and without --socks5...), the proxy comes
/// from smtp_proxy/SMTP_PROXY (smtps_proxy/SMTPS_PROXY for smtps://), then all_proxy,
/// ALL_PROXY; -x "" uses none. --noproxy, else no_proxy/NO_PROXY, names the exempt hosts.
/// The route's trace_notes get curl's "Uses proxy env variable ..." lines (no passwords).
/// Throws Error(CouldntResolveProxy) or Error(CouldntConnect) for a malformed proxy, as curl.
[[nodiscard]] ConnectRoute make_connect_route(const Options& options, Scheme scheme,
                                              const EnvLookup& env);

}  // namespace smtpc::cli
