// Never losing a message: --queue, --queue-run, --queue-list and curl's --retry options,
// on top of the queue module (include/smtpc/queue/queue.hpp). docs/queue.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/queue/queue.hpp"

namespace smtpc::cli {

/// How the queue remembers a login without the secret: where the config file is, if one
/// was read for these options (null when none).
struct QueueContext {
  std::optional<std::string> config_path;
  std::optional<std::string> account;
  bool sendmail = false;  // transient failures exit 0 once queued (sysexits callers)
};

/// The config file that apply_config_profile will read for `options` (call it before).
[[nodiscard]] QueueContext config_in_use(const Options& options);

/// How to send again: delivery_settings() (settings_options.hpp) with the account in use.
/// Adds to `warnings` what the queue cannot keep (a password given on the command line...).
[[nodiscard]] settings::DeliverySettings queue_settings(const Options& options,
                                                        const QueueContext& context,
                                                        std::vector<std::string>& warnings);

/// The queue directory: --queue-dir (or the config's queue-dir), $SMTPC_QUEUE_DIR, else the
/// first of queue::candidate_directories() that this user can keep mail in (made when
/// missing). Throws Error(FailedInit) naming each one tried when none is usable.
[[nodiscard]] std::string queue_directory(const Options& options);

/// The whole send for -T/composed messages when --queue or --retry is given: messages are
/// kept in the queue (or a private spool for --retry alone) before the first attempt, sent,
/// retried, and removed once accepted; transient failures stay queued ("queued as ID").
/// Returns the exit code (printing the report and the error line itself).
[[nodiscard]] int send_reliably(const Options& options, const JobSpec& spec,
                                const QueueContext& context, Tracer& tracer, Notices& notices);

/// One pass over the queue (--queue-run, sendmail -q): every entry due (all with `force`)
/// is sent with its own settings; accepted ones leave, permanent failures go to failed/,
/// the others wait with a longer backoff. Entries locked by another run are left alone.
/// `only_url`: flush only entries for that URL (after a successful sendmail send).
/// Returns 0, or the exit code of the first entry that failed.
[[nodiscard]] int run_queue(const std::string& directory, bool force, int verbose, bool show_errors,
                            const std::optional<std::string>& only_url);

/// How a queue run goes (--queue-run and its options, sendmail -q).
struct QueueRunSettings {
  bool force = false;  // every entry, due or not
  int verbose = 0;
  bool show_errors = true;
  std::optional<std::string> only_url;  // only the entries for this URL
  /// An entry queued longer than this goes to failed/ with a report (default 5 days).
  std::optional<std::int64_t> lifetime;
};

/// run_queue with every setting: each entry on its own (one that cannot be read, sent or
/// updated is reported and the run goes on), expired and misconfigured ones to failed/.
[[nodiscard]] int run_queue(const std::string& directory, const QueueRunSettings& settings);

/// --queue-list, mailq: one block per entry (id, size, age, envelope, attempts, last error)
/// and the entries of failed/. Returns 0.
[[nodiscard]] int list_queue(const std::string& directory, std::FILE* out);

}  // namespace smtpc::cli
