// Seconds given as a number (--max-time 2.5, --retry-delay 0.25) as a duration.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace smtpc {

/// `seconds` in whole milliseconds, rounded half away from zero as std::llround does. Not
/// llround itself: it is smtpc's only use of libm, and a library less to map saves every
/// run about 0.03 ms (docs/performance.md, "Fifth pass"). Negative values and NaN give 0;
/// values beyond what milliseconds holds give milliseconds::max() (a queue entry or an
/// option may say 1e300).
[[nodiscard]] constexpr std::chrono::milliseconds milliseconds_from_seconds(double seconds) {
  using std::chrono::milliseconds;
  const double ms = seconds * 1000.0;
  if (!(ms > 0)) return milliseconds(0);
  // 2^63 is exactly representable; every double below it converts without overflow.
  constexpr double kLimit = 9223372036854775808.0;
  if (ms >= kLimit) return milliseconds::max();
  auto whole = static_cast<std::int64_t>(ms);
  if (ms - static_cast<double>(whole) >= 0.5) ++whole;
  return milliseconds(whole);
}

}  // namespace smtpc
