// --serverinfo: what a server says about itself and its TLS, as text or JSON.
#pragma once

#include <cstdio>
#include <string>

#include "smtpc/job/job.hpp"

namespace smtpc::cli {

/// SIZE in human units: "32 MiB", "9.8 MiB", "512 bytes".
[[nodiscard]] std::string human_size(std::uint64_t bytes);

/// The readable report of what `progress` recorded of a connection to `spec`'s server.
/// Stops where the dialogue stopped: a failed handshake still shows the certificate.
[[nodiscard]] std::string serverinfo_text(const JobSpec& spec, const JobProgress& progress);
/// The same facts as one JSON object.
[[nodiscard]] std::string serverinfo_json(const JobSpec& spec, const JobProgress& progress);

/// Runs the --serverinfo dialogue and writes the report to `out` (JSON with `json`; nothing
/// when `out` is null), also when the dialogue failed part-way; `json_report` receives the
/// JSON in every case (-w '%{json}'). Returns 0, or throws the failure (e.g. Error(60) for
/// an untrusted certificate) after the report was written.
int run_serverinfo(const JobSpec& spec, Tracer& tracer, Notices& notices, bool json, std::FILE* out,
                   std::string& json_report);

}  // namespace smtpc::cli
