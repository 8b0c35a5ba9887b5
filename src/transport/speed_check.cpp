// curl's --speed-limit/--speed-time stall detection, in periods of --speed-time.
#include "smtpc/transport/speed_check.hpp"

#include <fmt/format.h>

namespace smtpc {

std::uint64_t SpeedCheck::needed() const noexcept {
  return limit_.bytes_per_second * static_cast<std::uint64_t>(limit_.period.count());
}

void SpeedCheck::watch(Clock::time_point now) noexcept {
  if (watching_ || limit_.bytes_per_second == 0) return;
  watching_ = true;
  period_start_ = now;
  bytes_ = 0;
}

void SpeedCheck::moved(std::size_t bytes, Clock::time_point now) {
  if (!watching_) return;
  // Each period that ended before `now` must have moved enough; the next one starts empty.
  while (now >= period_start_ + limit_.period) {
    if (bytes_ < needed()) throw stalled_error();
    period_start_ += limit_.period;
    bytes_ = 0;
  }
  bytes_ += bytes;
}

Deadline SpeedCheck::deadline() const noexcept {
  if (!watching_) return Deadline::max();
  // A period that already moved enough is followed by one that must move enough too.
  const int periods = bytes_ >= needed() ? 2 : 1;
  return period_start_ + periods * limit_.period;
}

bool SpeedCheck::expired(Clock::time_point now) const noexcept {
  return watching_ && now >= deadline();
}

Error SpeedCheck::stalled_error() const {
  return Error(ExitCode::OperationTimedout,
               fmt::format("Operation too slow. Less than {} bytes/sec transferred the last {} "
                           "seconds",
                           limit_.bytes_per_second, limit_.period.count()));
}

}  // namespace smtpc
