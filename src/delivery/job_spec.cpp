// DeliverySettings and secrets to a JobSpec (smtpc/delivery/job_spec.hpp): the URL, the
// messages and envelope, the dialogue, TLS, the login, the connection, the debugging
// requests, DKIM and direct delivery.
#include "smtpc/delivery/job_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "smtpc/core/duration.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/core/url.hpp"
#include "smtpc/delivery/credentials.hpp"
#include "smtpc/message/envelope.hpp"
#include "smtpc/mx/mx.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/smtp/dsn.hpp"
#include "smtpc/transport/tls.hpp"
#include "smtpc/transport/tls_options.hpp"

namespace smtpc::delivery {
namespace {

std::chrono::milliseconds to_duration(double seconds, std::string_view option) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) {
    throw Error(ExitCode::FailedInit,
                fmt::format("{}: expected a number of seconds, got {}", option, seconds));
  }
  return milliseconds_from_seconds(seconds);
}

// [+]HOST:PORT:ADDRESS[,ADDRESS]..., where each ADDRESS may be a bracketed IPv6 literal
// ("+": curl's entry that times out; here the same as without).
ResolveOverride parse_resolve(const std::string& text) {
  const auto bad = [&text] {
    return Error(ExitCode::FailedInit,
                 fmt::format("--resolve \"{}\": expected HOST:PORT:ADDRESS[,ADDRESS]...", text));
  };
  const std::string_view entry = std::string_view(text).substr(text.starts_with('+') ? 1 : 0);
  const auto first = entry.find(':');
  const auto second = first == std::string::npos ? first : entry.find(':', first + 1);
  if (second == std::string::npos) throw bad();
  ResolveOverride result;
  result.host = std::string(entry.substr(0, first));
  const std::string_view port = entry.substr(first + 1, second - first - 1);
  std::string_view addresses = entry.substr(second + 1);
  while (true) {
    const auto comma = addresses.find(',');
    std::string address(addresses.substr(0, comma));
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
    if (address.empty()) throw bad();
    result.addresses.push_back(std::move(address));
    if (comma == std::string_view::npos) break;
    addresses.remove_prefix(comma + 1);
  }
  const auto number = parse_port(port);
  if (result.host.empty() || !number) throw bad();
  result.port = *number;
  return result;
}

// curl's defaults: -Y alone watches periods of 30 seconds, -y alone a speed of 1 byte/s;
// a period of 0 turns the check off.
SpeedLimit speed_limit(const settings::ConnectSettings& connect) {
  const long limit = connect.speed_limit.value_or(connect.speed_time ? 1 : 0);
  const long period = connect.speed_time.value_or(30);
  if (limit == 0 || period == 0) return {};
  return SpeedLimit{static_cast<std::uint64_t>(limit), std::chrono::seconds(period)};
}

void set_socket_options(SocketOptions& socket, const settings::ConnectSettings& connect) {
  socket.tcp_nodelay = connect.tcp_nodelay;
  if (!connect.keepalive) {
    socket.keepalive_seconds.reset();
  } else if (connect.keepalive_time && *connect.keepalive_time > 0) {
    // curl hands the number to setsockopt as an int (curlx_sltosi); the kernel refuses
    // what it cannot take, and curl goes on without it.
    socket.keepalive_seconds =
        static_cast<int>(std::min<long>(*connect.keepalive_time, std::numeric_limits<int>::max()));
  }
}

Error usage(std::string text) { return Error(ExitCode::FailedInit, std::move(text)); }

// "relaxed", "simple", or header/body as in c= (RFC 6376 §3.5).
std::pair<dkim::Canonicalization, dkim::Canonicalization> parse_canonicalizations(
    const std::string& text) {
  const auto slash = text.find('/');
  const auto header = dkim::parse_canonicalization(text.substr(0, slash));
  const auto body =
      slash == std::string::npos ? header : dkim::parse_canonicalization(text.substr(slash + 1));
  if (!header || !body) {
    throw usage(fmt::format(
        "--dkim-canon: \"{}\" is not relaxed, simple or HEADER/BODY (relaxed/simple...)", text));
  }
  return {*header, *body};
}

