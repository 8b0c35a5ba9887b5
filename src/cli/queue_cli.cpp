// --queue, --queue-run, --queue-list and --retry: messages kept on disk until accepted.
#include "queue_cli.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "command_line.hpp"
#include "config.hpp"
#include "report.hpp"
#include "settings_options.hpp"
#include "smtpc/delivery/delivery.hpp"
#include "smtpc/delivery/queue_run.hpp"

namespace smtpc::cli {
namespace {

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string describe(const Error& error) {
  return fmt::format("({}) {}", to_int(error.code()), error.what());
}

// curl's words for why it retries.
const char* retry_reason(FailureKind kind, const Options& options) {
  if (options.retry_all_errors) return "(retrying all errors)";
  if (kind == FailureKind::Connect) return ": connection refused";
  if (policy_for(kind).retry == RetryRule::Always) return ": transient error";
  return "";
}

}  // namespace

QueueContext config_in_use(const Options& options) {
  QueueContext context;
  context.config_path = profile_config_file(options);
  if (context.config_path) context.account = options.compose.account;
  return context;
}

settings::DeliverySettings queue_settings(const Options& options, const QueueContext& context,
                                          std::vector<std::string>& warnings) {
  return delivery_settings(options, {.file = context.config_path, .account = context.account},
                           warnings);
}

namespace {

std::string address_list(const std::vector<std::string>& addresses) {
  std::string names;
  for (const auto& address : addresses) {
    names += fmt::format("{}<{}>", names.empty() ? "" : ", ", address);
  }
  return names;
}

// What the delivery engine tells while it works, printed as smtpc always has.
class PrintedDeliveryEvents final : public delivery::DeliveryEvents {
 public:
  PrintedDeliveryEvents(const Options& options, const JobSpec& spec)
      : options_(options), spec_(spec) {}

  void queue_unavailable(const Error& error) override {
    if (show_errors()) {
      fmt::print(stderr, "Warning: {}: sending without a queue (a failure is not retried)\n",
                 error.what());
    }
  }
  void retrying(FailureKind kind, std::chrono::milliseconds delay, int retries_left) override {
    if (options_.silent) return;
    const auto seconds = static_cast<double>(delay.count()) / 1000.0;
    fmt::print(stderr, "Warning: Problem {}. Will retry in {} seconds. {} retr{} left.\n",
               retry_reason(kind, options_), seconds, retries_left,
               retries_left == 1 ? "y" : "ies");
  }
  void delivered_with_problem(std::size_t index, std::string_view problem) override {
    if (show_errors()) {
      fmt::print(stderr, "Warning: {}: delivered, but {}\n", message_name(spec_, index), problem);
    }
  }
  void recipients_deferred(std::size_t index, const std::vector<std::string>& recipients,
                           std::string_view reason, std::string_view id,
                           std::string_view problem) override {
    if (!show_errors()) return;
    if (id.empty()) {
      fmt::print(stderr, "Warning: {} refused for now ({}) and NOT queued: {}\n",
                 address_list(recipients), reason, problem);
    } else {
      fmt::print(stderr, "smtpc: queued as {} for {} ({}): {}\n", id, address_list(recipients),
                 message_name(spec_, index), reason);
    }
  }

