// The delivery engine (smtpc/delivery/delivery.hpp): one class, one method per step.
#include "smtpc/delivery/delivery.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <thread>

#include "smtpc/core/duration.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::delivery {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::int64_t kBackoffBase = 300;
constexpr std::int64_t kBackoffCap = 4 * 3600;

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string describe(const Error& error) {
  return fmt::format("({}) {}", to_int(error.code()), error.what());
}

QueueAction queue_action(const Error& error) { return policy_for(error.kind()).queue; }

// The first state of an entry after attempt 1 failed with `error`.
queue::EntryState first_failure(const Error& error) {
  const auto [base, cap] = backoff_limits();
  queue::EntryState state;
  state.attempts = 1;
  state.last_attempt = unix_now();
  state.next_attempt = state.last_attempt + queue::backoff_seconds(1, base, cap);
  state.last_error = describe(error);
  state.unconfirmed = queue_action(error) == QueueAction::Keep;
  return state;
}

// A temporary directory that goes away with this object (--retry's private spool).
class PrivateSpool {
 public:
  PrivateSpool() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/smtpc-retry-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error(ExitCode::WriteError,
                  fmt::format("--retry: cannot create a spool in {}", pattern));
    }
    path_ = pattern;
  }
  PrivateSpool(const PrivateSpool&) = delete;
  PrivateSpool& operator=(const PrivateSpool&) = delete;
  ~PrivateSpool() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] std::string queue_directory() const { return path_ + "/queue"; }

 private:
  std::string path_;
};

class Delivery {
 public:
  Delivery(const JobSpec& job, const RetryPolicy& retry, const Keeping& keeping, Tracer& tracer,
           Notices& notices, DeliveryEvents& events, const std::optional<MxOptions>& mx)
      : job_(job),
        retry_(retry),
        keeping_(keeping),
        tracer_(tracer),
        notices_(notices),
        events_(events),
        mx_(mx),
        count_(job.messages.size()),
        done_(count_, false),
        retries_left_(retry.retry) {
    report_.messages.resize(count_);
  }

  DeliveryReport run() {
    if (keeping_.nothing) {
      send_once();
      return std::move(report_);
    }
    open_store();
    keep_every_message();
    const auto start = Clock::now();
    while (attempt()) {
      const auto delay = retry_delay(start);
      if (!delay) break;
      events_.retrying(first_kind_.value_or(FailureKind::Network), *delay, retries_left_);
      --retries_left_;
      if (delay->count() > 0) std::this_thread::sleep_for(*delay);
    }
    settle_failures();
    return std::move(report_);
  }

 private:
  void open_store() {
    if (keeping_.queue_directory) {
      try {
        store_.emplace(*keeping_.queue_directory);
        queued_ = true;
        report_.queue_directory = store_->directory();
        return;
      } catch (const Error& error) {
        if (!keeping_.without_queue_if_unavailable) throw;
        events_.queue_unavailable(error);
      }
    }
    spool_.emplace();
    store_.emplace(spool_->queue_directory());
  }

  // Every message is on disk before the first attempt: nothing is sent that could be lost.
  void keep_every_message() {
    const queue::Settings& settings = keeping_.settings;
    for (std::size_t i = 0; i < count_; ++i) {
      std::unique_ptr<MessageSource> reading;
      try {
        reading = job_.messages.at(i).open();
        entries_.emplace_back(store_->add(job_.session.reverse_path, job_.session.forward_paths,
                                          settings, *reading, job_.session.address_parameters));
      } catch (const Error& error) {
        for (auto& entry : entries_) entry->remove();  // nothing was sent: nothing stays
        if (!reading || error.code() == ExitCode::ReadError) throw;
        throw Error(error.code(),
                    fmt::format("cannot queue {}: {}", message_name(job_, i), error.what()));
      }
    }
  }

  // A plain send or --mx: one attempt over the messages as they are, nothing kept.
  void send_once() {
    std::vector<MessageResult> results = run(job_);
    for (std::size_t i = 0; i < count_; ++i) {
      MessageReport& message = report_.messages[i];
      message.result = std::move(results[i]);  // moved: it lists every accepted recipient
      if (message.result.outcome == MessageOutcome::Accepted) {
        message.fate = Fate::Sent;
      } else if (!report_.first_error) {
        report_.first_error = message.result.error;
      }
    }
    // No message (HELP, VRFY, -X): the attempt's own error.
    if (!report_.first_error) report_.first_error = report_.attempt_error;
  }