// The usage error for a message nobody would get.
Error no_recipients(const MessageRequest& request) {
  if (request.read_recipients) {
    return Error(ExitCode::FailedInit,
                 "no recipients: the message has no To, Cc or Bcc and no --mail-rcpt was given");
  }
  if (composes_message(request) || !request.headers.empty() || request.sendmail) {
    return Error(ExitCode::FailedInit,
                 "no recipients: give --mail-rcpt (or -t to take them from the headers)");
  }
  // curl would send HELP here and no mail at all, and still exit 0.
  return Error(ExitCode::FailedInit,
               "-T given without any --mail-rcpt: refusing to send a message nobody gets");
}

// The URL as given (with its password), else the settings' (a queued entry's).
const std::string& given_url(const settings::DeliverySettings& settings, const Secrets& secrets) {
  return secrets.url ? *secrets.url : settings.destination.url;
}

// -u's USER[:PASSWORD] as given, else the settings' login name (a queued entry's).
const std::optional<std::string>& user_spec(const settings::DeliverySettings& settings,
                                            const Secrets& secrets) {
  return secrets.user ? secrets.user : settings.destination.user;
}

// Direct delivery hands the message to whichever host the recipient's domain names, after
// a TLS certificate that may not be verifiable: a login meant for a relay must never go
// there (issue 19). No MTA logs in to an MX, so every login source is refused.
void refuse_login_for_direct_delivery(const settings::DeliverySettings& settings,
                                      const Secrets& secrets, const SmtpUrl& url) {
  const settings::AuthSources& auth = settings.auth;
  const char* source = nullptr;
  if (user_spec(settings, secrets)) {
    source = "-u";
  } else if (url.user || url.password) {
    source = "a user name in the URL";
  } else if (secrets.oauth2_bearer) {
    source = "--oauth2-bearer";
  } else if (auth.netrc) {
    source = "--netrc";
  } else if (auth.netrc_optional) {
    source = "--netrc-optional";
  } else if (auth.netrc_file) {
    source = "--netrc-file";
  } else if (auth.password_file) {
    source = "--password-file";
  } else if (auth.password_command) {
    source = "password-command";
  }
  if (source == nullptr) return;
  throw Error(ExitCode::FailedInit,
              fmt::format("--mx: {} is refused: direct delivery never logs in, and the login "
                          "would go to the recipient's mail server",
                          source));
}

// The messages and the envelope: the envelope as asked (a config account's `from`, a
// queued entry's); the message policy adds -t's recipients and picks a sender; then one
// step checks it all. What the session does follows from them.
void set_messages_and_envelope(JobSpec& spec, JobRequest& job) {
  EnvelopeRequest& request = job.envelope;  // edited in place: the job's own copy
  spec.messages = prepare_messages(job.message, request);
  Envelope envelope = finalize_envelope(request);
  if (!spec.messages.empty() && envelope.forward_paths.empty() && !job.dump_message) {
    throw no_recipients(job.message);
  }
  SessionConfig& session = spec.session;
  if (!spec.messages.empty()) {
    session.mode = SessionMode::SendMail;
  } else {
    session.mode = envelope.forward_paths.empty() ? SessionMode::Help : SessionMode::Verify;
  }
  session.reverse_path = std::move(envelope.reverse_path);
  session.forward_paths = std::move(envelope.forward_paths);
  session.address_parameters = std::move(envelope.parameters);
  session.smtputf8 = envelope.smtputf8;
}

// The login: none for direct delivery; else the credentials from wherever they are given.
void set_login(JobSpec& spec, const settings::DeliverySettings& settings, const Secrets& secrets,
               bool direct) {
  const settings::AuthSources& auth = settings.auth;
  SessionConfig& session = spec.session;
  if (direct) refuse_login_for_direct_delivery(settings, secrets, spec.url);
  if (auto credentials = resolve_credentials(auth, user_spec(settings, secrets),
                                             secrets.oauth2_bearer, spec.url)) {
    const auto& login_options = auth.login_options ? auth.login_options : spec.url.login_options;
    session.auth.authenticator = std::make_shared<SaslAuthenticator>(
        std::move(*credentials), login_options, auth.sasl_ir, hmac_md5_hex);
  }
  session.auth.allow_plaintext = auth.allow_plaintext_auth;
  if (auth.mail_auth) session.auth.mail_auth = normalize_mailbox(*auth.mail_auth);
}

