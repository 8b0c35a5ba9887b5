// A queue run (--queue-run, sendmail -q): each due entry sent with its own settings, on its
// own, through the one table: sent entries leave, what may heal waits with a longer
// backoff, the rest (and what outlived the queue lifetime) goes to failed/ with a report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtpc/core/error.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/queue/queue.hpp"

namespace smtpc::delivery {

/// Postfix's maximal_queue_lifetime.
inline constexpr std::int64_t kDefaultQueueLifetime = 5 * 86400;

struct QueueRunSettings {
  bool force = false;                             // every entry, due or not
  std::optional<std::string> only_url;            // only the entries for this URL
  std::int64_t lifetime = kDefaultQueueLifetime;  // seconds in the queue before failed/
};

/// Where a queue run finds a password kept outside the queue (which never holds one): in
/// the account file an entry names. cli/ reads account files, so it hands one of these in:
/// their reader checks every key against the option table, which is cli/'s.
class AccountPasswords {
 public:
  virtual ~AccountPasswords() = default;
  /// The `password` of `account` ("default" when none) in `file`; nullopt when it keeps
  /// none. Throws Error(FailedInit) when the file cannot be read or is not safe to read.
  [[nodiscard]] virtual std::optional<std::string> password(
      const std::string& file, const std::optional<std::string>& account) const = 0;
};

/// The job that sends `entry` again, its message read from `message_path`: the entry's
/// settings and envelope (make_job_spec), its login's password read again from its account
/// file when it is kept there. Throws Error when the settings cannot make one now (a
/// configuration error: no password, no URL...).
[[nodiscard]] JobSpec job_for_entry(const queue::Entry& entry, const std::string& message_path,
                                    const AccountPasswords& passwords);

/// What a queue run tells, entry by entry (the CLI prints it).
class QueueRunEvents {
 public:
  virtual ~QueueRunEvents() = default;
  virtual void sent(const queue::Entry& entry, const std::optional<Reply>& reply) = 0;
  virtual void deferred(const queue::Entry& entry, int attempts, std::int64_t delay,
                        const Error& error) = 0;
  /// Moved to failed/ (`why`: refused for good, expired, a configuration error...).
  virtual void failed(const queue::Entry& entry, std::string_view why, std::string_view detail) = 0;
  /// Delivered, but its entry could not be removed: `problem`.
  virtual void delivered_with_problem(const queue::Entry& entry, std::string_view problem) = 0;
  /// Entry `id` could not be read, locked, sent or updated: reported, the run goes on.
  virtual void problem(const std::string& id, const Error& error) = 0;
};

struct QueueRunSummary {
  int sent = 0;
  int deferred = 0;
  int failed = 0;
  int waiting = 0;                // not due yet
  std::optional<ExitCode> first;  // the first failure's exit code
};

/// One pass over the queue in `directory`. Throws Error only when the queue itself cannot
/// be opened.
[[nodiscard]] QueueRunSummary run_queue(const std::string& directory,
                                        const QueueRunSettings& settings,
                                        const AccountPasswords& passwords, Tracer& tracer,
                                        Notices& notices, QueueRunEvents& events);

}  // namespace smtpc::delivery
