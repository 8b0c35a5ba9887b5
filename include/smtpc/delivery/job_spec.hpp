// The JobSpec of a delivery, made from its DeliverySettings and what they never hold: the
// secrets as they were given. The command line (cli/options.cpp) maps its options to these
// inputs; a queue run (queue_run.cpp) makes them from a queued entry. Both end here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/compose/compose.hpp"
#include "smtpc/delivery/mx_delivery.hpp"
#include "smtpc/dkim/signer.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::delivery {

/// The values that may carry a secret, as they were given (DeliverySettings' Destination
/// holds each without its secret, and is used for one left unset here).
struct Secrets {
  std::optional<std::string> url;                 // the URL, a password in it
  std::optional<std::string> user;                // -u USER[:PASSWORD]
  std::optional<std::string> proxy;               // -x URL, a password in it
  std::optional<std::string> preproxy;            // --preproxy URL, a password in it
  std::optional<std::string> proxy_user;          // -U USER[:PASSWORD]
  std::optional<std::string> key_password;        // --pass, or -E's :PASSPHRASE
  std::optional<std::string> proxy_key_password;  // --proxy-pass, or --proxy-cert's
  std::optional<std::string> oauth2_bearer;       // --oauth2-bearer TOKEN
  std::vector<std::string> proxy_headers;         // --proxy-header: may hold a credential
};

/// What this send asks beside its settings: the envelope and the messages as asked (the
/// message policy decides the rest), -X, and what the debugging options ask.
struct JobRequest {
  EnvelopeRequest envelope;                   // --mail-from, --mail-rcpt, as written
  MessageRequest message;                     // -T, the composing options, -H, -t
  std::optional<std::string> custom_request;  // -X
  bool serverinfo = false;                    // --serverinfo(-json): a report, no mail
  std::optional<std::string> quit_after;      // --quit-after STAGE
  bool dump_message = false;                  // --dump-message: nothing is sent
  bool describe_certificates = false;         // -w may show %{certs}: TlsOptions::describe_chain
};

/// The job: its URL (job_url); the messages and the envelope (prepare_messages, then
/// finalize_envelope once); the dialogue, TLS, the login (none for direct delivery, which
/// refuses every login source), the connection (proxies from the environment too), the
/// DSN request, --quit-after or --serverinfo's dialogue, and the DKIM signing request.
/// Throws Error(FailedInit) for bad usage (no URL, a bad address, -T without a recipient,
/// a bad timeout...), job_url's errors, and resolve_credentials'. `request` is taken by
/// value: its envelope becomes the job's (100 000 recipients are not copied once more).
[[nodiscard]] JobSpec make_job_spec(const settings::DeliverySettings& settings,
                                    const Secrets& secrets, JobRequest request);

/// The job's URL (--proto-default's scheme added), checked: Error(FailedInit) "no URL
/// specified" (none is needed for direct delivery or `dump_message`),
/// Error(UnsupportedProtocol) or Error(UrlMalformat) for a bad URL, Error(LoginDenied) for a
/// user in it with --disallow-username-in-url, Error(UnsupportedProtocol) for a scheme
/// --proto disables (curl's exit 1).
[[nodiscard]] SmtpUrl job_url(const settings::DeliverySettings& settings, const Secrets& secrets,
                              bool dump_message);

/// Reads an environment variable: null when unset.
using EnvLookup = std::function<const char*(const char*)>;

/// The checks the mail server's TLS settings and the proxy's share: `prefix` is "" or
/// "proxy-". --key needs --cert; --pinnedpubkey takes sha256// pins. Error(FailedInit).
void require_cert_for_key(const std::optional<std::string>& cert,
                          const std::optional<std::string>& key, std::string_view prefix);
void require_sha256_pins(const std::optional<std::string>& pins, std::string_view prefix);

/// `url` with --proto-default's scheme put in front when it has none (curl's rule).
[[nodiscard]] std::string effective_url(const std::string& url,
                                        const settings::ConnectSettings& connect);

/// Whether a send to `url` (as given) is direct delivery: --mx, or a URL without a host
/// (after --proto-default's scheme is added). A URL that does not parse is not: the job
/// reports it.
[[nodiscard]] bool is_direct_delivery(const std::string& url, const settings::MxSettings& mx,
                                      const settings::ConnectSettings& connect);

/// The TLS to the mail server. Throws Error(FailedInit) for --key without --cert, a pin
/// without sha256//, a bad --tls-max or one below the minimum.
[[nodiscard]] TlsOptions make_tls_options(const settings::TlsSettings& tls,
                                          const std::optional<std::string>& key_password);

/// The route for a URL of `scheme`. Without -x (and without --socks5...), the proxy comes
/// from smtp_proxy/SMTP_PROXY (smtps_proxy/SMTPS_PROXY for smtps://), then all_proxy,
/// ALL_PROXY; -x "" uses none. --noproxy, else no_proxy/NO_PROXY, names the exempt hosts.
/// The route's trace_notes get curl's "Uses proxy env variable ..." lines (no passwords).
/// Throws Error(CouldntResolveProxy) or Error(CouldntConnect) for a malformed proxy, as curl.
[[nodiscard]] ConnectRoute make_connect_route(const settings::DeliverySettings& settings,
                                              const Secrets& secrets, Scheme scheme,
                                              const EnvLookup& env);

/// How the dialogue goes: the URL's EHLO name, the extensions it may use, -X (`custom`),
/// when it needs TLS. Throws Error(FailedInit) for a -X holding a line break or NUL.
void set_dialogue(SessionConfig& session, const settings::DeliverySettings& settings,
                  const SmtpUrl& url, const std::optional<std::string>& custom);

/// Where and how to connect: --resolve, --connect-to, -4/-6, --interface, --local-port,
/// the route (proxies, from `env` too), rate and speed limits, socket options, timeouts.
/// Throws Error(FailedInit) for a bad --resolve entry or timeout, and make_connect_route's.
void set_connection(JobSpec& spec, const settings::DeliverySettings& settings,
                    const Secrets& secrets, const EnvLookup& env);

/// What the DKIM settings ask to sign with, the keys read and checked; nullopt without a
/// key. Throws Error(FailedInit) for a selector missing or not paired with a key, a bad
/// selector, domain, canonicalization or header list, or a key that cannot be used
/// (load_signing_key), Error(ReadError) for a key file that cannot be read.
[[nodiscard]] std::optional<dkim::SigningRequest> make_signing_request(
    const settings::DkimSettings& dkim);

/// The direct-delivery options when the mx group asks for it (or the job's URL has no
/// host), else nullopt. Throws Error(FailedInit) for --dns-servers or --mx-port without
/// --mx, a bad value, or a job direct delivery cannot send.
[[nodiscard]] std::optional<MxOptions> make_mx_options(const settings::MxSettings& mx,
                                                       const JobSpec& spec);

}  // namespace smtpc::delivery
