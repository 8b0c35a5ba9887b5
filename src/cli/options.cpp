// Option declarations (curl's names) and the mapping from options to a JobSpec.
#include "options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "credentials.hpp"
#include "queue_cli.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/mx/idn.hpp"
#include "smtpc/smtp/command.hpp"

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
  if (options.key && !options.cert) {
    throw Error(ExitCode::FailedInit, "--key given without --cert");
  }
  if (options.tlsv1_3) tls.min_version = TlsVersion::Tls13;
  if (options.tls_max) tls.max_version = parse_tls_version(*options.tls_max);
  if (tls.max_version && *tls.max_version < tls.min_version) {
    throw Error(ExitCode::FailedInit, "--tls-max is lower than the minimum TLS version");
  }
  tls.ciphers = options.ciphers;
  tls.tls13_ciphers = options.tls13_ciphers;
  if (options.pinnedpubkey) {
    if (!options.pinnedpubkey->starts_with("sha256//")) {
      throw Error(ExitCode::FailedInit,
                  "--pinnedpubkey: expected sha256//BASE64 (optionally several, separated by ;)");
    }
    tls.pinned_public_key = options.pinnedpubkey;
  }
  return tls;
}

// HOST:PORT:ADDRESS, where ADDRESS may be a bracketed IPv6 literal.
ResolveOverride parse_resolve(const std::string& text) {
  const auto first = text.find(':');
  const auto second = first == std::string::npos ? first : text.find(':', first + 1);
  if (second == std::string::npos) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--resolve \"{}\": expected HOST:PORT:ADDRESS", text));
  }
  ResolveOverride entry;
  entry.host = text.substr(0, first);
  const std::string port = text.substr(first + 1, second - first - 1);
  entry.address = text.substr(second + 1);
  if (entry.address.size() > 2 && entry.address.front() == '[' && entry.address.back() == ']') {
    entry.address = entry.address.substr(1, entry.address.size() - 2);
  }
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (entry.host.empty() || entry.address.empty() || ec != std::errc{} ||
      ptr != port.data() + port.size() || value == 0 || value > 65535) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--resolve \"{}\": expected HOST:PORT:ADDRESS", text));
  }
  entry.port = static_cast<std::uint16_t>(value);
  return entry;
}

}  // namespace