  // One attempt at the messages not done yet. Returns whether a retry may help.
  bool attempt() {
    std::vector<std::size_t> sending;
    JobSpec job = job_;
    job.messages.clear();
    for (std::size_t i = 0; i < count_; ++i) {
      if (done_[i]) continue;
      sending.push_back(i);
      job.messages.push_back(MessageOrigin::file(entries_[i]->message_path()));
    }
    const std::vector<MessageResult> results = run(job);
    bool retryable = false;
    first_kind_.reset();
    for (std::size_t k = 0; k < sending.size(); ++k) {
      const std::size_t i = sending[k];
      report_.messages[i].result = results[k];
      const Verdict said = verdict(results[k]);
      if (said == Verdict::Sent) {
        accepted(i);
        continue;
      }
      const Error& error = *results[k].error;
      if (!first_kind_) first_kind_ = error.kind();
      if (said == Verdict::Fail && !retry_.retry_all_errors) {
        done_[i] = true;  // refused for good: reported, never retried or queued
      } else if (retry_allows(error.kind(), retry_.retry_connrefused, retry_.retry_all_errors)) {
        retryable = true;
      }
    }
    return retryable && std::find(done_.begin(), done_.end(), false) != done_.end() &&
           retries_left_ > 0;
  }

  // One attempt (attempt()); its own outcome goes to report_.
  std::vector<MessageResult> run(const JobSpec& job) {
    Attempt made = delivery::attempt(job, mx_, tracer_, notices_, report_.progress);
    report_.attempt_error = std::move(made.error);
    report_.conversed = made.conversed;
    report_.output = std::move(made.output);
    if (made.direct) report_.direct = std::move(made.direct);
    return std::move(made.results);
  }

  // The wait before the next attempt, or nullopt when --retry-max-time has run out.
  std::optional<milliseconds> retry_delay(Clock::time_point start) {
    milliseconds delay = retry_.retry_delay && *retry_.retry_delay > 0
                             ? milliseconds_from_seconds(*retry_.retry_delay)
                             : backoff_;
    backoff_ = std::min<milliseconds>(backoff_ * 2, std::chrono::minutes(10));
    if (retry_.retry_max_time && *retry_.retry_max_time > 0) {
      const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      const auto limit = milliseconds_from_seconds(*retry_.retry_max_time);
      if (elapsed >= limit) return std::nullopt;
      delay = std::min(delay, limit - elapsed);
    }
    return delay;
  }

  // The server's 250: the entry goes (or is marked delivered), and with
  // --mail-rcpt-allowfails the recipients refused for now get an entry of their own.
  void accepted(std::size_t i) {
    done_[i] = true;
    report_.messages[i].fate = Fate::Sent;
    if (queued_) defer_refused_recipients(i);
    if (const auto problem = entries_[i]->settle_delivered()) {
      events_.delivered_with_problem(i, *problem);
    }
    entries_[i].reset();
  }

  void defer_refused_recipients(std::size_t i) {
    std::vector<std::string> later;
    std::string reason;
    for (const auto& refused : report_.messages[i].result.refused) {
      if (!refused.reply.code.transient()) continue;
      later.push_back(refused.address);
      if (reason.empty()) reason = refused.reply.summary();
    }
    if (later.empty()) return;
    try {
      const queue::Entry& entry = entries_[i]->entry();
      const auto reading = MessageOrigin::file(entries_[i]->message_path()).open();
      queue::LockedEntry added = store_->add(entry.reverse_path, later, keeping_.settings, *reading,
                                             entry.address_parameters);
      added.update(first_failure(Error(ExitCode::SendError, reason)));
      events_.recipients_deferred(i, later, reason, added.entry().id, "");
    } catch (const Error& error) {
      // The others have the message: it must not go to them again, so nothing is thrown.
      events_.recipients_deferred(i, later, reason, "", error.what());
    }
  }

  // After the last attempt: what may heal stays queued, the rest leaves the queue.
  void settle_failures() {
    for (std::size_t i = 0; i < count_; ++i) {
      if (!entries_[i]) continue;  // sent
      MessageReport& message = report_.messages[i];
      const Error& error = *message.result.error;
      if (!report_.first_error) report_.first_error = error;
      if (!queued_ || verdict(message.result) == Verdict::Fail) {
        entries_[i]->remove();
        continue;
      }
      message.fate = Fate::Queued;
      message.queue_id = entries_[i]->entry().id;
      try {
        entries_[i]->update(first_failure(error));
      } catch (const Error& update_error) {
        // The entry is whole and queued; only its attempt count could not be recorded.
        message.problem = update_error.what();
      }
    }
  }

  const JobSpec& job_;
  const RetryPolicy& retry_;
  const Keeping& keeping_;
  Tracer& tracer_;
  Notices& notices_;
  DeliveryEvents& events_;
  const std::optional<MxOptions>& mx_;
  std::size_t count_;
  DeliveryReport report_;
  std::optional<PrivateSpool> spool_;
  std::optional<queue::Queue> store_;
  bool queued_ = false;  // store_ is the queue, not a private spool
  std::vector<std::optional<queue::LockedEntry>> entries_;
  std::vector<bool> done_;  // sent, or refused for good
  int retries_left_;
  milliseconds backoff_{1000};
  std::optional<FailureKind> first_kind_;
};

