// The delivery engine's one-attempt mode (a plain send, --mx): what it refuses, and how a
// message it cannot read is reported.
#include "smtpc/delivery/delivery.hpp"

#include <gtest/gtest.h>

#include "smtpc/core/error.hpp"

namespace smtpc::delivery {
namespace {

class CountingEvents final : public DeliveryEvents {
 public:
  void queue_unavailable(const Error& /*error*/) override { ++events; }
  void retrying(FailureKind /*kind*/, std::chrono::milliseconds /*delay*/,
                int /*retries_left*/) override {
    ++events;
  }
  void delivered_with_problem(std::size_t /*index*/, std::string_view /*problem*/) override {
    ++events;
  }
  void recipients_deferred(std::size_t /*index*/, const std::vector<std::string>& /*recipients*/,
                           std::string_view /*reason*/, std::string_view /*id*/,
                           std::string_view /*problem*/) override {
    ++events;
  }
  int events = 0;
};

class QuietNotices final : public Notices {
 public:
  void warning(std::string_view /*text*/) override {}
};

JobSpec unreadable_job() {
  JobSpec job;
  job.url.host = "127.0.0.1";
  job.url.port = 1;
  job.session.mode = SessionMode::SendMail;
  job.session.reverse_path = "a@example.com";
  job.session.forward_paths = {"b@example.com"};
  job.messages = {MessageOrigin::file("/nonexistent/smtpc-delivery-test.eml")};
  return job;
}

Keeping keep_nothing() {
  Keeping keeping;
  keeping.nothing = true;
  return keeping;
}

ExitCode code_of(const auto& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  }
  return ExitCode::Ok;
}

TEST(DeliverOnce, RetryAndQueueNeedACopyAndMxNeedsOneAttempt) {
  Tracer tracer(TraceOptions{});
  QuietNotices notices;
  CountingEvents events;
  const JobSpec job = unreadable_job();
  RetryPolicy once_more;
  once_more.retry = 1;
  EXPECT_EQ(
      code_of([&] { (void)deliver(job, once_more, keep_nothing(), tracer, notices, events); }),
      ExitCode::FailedInit);
  Keeping queued = keep_nothing();
  queued.queue_directory = "/nonexistent";
  EXPECT_EQ(code_of([&] { (void)deliver(job, {}, queued, tracer, notices, events); }),
            ExitCode::FailedInit);
  Keeping spool;  // --retry's private spool
  EXPECT_EQ(code_of([&] { (void)deliver(job, {}, spool, tracer, notices, events, MxOptions{}); }),
            ExitCode::FailedInit);
  EXPECT_EQ(events.events, 0);
}

// A plain send's upload is read where it is: one that cannot be read fails the attempt
// before any connection (the URL's port 1 is never tried), and is reported NotSent with the
// attempt's error, which is also what the send exits with.
TEST(DeliverOnce, AnUnreadableUploadIsTheAttemptsErrorAndNothingWasOffered) {
  Tracer tracer(TraceOptions{});
  QuietNotices notices;
  CountingEvents events;
  const DeliveryReport report =
      deliver(unreadable_job(), {}, keep_nothing(), tracer, notices, events);
  ASSERT_TRUE(report.attempt_error.has_value());
  EXPECT_EQ(report.attempt_error->code(), ExitCode::ReadError);
  EXPECT_FALSE(report.conversed);
  EXPECT_FALSE(report.progress.connected);
  ASSERT_EQ(report.messages.size(), 1U);
  EXPECT_EQ(report.messages[0].fate, Fate::NotSent);
  ASSERT_TRUE(report.first_error.has_value());
  EXPECT_EQ(report.first_error->code(), ExitCode::ReadError);
  EXPECT_FALSE(report.queue_directory.has_value());
  EXPECT_EQ(events.events, 0);
}

}  // namespace
}  // namespace smtpc::delivery
