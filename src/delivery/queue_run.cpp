// A queue run (smtpc/delivery/queue_run.hpp): one class, one method per outcome.
#include "smtpc/delivery/queue_run.hpp"

#include <fmt/format.h>

#include <ctime>

#include "smtpc/delivery/delivery.hpp"
#include "smtpc/delivery/job_spec.hpp"

namespace smtpc::delivery {
namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string describe(const Error& error) {
  return fmt::format("({}) {}", to_int(error.code()), error.what());
}

std::string lifetime_text(std::int64_t seconds) {
  if (seconds % 86400 == 0) return fmt::format("{}d", seconds / 86400);
  if (seconds % 3600 == 0) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}s", seconds);
}

// The text left in failed/ID/report: what a bounce would tell the sender.
std::string bounce_report(const queue::Entry& entry, std::string_view why,
                          std::string_view last_error) {
  std::string report =
      fmt::format("This message could not be delivered: {}.\n\nQueue entry: {}\nFrom: <{}>\n", why,
                  entry.id, entry.reverse_path);
  for (const auto& rcpt : entry.forward_paths) report += fmt::format("To: <{}>\n", rcpt);
  if (const std::string& url = entry.settings.destination.url; !url.empty()) {
    report += fmt::format("Via: {}\n", url);
  }
  report += fmt::format("Attempts: {}\n", entry.state.attempts);
  if (!last_error.empty()) report += fmt::format("Last error: {}\n", last_error);
  report += "The message is kept beside this report, in the file \"message\".\n";
  return report;
}

// An envelope address as --mail-from/--mail-rcpt write it, with the parameters written
// after it: "<a@example.com> NOTIFY=NEVER", so that the entry is sent with them again.
std::string written_address(const std::string& path, std::string_view parameters) {
  if (parameters.empty()) return path;
  return fmt::format("<{}> {}", path, parameters);
}

// The login's USER:PASSWORD when the entry's account file keeps its password (and no other
// source is named); nullopt: the settings' user name as it is.
std::optional<std::string> login_with_kept_password(const settings::DeliverySettings& settings,
                                                    const AccountPasswords& passwords) {
  const settings::Destination& d = settings.destination;
  if (!d.account_file || !d.user || settings.auth.password_file || settings.auth.password_command) {
    return std::nullopt;
  }
  const auto password = passwords.password(*d.account_file, d.account);
  if (!password) return std::nullopt;
  return *d.user + ":" + *password;
}

class QueueRun {
 public:
  QueueRun(const std::string& directory, const QueueRunSettings& settings,
           const AccountPasswords& passwords, Tracer& tracer, Notices& notices,
           QueueRunEvents& events)
      : store_(directory),
        settings_(settings),
        passwords_(passwords),
        tracer_(tracer),
        notices_(notices),
        events_(events) {}

  QueueRunSummary run() {
    store_.clean_leftovers();
    for (const auto& broken : store_.list_unreadable()) {
      problem(broken.id,
              Error(ExitCode::ReadError, fmt::format("unreadable, skipped: {}", broken.reason)));
    }
    for (const auto& listed : store_.list()) {
      if (settings_.only_url && listed.settings.destination.url != *settings_.only_url) continue;
      try {
        visit(listed);
      } catch (const Error& error) {
        problem(listed.id, error);  // this entry only: the run goes on
      }
    }
    return summary_;
  }

 private:
  bool due(const queue::Entry& entry) const {
    return settings_.force || entry.state.next_attempt <= unix_now();
  }

  void visit(const queue::Entry& listed) {
    if (!due(listed) && !listed.state.delivered) {
      ++summary_.waiting;
      return;
    }
    std::optional<queue::LockedEntry> locked = store_.try_lock(listed.id);
    if (!locked) return;  // another run is sending it, or has sent it
    if (locked->entry().state.delivered) return settle(*locked, std::nullopt);
    if (!due(locked->entry())) {
      ++summary_.waiting;
      return;
    }
    if (unix_now() - locked->entry().created > settings_.lifetime) return expire(*locked);
    send(*locked);
  }