// After the mode and TLS policy are set: the DSN request, the --quit-after stage (at mail,
// rcpt and data an envelope without a message), and the --serverinfo dialogue (EHLO,
// STARTTLS when offered, EHLO, AUTH with credentials, QUIT).
void apply_debug_requests(JobSpec& spec, const settings::DeliverySettings& settings,
                          const JobRequest& job) {
  const settings::DsnSettings& dsn = settings.dsn;
  SessionConfig& session = spec.session;
  session.dsn = make_dsn_request(dsn.dsn_notify, dsn.dsn_return, dsn.dsn_envid, dsn.dsn_required);
  if (job.serverinfo) {
    if (job.quit_after) throw usage("--serverinfo and --quit-after cannot be combined");
    if (settings.mx.mx) throw usage("--serverinfo needs a server URL, not --mx");
    if (!spec.messages.empty() || !session.forward_paths.empty()) {
      throw usage("--serverinfo sends no mail: drop -T, --mail-rcpt and the message options");
    }
    session.mode = SessionMode::Help;  // never reached: the dialogue ends after AUTH
    session.quit_after = Stage::Auth;
    // STARTTLS when offered, without the --ssl warnings: the report says what happened.
    if (session.tls == TlsPolicy::None) session.tls = TlsPolicy::Opportunistic;
    return;
  }
  if (!job.quit_after) return;
  const auto stage = parse_stage(*job.quit_after);
  if (!stage) {
    throw usage(fmt::format(
        "--quit-after \"{}\": expected connect, greeting, ehlo, tls, auth, mail, rcpt or data",
        *job.quit_after));
  }
  if (settings.mx.mx) {
    throw usage("--quit-after does not apply with --mx (yet): give the MX host's URL");
  }
  session.quit_after = *stage;
  if (*stage < Stage::Mail) return;
  if ((*stage == Stage::Rcpt || *stage == Stage::Data) && session.forward_paths.empty()) {
    throw usage(
        fmt::format("--quit-after {}: give the recipients with --mail-rcpt", to_string(*stage)));
  }
  // An envelope without a message: -T, when given, only tells SIZE= and BODY=.
  session.mode = SessionMode::SendMail;
}

}  // namespace

void require_cert_for_key(const std::optional<std::string>& cert,
                          const std::optional<std::string>& key, std::string_view prefix) {
  if (key && !cert) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--{}key given without --{}cert", prefix, prefix));
  }
}

void require_sha256_pins(const std::optional<std::string>& pins, std::string_view prefix) {
  if (pins && !pins->starts_with("sha256//")) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--{}pinnedpubkey: expected sha256//BASE64 (optionally several, "
                            "separated by ;)",
                            prefix));
  }
}

std::string effective_url(const std::string& url, const settings::ConnectSettings& connect) {
  if (url.empty() || url.find("://") != std::string::npos || !connect.proto_default) return url;
  return ascii_lower(*connect.proto_default) + "://" + url;
}

bool is_direct_delivery(const std::string& url, const settings::MxSettings& mx,
                        const settings::ConnectSettings& connect) {
  if (mx.mx) return true;
  const std::string effective = effective_url(url, connect);
  if (effective.empty()) return false;
  try {
    return parse_smtp_url(effective, true).host.empty();
  } catch (const Error&) {
    return false;
  }
}