 private:
  [[nodiscard]] bool show_errors() const { return !options_.silent || options_.show_error; }
  const Options& options_;
  const JobSpec& spec_;
};

// After a send: the report as main gives it without --queue, then what stays queued.
// Returns the exit code.
int print_delivery(const delivery::DeliveryReport& report, const Options& options,
                   const JobSpec& spec, const QueueContext& context,
                   const std::vector<std::string>& warnings) {
  const bool show = !options.silent;
  const bool show_errors = !options.silent || options.show_error;
  SendResult combined;
  for (const auto& message : report.messages) combined.messages.push_back(message.result);
  report_messages(combined, spec, show, show_errors);
  if (!report.first_error) return 0;
  if (show_errors && !context.sendmail) {
    fmt::print(stderr, "smtpc: ({}) {}\n", to_int(report.first_error->code()),
               report.first_error->what());
  }
  bool warned = false;
  for (std::size_t i = 0; i < report.messages.size(); ++i) {
    const delivery::MessageReport& message = report.messages[i];
    if (message.fate != delivery::Fate::Queued) continue;
    if (message.problem && show_errors) fmt::print(stderr, "Warning: {}\n", *message.problem);
    if (!warned && show) {
      for (const auto& warning : warnings) fmt::print(stderr, "Warning: {}\n", warning);
      warned = true;
    }
    if (show_errors) {
      fmt::print(stderr, "smtpc: queued as {}: {}{}\n", *message.queue_id,
                 report.messages.size() > 1 ? message_name(spec, i) + ": " : "",
                 describe(*message.result.error));
    }
  }
  if (context.sendmail) {
    // sendmail's promise: exit 0 once the queue has taken every message not delivered.
    if (const auto lost = report.first_lost()) throw *lost;
    return 0;
  }
  return to_int(report.first_error->code());
}

}  // namespace

int send_reliably(const Options& options, const JobSpec& spec, const QueueContext& context,
                  Tracer& tracer, Notices& notices) {
  const bool show_errors = !options.silent || options.show_error;
  const delivery::RetryPolicy& retry = options;  // Options' retry group
  delivery::validate(retry);
  PrintedDeliveryEvents events(options, spec);
  delivery::Keeping keeping;
  keeping.without_queue_if_unavailable = context.sendmail;
  std::vector<std::string> warnings;
  if (options.queue || context.sendmail) {
    try {
      keeping.queue_directory = queue_directory(options);
    } catch (const Error& error) {
      // sendmail mode: the relay may well be up; a transient failure then exits EX_TEMPFAIL.
      if (!context.sendmail) throw;
      events.queue_unavailable(error);
    }
    keeping.settings = queue_settings(options, context, warnings);
  }
  const delivery::DeliveryReport report =
      delivery::deliver(spec, retry, keeping, tracer, notices, events);
  const int exit_code = print_delivery(report, options, spec, context, warnings);
  if (!report.first_error && context.sendmail && report.queue_directory) {
    // Delivered: the server is back, so what waits for it goes now too.
    try {
      (void)run_queue(*report.queue_directory, true, options.verbose, show_errors,
                      std::optional(keeping.settings.destination.url));
    } catch (const Error& error) {
      if (show_errors) fmt::print(stderr, "Warning: flushing the queue: {}\n", error.what());
    }
  }
  return exit_code;
}

namespace {

// What a queue run tells, entry by entry, printed as smtpc always has.
// A password kept in an account file, read with the account reader (config.cpp).
class AccountFilePasswords final : public delivery::AccountPasswords {
 public:
  [[nodiscard]] std::optional<std::string> password(
      const std::string& file, const std::optional<std::string>& account) const override {
    return account_password(load_config(file), account);
  }
};

class PrintedQueueRunEvents final : public delivery::QueueRunEvents {
 public:
  PrintedQueueRunEvents(int verbose, bool show_errors)
      : verbose_(verbose), show_errors_(show_errors) {}

  void sent(const queue::Entry& entry, const std::optional<Reply>& reply) override {
    if (verbose_ > 0) {
      fmt::print(stderr, "smtpc: {}: sent: {}\n", entry.id, reply ? reply->summary() : "");
    }
  }
  void deferred(const queue::Entry& entry, int attempts, std::int64_t delay,
                const Error& error) override {
    if (show_errors_) {
      fmt::print(stderr, "smtpc: {}: deferred (attempt {}, next in {} s): {}\n", entry.id, attempts,
                 delay, describe(error));
    }
  }
  void failed(const queue::Entry& entry, std::string_view why, std::string_view detail) override {
    if (show_errors_) {
      fmt::print(stderr, "smtpc: {}: {}, moved to failed/: {}\n", entry.id, why, detail);
    }
  }
  void delivered_with_problem(const queue::Entry& entry, std::string_view problem) override {
    if (show_errors_) fmt::print(stderr, "Warning: {}: delivered, but {}\n", entry.id, problem);
  }
  void problem(const std::string& id, const Error& error) override {
    if (show_errors_) fmt::print(stderr, "smtpc: {}: {}\n", id, error.what());
  }