void add_options(CLI::App& app, Options& options) {
  app.add_option("url", options.url, "smtp://[user@]host[:port][/ehlo-name] or smtps://...");
  app.add_option("--url", options.url, "The URL, as an option");
  app.add_option("--mail-from", options.mail_from,
                 "Envelope sender (reverse-path); absent or empty sends MAIL FROM:<>");
  app.add_option("--mail-rcpt", options.mail_rcpt, "Envelope recipient; repeat for more")
      ->allow_extra_args(false);
  app.add_flag("--mail-rcpt-allowfails", options.mail_rcpt_allowfails,
               "Send to the recipients the server accepts; fail only if it refuses all");
  app.add_option_function<std::vector<std::string>>(
      "-T,--upload-file",
      [&options](const std::vector<std::string>& files) {
        options.upload_file = files.front();
        options.more_upload_files.assign(files.begin() + 1, files.end());
      },
      "The RFC 5322 message to send; - reads standard input. Repeat to send several "
      "messages over one connection");
  app.add_flag("--no-pipelining", options.no_pipelining,
               "Wait for each reply even when the server offers PIPELINING");
  app.add_flag("--no-chunking", options.no_chunking,
               "Use DATA even when the server offers CHUNKING (BDAT)");
  app.add_flag("-v,--verbose", options.verbose, "Show the SMTP dialogue on stderr");
  app.add_flag("-s,--silent", options.silent, "No warnings or error messages");
  app.add_flag("-S,--show-error", options.show_error, "With -s, still show errors");
  app.add_option("--connect-timeout", options.connect_timeout, "Seconds allowed for connecting");
  app.add_option("-m,--max-time", options.max_time, "Seconds allowed for the whole operation");
  app.add_option("-o,--output", options.output, "Where HELP and VRFY output goes");
  app.add_option("--trace-ascii", options.trace_ascii,
                 "Write a full trace to FILE (- for stdout); secrets are redacted");
  app.add_flag("--trace-time", options.trace_time, "Time-stamp every trace line");
  app.add_flag("-i,--include", options.include, "Accepted for curl compatibility; no effect");
  app.add_flag("--crlf", options.crlf, "Accepted for curl compatibility; CRLF is always sent");
  app.add_flag("--ssl", options.ssl, "Use STARTTLS when the server offers it");
  app.add_flag("--ssl-reqd", options.ssl_reqd, "Require STARTTLS; never send in plain text");
  app.add_flag("-k,--insecure", options.insecure,
               "Do not verify the server's certificate (unsafe)");
  app.add_option("--cacert", options.cacert, "Trust the CA certificates in this PEM file");
  app.add_option("--capath", options.capath, "Trust the CA certificates in this directory");
  app.add_option("-E,--cert", options.cert, "Client certificate (PEM)");
  app.add_option("--key", options.key, "Private key of the client certificate (PEM)");
  app.add_option("--pass", options.pass, "Pass phrase of the private key");
  app.add_flag("--tlsv1.2", options.tlsv1_2, "Use TLS 1.2 or later (the default)");
  app.add_flag("--tlsv1.3", options.tlsv1_3, "Use TLS 1.3 or later");
  app.add_option("--tls-max", options.tls_max, "Highest TLS version to use: 1.2 or 1.3");
  app.add_option("--ciphers", options.ciphers, "TLS 1.2 cipher list (OpenSSL syntax)");
  app.add_option("--tls13-ciphers", options.tls13_ciphers, "TLS 1.3 cipher suites");
  app.add_option("--pinnedpubkey", options.pinnedpubkey,
                 "sha256//BASE64[;sha256//...]: accept only these server public keys");
  app.add_option("--resolve", options.resolve,
                 "HOST:PORT:ADDRESS: connect to ADDRESS for HOST:PORT; repeatable");

  app.add_option("-u,--user", options.user, "USER[:PASSWORD] to log in with (AUTH)");
  app.add_option("--password-file", options.password_file,
                 "Read the password from the first line of this file");
  app.add_flag("-n,--netrc", options.netrc, "Take the login from ~/.netrc (or $NETRC)");
  app.add_flag("--netrc-optional", options.netrc_optional, "Like --netrc, if the file exists");
  app.add_option("--netrc-file", options.netrc_file, "Take the login from this netrc file");
  app.add_option("--login-options", options.login_options,
                 "AUTH=MECHANISM (or several, separated by ;) or AUTH=*");
  app.add_option("--sasl-authzid", options.sasl_authzid, "Authorization identity for AUTH PLAIN");
  app.add_flag("--sasl-ir", options.sasl_ir, "Send the initial response with the AUTH command");
  app.add_option("--oauth2-bearer", options.oauth2_bearer,
                 "OAuth 2.0 bearer token (XOAUTH2, OAUTHBEARER)");
  app.add_option("--mail-auth", options.mail_auth,
                 "Original submitter: MAIL FROM's AUTH= parameter");
  app.add_flag("--allow-plaintext-auth", options.allow_plaintext_auth,
               "Allow sending credentials unencrypted to a host other than this one (unsafe)");
  app.add_flag("--mx", options.mx,
               "Deliver directly to each recipient domain's MX hosts (no relay; docs/mx.md)");
  app.add_option("--dns-servers", options.dns_servers,
                 "With --mx: IPv4ADDR[:PORT][,...] DNS servers instead of the system's");
  app.add_option("--mx-port", options.mx_port, "With --mx: connect to this port instead of 25");
  add_compose_options(app, options.compose);
  add_queue_options(app, options);
}

