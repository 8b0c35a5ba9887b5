// Command line -> JobSpec: curl's spellings, modes, and usage errors.
#include "options.hpp"

#include <gtest/gtest.h>

#include "smtpc/error.hpp"

namespace smtpc::cli {
namespace {

JobSpec spec_for(std::vector<std::string> args) {
  Options options;
  CLI::App app;
  add_options(app, options);
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  app.parse(args);
  return make_job_spec(options);
}

ExitCode code_of(std::vector<std::string> args) {
  try {
    (void)spec_for(std::move(args));
  } catch (const Error& error) {
    return error.code();
  }
  return ExitCode::Ok;
}

TEST(Options, CurlStyleSend) {
  const auto spec =
      spec_for({"smtp://mail.example.com:2525/client.example.com", "--mail-from", "me@example.com",
                "--mail-rcpt", "a@example.com", "--mail-rcpt", "<b@example.com>", "-T", "-", "-v"});
  EXPECT_EQ(spec.url.host, "mail.example.com");
  EXPECT_EQ(spec.url.port, 2525);
  EXPECT_EQ(spec.session.ehlo_name, "client.example.com");
  EXPECT_EQ(spec.session.reverse_path, "me@example.com");
  EXPECT_EQ(spec.session.forward_paths,
            (std::vector<std::string>{"a@example.com", "b@example.com"}));
  EXPECT_EQ(spec.session.mode, SessionMode::SendMail);
  EXPECT_EQ(spec.upload_path, "-");
  EXPECT_EQ(spec.session.tls, TlsPolicy::None);
}

TEST(Options, NoPathLeavesEhloNameForTheHostName) {
  const auto spec = spec_for({"smtp://h", "--mail-rcpt", "a@x", "-T", "mail.txt"});
  EXPECT_EQ(spec.session.ehlo_name, "");  // never the upload file's name
}

TEST(Options, MissingMailFromIsNullReversePath) {
  EXPECT_EQ(spec_for({"smtp://h", "--mail-rcpt", "a@x", "-T", "f"}).session.reverse_path, "");
}

TEST(Options, ModesWithoutUpload) {
  EXPECT_EQ(spec_for({"smtp://h"}).session.mode, SessionMode::Help);
  EXPECT_EQ(spec_for({"smtp://h", "--mail-rcpt", "a@x"}).session.mode, SessionMode::Verify);
}

TEST(Options, TimeoutsInSeconds) {
  const auto spec =
      spec_for({"smtp://h", "--connect-timeout", "2.5", "-m", "10", "--mail-rcpt", "a@x"});
  EXPECT_EQ(spec.connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(spec.max_time, std::chrono::milliseconds(10000));
}

TEST(Options, TlsPolicies) {
  EXPECT_EQ(spec_for({"smtps://h"}).session.tls, TlsPolicy::Implicit);
  EXPECT_EQ(spec_for({"smtp://h", "--ssl"}).session.tls, TlsPolicy::Try);
  EXPECT_EQ(spec_for({"smtp://h", "--ssl-reqd"}).session.tls, TlsPolicy::Required);
}

TEST(Options, UsageErrors) {
  EXPECT_EQ(code_of({"smtp://h", "-T", "mail.txt"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"--mail-rcpt", "a@x"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--mail-rcpt", "<a@x", "-T", "f"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--mail-rcpt", "", "-T", "f"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--mail-from", "a\r\nRSET", "--mail-rcpt", "b", "-T", "f"}),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "-m", "-3"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"http://h"}), ExitCode::UnsupportedProtocol);
  EXPECT_EQ(code_of({"smtp://h:70000"}), ExitCode::UrlMalformat);
}

TEST(Options, CombinedShortFlags) {
  Options options;
  CLI::App app;
  add_options(app, options);
  std::vector<std::string> args{"-sSv", "smtp://h"};
  std::reverse(args.begin(), args.end());
  app.parse(args);
  EXPECT_TRUE(options.silent);
  EXPECT_TRUE(options.show_error);
  EXPECT_EQ(options.verbose, 1);
}

}  // namespace
}  // namespace smtpc::cli