 private:
  int verbose_;
  bool show_errors_;
};

}  // namespace

int run_queue(const std::string& directory, const QueueRunSettings& settings) {
  Tracer tracer(TraceOptions{.verbosity = settings.verbose});
  StderrNotices notices(settings.show_errors);
  PrintedQueueRunEvents events(settings.verbose, settings.show_errors);
  const AccountFilePasswords passwords;
  const delivery::QueueRunSummary summary =
      delivery::run_queue(directory,
                          {.force = settings.force,
                           .only_url = settings.only_url,
                           .lifetime = settings.lifetime.value_or(delivery::kDefaultQueueLifetime)},
                          passwords, tracer, notices, events);
  if (settings.verbose > 0) {
    fmt::print(stderr, "smtpc: queue run: {} sent, {} deferred, {} failed, {} not yet due\n",
               summary.sent, summary.deferred, summary.failed, summary.waiting);
  }
  return summary.first ? to_int(*summary.first) : 0;
}

int run_queue(const std::string& directory, bool force, int verbose, bool show_errors,
              const std::optional<std::string>& only_url) {
  return run_queue(directory, QueueRunSettings{.force = force,
                                               .verbose = verbose,
                                               .show_errors = show_errors,
                                               .only_url = only_url,
                                               .lifetime = std::nullopt});
}

int list_queue(const std::string& directory, std::FILE* out) {
  const queue::Queue store(directory);
  const auto now = unix_now();
  auto age = [now](std::int64_t then) {
    const std::int64_t s = std::max<std::int64_t>(now - then, 0);
    if (s < 120) return fmt::format("{}s", s);
    if (s < 7200) return fmt::format("{}m", s / 60);
    if (s < 172800) return fmt::format("{}h", s / 3600);
    return fmt::format("{}d", s / 86400);
  };
  auto print = [&](const queue::Entry& entry, bool failed) {
    fmt::print(out, "{}  {} bytes  queued {} ago  attempts {}", entry.id, entry.size,
               age(entry.created), entry.state.attempts);
    if (!failed && entry.state.next_attempt > now) {
      fmt::print(out, "  next in {}", age(now - (entry.state.next_attempt - now)));
    }
    if (failed) fmt::print(out, "  FAILED");
    auto with_parameters = [](std::string_view parameters) {
      return parameters.empty() ? std::string() : fmt::format(" {}", parameters);
    };
    fmt::print(out, "\n  from <{}>{}\n", entry.reverse_path,
               with_parameters(entry.address_parameters.reverse_path));
    for (const auto& rcpt : entry.forward_paths) {
      fmt::print(out, "  to <{}>{}\n", rcpt, with_parameters(entry.address_parameters.of(rcpt)));
    }
    if (!entry.settings.destination.url.empty()) {
      fmt::print(out, "  via {}\n", entry.settings.destination.url);
    }
    if (!entry.state.last_error.empty()) {
      fmt::print(out, "  last error: {}\n", entry.state.last_error);
    }
    if (entry.state.unconfirmed) {
      fmt::print(out,
                 "  may already have been delivered: an end of data went unanswered "
                 "(a resend may duplicate it)\n");
    }
    if (entry.state.delivered) {
      fmt::print(out, "  delivered; its removal failed: the next queue run removes it\n");
    }
    if (entry.owner != ::geteuid()) fmt::print(out, "  owned by uid {}: never sent\n", entry.owner);
  };
  const auto entries = store.list();
  for (const auto& entry : entries) print(entry, false);
  const auto unreadable = store.list_unreadable();
  for (const auto& broken : unreadable) {
    fmt::print(out, "{}  unreadable: {}\n", broken.id, broken.reason);
  }
  const auto failed = store.list_failed();
  for (const auto& entry : failed) print(entry, true);
  const std::size_t total = entries.size() + unreadable.size();
  if (total == 0) {
    fmt::print(out, "Mail queue is empty ({})\n", store.directory());
  } else {
    fmt::print(out, "{} message{} queued in {}", total, total == 1 ? "" : "s", store.directory());
    if (!unreadable.empty()) fmt::print(out, " ({} unreadable)", unreadable.size());
    fmt::print(out, "\n");
  }
  if (!failed.empty()) fmt::print(out, "{} in failed/\n", failed.size());
  return std::fflush(out) == 0 ? 0 : to_int(ExitCode::WriteError);
}

}  // namespace smtpc::cli
