// Options for debugging a server: --serverinfo, --quit-after, and the DSN requests
// (--dsn-notify, --dsn-return, --dsn-envid, --dsn-required). docs/debugging.md.
#pragma once

#include <optional>
#include <string>

#include "smtpc/job/job.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::cli {

struct Options;

// The DSN requests are a group of DeliverySettings.
struct DebugOptions : settings::DsnSettings {
  bool serverinfo = false;                // --serverinfo: report, send nothing
  bool serverinfo_json = false;           // --serverinfo-json: the same report as JSON
  std::optional<std::string> quit_after;  // --quit-after STAGE
};

/// The make_job_spec hook, after the mode and TLS policy are set: the DSN request, the
/// --quit-after stage (at mail, rcpt and data an envelope without a message), and the
/// --serverinfo dialogue (EHLO, STARTTLS when offered, EHLO, AUTH with credentials, QUIT).
/// Throws Error(FailedInit) for bad values and combinations.
void apply_debug_options(const Options& options, JobSpec& spec);

}  // namespace smtpc::cli
