// The mapping from options to a JobSpec.
#include "options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "command_line.hpp"
#include "credentials.hpp"
#include "queue_cli.hpp"
#include "route_options.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/core/url.hpp"
#include "smtpc/message/envelope.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/transport/tls.hpp"
#include "write_out.hpp"

namespace smtpc::cli {
namespace {

std::chrono::milliseconds to_duration(double seconds, std::string_view option) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) {
    throw Error(ExitCode::FailedInit,
                fmt::format("{}: expected a number of seconds, got {}", option, seconds));
  }
  return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000.0)));
}

TlsOptions make_tls_options(const Options& options) {
  TlsOptions tls;
  tls.verify_peer = !options.insecure;
  tls.ca_file = options.cacert;
  tls.ca_path = options.capath;
  tls.client_cert = options.cert;
  tls.client_key = options.key;
  tls.key_password = options.pass;
  require_cert_for_key(options.cert, options.key, "");
  if (options.tlsv1_3) tls.min_version = TlsVersion::Tls13;
  if (options.tls_max) tls.max_version = parse_tls_version(*options.tls_max);
  if (tls.max_version && *tls.max_version < tls.min_version) {
    throw Error(ExitCode::FailedInit, "--tls-max is lower than the minimum TLS version");
  }
  tls.ciphers = options.ciphers;
  tls.tls13_ciphers = options.tls13_ciphers;
  tls.curves = options.curves;
  require_sha256_pins(options.pinnedpubkey, "");
  tls.pinned_public_key = options.pinnedpubkey;
  tls.crl_file = options.crlfile;
  tls.verify_status = options.cert_status;
  tls.describe_chain = write_out_may_show_certificates(options.write_out);
  return tls;
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

// curl's defaults: -Y alone watches periods of 30 seconds, -y alone a speed of 1 byte/s;
// a period of 0 turns the check off.
SpeedLimit speed_limit(const Options& options) {
  const long limit = options.speed_limit.value_or(options.speed_time ? 1 : 0);
  const long period = options.speed_time.value_or(30);
  if (limit == 0 || period == 0) return {};
  return SpeedLimit{static_cast<std::uint64_t>(limit), std::chrono::seconds(period)};
}

// Direct delivery hands the message to whichever host the recipient's domain names, after
// a TLS certificate that may not be verifiable: a login meant for a relay must never go
// there (issue 19). No MTA logs in to an MX, so every command-line source is refused.
void refuse_login_for_direct_delivery(const Options& options, const SmtpUrl& url) {
  const char* source = nullptr;
  if (options.user) {
    source = "-u";
  } else if (url.user || url.password) {
    source = "a user name in the URL";
  } else if (options.oauth2_bearer) {
    source = "--oauth2-bearer";
  } else if (options.netrc) {
    source = "--netrc";
  } else if (options.netrc_optional) {
    source = "--netrc-optional";
  } else if (options.netrc_file) {
    source = "--netrc-file";
  } else if (options.password_file) {
    source = "--password-file";
  } else if (options.password_command) {
    source = "password-command";
  }
  if (source == nullptr) return;
  throw Error(ExitCode::FailedInit,
              fmt::format("--mx: {} is refused: direct delivery never logs in, and the login "
                          "would go to the recipient's mail server",
                          source));
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

bool is_direct_delivery(const Options& options) {
  if (options.mx) return true;
  const std::string url = effective_url(options);
  if (url.empty()) return false;
  try {
    return parse_smtp_url(url, true).host.empty();
  } catch (const Error&) {
    return false;  // make_job_spec reports the bad URL
  }
}

std::string effective_url(const Options& options) {
  if (options.url.empty() || options.url.find("://") != std::string::npos ||
      !options.proto_default) {
    return options.url;
  }
  return ascii_lower(*options.proto_default) + "://" + options.url;
}

namespace {

// The URL (--proto-default's scheme added), checked against --disallow-username-in-url and
// --proto.
SmtpUrl job_url(const Options& options, const std::string& url) {
  SmtpUrl parsed = url.empty() ? SmtpUrl{} : parse_smtp_url(url, true);
  // curl's URL parser refuses any user part, even an empty one, before connecting.
  if (options.disallow_username_in_url &&
      (parsed.user || parsed.password || parsed.login_options)) {
    throw Error(ExitCode::LoginDenied, "Login denied (--disallow-username-in-url)");
  }
  if (!url.empty() && options.proto) {
    const std::string_view scheme = parsed.scheme == Scheme::Smtps ? "smtps" : "smtp";
    if (!protocol_allowed(*options.proto, scheme)) {
      throw Error(ExitCode::UnsupportedProtocol,
                  fmt::format("Protocol \"{}\" not supported or disabled (--proto)", scheme));
    }
  }
  return parsed;
}

// The messages and the envelope: the envelope as the command line names it (a config
// account's `from` is in mail_from); the message policy adds -t's recipients and picks a
// sender; then one step checks it all. What the session does follows from them.
void set_messages_and_envelope(JobSpec& spec, const Options& options) {
  EnvelopeRequest request{options.mail_from, options.mail_rcpt};
  const MessageRequest message = make_message_request(options);
  spec.messages = prepare_messages(message, request);
  Envelope envelope = finalize_envelope(request);
  if (!spec.messages.empty() && envelope.forward_paths.empty() && !options.compose.dump_message) {
    throw no_recipients(message);
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

// How the dialogue goes: the extensions it may use, -X, and when it needs TLS.
void set_dialogue(SessionConfig& session, const Options& options, const SmtpUrl& url) {
  session.ehlo_name = url.ehlo_name;
  session.allow_rcpt_failures = options.mail_rcpt_allowfails;
  session.use_pipelining = !options.no_pipelining;
  session.use_chunking = !options.no_chunking;
  session.custom_request = options.request.value_or("");
  if (session.custom_request.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    throw Error(ExitCode::FailedInit, "-X: the request holds a line break or NUL byte");
  }
  if (url.scheme == Scheme::Smtps) {
    session.tls = TlsPolicy::Implicit;
  } else if (options.ssl_reqd) {
    session.tls = TlsPolicy::Required;
  } else if (options.ssl) {
    session.tls = TlsPolicy::Try;
  }
}

// The login: none for direct delivery; else the credentials from wherever they are given.
void set_login(JobSpec& spec, const Options& options, const std::string& url) {
  SessionConfig& session = spec.session;
  if (options.mx || (!url.empty() && spec.url.host.empty())) {
    refuse_login_for_direct_delivery(options, spec.url);
  }
  if (auto credentials = resolve_credentials(options, spec.url)) {
    const auto& login_options =
        options.login_options ? options.login_options : spec.url.login_options;
    session.auth.authenticator = std::make_shared<SaslAuthenticator>(
        std::move(*credentials), login_options, options.sasl_ir, hmac_md5_hex);
  }
  session.auth.allow_plaintext = options.allow_plaintext_auth;
  if (options.mail_auth) session.auth.mail_auth = normalize_mailbox(*options.mail_auth);
}

// Where and how to connect: --resolve, --connect-to, -4/-6, --interface, --local-port,
// proxies, rate and speed limits, socket options and timeouts.
void set_connection(JobSpec& spec, const Options& options) {
  for (const auto& entry : options.resolve) spec.resolve.push_back(parse_resolve(entry));
  spec.connect_to = options.connect_to;
  spec.ip_family = options.ip_family;
  // An empty --interface binds nothing (curl: SO_BINDTODEVICE with "" clears the binding).
  if (options.interface && !options.interface->empty()) spec.interface = options.interface;
  spec.local_port = options.local_port;
  spec.route = make_connect_route(options, spec.url.scheme,
                                  [](const char* name) { return std::getenv(name); });
  spec.max_send_speed = options.limit_rate;
  spec.speed_limit = speed_limit(options);
  spec.socket.tcp_nodelay = options.tcp_nodelay;
  if (!options.keepalive) {
    spec.socket.keepalive_seconds.reset();
  } else if (options.keepalive_time && *options.keepalive_time > 0) {
    // curl hands the number to setsockopt as an int (curlx_sltosi); the kernel refuses
    // what it cannot take, and curl goes on without it.
    spec.socket.keepalive_seconds =
        static_cast<int>(std::min<long>(*options.keepalive_time, std::numeric_limits<int>::max()));
  }
  if (options.connect_timeout) {
    spec.connect_timeout = to_duration(*options.connect_timeout, "--connect-timeout");
  }
  if (options.max_time) spec.max_time = to_duration(*options.max_time, "--max-time");
}

}  // namespace

JobSpec make_job_spec(const Options& options) {
  // --dump-message sends nothing, so it needs no server.
  if (options.url.empty() && !options.mx && !options.compose.dump_message) {
    throw Error(ExitCode::FailedInit, "no URL specified");
  }
  JobSpec spec;
  const std::string url = effective_url(options);
  spec.url = job_url(options, url);
  set_messages_and_envelope(spec, options);
  set_dialogue(spec.session, options, spec.url);
  spec.tls = make_tls_options(options);
  set_login(spec, options, url);
  set_connection(spec, options);
  apply_debug_options(options, spec);
  if (!spec.messages.empty() && !options.compose.dump_message) {
    spec.dkim = make_signing_request(options.dkim);
  } else if (!options.dkim.keys.empty() && !options.compose.dump_message) {
    throw Error(ExitCode::FailedInit, "--dkim-key signs a message: there is none to send");
  }
  return spec;
}

std::optional<MxOptions> make_mx_options(const Options& options, const JobSpec& spec) {
  if (!options.mx && !spec.url.host.empty()) {
    if (options.dns_servers || options.mx_port) {
      throw Error(ExitCode::FailedInit, "--dns-servers and --mx-port are only used with --mx");
    }
    return std::nullopt;
  }
  auto usage = [](std::string_view what) {
    throw Error(ExitCode::FailedInit, fmt::format("--mx: {}", what));
  };
  if (!spec.url.host.empty()) usage("the URL names a host: give either a relay or --mx");
  if (spec.url.scheme == Scheme::Smtps) usage("MX hosts take SMTP with STARTTLS, not smtps://");
  if (spec.session.mode != SessionMode::SendMail) usage("direct delivery needs -T and --mail-rcpt");
  if (!spec.resolve.empty()) usage("--resolve does not apply; use --dns-servers");
  if (!spec.connect_to.empty())
    usage("--connect-to does not apply; use --dns-servers and --mx-port");
  MxOptions mx;
  if (options.dns_servers) mx.dns_servers = parse_dns_servers(*options.dns_servers);
  if (options.mx_port) {
    if (*options.mx_port <= 0 || *options.mx_port > 65535) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("--mx-port: {} is not a port number", *options.mx_port));
    }
    mx.port = static_cast<std::uint16_t>(*options.mx_port);
  }
  return mx;
}

}  // namespace smtpc::cli
