// run_smtp_session: the I/O around ServerSession for sendmail -bs.
#include "sendmail_session.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <optional>

#include "report.hpp"
#include "sendmail.hpp"
#include "smtpc/smtp/server_session.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/sys/host_name.hpp"

namespace smtpc::cli {
namespace {

// Lines from a descriptor, CRLF or LF ended; a line longer than `limit` is cut there (the
// session refuses it as too long), so memory stays bounded.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  std::optional<std::string> next(std::size_t limit) {
    for (;;) {
      const auto end = buffer_.find('\n', scanned_);
      if (end != std::string::npos || buffer_.size() > limit) {
        const std::size_t cut = end == std::string::npos ? limit : end;
        std::string line = buffer_.substr(0, cut);
        buffer_.erase(0, end == std::string::npos ? cut : end + 1);
        scanned_ = 0;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      scanned_ = buffer_.size();
      std::array<char, 65536> chunk{};
      const ssize_t got = ::read(fd_, chunk.data(), chunk.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return std::nullopt;  // the client went away (a last partial line is dropped)
      buffer_.append(chunk.data(), static_cast<std::size_t>(got));
    }
  }

 private:
  int fd_;
  std::string buffer_;
  std::size_t scanned_ = 0;
};

bool write_out(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The data of one message, in a private file until it is queued.
class Spool {
 public:
  Spool() {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/smtpc-bs-XXXXXX";
    fd_ = Fd(::mkostemp(path_.data(), O_CLOEXEC));
    if (!fd_.valid()) throw Error(ExitCode::WriteError, fmt::format("cannot create {}", path_));
  }
  ~Spool() { ::unlink(path_.c_str()); }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  void append(std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = ::write(fd_.get(), text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw Error(ExitCode::WriteError, fmt::format("cannot write {}", path_));
      text.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  Fd fd_;
};

// Hands one message to sendmail mode's delivery; the reply for its data.
std::pair<bool, std::string> deliver(const Options& relay, const QueueContext& context,
                                     const ServerTransaction& transaction, const Spool& spool) {
  Options options = relay;
  options.mail_from = transaction.reverse_path.empty() ? "<>" : transaction.reverse_path;
  options.mail_rcpt = transaction.forward_paths;
  options.upload_file = spool.path();
  options.compose.sendmail = true;  // From/Date/Message-ID, local names, long lines
  try {
    const JobSpec spec = make_job_spec(options);
    Tracer tracer(TraceOptions{.verbosity = options.verbose});
    StderrNotices notices(true);
    (void)send_reliably(options, spec, context, tracer, notices);
    return {true, "OK: queued or delivered"};
  } catch (const Error& error) {
    const SysExit code = sendmail_exit_code(error, SendmailStage::Delivery);
    if (code == SysExit::TempFail || code == SysExit::IoErr) {
      return {false, fmt::format("451 4.3.0 not sent, try again later: {}", error.what())};
    }
    return {false, fmt::format("554 5.0.0 not sent: {}", error.what())};
  }
}

}  // namespace

int run_smtp_session(const Options& relay, const QueueContext& context) {
  ServerSession session(local_host_name());
  LineReader input(STDIN_FILENO);
  if (!write_out(session.greeting())) return static_cast<int>(SysExit::IoErr);
  std::optional<Spool> spool;
  while (const auto line = input.next(1U << 20)) {
    const ServerStep step = session.on_line(*line);
    switch (step.action) {
      case ServerStep::Action::BodyData:
        if (!spool) spool.emplace();
        spool->append(step.text);
        continue;
      case ServerStep::Action::EndOfData: {
        if (!spool) spool.emplace();  // an empty message
        const auto [accepted, why] = deliver(relay, context, session.transaction(), *spool);
        spool.reset();
        if (!write_out(session.on_delivered(accepted, why)))
          return static_cast<int>(SysExit::IoErr);
        continue;
      }
      case ServerStep::Action::Reply:
        if (!write_out(step.text)) return static_cast<int>(SysExit::IoErr);
        continue;
      case ServerStep::Action::Close:
        return write_out(step.text) ? 0 : static_cast<int>(SysExit::IoErr);
    }
  }
  return 0;  // the client closed without QUIT: a message whose data had not ended is dropped
}

}  // namespace smtpc::cli
