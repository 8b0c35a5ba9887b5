// The progress meter and bar, drawn as curl 7.88's lib/progress.c (progress_meter) and
// src/tool_cb_prg.c (tool_progress_cb) draw them, for the upload of the message bodies.
#include "progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "options.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::cli {
namespace {

using namespace std::chrono_literals;

constexpr int kMaxBarWidth = 256;  // curl's MAX_BARLENGTH

// curl's percentages: integer, dividing first for large totals.
std::uint64_t percent(std::uint64_t part, std::uint64_t whole) {
  if (whole > 10000) return std::min<std::uint64_t>(100, part / (whole / 100));
  if (whole > 0) return std::min<std::uint64_t>(100, part * 100 / whole);
  return 0;
}

double seconds_between(ProgressMeter::Clock::time_point from, ProgressMeter::Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::string max5(std::uint64_t bytes) {
  constexpr std::uint64_t kK = 1024;
  constexpr std::uint64_t kM = kK * 1024;
  constexpr std::uint64_t kG = kM * 1024;
  constexpr std::uint64_t kT = kG * 1024;
  if (bytes < 100000) return fmt::format("{:5}", bytes);
  if (bytes < 10000 * kK) return fmt::format("{:4}k", bytes / kK);
  if (bytes < 100 * kM) return fmt::format("{:2}.{}M", bytes / kM, (bytes % kM) / (kM / 10));
  if (bytes < 10000 * kM) return fmt::format("{:4}M", bytes / kM);
  if (bytes < 100 * kG) return fmt::format("{:2}.{}G", bytes / kG, (bytes % kG) / (kG / 10));
  if (bytes < 10000 * kG) return fmt::format("{:4}G", bytes / kG);
  if (bytes < 10000 * kT) return fmt::format("{:4}T", bytes / kT);
  return fmt::format("{:4}P", bytes / (kT * 1024));
}

std::string time_text(std::int64_t seconds) {
  if (seconds <= 0) return "--:--:--";
  std::int64_t hours = seconds / 3600;
  if (hours <= 99) {
    const std::int64_t minutes = (seconds - hours * 3600) / 60;
    return fmt::format("{:2}:{:02}:{:02}", hours, minutes, seconds - hours * 3600 - minutes * 60);
  }
  const std::int64_t days = seconds / 86400;
  hours = (seconds - days * 86400) / 3600;
  if (days <= 999) return fmt::format("{:3}d {:02}h", days, hours);
  return fmt::format("{:7}d", days);
}

ProgressStyle progress_style(const Options& options, bool stderr_is_terminal) {
  if (options.silent || !options.progress_meter || options.verbose > 0 || !stderr_is_terminal ||
      options.trace_ascii == "%") {
    return ProgressStyle::None;
  }
  return options.progress_bar ? ProgressStyle::Bar : ProgressStyle::Meter;
}

ProgressStyle progress_style(const Options& options) {
  return progress_style(options, ::isatty(STDERR_FILENO) != 0);
}

int terminal_columns() {
  if (const char* env = std::getenv("COLUMNS"); env != nullptr && *env != '\0') {
    const auto [number, error] = parse_long(env);
    if (error == std::errc{} && number > 20 && number < 10000) {
      return static_cast<int>(std::min<long>(number, kMaxBarWidth));
    }
  }
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) {
    return std::min<int>(size.ws_col, kMaxBarWidth);
  }
  return 79;
}

ProgressMeter::ProgressMeter(ProgressStyle style, std::FILE* out, Clock::time_point start,
                             int columns)
    : style_(style), out_(out), start_(start), columns_(std::clamp(columns, 21, kMaxBarWidth)) {}

ProgressMeter::~ProgressMeter() { finish(); }

void ProgressMeter::update(const UploadProgress& progress, Clock::time_point now) noexcept {
  if (style_ == ProgressStyle::None || finished_) return;
  progress_ = progress;
  const auto interval = style_ == ProgressStyle::Meter ? Clock::duration(1s) : 200ms;
  const bool complete = progress.total && progress.sent >= *progress.total;
  if (!drawn_ || now - last_draw_ >= interval || (style_ == ProgressStyle::Bar && complete)) {
    draw(now);
  }
}

void ProgressMeter::finish(Clock::time_point now) noexcept {
  if (style_ == ProgressStyle::None || finished_) return;
  finished_ = true;
  if (!drawn_) return;
  draw(now);
  std::fputs("\n", out_);
  std::fflush(out_);
}

void ProgressMeter::draw(Clock::time_point now) noexcept {
  try {
    if (style_ == ProgressStyle::Meter) {
      draw_meter(now);
    } else if (!draw_bar()) {
      return;
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): progress must never fail a send
  }
  drawn_ = true;
  last_draw_ = now;
  std::fflush(out_);
}

void ProgressMeter::draw_meter(Clock::time_point now) {
  if (!drawn_) {
    std::fputs(
        "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
        "                                 Dload  Upload   Total   Spent    Left  Speed\n",
        out_);
  }
  const std::uint64_t sent = progress_.sent;
  const double elapsed = seconds_between(start_, now);
  const auto speed =
      static_cast<std::uint64_t>(static_cast<double>(sent) / std::max(elapsed, 1e-6));

  // The current speed: over the last few draws (about the last five seconds).
  if (sample_count_ == kSamples) {
    std::move(std::begin(samples_) + 1, std::end(samples_), std::begin(samples_));
    --sample_count_;
  }
  samples_[sample_count_++] = Sample{now, sent};
  std::uint64_t current = speed;
  if (sample_count_ > 1) {
    const double span = seconds_between(samples_[0].when, now);
    if (span > 0)
      current = static_cast<std::uint64_t>(static_cast<double>(sent - samples_[0].sent) / span);
  }

  std::uint64_t upload_percent = 0;
  std::int64_t estimate = 0;
  if (progress_.total && speed > 0) {
    estimate = static_cast<std::int64_t>(*progress_.total / speed);
    upload_percent = percent(sent, *progress_.total);
  }
  const std::uint64_t expected = progress_.total.value_or(sent);
  const auto spent = static_cast<std::int64_t>(elapsed);
  fmt::print(out_, "\r{:3} {}  {:3} {}  {:3} {}  {}  {} {} {} {} {}", percent(sent, expected),
             max5(expected), 0, max5(0), upload_percent, max5(sent), max5(0), max5(speed),
             time_text(estimate), time_text(spent), time_text(estimate > 0 ? estimate - spent : 0),
             max5(current));
}

bool ProgressMeter::draw_bar() {
  const std::uint64_t point = progress_.sent;
  if (progress_.total && *progress_.total > 0) {
    if (point == last_point_) return false;  // as curl: nothing new, not even at 0
    const double fraction =
        std::min(1.0, static_cast<double>(point) / static_cast<double>(*progress_.total));
    const int width = columns_ - 7;
    const int hashes = std::min(kMaxBarWidth, static_cast<int>(width * fraction));
    fmt::print(out_, "\r{:<{}} {:5.1f}%", std::string(static_cast<std::size_t>(hashes), '#'), width,
               fraction * 100.0);
  } else {
    // No total to measure against: curl's "-=O=-" flies to and fro while bytes move.
    std::string line(static_cast<std::size_t>(columns_ - 1), ' ');
    line.replace(static_cast<std::size_t>(fly_position_), 5, "-=O=-");
    fmt::print(out_, "\r{}", line);
    if (point != last_point_) {
      fly_position_ += fly_step_;
      if (fly_position_ >= columns_ - 6) {
        fly_position_ = columns_ - 6;
        fly_step_ = -1;
      } else if (fly_position_ <= 0) {
        fly_position_ = 0;
        fly_step_ = 1;
      }
    }
  }
  last_point_ = point;
  return true;
}

}  // namespace smtpc::cli