// Through the job's relay: run_job's results as they are.
void run_relay(const JobSpec& job, Tracer& tracer, Notices& notices, JobProgress& progress,
               Attempt& made) {
  try {
    SendResult sent = run_job(job, tracer, notices, progress);
    made.conversed = true;
    made.output = std::move(sent.output);
    std::move(sent.messages.begin(),
              sent.messages.begin() +
                  static_cast<std::ptrdiff_t>(std::min(made.results.size(), sent.messages.size())),
              made.results.begin());
  } catch (const SendFailure& failure) {
    made.error = failure;
    made.conversed = true;
    made.output = failure.result().output;
    const auto& sent = failure.result().messages;
    std::copy_n(sent.begin(), std::min(made.results.size(), sent.size()), made.results.begin());
  } catch (const Error& error) {
    made.error = error;
  }
}

// --mx: a message is sent once every recipient domain has taken it; else it carries the
// first failed domain's error (the domains that took it are in made.direct).
void run_direct(const JobSpec& job, const MxOptions& mx, Tracer& tracer, Notices& notices,
                Attempt& made) {
  made.direct = run_mx_delivery(job, mx, tracer, notices);
  const DomainOutcome* failure = made.direct->first_failure();
  if (failure != nullptr) {
    made.error = failure->error;
    return;
  }
  for (auto& result : made.results) result.outcome = MessageOutcome::Accepted;
}

}  // namespace

Attempt attempt(const JobSpec& job, const std::optional<MxOptions>& mx, Tracer& tracer,
                Notices& notices, JobProgress& progress) {
  Attempt made;
  made.results.resize(job.messages.size());
  if (mx) {
    run_direct(job, *mx, tracer, notices, made);
  } else {
    run_relay(job, tracer, notices, progress, made);
  }
  for (auto& result : made.results) {
    if (result.outcome == MessageOutcome::Accepted || result.error) continue;
    result.error = made.error.value_or(Error(ExitCode::SendError, "not sent"));
  }
  return made;
}

Verdict verdict(const MessageResult& result) {
  if (result.outcome == MessageOutcome::Accepted) return Verdict::Sent;
  switch (queue_action(result.error.value_or(Error(ExitCode::SendError, "not sent")))) {
    case QueueAction::Fail:
      return Verdict::Fail;
    case QueueAction::Keep:
      return Verdict::Keep;
    case QueueAction::Defer:
      break;
  }
  return Verdict::Defer;
}

void validate(const RetryPolicy& retry) {
  if (retry.retry < 0) throw Error(ExitCode::FailedInit, "--retry: expected a count, 0 or more");
  for (const auto* value : {&retry.retry_delay, &retry.retry_max_time}) {
    if (*value && (!std::isfinite(**value) || **value < 0 || **value > 1e9)) {
      throw Error(ExitCode::FailedInit,
                  "--retry-delay and --retry-max-time take seconds, 0 or more");
    }
  }
}

std::optional<Error> DeliveryReport::first_lost() const {
  for (const auto& message : messages) {
    if (message.fate == Fate::NotSent && message.result.error) return message.result.error;
  }
  return std::nullopt;
}

DeliveryReport deliver(const JobSpec& job, const RetryPolicy& retry, const Keeping& keeping,
                       Tracer& tracer, Notices& notices, DeliveryEvents& events,
                       const std::optional<MxOptions>& mx) {
  validate(retry);
  if (keeping.nothing && (keeping.queue_directory || retry.retry > 0)) {
    throw Error(ExitCode::FailedInit, "--queue and --retry keep a copy of the message to resend");
  }
  if (mx && !keeping.nothing) {
    throw Error(ExitCode::FailedInit, "--queue and --retry do not work with --mx yet");
  }
  return Delivery(job, retry, keeping, tracer, notices, events, mx).run();
}

std::pair<std::int64_t, std::int64_t> backoff_limits() {
  std::int64_t base = kBackoffBase;
  std::int64_t cap = kBackoffCap;
  if (const char* env = std::getenv("SMTPC_QUEUE_BACKOFF"); env != nullptr && *env != '\0') {
    const std::string_view text = env;
    const auto colon = text.find(':');
    const ParsedLong first = parse_long(text.substr(0, colon));
    const ParsedLong second =
        colon == std::string_view::npos ? ParsedLong{cap, {}} : parse_long(text.substr(colon + 1));
    if (first.error != std::errc{} || second.error != std::errc{}) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("SMTPC_QUEUE_BACKOFF=\"{}\": expected SECONDS[:CAP]", text));
    }
    base = first.value;
    cap = second.value;
  }
  return {std::max<std::int64_t>(base, 0), std::max(cap, base)};
}

}  // namespace smtpc::delivery
