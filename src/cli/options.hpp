// The options of one transfer (filled by command_line.cpp from argv and -K files), then a JobSpec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compose_options.hpp"
#include "debug_options.hpp"
#include "dkim_options.hpp"
#include "smtpc/delivery/mx_delivery.hpp"
#include "smtpc/job/job.hpp"

namespace smtpc::cli {

/// One -o FILE, -O or --no-remote-name, in the order given: the k-th goes with the k-th URL
/// (curl's url nodes).
struct OutputRequest {
  std::optional<std::string> file;  // -o FILE; none: -O, or --no-remote-name (stdout)
  bool remote_name = false;         // -O: named as the last segment of the URL's path
};

struct Options {
  // What the parser collects for one -:/--next group; expand_transfers() turns each URL
  // into a transfer with `url`, `upload_file`, `more_upload_files` and `output` set.
  std::vector<std::string> urls;
  std::vector<std::string> uploads;
  std::vector<OutputRequest> outputs;  // -o/-O: the k-th for the k-th URL, as curl
  bool remote_name_all = false;        // --remote-name-all: -O for a URL without -o/-O

  std::string url;
  std::optional<std::string> mail_from;
  std::vector<std::string> mail_rcpt;
  std::optional<std::string> upload_file;
  std::vector<std::string> more_upload_files;  // -T given again: more messages
  bool no_pipelining = false;
  bool no_chunking = false;
  bool mail_rcpt_allowfails = false;
  int verbose = 0;
  bool silent = false;
  bool show_error = false;
  bool progress_meter = true;  // --no-progress-meter turns it off
  bool progress_bar = false;   // -#/--progress-bar: the bar instead of the meter
  std::optional<double> connect_timeout;
  std::optional<double> max_time;
  std::optional<std::string> output;
  bool remote_name = false;               // -O: `output` is taken from the URL
  bool xattr = false;                     // --xattr: the URL in user.xdg.origin.url
  std::optional<std::string> output_dir;  // --output-dir DIR
  bool create_dirs = false;               // --create-dirs
  bool clobber = true;                    // --no-clobber: FILE.1, FILE.2 ... instead
  bool remove_on_error = false;           // --remove-on-error
  std::optional<std::string> trace_ascii;
  bool trace_time = false;
  bool trace_ids = false;                  // --trace-ids (curl 8.2), or "ids" in --trace-config
  std::size_t transfer_id = 0;             // this transfer's number, for --trace-ids: 0, 1, ...
  std::optional<std::string> write_out;    // -w FORMAT
  std::optional<std::string> request;      // -X VERB
  bool head = false;                       // -I: no output of HELP/VRFY (curl's NOBODY)
  std::optional<std::string> stderr_file;  // --stderr FILE
  bool fail_early = false;                 // --fail-early: stop after a failed transfer
  std::optional<long> rate_ms;             // --rate: ms from one transfer's start to the next
  bool fail = false;                       // -f: no effect for SMTP (as curl)
  bool fail_with_body = false;             // no effect for SMTP (as curl)
  bool ssl = false;
  bool ssl_reqd = false;
  bool insecure = false;
  std::optional<std::string> cacert;
  std::optional<std::string> capath;
  std::optional<std::string> cert;
  std::optional<std::string> key;
  std::optional<std::string> pass;
  bool tlsv1_3 = false;
  std::optional<std::string> tls_max;
  std::optional<std::string> ciphers;
  std::optional<std::string> tls13_ciphers;
  std::optional<std::string> curves;  // --curves LIST
  std::optional<std::string> pinnedpubkey;
  std::optional<std::string> crlfile;  // --crlfile
  bool cert_status = false;            // --cert-status
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

  // Proxies (docs/proxy.md), as curl's tool reads them.
  std::optional<std::string> proxy;        // -x, --socks4/4a/5/5-hostname, --proxy1.0: the last one
  ProxyType proxy_type = ProxyType::Http;  // the scheme a proxy without one gets
  std::optional<std::string> preproxy;     // --preproxy
  std::optional<std::string> proxy_user;   // -U USER[:PASSWORD]
  std::optional<std::string> noproxy;      // --noproxy LIST (over NO_PROXY)
  std::optional<std::string> user_agent;   // -A: the CONNECT request's User-Agent
  TlsOptions proxy_tls;  // --proxy-cacert, --proxy-insecure...: for an https:// proxy

  // Authentication (RFC 4954).
  std::optional<std::string> user;              // -u USER[:PASSWORD]
  bool disallow_username_in_url = false;        // a user part in the URL: exit 67
  std::optional<std::string> password_file;     // first line is the password
  std::optional<std::string> password_command;  // its output is the password (config files)
  bool netrc = false;
  bool netrc_optional = false;
  std::optional<std::string> netrc_file;
  std::optional<std::string> login_options;  // "AUTH=NAME"
  std::optional<std::string> sasl_authzid;
  bool sasl_ir = false;
  std::optional<std::string> oauth2_bearer;
  std::optional<std::string> mail_auth;  // MAIL FROM ... AUTH=<addr>
  bool allow_plaintext_auth = false;

  // Direct delivery (docs/mx.md).
  bool mx = false;                         // --mx, or a URL without a host
  std::optional<std::string> dns_servers;  // --dns-servers ADDR[:PORT][,...]
  std::optional<int> mx_port;              // --mx-port
  // "account [NAME] in FILE" when that account's login was left out because direct
  // delivery never logs in (said under -v).
  std::optional<std::string> unused_account_login;
  ComposeOptions compose;  // --subject, --body, --attach, -H, -t, --account-file, ...
  DebugOptions debug;      // --serverinfo, --quit-after, --dsn-* (docs/debugging.md)
  DkimOptions dkim;        // --dkim-* (docs/dkim.md)

  // The queue and retries (docs/queue.md): src/cli/queue_cli.cpp declares them.
  bool queue = false;                          // --queue: keep transient failures queued
  std::optional<std::string> queue_dir;        // --queue-dir DIR
  bool queue_run = false;                      // --queue-run
  bool queue_list = false;                     // --queue-list
  bool force = false;                          // --force: with --queue-run, ignore the backoff
  std::optional<std::int64_t> queue_lifetime;  // --queue-lifetime, seconds
  int retry = 0;                               // --retry NUM
  std::optional<double> retry_delay;           // --retry-delay SECONDS
  std::optional<double> retry_max_time;        // --retry-max-time SECONDS
  bool retry_connrefused = false;              // --retry-connrefused
  bool retry_all_errors = false;               // --retry-all-errors
};

/// The URL with --proto-default's scheme put in front when it has none (curl's rule).
[[nodiscard]] std::string effective_url(const Options& options);

/// Checks the options and builds the job.
/// Throws Error(FailedInit) for bad usage (bad address, -T without --mail-rcpt, bad
/// timeout), Error(UnsupportedProtocol) or Error(UrlMalformat) for a bad URL, and
/// Error(UnsupportedProtocol) for a scheme --proto disables (curl's exit 1).
[[nodiscard]] JobSpec make_job_spec(const Options& options);

/// Whether the transfer is direct delivery: --mx, or a URL without a host.
[[nodiscard]] bool is_direct_delivery(const Options& options);

/// The direct-delivery settings when --mx is asked for (or the URL has no host), else nullopt.
/// Throws Error(FailedInit) for --dns-servers or --mx-port without --mx, or a bad value.
[[nodiscard]] std::optional<MxOptions> make_mx_options(const Options& options, const JobSpec& spec);

}  // namespace smtpc::cli
