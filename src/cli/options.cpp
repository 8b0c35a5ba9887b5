// Option declarations (curl's names) and the mapping from options to a JobSpec.
#include "options.hpp"

#include <fmt/format.h>

#include <cmath>

#include "smtpc/command.hpp"
#include "smtpc/error.hpp"

namespace smtpc::cli {
namespace {

std::chrono::milliseconds to_duration(double seconds, std::string_view option) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) {
    throw Error(ExitCode::FailedInit,
                fmt::format("{}: expected a number of seconds, got {}", option, seconds));
  }
  return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000.0)));
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
  app.add_option("-T,--upload-file", options.upload_file,
                 "The RFC 5322 message to send; - reads standard input");
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
}

JobSpec make_job_spec(const Options& options) {
  if (options.url.empty()) throw Error(ExitCode::FailedInit, "no URL specified");
  JobSpec spec;
  spec.url = parse_smtp_url(options.url);
  SessionConfig& session = spec.session;
  session.ehlo_name = spec.url.ehlo_name;
  session.reverse_path = normalize_mailbox(options.mail_from.value_or(""));
  for (const auto& rcpt : options.mail_rcpt) {
    std::string mailbox = normalize_mailbox(rcpt);
    if (mailbox.empty()) throw Error(ExitCode::FailedInit, "--mail-rcpt: empty address");
    session.forward_paths.push_back(std::move(mailbox));
  }
  session.allow_rcpt_failures = options.mail_rcpt_allowfails;

  if (options.upload_file) {
    if (options.upload_file->empty()) throw Error(ExitCode::FailedInit, "-T: empty file name");
    if (session.forward_paths.empty()) {
      // curl would send HELP here and no mail at all, and still exit 0.
      throw Error(ExitCode::FailedInit,
                  "-T given without any --mail-rcpt: refusing to send a message nobody gets");
    }
    session.mode = SessionMode::SendMail;
    spec.upload_path = options.upload_file;
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

  if (options.connect_timeout) {
    spec.connect_timeout = to_duration(*options.connect_timeout, "--connect-timeout");
  }
  if (options.max_time) spec.max_time = to_duration(*options.max_time, "--max-time");
  return spec;
}

}  // namespace smtpc::cli
