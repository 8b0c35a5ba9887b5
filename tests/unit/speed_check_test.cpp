// -Y/-y's stall check in periods of --speed-time, driven with explicit time points.
#include "smtpc/transport/speed_check.hpp"

#include <gtest/gtest.h>

namespace smtpc {
namespace {

using std::chrono::seconds;

const Clock::time_point kStart{seconds(1000)};
const SpeedLimit kTenBytesOverTwoSeconds{10, seconds(2)};  // 20 bytes a period

TEST(SpeedCheck, OffWithoutALimit) {
  SpeedCheck check;
  check.watch(kStart);
  EXPECT_EQ(check.deadline(), Deadline::max());
  check.moved(0, kStart + seconds(100));
  EXPECT_FALSE(check.expired(kStart + seconds(100)));
}

TEST(SpeedCheck, NotWatchedBeforeTheBodyNorAfterTheReply) {
  SpeedCheck check(kTenBytesOverTwoSeconds);
  EXPECT_EQ(check.deadline(), Deadline::max());
  check.watch(kStart);
  EXPECT_EQ(check.deadline(), kStart + seconds(2));
  check.stop();
  EXPECT_EQ(check.deadline(), Deadline::max());
  EXPECT_FALSE(check.expired(kStart + seconds(60)));
}

TEST(SpeedCheck, APeriodWithTooFewBytesIsAStallInCurlsWords) {
  SpeedCheck check(kTenBytesOverTwoSeconds);
  check.watch(kStart);
  check.moved(19, kStart + seconds(1));
  EXPECT_FALSE(check.expired(kStart + seconds(1)));
  EXPECT_TRUE(check.expired(kStart + seconds(2)));
  const Error error = check.stalled_error();
  EXPECT_EQ(error.code(), ExitCode::OperationTimedout);
  EXPECT_STREQ(error.what(),
               "Operation too slow. Less than 10 bytes/sec transferred the last 2 seconds");
  EXPECT_THROW(check.moved(100, kStart + seconds(3)), Error);
}

TEST(SpeedCheck, EnoughBytesStartTheNextPeriod) {
  SpeedCheck check(kTenBytesOverTwoSeconds);
  check.watch(kStart);
  check.moved(20, kStart + seconds(1));
  // This period is fine; the next one must move enough too.
  EXPECT_EQ(check.deadline(), kStart + seconds(4));
  check.moved(5, kStart + seconds(2));  // the first byte counts in the second period
  EXPECT_EQ(check.deadline(), kStart + seconds(4));
  EXPECT_TRUE(check.expired(kStart + seconds(4)));
  check.moved(15, kStart + seconds(3));
  EXPECT_FALSE(check.expired(kStart + seconds(5)));
}

TEST(SpeedCheck, WatchingAgainKeepsThePeriod) {
  SpeedCheck check(kTenBytesOverTwoSeconds);
  check.watch(kStart);
  check.watch(kStart + seconds(1));
  EXPECT_EQ(check.deadline(), kStart + seconds(2));
}

}  // namespace
}  // namespace smtpc
