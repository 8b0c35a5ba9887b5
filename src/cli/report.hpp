// What the user sees without -v: warnings as they happen, each message's and each
// domain's outcome, and the error line. The one place that prints outcomes.
#pragma once

#include <cstdio>

#include "progress.hpp"
#include "smtpc/delivery/mx_delivery.hpp"
#include "smtpc/job/job.hpp"

namespace smtpc::cli {

/// "Warning: text" on stderr; nothing with -s. The upload's progress goes to `meter`.
class StderrNotices final : public Notices {
 public:
  explicit StderrNotices(bool show, ProgressMeter* meter = nullptr) : show_(show), meter_(meter) {}
  void warning(std::string_view text) override;
  void upload_progress(const UploadProgress& progress) noexcept override;

 private:
  bool show_;
  ProgressMeter* meter_;
};

/// Refused recipients of accepted messages (when `show`), and with several messages one
/// line each: "message N (NAME) accepted: 250 ...", "NOT sent: ...", "may have been delivered:
/// ...". Those lines come with `show`, and with `show_errors` alone (-sS) when a message failed.
void report_messages(const SendResult& result, const JobSpec& spec, bool show, bool show_errors);

/// Direct delivery: each domain's outcome with -v or when one failed, then the first
/// failure as the error line. Returns its exit code (0 when every domain was delivered).
[[nodiscard]] int report_mx_delivery(const MxReport& report, bool verbose, bool show_errors);

}  // namespace smtpc::cli
