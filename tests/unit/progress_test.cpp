// The progress meter and bar: curl 7.88's formats, when they are shown, how often drawn.
#include "progress.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "captured_stream.hpp"
#include "options.hpp"

namespace smtpc::cli {
namespace {

using namespace std::chrono_literals;
using Clock = ProgressMeter::Clock;

const char* const kHeader =
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
    "                                 Dload  Upload   Total   Spent    Left  Speed\n";

TEST(ProgressFormat, AmountsAsCurlsMax5) {
  EXPECT_EQ(max5(0), "    0");
  EXPECT_EQ(max5(99999), "99999");
  EXPECT_EQ(max5(100000), "  97k");
  EXPECT_EQ(max5(4052632), "3957k");  // curl showed "3957k" for this file
  EXPECT_EQ(max5(std::uint64_t{200} * 1024 * 1024), " 200M");
  EXPECT_EQ(max5(std::uint64_t{20} * 1024 * 1024 + 512 * 1024), "20.5M");
  EXPECT_EQ(max5(std::uint64_t{50} * 1024 * 1024 * 1024), "50.0G");
}

TEST(ProgressFormat, TimesAsCurlsTime2str) {
  EXPECT_EQ(time_text(0), "--:--:--");
  EXPECT_EQ(time_text(2), " 0:00:02");
  EXPECT_EQ(time_text(3723), " 1:02:03");
  EXPECT_EQ(time_text(100 * 3600 + 4 * 3600), "  4d 08h");
}

TEST(ProgressStyleChoice, OnlyOnATerminalAndNotWhenSilencedOrVerbose) {
  Options options;
  EXPECT_EQ(progress_style(options, true), ProgressStyle::Meter);
  EXPECT_EQ(progress_style(options, false), ProgressStyle::None);
  options.progress_bar = true;
  EXPECT_EQ(progress_style(options, true), ProgressStyle::Bar);
  EXPECT_EQ(progress_style(options, false), ProgressStyle::None);
  Options silent;
  silent.silent = true;
  EXPECT_EQ(progress_style(silent, true), ProgressStyle::None);
  Options off;
  off.progress_meter = false;  // --no-progress-meter
  EXPECT_EQ(progress_style(off, true), ProgressStyle::None);
  Options verbose;
  verbose.verbose = 1;
  EXPECT_EQ(progress_style(verbose, true), ProgressStyle::None);
  Options traced;
  traced.trace_ascii = "%";
  EXPECT_EQ(progress_style(traced, true), ProgressStyle::None);
}

TEST(ProgressMeterDrawing, HeaderThenCurlsLineThenANewlineAtTheEnd) {
  smtpc::testing::Captured out;
  const auto t0 = Clock::now();
  {
    ProgressMeter meter(ProgressStyle::Meter, out.file(), t0);
    meter.update({0, 20000}, t0);
    meter.update({10000, 20000}, t0 + 500ms);  // within the second: not drawn
    meter.update({20000, 20000}, t0 + 1s);
  }  // finish() at destruction, at "now": the line is drawn once more
  const std::string text = out.text();
  ASSERT_TRUE(text.starts_with(kHeader)) << text;
  const std::string lines = text.substr(std::string(kHeader).size());
  EXPECT_TRUE(lines.starts_with(
      "\r  0 20000    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
      "\r100 20000    0     0  100 20000      0  20000  0:00:01  0:00:01 --:--:-- 20000"))
      << lines;
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\r'), 3);
  EXPECT_TRUE(lines.ends_with("\n"));
}

TEST(ProgressMeterDrawing, UnknownTotalCountsWhatWasSent) {
  smtpc::testing::Captured out;
  const auto t0 = Clock::now();
  ProgressMeter meter(ProgressStyle::Meter, out.file(), t0);
  meter.update({21, std::nullopt}, t0 + 2s);
  meter.finish(t0 + 2s);
  EXPECT_NE(
      out.text().find(
          "\r100    21    0     0    0    21      0     10 --:--:--  0:00:02 --:--:--    10\n"),
      std::string::npos)
      << out.text();
}

TEST(ProgressMeterDrawing, AtMostOncePerSecondHoweverOftenUpdated) {
  smtpc::testing::Captured out;
  const auto t0 = Clock::now();
  ProgressMeter meter(ProgressStyle::Meter, out.file(), t0);
  for (int i = 0; i < 1000; ++i) meter.update({static_cast<std::uint64_t>(i), 1000}, t0 + i * 2ms);
  const std::string text = out.text();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 2);  // at 0 and at 1 s
}

TEST(ProgressBar, CurlsHashesAndPercentage) {
  smtpc::testing::Captured out;
  const auto t0 = Clock::now();
  ProgressMeter meter(ProgressStyle::Bar, out.file(), t0, 79);
  meter.update({50, 100}, t0);
  meter.update({60, 100}, t0 + 10ms);   // too soon: not drawn
  meter.update({100, 100}, t0 + 20ms);  // complete: drawn at once
  meter.finish(t0 + 30ms);
  const std::string half = "\r" + std::string(36, '#') + std::string(36, ' ') + "  50.0%";
  const std::string full = "\r" + std::string(72, '#') + " 100.0%";
  EXPECT_EQ(out.text(), half + full + "\n");
}

TEST(ProgressBar, WithoutATotalSomethingFlies) {
  smtpc::testing::Captured out;
  const auto t0 = Clock::now();
  ProgressMeter meter(ProgressStyle::Bar, out.file(), t0, 40);
  meter.update({10, std::nullopt}, t0);
  meter.finish(t0);
  EXPECT_NE(out.text().find("-=O=-"), std::string::npos);
}

TEST(ProgressMeterDrawing, NothingWhenNone) {
  smtpc::testing::Captured out;
  {
    ProgressMeter meter(ProgressStyle::None, out.file());
    meter.update({10, 100}, Clock::now());
  }
  EXPECT_EQ(out.text(), "");
}

}  // namespace
}  // namespace smtpc::cli
