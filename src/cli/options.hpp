// The options of one transfer (filled by command_line.cpp from argv and -K files), then a JobSpec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compose_options.hpp"
#include "debug_options.hpp"
#include "dkim_options.hpp"
#include "smtpc/delivery/mx_delivery.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::cli {

/// One -o FILE, -O or --no-remote-name, in the order given: the k-th goes with the k-th URL
/// (curl's url nodes).
struct OutputRequest {
  std::optional<std::string> file;  // -o FILE; none: -O, or --no-remote-name (stdout)
  bool remote_name = false;         // -O: named as the last segment of the URL's path
};

// The command line's groups of DeliverySettings (settings/delivery_settings.hpp) are bases,
// so that the option table fills them by name (options.cacert) and delivery_settings()
// hands them on whole; what holds a secret or only concerns this run stays here.
struct Options : settings::ConnectSettings,
                 settings::ProxySettings,
                 settings::ProxyTlsSettings,
                 settings::TlsSettings,
                 settings::AuthSources,
                 settings::EnvelopeSettings,
                 settings::MxSettings,
                 settings::OutputSettings,
                 settings::RetrySettings {
  // What the parser collects for one -:/--next group; expand_transfers() turns each URL
  // into a transfer with `url`, `upload_file`, `more_upload_files` and `output` set.
  std::vector<std::string> urls;
  std::vector<std::string> uploads;
  std::vector<OutputRequest> outputs;  // -o/-O: the k-th for the k-th URL, as curl
  bool remote_name_all = false;        // --remote-name-all: -O for a URL without -o/-O

  std::string url;  // may hold a password
  std::optional<std::string> mail_from;
  std::vector<std::string> mail_rcpt;
  std::optional<std::string> upload_file;
  std::vector<std::string> more_upload_files;  // -T given again: more messages
  bool progress_meter = true;                  // --no-progress-meter turns it off
  bool progress_bar = false;                   // -#/--progress-bar: the bar instead of the meter
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

  // Secrets, or what may hold one: never in DeliverySettings (delivery_settings() keeps
  // the user names only).
  std::optional<std::string> pass;        // --pass, or -E's :PASSPHRASE
  std::optional<std::string> proxy;       // -x, --socks4/4a/5/5-hostname, --proxy1.0: the last one
  std::optional<std::string> preproxy;    // --preproxy
  std::optional<std::string> proxy_user;  // -U USER[:PASSWORD]
  std::optional<std::string> user;        // -u USER[:PASSWORD]
  std::optional<std::string> proxy_pass;  // --proxy-pass, or --proxy-cert's :PASSPHRASE
  // --proxy-header: more CONNECT request lines. Not in DeliverySettings either: a
  // Proxy-Authorization given that way is a secret.
  std::vector<std::string> proxy_headers;
  std::optional<std::string> oauth2_bearer;

  // Direct delivery (--mx, --dns-servers, --mx-port) is the MxSettings group.
  // "account [NAME] in FILE" when that account's login was left out because direct
  // delivery never logs in (said under -v).
  std::optional<std::string> unused_account_login;
  ComposeOptions compose;  // --subject, --body, --attach, -H, -t, --account-file, ...
  DebugOptions debug;      // --serverinfo, --quit-after, --dsn-* (docs/debugging.md)
  DkimOptions dkim;        // --dkim-* (docs/dkim.md)

  // The queue (docs/queue.md), this run only: src/cli/queue_cli.cpp declares them.
  bool queue_run = false;   // --queue-run
  bool queue_list = false;  // --queue-list
  bool force = false;       // --force: with --queue-run, ignore the backoff
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
