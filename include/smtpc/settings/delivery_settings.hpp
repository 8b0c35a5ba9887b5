// DeliverySettings: everything a delivery needs to know, typed, grouped by concern, and
// without any secret (only where a secret comes from). The command line, -K files and
// config accounts fill its groups (cli/'s Options is made of them), the queue keeps it with
// one versioned codec (settings_codec.hpp), and delivery/ takes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "smtpc/core/proxy.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc::settings {

/// Where the server is and who logs in to it, without passwords: the URL and -x/--preproxy
/// with their passwords removed, -u/-U as user names only.
struct Destination {
  std::string url;                          // the server's URL, without its password
  std::optional<std::string> user;          // the login name (-u USER, the URL's user)
  std::optional<std::string> proxy;         // -x URL, without its password
  std::optional<std::string> preproxy;      // --preproxy URL, without its password
  std::optional<std::string> proxy_user;    // -U's user name
  std::optional<std::string> account_file;  // the config file whose account was used
  std::optional<std::string> account;       // that account's name (-a)
  bool oauth2_bearer_needed = false;        // --oauth2-bearer was given: a token is needed
  friend bool operator==(const Destination&, const Destination&) = default;
};

/// How to connect: timeouts, name resolution, the socket's options, speed limits.
struct ConnectSettings {
  std::optional<double> connect_timeout;
  std::optional<double> max_time;
  std::vector<std::string> resolve;
  std::vector<std::string> connect_to;       // --connect-to HOST1:PORT1:HOST2:PORT2
  IpFamily ip_family = IpFamily::Any;        // -4, -6 (the last one given)
  std::optional<std::string> interface;      // --interface NAME|ADDRESS|if!NAME|host!NAME
  std::optional<LocalPortRange> local_port;  // --local-port NUM[-NUM]
  std::optional<std::string> proto;          // --proto LIST (the last one given)
  std::optional<std::string> proto_default;  // --proto-default SCHEME
  std::uint64_t limit_rate = 0;              // --limit-rate, bytes per second (0: none)
  std::optional<long> speed_limit;           // -Y, bytes per second
  std::optional<long> speed_time;            // -y, seconds
  bool tcp_nodelay = true;                   // --no-tcp-nodelay turns it off
  bool keepalive = true;                     // --no-keepalive turns it off
  std::optional<long> keepalive_time;        // --keepalive-time SECONDS (0: curl's 60)
  bool tcp_fastopen = false;                 // --tcp-fastopen
  std::optional<long> happy_eyeballs_ms;     // --happy-eyeballs-timeout-ms
  std::optional<std::string> unix_socket;    // --unix-socket / --abstract-unix-socket
  bool abstract_unix_socket = false;
  bool haproxy_protocol = false;  // --haproxy-protocol
  friend bool operator==(const ConnectSettings&, const ConnectSettings&) = default;
};

/// Proxies (docs/proxy.md) apart from their URLs and users (Destination).
struct ProxySettings {
  ProxyType proxy_type = ProxyType::Http;  // the scheme a proxy without one gets
  std::optional<std::string> noproxy;      // --noproxy LIST (over NO_PROXY)
  std::optional<std::string> user_agent;   // -A: the CONNECT request's User-Agent
  friend bool operator==(const ProxySettings&, const ProxySettings&) = default;
};

/// TLS: when, how it is verified, which client certificate (never its pass phrase).
struct TlsSettings {
  bool ssl = false;
  bool ssl_reqd = false;
  bool insecure = false;
  std::optional<std::string> cacert;
  std::optional<std::string> capath;
  std::optional<std::string> cert;
  std::optional<std::string> key;
  bool tlsv1_3 = false;
  std::optional<std::string> tls_max;
  std::optional<std::string> ciphers;
  std::optional<std::string> tls13_ciphers;
  std::optional<std::string> curves;  // --curves LIST
  std::optional<std::string> pinnedpubkey;
  std::optional<std::string> crlfile;  // --crlfile
  bool cert_status = false;            // --cert-status
  friend bool operator==(const TlsSettings&, const TlsSettings&) = default;
};

/// TLS to an https:// proxy (docs/proxy.md), as TlsSettings is to the mail server: how the
/// proxy is verified and which client certificate it gets (never --proxy-pass).
struct ProxyTlsSettings {
  bool proxy_insecure = false;                     // --proxy-insecure
  std::optional<std::string> proxy_cacert;         // --proxy-cacert
  std::optional<std::string> proxy_capath;         // --proxy-capath
  std::optional<std::string> proxy_cert;           // --proxy-cert (its file)
  std::optional<std::string> proxy_key;            // --proxy-key
  std::optional<std::string> proxy_ciphers;        // --proxy-ciphers
  std::optional<std::string> proxy_tls13_ciphers;  // --proxy-tls13-ciphers
  std::optional<std::string> proxy_crlfile;        // --proxy-crlfile
  std::optional<std::string> proxy_pinnedpubkey;   // --proxy-pinnedpubkey
  friend bool operator==(const ProxyTlsSettings&, const ProxyTlsSettings&) = default;
};

