// milliseconds_from_seconds: llround's result without libm, and no overflow.
#include "smtpc/core/duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <random>

namespace smtpc {
namespace {

using std::chrono::milliseconds;

TEST(MillisecondsFromSeconds, RoundsAsLlroundDoes) {
  for (const double seconds : {0.0, 0.0004, 0.0005, 0.0015, 0.0025, 0.25, 1.0, 2.4995, 2.5005,
                               0.49999999999999994e-3, 59.9999, 3600.0, 1e9}) {
    EXPECT_EQ(milliseconds_from_seconds(seconds).count(), std::llround(seconds * 1000.0))
        << seconds;
  }
}

TEST(MillisecondsFromSeconds, AgreesWithLlroundOnRandomValues) {
  std::mt19937_64 random(22);
  std::uniform_real_distribution<double> small(0.0, 10.0);
  std::uniform_real_distribution<double> large(0.0, 1e9);
  for (int i = 0; i < 100000; ++i) {
    const double seconds = i % 2 == 0 ? small(random) : large(random);
    ASSERT_EQ(milliseconds_from_seconds(seconds).count(), std::llround(seconds * 1000.0))
        << seconds;
  }
}

TEST(MillisecondsFromSeconds, NegativeAndNanAreZeroAndHugeValuesSaturate) {
  EXPECT_EQ(milliseconds_from_seconds(-1.5), milliseconds(0));
  EXPECT_EQ(milliseconds_from_seconds(std::numeric_limits<double>::quiet_NaN()), milliseconds(0));
  EXPECT_EQ(milliseconds_from_seconds(1e300), milliseconds::max());
  EXPECT_EQ(milliseconds_from_seconds(std::numeric_limits<double>::infinity()),
            milliseconds::max());
  EXPECT_EQ(milliseconds_from_seconds(9.2e15).count(), std::llround(9.2e15 * 1000.0));
}

}  // namespace
}  // namespace smtpc
