// curl's progress meter and progress bar (-#/--progress-bar) for uploads, on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "smtpc/job/job.hpp"

namespace smtpc::cli {

struct Options;

enum class ProgressStyle { None, Meter, Bar };

/// The progress display an upload gets: none with -s, --no-progress-meter, -v (whose trace
/// would be cut up by it), --trace-ascii % (the trace on stderr), or when stderr is not a
/// terminal (a log file or a pipe never gets one); -# gives the bar; else curl's meter.
[[nodiscard]] ProgressStyle progress_style(const Options& options, bool stderr_is_terminal);
/// progress_style with isatty(stderr).
[[nodiscard]] ProgressStyle progress_style(const Options& options);

/// The terminal's width for the bar, as curl finds it: $COLUMNS (21 to 9999), else the
/// terminal's own (TIOCGWINSZ on stderr), else 79.
[[nodiscard]] int terminal_columns();

/// Draws an upload's progress as curl 7.88 does: the meter at most once a second, the bar
/// at most five times a second, and each once more at the end. Only time stamps and a few
/// numbers change per update, so a send is not slowed.
class ProgressMeter {
 public:
  using Clock = std::chrono::steady_clock;

  /// Draws nothing with ProgressStyle::None; times the transfer from `start`.
  ProgressMeter(ProgressStyle style, std::FILE* out, Clock::time_point start = Clock::now(),
                int columns = 79);
  /// finish().
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  /// The upload got this far by `now`; drawn when it is time to.
  void update(const UploadProgress& progress, Clock::time_point now) noexcept;
  /// Draws the last state and ends the line, if anything was drawn. Idempotent.
  void finish(Clock::time_point now = Clock::now()) noexcept;

 private:
  void draw(Clock::time_point now) noexcept;
  void draw_meter(Clock::time_point now);
  /// False when there was nothing new to draw.
  bool draw_bar();

  ProgressStyle style_;
  std::FILE* out_;
  Clock::time_point start_;
  int columns_;
  UploadProgress progress_;
  bool drawn_ = false;  // something is on the screen
  bool finished_ = false;
  Clock::time_point last_draw_{};
  std::uint64_t last_point_ = 0;  // the bar: the amount last drawn
  // The meter's current speed: (time, bytes) at each of the last draws, oldest first.
  struct Sample {
    Clock::time_point when;
    std::uint64_t sent;
  };
  static constexpr std::size_t kSamples = 6;
  Sample samples_[kSamples]{};
  std::size_t sample_count_ = 0;
  int fly_position_ = 0;  // the bar without a total: where "-=O=-" is
  int fly_step_ = 1;
};

/// curl's five-character amount: "  999", "9999k", "99.9M", "9999M", "99.9G"...
[[nodiscard]] std::string max5(std::uint64_t bytes);
/// curl's eight-character time: "--:--:--" for none, " 0:00:02", "  4d 03h".
[[nodiscard]] std::string time_text(std::int64_t seconds);

}  // namespace smtpc::cli