/// Authentication (RFC 4954): where the password comes from and how to log in, never the
/// password itself.
struct AuthSources {
  bool disallow_username_in_url = false;        // a user part in the URL: exit 67
  std::optional<std::string> password_file;     // first line is the password
  std::optional<std::string> password_command;  // its output is the password (config files)
  bool netrc = false;
  bool netrc_optional = false;
  std::optional<std::string> netrc_file;
  std::optional<std::string> login_options;  // "AUTH=NAME"
  std::optional<std::string> sasl_authzid;
  bool sasl_ir = false;
  std::optional<std::string> mail_auth;  // MAIL FROM ... AUTH=<addr>
  bool allow_plaintext_auth = false;
  friend bool operator==(const AuthSources&, const AuthSources&) = default;
};

/// How the envelope goes: the SMTP extensions used and which refusals are tolerated.
struct EnvelopeSettings {
  bool no_pipelining = false;
  bool no_chunking = false;
  bool mail_rcpt_allowfails = false;
  friend bool operator==(const EnvelopeSettings&, const EnvelopeSettings&) = default;
};

/// Delivery status notifications (RFC 3461): --dsn-*.
struct DsnSettings {
  std::optional<std::string> dsn_notify;  // --dsn-notify never|success,failure,delay
  std::optional<std::string> dsn_return;  // --dsn-return full|hdrs
  std::optional<std::string> dsn_envid;   // --dsn-envid ID
  bool dsn_required = false;              // --dsn-required
  friend bool operator==(const DsnSettings&, const DsnSettings&) = default;
};

/// How the message is signed (docs/dkim.md): where the keys are, never what they hold.
struct DkimSettings {
  std::vector<std::string> keys;                // --dkim-key FILE, repeatable; config: dkim-key
  std::vector<std::string> selectors;           // --dkim-selector SEL, the k-th for the k-th key
  std::optional<std::string> domain;            // --dkim-domain; config: dkim-domain
  bool domain_on_command_line = false;          // --dkim-domain itself: no alignment check
  std::optional<std::string> canonicalization;  // --dkim-canon relaxed|simple[/relaxed|simple]
  std::optional<std::string> headers;           // --dkim-headers From:To:...
  friend bool operator==(const DkimSettings&, const DkimSettings&) = default;
};

/// Direct delivery (docs/mx.md): to each recipient domain's MX hosts instead of a relay.
struct MxSettings {
  bool mx = false;                         // --mx, or a URL without a host
  std::optional<std::string> dns_servers;  // --dns-servers ADDR[:PORT][,...]
  std::optional<int> mx_port;              // --mx-port
  friend bool operator==(const MxSettings&, const MxSettings&) = default;
};

/// What the user sees.
struct OutputSettings {
  int verbose = 0;
  bool silent = false;
  bool show_error = false;
  friend bool operator==(const OutputSettings&, const OutputSettings&) = default;
};

/// curl's --retry options and the queue's (docs/queue.md).
struct RetrySettings {
  bool queue = false;                          // --queue: keep transient failures queued
  std::optional<std::string> queue_dir;        // --queue-dir DIR
  std::optional<std::int64_t> queue_lifetime;  // --queue-lifetime, seconds
  int retry = 0;                               // --retry NUM
  std::optional<double> retry_delay;           // --retry-delay SECONDS
  std::optional<double> retry_max_time;        // --retry-max-time SECONDS
  bool retry_connrefused = false;              // --retry-connrefused
  bool retry_all_errors = false;               // --retry-all-errors
  friend bool operator==(const RetrySettings&, const RetrySettings&) = default;
};

/// Everything a delivery needs, without a secret.
struct DeliverySettings {
  Destination destination;
  ConnectSettings connect;
  ProxySettings proxy;
  ProxyTlsSettings proxy_tls;
  TlsSettings tls;
  AuthSources auth;
  EnvelopeSettings envelope;
  DsnSettings dsn;
  DkimSettings dkim;
  MxSettings mx;
  OutputSettings output;
  RetrySettings retry;
  friend bool operator==(const DeliverySettings&, const DeliverySettings&) = default;
};

}  // namespace smtpc::settings
