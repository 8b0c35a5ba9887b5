// The user-facing report: warnings, per-message and per-domain outcomes, on stderr. Each
// line may quote a server, so its control bytes are shown as "\xHH" (escape_controls).
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "smtpc/core/text.hpp"

namespace smtpc::cli {

void StderrNotices::warning(std::string_view text) {
  if (show_) fmt::print(stderr, "Warning: {}\n", escape_controls(text));
}

void StderrNotices::upload_progress(const UploadProgress& progress) noexcept {
  if (meter_ != nullptr) meter_->update(progress, ProgressMeter::Clock::now());
}

void report_messages(const SendResult& result, const JobSpec& spec, bool show, bool show_errors) {
  const bool failed = std::any_of(
      result.messages.begin(), result.messages.end(),
      [](const MessageResult& message) { return message.outcome != MessageOutcome::Accepted; });
  // -sS: silent, but a run that failed says which messages went and which did not.
  const bool show_lines = show || (show_errors && failed);
  for (std::size_t i = 0; i < result.messages.size(); ++i) {
    const MessageResult& message = result.messages[i];
    if (!message.error && show) {
      for (const auto& refused : message.refused) {
        fmt::print(stderr, "Warning: recipient <{}> was refused: {}\n", refused.address,
                   refused.reply.summary());
      }
    }
    if (result.messages.size() < 2 || !show_lines) continue;
    const std::string name = message_name(spec, i);
    const char* what = "NOT sent";
    std::string detail = message.error ? message.error->what() : "";
    switch (message.outcome) {
      case MessageOutcome::Accepted:
        what = "accepted";
        detail = message.final_reply ? message.final_reply->summary() : "";
        break;
      case MessageOutcome::Unconfirmed:
        what = "may have been delivered";
        break;
      case MessageOutcome::Refused:
      case MessageOutcome::NotSent:
        break;
    }
    fmt::print(stderr, "smtpc: message {} ({}) {}: {}\n", i + 1, name, what,
               escape_controls(detail));
  }
}

int report_mx_delivery(const MxReport& report, bool verbose, bool show_errors) {
  const DomainOutcome* failure = report.first_failure();
  if ((failure != nullptr && show_errors) || verbose) {
    for (const auto& line : report.summary()) {
      fmt::print(stderr, "smtpc: {}\n", escape_controls(line));
    }
  }
  if (failure == nullptr) return 0;
  if (show_errors) {
    fmt::print(stderr, "smtpc: ({}) {}: {}\n", to_int(failure->error->code()), failure->domain,
               escape_controls(failure->error->what()));
  }
  return to_int(failure->error->code());
}

}  // namespace smtpc::cli
