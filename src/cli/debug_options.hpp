// Options for debugging a server: --serverinfo, --quit-after, and the DSN requests
// (--dsn-notify, --dsn-return, --dsn-envid, --dsn-required). docs/debugging.md.
#pragma once

#include <optional>
#include <string>

#include "smtpc/job/job.hpp"

namespace smtpc::cli {

struct Options;

struct DebugOptions {
  bool serverinfo = false;                // --serverinfo: report, send nothing
  bool serverinfo_json = false;           // --serverinfo-json: the same report as JSON
  std::optional<std::string> quit_after;  // --quit-after STAGE
  std::optional<std::string> dsn_notify;  // --dsn-notify never|success,failure,delay
  std::optional<std::string> dsn_return;  // --dsn-return full|hdrs
  std::optional<std::string> dsn_envid;   // --dsn-envid ID
  bool dsn_required = false;              // --dsn-required
};

/// The make_job_spec hook, after the mode and TLS policy are set: the DSN request, the
/// --quit-after stage (at mail, rcpt and data an envelope without a message), and the
/// --serverinfo dialogue (EHLO, STARTTLS when offered, EHLO, AUTH with credentials, QUIT).
/// Throws Error(FailedInit) for bad values and combinations.
void apply_debug_options(const Options& options, JobSpec& spec);

}  // namespace smtpc::cli