  // The entry's job, then the one attempt deliver() makes too; the table's verdict settles it.
  void send(queue::LockedEntry& locked) {
    std::optional<JobSpec> job;
    try {
      job = job_for_entry(locked.entry(), locked.message_path(), passwords_);
      if (make_mx_options(locked.entry().settings.mx, *job)) {
        // deliver() keeps no --mx message (a domain that took it would get it again).
        throw Error(ExitCode::FailedInit, "--mx: a queued message is never sent directly");
      }
    } catch (const Error& error) {
      // A configuration error (no password, no URL...) does not heal by waiting.
      return fail(locked, error, "a configuration error");
    }
    JobProgress progress;
    const Attempt made = attempt(*job, std::nullopt, tracer_, notices_, progress);
    const MessageResult& result = made.results.at(0);
    const Verdict said = verdict(result);
    if (said == Verdict::Sent) return settle(locked, result.final_reply);
    const Error& error = *result.error;
    if (said != Verdict::Fail) return defer(locked, error, said == Verdict::Keep);
    fail(locked, error,
         error.reply()
             ? "refused for good"
             : fmt::format("a {} error that waiting cannot heal", policy_for(error.kind()).name));
  }

  // The server has it: the entry goes, or is marked delivered when it cannot go.
  void settle(queue::LockedEntry& locked, const std::optional<Reply>& reply) {
    const bool already = locked.entry().state.delivered;
    if (const auto trouble = locked.settle_delivered()) {
      events_.delivered_with_problem(locked.entry(), *trouble);
    }
    if (already) return;
    ++summary_.sent;
    events_.sent(locked.entry(), reply);
  }

  void fail(queue::LockedEntry& locked, const Error& error, std::string_view why) {
    note(error.code());
    locked.move_to_failed(describe(error), bounce_report(locked.entry(), why, describe(error)));
    ++summary_.failed;
    events_.failed(locked.entry(), why, describe(error));
  }

  void expire(queue::LockedEntry& locked) {
    note(ExitCode::SendError);
    const std::string why = fmt::format("still not delivered after the queue lifetime ({})",
                                        lifetime_text(settings_.lifetime));
    const std::string last_error = locked.entry().state.last_error;
    locked.move_to_failed(why + (last_error.empty() ? "" : ": " + last_error),
                          bounce_report(locked.entry(), why, last_error));
    ++summary_.failed;
    events_.failed(locked.entry(), why, last_error);
  }

  // Kept for a later run; `unconfirmed`: its end of data went unanswered.
  void defer(queue::LockedEntry& locked, const Error& error, bool unconfirmed) {
    note(error.code());
    const auto [base, cap] = backoff_limits();
    queue::EntryState state = locked.entry().state;
    ++state.attempts;
    state.last_attempt = unix_now();
    const std::int64_t delay = queue::backoff_seconds(state.attempts, base, cap);
    state.next_attempt = state.last_attempt + delay;
    state.last_error = describe(error);
    state.unconfirmed = state.unconfirmed || unconfirmed;
    locked.update(state);
    ++summary_.deferred;
    events_.deferred(locked.entry(), state.attempts, delay, error);
  }

  void problem(const std::string& id, const Error& error) {
    note(error.code());
    events_.problem(id, error);
  }

  void note(ExitCode code) {
    if (!summary_.first) summary_.first = code;
  }

  queue::Queue store_;
  const QueueRunSettings& settings_;
  const AccountPasswords& passwords_;
  Tracer& tracer_;
  Notices& notices_;
  QueueRunEvents& events_;
  QueueRunSummary summary_;
};

}  // namespace

JobSpec job_for_entry(const queue::Entry& entry, const std::string& message_path,
                      const AccountPasswords& passwords) {
  JobRequest request;
  request.envelope.sender =
      written_address(entry.reverse_path, entry.address_parameters.reverse_path);
  for (const auto& rcpt : entry.forward_paths) {
    request.envelope.recipients.push_back(written_address(rcpt, entry.address_parameters.of(rcpt)));
  }
  request.message.uploads.push_back(message_path);
  Secrets secrets;
  secrets.user = login_with_kept_password(entry.settings, passwords);
  return make_job_spec(entry.settings, secrets, std::move(request));
}

QueueRunSummary run_queue(const std::string& directory, const QueueRunSettings& settings,
                          const AccountPasswords& passwords, Tracer& tracer, Notices& notices,
                          QueueRunEvents& events) {
  return QueueRun(directory, settings, passwords, tracer, notices, events).run();
}

}  // namespace smtpc::delivery