TlsOptions make_tls_options(const settings::TlsSettings& settings,
                            const std::optional<std::string>& key_password) {
  TlsOptions tls;
  tls.verify_peer = !settings.insecure;
  tls.ca_file = settings.cacert;
  tls.ca_path = settings.capath;
  tls.client_cert = settings.cert;
  tls.client_key = settings.key;
  tls.key_password = key_password;
  require_cert_for_key(settings.cert, settings.key, "");
  if (settings.tlsv1_3) tls.min_version = TlsVersion::Tls13;
  if (settings.tls_max) tls.max_version = parse_tls_version(*settings.tls_max);
  if (tls.max_version && *tls.max_version < tls.min_version) {
    throw Error(ExitCode::FailedInit, "--tls-max is lower than the minimum TLS version");
  }
  tls.ciphers = settings.ciphers;
  tls.tls13_ciphers = settings.tls13_ciphers;
  tls.curves = settings.curves;
  require_sha256_pins(settings.pinnedpubkey, "");
  tls.pinned_public_key = settings.pinnedpubkey;
  tls.crl_file = settings.crlfile;
  tls.verify_status = settings.cert_status;
  return tls;
}

void set_dialogue(SessionConfig& session, const settings::DeliverySettings& settings,
                  const SmtpUrl& url, const std::optional<std::string>& custom) {
  session.ehlo_name = url.ehlo_name;
  session.allow_rcpt_failures = settings.envelope.mail_rcpt_allowfails;
  session.use_pipelining = !settings.envelope.no_pipelining;
  session.use_chunking = !settings.envelope.no_chunking;
  session.custom_request = custom.value_or("");
  if (session.custom_request.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    throw Error(ExitCode::FailedInit, "-X: the request holds a line break or NUL byte");
  }
  if (url.scheme == Scheme::Smtps) {
    session.tls = TlsPolicy::Implicit;
  } else if (settings.tls.ssl_reqd) {
    session.tls = TlsPolicy::Required;
  } else if (settings.tls.ssl) {
    session.tls = TlsPolicy::Try;
  }
}

void set_connection(JobSpec& spec, const settings::DeliverySettings& settings,
                    const Secrets& secrets, const EnvLookup& env) {
  const settings::ConnectSettings& connect = settings.connect;
  for (const auto& entry : connect.resolve) spec.resolve.push_back(parse_resolve(entry));
  spec.connect_to = connect.connect_to;
  spec.ip_family = connect.ip_family;
  // An empty --interface binds nothing (curl: SO_BINDTODEVICE with "" clears the binding).
  if (connect.interface && !connect.interface->empty()) spec.interface = connect.interface;
  spec.local_port = connect.local_port;
  spec.route = make_connect_route(settings, secrets, spec.url.scheme, env);
  spec.max_send_speed = connect.limit_rate;
  spec.speed_limit = speed_limit(connect);
  set_socket_options(spec.socket, connect);
  if (connect.connect_timeout) {
    spec.connect_timeout = to_duration(*connect.connect_timeout, "--connect-timeout");
  }
  if (connect.max_time) spec.max_time = to_duration(*connect.max_time, "--max-time");
}

std::optional<dkim::SigningRequest> make_signing_request(const settings::DkimSettings& dkim) {
  if (dkim.keys.empty()) {
    if (!dkim.selectors.empty() || dkim.domain_on_command_line || dkim.canonicalization ||
        dkim.headers) {
      throw usage(
          "--dkim-selector, --dkim-domain, --dkim-canon and --dkim-headers need --dkim-key");
    }
    return std::nullopt;
  }
  if (dkim.selectors.size() != dkim.keys.size()) {
    throw usage(dkim.selectors.empty()
                    ? std::string("--dkim-key needs --dkim-selector: the name the key is "
                                  "published under (SELECTOR._domainkey.DOMAIN)")
                    : fmt::format("{} DKIM keys and {} selectors: give one --dkim-selector for "
                                  "each --dkim-key, in the same order",
                                  dkim.keys.size(), dkim.selectors.size()));
  }
  dkim::SigningRequest request;
  for (const auto& selector : dkim.selectors) dkim::check_dns_name("the DKIM selector", selector);
  if (dkim.domain) {
    dkim::check_dns_name("the DKIM domain", *dkim.domain);
    request.domain = dkim.domain;
    request.domain_explicit = dkim.domain_on_command_line;
  }
  if (dkim.canonicalization) {
    std::tie(request.header_canonicalization, request.body_canonicalization) =
        parse_canonicalizations(*dkim.canonicalization);
  }
  if (dkim.headers) request.headers = dkim::parse_header_list(*dkim.headers);
  for (std::size_t i = 0; i < dkim.keys.size(); ++i) {
    request.keys.push_back(dkim::load_signing_key(dkim.keys[i], dkim.selectors[i]));
  }
  return request;
}

