// The delivery engine: attempt -> classify -> deliver / defer / fail / keep as unconfirmed,
// for every send: a plain one, --retry, --queue, --mx, sendmail mode (and a `sendmail -bs`
// front end), and queue runs (queue_run.hpp). It decides; cli/ fills the request and
// prints the report. What a failure means comes from the one table (smtpc/core/failure.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/delivery/mx_delivery.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/queue/queue.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::delivery {

/// curl's --retry options: DeliverySettings' retry group (retry_delay: none is 1 s doubling
/// to 10 min; retry_max_time: seconds since the first attempt). The queue fields in it are
/// not the engine's business: Keeping says where messages are kept.
using RetryPolicy = settings::RetrySettings;

/// Throws Error(FailedInit) naming the option whose value is out of range.
void validate(const RetryPolicy& retry);

/// Where the messages are kept while they are being sent.
struct Keeping {
  /// The queue: failures that may heal stay there. nullopt: a private spool that goes away
  /// at the end (--retry alone; sendmail mode when no queue can be opened).
  std::optional<std::string> queue_directory;
  /// How a queue run sends an entry again: never a secret.
  queue::Settings settings;
  /// sendmail mode: a queue that cannot be opened must not stand between the message and
  /// a relay that may be up: send without it (DeliveryEvents::queue_unavailable).
  bool without_queue_if_unavailable = false;
  /// Nothing kept (a plain send, --mx): one attempt over the messages where they are, so
  /// standard input streams through without a copy. --retry and --queue need the copy.
  bool nothing = false;
};

/// What became of one message.
enum class Fate {
  Sent,     // the server's 250 for it (its entry is gone, or marked delivered)
  Queued,   // in the queue, on disk: a queue run sends it later
  NotSent,  // neither: refused for good, a local error, or no queue to keep it
};

struct MessageReport {
  MessageResult result;  // as the last attempt left it
  Fate fate = Fate::NotSent;
  std::optional<std::string> queue_id;  // Fate::Queued
  std::optional<std::string> problem;   // queued, but its attempt count could not be recorded
};

struct DeliveryReport {
  std::vector<MessageReport> messages;  // one per message of the job, in order
  /// The first error of a message not sent (queued or not); nullopt: every message sent.
  std::optional<Error> first_error;
  /// The queue the messages were kept in (nullopt: a private spool).
  std::optional<std::string> queue_directory;
  /// The last attempt: the error it ended with, as the job raised it (nullopt: every
  /// message accepted; with several messages it may differ from first_error, e.g. the
  /// connection lost after a refusal), whether it reached the relay's SMTP dialogue (if
  /// not, no message was offered: each carries that error), the text the server sent (HELP,
  /// VRFY, -X) and how far it got (-w).
  std::optional<Error> attempt_error;
  bool conversed = false;
  std::vector<std::string> output;
  JobProgress progress;
  /// --mx: what became of each recipient domain.
  std::optional<MxReport> direct;
  /// The first error of a message neither sent nor queued.
  [[nodiscard]] std::optional<Error> first_lost() const;
};

/// What the engine tells while it works, for the user (the CLI prints it).
class DeliveryEvents {
 public:
  virtual ~DeliveryEvents() = default;
  /// The queue could not be opened (`error`): the messages are sent without it.
  virtual void queue_unavailable(const Error& error) = 0;
  /// About to wait `delay` before retry; `kind`: the first failure's.
  virtual void retrying(FailureKind kind, std::chrono::milliseconds delay, int retries_left) = 0;
  /// Message `index` was accepted, but its entry could not be removed: `problem`.
  virtual void delivered_with_problem(std::size_t index, std::string_view problem) = 0;
  /// Accepted message `index` was refused for now by `recipients` (`reason`): queued for
  /// them as `id`, or not queued (`id` empty) for `problem`.
  virtual void recipients_deferred(std::size_t index, const std::vector<std::string>& recipients,
                                   std::string_view reason, std::string_view id,
                                   std::string_view problem) = 0;
};

/// One attempt at a job's messages: what deliver() and a queue run both make.
struct Attempt {
  std::vector<MessageResult> results;  // one per message of the job; not accepted: an error
  /// The error the attempt ended with, as the job raised it (nullopt: every message
  /// accepted), whether it reached the relay's SMTP dialogue, the text the server sent
  /// (HELP, VRFY, -X), and with --mx what became of each recipient domain.
  std::optional<Error> error;
  bool conversed = false;
  std::vector<std::string> output;
  std::optional<MxReport> direct;
};

/// Sends `job`'s messages once: to its URL (run_job), or with `mx` to each recipient domain
/// (run_mx_delivery; a message is accepted once every domain has taken it, else it carries
/// the first failed domain's error). A message not accepted carries its own error, else
/// the attempt's. `progress` says how far the job got (-w). Throws only run_mx_delivery's
/// errors.
[[nodiscard]] Attempt attempt(const JobSpec& job, const std::optional<MxOptions>& mx,
                              Tracer& tracer, Notices& notices, JobProgress& progress);

/// What the failure table (core/failure.hpp) makes of a message after an attempt.
enum class Verdict {
  Sent,   // accepted: its 250 settles it
  Defer,  // a failure that may heal: kept, tried again later
  Keep,   // its end of data went unanswered: kept, marked unconfirmed (a resend may duplicate)
  Fail,   // refused for good, or an error waiting cannot heal
};
[[nodiscard]] Verdict verdict(const MessageResult& result);

/// Hands the job's messages to the engine. Each is written to the queue (or the private
/// spool) before the first attempt; then sent, retried as `retry` and the table allow, and
/// finally removed (the server's 250), kept queued (a failure that may heal; "unconfirmed"
/// when the end of data went unanswered) or dropped (the table says fail). A message is
/// reported Sent or Queued only once that is safe on disk, so a front end may answer 250
/// for it then. With `keeping.nothing`, one attempt over the messages as they are.
/// `mx`: each attempt goes to the recipients' domains (run_mx_delivery) instead of the
/// job's URL; only with `keeping.nothing` (Error(FailedInit) otherwise).
/// Throws Error, having sent nothing, when a message cannot be read or kept (and, for
/// --mx, run_mx_delivery's errors).
[[nodiscard]] DeliveryReport deliver(const JobSpec& job, const RetryPolicy& retry,
                                     const Keeping& keeping, Tracer& tracer, Notices& notices,
                                     DeliveryEvents& events,
                                     const std::optional<MxOptions>& mx = std::nullopt);

/// The queue's backoff: first retry after BASE seconds, doubling up to CAP (5 min, 4 h;
/// $SMTPC_QUEUE_BACKOFF=BASE[:CAP] changes them). Throws Error(FailedInit) on a bad value.
[[nodiscard]] std::pair<std::int64_t, std::int64_t> backoff_limits();

}  // namespace smtpc::delivery
