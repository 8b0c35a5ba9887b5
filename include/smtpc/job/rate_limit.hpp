// --limit-rate for the upload: keeps the average speed of the bytes written at or below
// the limit by pausing after a write that got ahead (curl 7.88's max_send_speed).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <utility>

namespace smtpc {

class SendRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  /// `bytes_per_second` > 0. `now` and `sleep` are the clock and the pause (injected by
  /// tests); the count starts at the first sent().
  SendRateLimiter(std::uint64_t bytes_per_second, std::function<Clock::time_point()> now,
                  std::function<void(Clock::duration)> sleep)
      : rate_(bytes_per_second), now_(std::move(now)), sleep_(std::move(sleep)) {}
  explicit SendRateLimiter(std::uint64_t bytes_per_second)
      : SendRateLimiter(
            bytes_per_second, [] { return Clock::now(); },
            [](Clock::duration d) { std::this_thread::sleep_for(d); }) {}

  /// `bytes` have just been written: pauses until writing them kept to the rate.
  void sent(std::uint64_t bytes) {
    if (!start_) start_ = now_();
    total_ += bytes;
    const auto due =
        *start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                      static_cast<double>(total_) / static_cast<double>(rate_)));
    const auto now = now_();
    if (now < due) sleep_(due - now);
  }

 private:
  std::uint64_t rate_;
  std::function<Clock::time_point()> now_;
  std::function<void(Clock::duration)> sleep_;
  std::optional<Clock::time_point> start_;
  std::uint64_t total_ = 0;
};

}  // namespace smtpc
