// --serverinfo, --quit-after and --dsn-*: their mapping onto a JobSpec.
#include "debug_options.hpp"

#include <fmt/format.h>

#include "options.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/smtp/dsn.hpp"

namespace smtpc::cli {
namespace {

[[noreturn]] void usage(const std::string& what) { throw Error(ExitCode::FailedInit, what); }

}  // namespace

void apply_debug_options(const Options& options, JobSpec& spec) {
  const DebugOptions& debug = options.debug;
  SessionConfig& session = spec.session;
  session.dsn =
      make_dsn_request(debug.dsn_notify, debug.dsn_return, debug.dsn_envid, debug.dsn_required);

  if (debug.serverinfo || debug.serverinfo_json) {
    if (debug.quit_after) usage("--serverinfo and --quit-after cannot be combined");
    if (options.mx) usage("--serverinfo needs a server URL, not --mx");
    if (!spec.messages.empty() || !session.forward_paths.empty()) {
      usage("--serverinfo sends no mail: drop -T, --mail-rcpt and the message options");
    }
    session.mode = SessionMode::Help;  // never reached: the dialogue ends after AUTH
    session.quit_after = Stage::Auth;
    // STARTTLS when offered, without the --ssl warnings: the report says what happened.
    if (session.tls == TlsPolicy::None) session.tls = TlsPolicy::Opportunistic;
    return;
  }
  if (!debug.quit_after) return;
  const auto stage = parse_stage(*debug.quit_after);
  if (!stage) {
    usage(fmt::format(
        "--quit-after \"{}\": expected connect, greeting, ehlo, tls, auth, mail, rcpt or data",
        *debug.quit_after));
  }
  if (options.mx) usage("--quit-after does not apply with --mx (yet): give the MX host's URL");
  session.quit_after = *stage;
  if (*stage < Stage::Mail) return;
  if ((*stage == Stage::Rcpt || *stage == Stage::Data) && session.forward_paths.empty()) {
    usage(fmt::format("--quit-after {}: give the recipients with --mail-rcpt", to_string(*stage)));
  }
  // An envelope without a message: -T, when given, only tells SIZE= and BODY=.
  session.mode = SessionMode::SendMail;
}

}  // namespace smtpc::cli
