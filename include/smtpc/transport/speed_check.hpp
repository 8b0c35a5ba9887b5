// curl's --speed-limit/--speed-time stall detection (curl's lib/speedcheck.c): a transfer
// that moves fewer than `bytes_per_second` a second for `period` is aborted with 28.
#pragma once

#include <chrono>
#include <cstdint>

#include "smtpc/core/error.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {

/// -Y/--speed-limit and -y/--speed-time. Off while bytes_per_second is 0.
struct SpeedLimit {
  std::uint64_t bytes_per_second = 0;
  std::chrono::seconds period{0};
};

/// Watches one transfer in periods of `period`: each period that ends with fewer than
/// bytes_per_second * period bytes moved is a stall. Pure: the caller passes the time.
class SpeedCheck {
 public:
  explicit SpeedCheck(SpeedLimit limit = {}) noexcept : limit_(limit) {}

  /// Starts watching at `now` (the body is about to go); no change while watching.
  void watch(Clock::time_point now) noexcept;
  /// Stops watching: the server answered, the transfer is over.
  void stop() noexcept { watching_ = false; }
  /// Counts `bytes` moved at `now`. Throws Error(OperationTimedout) if a period ended
  /// before `now` with too few bytes.
  void moved(std::size_t bytes, Clock::time_point now);
  /// When the transfer counts as stalled if nothing more moves; Deadline::max() when not
  /// watching. A wait bounded by it that runs out is a stall (stalled_error()).
  [[nodiscard]] Deadline deadline() const noexcept;
  /// Whether `now` is past deadline(): a timed-out wait then reports stalled_error().
  [[nodiscard]] bool expired(Clock::time_point now) const noexcept;
  /// curl's words: "Operation too slow. Less than N bytes/sec transferred the last T seconds".
  [[nodiscard]] Error stalled_error() const;

 private:
  [[nodiscard]] std::uint64_t needed() const noexcept;
  SpeedLimit limit_;
  bool watching_ = false;
  Clock::time_point period_start_{};
  std::uint64_t bytes_ = 0;  // moved since period_start_
};

}  // namespace smtpc
