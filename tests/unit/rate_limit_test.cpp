// --limit-rate's limiter with an injected clock: it pauses exactly as long as the bytes
// written so far got ahead of the rate, and never when they did not.
#include "smtpc/job/rate_limit.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace smtpc {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  SendRateLimiter::Clock::time_point now{};
  std::vector<SendRateLimiter::Clock::duration> pauses;
  SendRateLimiter limiter(std::uint64_t rate) {
    return SendRateLimiter(
        rate, [this] { return now; },
        [this](SendRateLimiter::Clock::duration d) {
          pauses.push_back(d);
          now += d;
        });
  }
};

TEST(SendRateLimiter, PausesUntilTheAverageIsTheLimit) {
  FakeClock clock;
  SendRateLimiter limiter = clock.limiter(1000);
  limiter.sent(500);  // instantly: half a second ahead
  ASSERT_EQ(clock.pauses.size(), 1U);
  EXPECT_EQ(clock.pauses[0], 500ms);
  limiter.sent(1000);
  ASSERT_EQ(clock.pauses.size(), 2U);
  EXPECT_EQ(clock.pauses[1], 1000ms);
}

TEST(SendRateLimiter, NoPauseWhenTheWritesWereSlowerThanTheLimit) {
  FakeClock clock;
  SendRateLimiter limiter = clock.limiter(1000);
  limiter.sent(100);
  EXPECT_EQ(clock.pauses.back(), 100ms);
  clock.now += 2s;  // a slow network
  limiter.sent(1000);
  EXPECT_EQ(clock.pauses.size(), 1U);
}

}  // namespace
}  // namespace smtpc