JobSpec make_job_spec(const Options& options) {
  // --dump-message sends nothing, so it needs no server.
  if (options.url.empty() && !options.mx && !options.compose.dump_message) {
    throw Error(ExitCode::FailedInit, "no URL specified");
  }
  JobSpec spec;
  spec.url = options.url.empty() ? SmtpUrl{} : parse_smtp_url(options.url, true);
  SessionConfig& session = spec.session;
  session.ehlo_name = spec.url.ehlo_name;
  session.reverse_path = normalize_mailbox(options.mail_from.value_or(""));
  for (const auto& rcpt : options.mail_rcpt) {
    std::string mailbox = normalize_mailbox(rcpt);
    if (mailbox.empty()) throw Error(ExitCode::FailedInit, "--mail-rcpt: empty address");
    session.forward_paths.push_back(std::move(mailbox));
  }
  session.allow_rcpt_failures = options.mail_rcpt_allowfails;
  session.use_pipelining = !options.no_pipelining;
  session.use_chunking = !options.no_chunking;
  // Internationalised addresses: the domain goes out as A-labels (as curl does); a
  // non-ASCII local part needs SMTPUTF8 (RFC 6531).
  auto internationalise = [&session](std::string& mailbox) {
    const auto at = mailbox.rfind('@');
    if (at != std::string::npos && !is_ascii(std::string_view(mailbox).substr(at + 1)) &&
        mailbox.back() != ']') {
      mailbox = mailbox.substr(0, at + 1) + domain_to_ascii(mailbox.substr(at + 1));
    }
    if (!is_ascii(mailbox)) session.smtputf8 = true;
  };
  internationalise(session.reverse_path);
  for (auto& mailbox : session.forward_paths) internationalise(mailbox);

  if (apply_compose(options, spec)) {
    // A composed or edited message: apply_compose set the mode, envelope and source.
  } else if (options.upload_file) {
    if (options.upload_file->empty()) throw Error(ExitCode::FailedInit, "-T: empty file name");
    if (session.forward_paths.empty()) {
      // curl would send HELP here and no mail at all, and still exit 0.
      throw Error(ExitCode::FailedInit,
                  "-T given without any --mail-rcpt: refusing to send a message nobody gets");
    }
    session.mode = SessionMode::SendMail;
    spec.upload_path = options.upload_file;
    for (const auto& file : options.more_upload_files) {
      if (file.empty()) throw Error(ExitCode::FailedInit, "-T: empty file name");
      if (file == "-") {
        throw Error(ExitCode::FailedInit, "-T -: standard input can only be the first message");
      }
      spec.more_upload_paths.push_back(file);
    }
  } else {
    session.mode = session.forward_paths.empty() ? SessionMode::Help : SessionMode::Verify;
  }

  if (spec.url.scheme == Scheme::Smtps) {
    session.tls = TlsPolicy::Implicit;
  } else if (options.ssl_reqd) {
    session.tls = TlsPolicy::Required;
  } else if (options.ssl) {
    session.tls = TlsPolicy::Try;
  }

  spec.tls = make_tls_options(options);
  if (auto credentials = resolve_credentials(options, spec.url)) {
    const auto& login_options =
        options.login_options ? options.login_options : spec.url.login_options;
    session.auth.authenticator = std::make_shared<SaslAuthenticator>(
        std::move(*credentials), login_options, options.sasl_ir);
  }
  session.auth.allow_plaintext = options.allow_plaintext_auth;
  if (options.mail_auth) session.auth.mail_auth = normalize_mailbox(*options.mail_auth);
  for (const auto& entry : options.resolve) spec.resolve.push_back(parse_resolve(entry));

  if (options.connect_timeout) {
    spec.connect_timeout = to_duration(*options.connect_timeout, "--connect-timeout");
  }
  if (options.max_time) spec.max_time = to_duration(*options.max_time, "--max-time");
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