std::optional<MxOptions> make_mx_options(const settings::MxSettings& settings,
                                         const JobSpec& spec) {
  if (!settings.mx && !spec.url.host.empty()) {
    if (settings.dns_servers || settings.mx_port) {
      throw usage("--dns-servers and --mx-port are only used with --mx");
    }
    return std::nullopt;
  }
  auto refuse = [](std::string_view what) { throw usage(fmt::format("--mx: {}", what)); };
  if (!spec.url.host.empty()) refuse("the URL names a host: give either a relay or --mx");
  if (spec.url.scheme == Scheme::Smtps) refuse("MX hosts take SMTP with STARTTLS, not smtps://");
  if (spec.session.mode != SessionMode::SendMail)
    refuse("direct delivery needs -T and --mail-rcpt");
  if (!spec.resolve.empty()) refuse("--resolve does not apply; use --dns-servers");
  if (!spec.connect_to.empty())
    refuse("--connect-to does not apply; use --dns-servers and --mx-port");
  MxOptions mx;
  if (settings.dns_servers) mx.dns_servers = parse_dns_servers(*settings.dns_servers);
  if (settings.mx_port) {
    if (*settings.mx_port <= 0 || *settings.mx_port > 65535) {
      throw usage(fmt::format("--mx-port: {} is not a port number", *settings.mx_port));
    }
    mx.port = static_cast<std::uint16_t>(*settings.mx_port);
  }
  return mx;
}

SmtpUrl job_url(const settings::DeliverySettings& settings, const Secrets& secrets,
                bool dump_message) {
  const std::string& given = given_url(settings, secrets);
  // --dump-message sends nothing, so it needs no server.
  if (given.empty() && !settings.mx.mx && !dump_message) {
    throw Error(ExitCode::FailedInit, "no URL specified");
  }
  const std::string url = effective_url(given, settings.connect);
  SmtpUrl parsed = url.empty() ? SmtpUrl{} : parse_smtp_url(url, true);
  // curl's URL parser refuses any user part, even an empty one, before connecting.
  if (settings.auth.disallow_username_in_url &&
      (parsed.user || parsed.password || parsed.login_options)) {
    throw Error(ExitCode::LoginDenied, "Login denied (--disallow-username-in-url)");
  }
  if (!url.empty() && settings.connect.proto) {
    const std::string_view scheme = parsed.scheme == Scheme::Smtps ? "smtps" : "smtp";
    if (!proto_allows(*settings.connect.proto, scheme)) {
      throw Error(ExitCode::UnsupportedProtocol,
                  fmt::format("Protocol \"{}\" not supported or disabled (--proto)", scheme));
    }
  }
  return parsed;
}

JobSpec make_job_spec(const settings::DeliverySettings& settings, const Secrets& secrets,
                      JobRequest request) {
  JobSpec spec;
  spec.url = job_url(settings, secrets, request.dump_message);
  set_messages_and_envelope(spec, request);
  set_dialogue(spec.session, settings, spec.url, request.custom_request);
  spec.tls = make_tls_options(settings.tls, secrets.key_password);
  spec.tls.describe_chain = request.describe_certificates;
  set_login(spec, settings, secrets,
            is_direct_delivery(given_url(settings, secrets), settings.mx, settings.connect));
  set_connection(spec, settings, secrets, [](const char* name) { return std::getenv(name); });
  apply_debug_requests(spec, settings, request);
  if (!spec.messages.empty() && !request.dump_message) {
    spec.dkim = make_signing_request(settings.dkim);
  } else if (!settings.dkim.keys.empty() && !request.dump_message) {
    throw usage("--dkim-key signs a message: there is none to send");
  }
  return spec;
}

}  // namespace smtpc::delivery
