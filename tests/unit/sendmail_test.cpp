// sendmail mode: the command lines callers use, and the sysexits codes they check.
#include "sendmail.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smtpc::cli {
namespace {

using Strings = std::vector<std::string>;

TEST(SendmailArgs, CronAndMailxCommandLines) {
  const auto cron = parse_sendmail_args({"-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root"});
  EXPECT_EQ(cron.full_name, "CronDaemon");
  EXPECT_TRUE(cron.ignore_dots);
  EXPECT_FALSE(cron.read_recipients);
  EXPECT_EQ(cron.recipients, Strings{"root"});

  const auto t = parse_sendmail_args({"-t", "-oi"});
  EXPECT_TRUE(t.read_recipients);
  EXPECT_TRUE(t.ignore_dots);
  EXPECT_TRUE(t.recipients.empty());

  const auto mailx = parse_sendmail_args(
      {"-f", "me@example.com", "-F", "Me Myself", "-odi", "-bm", "-v", "--", "a@example.com",
       "B <b@example.com>, c@example.com", "-notanoption@example.com"});
  EXPECT_EQ(mailx.from, "me@example.com");
  EXPECT_EQ(mailx.full_name, "Me Myself");
  EXPECT_EQ(mailx.verbose, 1);
  EXPECT_FALSE(mailx.ignore_dots);
  EXPECT_EQ(mailx.recipients, (Strings{"a@example.com", "b@example.com", "c@example.com",
                                       "-notanoption@example.com"}));
}

TEST(SendmailArgs, AttachedValuesCombinedFlagsAndConfig) {
  const auto args = parse_sendmail_args({"-ti", "-rbounce@example.com", "-C", "/etc/x.conf", "-a",
                                         "lab", "-N", "never", "--sendmail"});
  EXPECT_TRUE(args.read_recipients);
  EXPECT_TRUE(args.ignore_dots);
  EXPECT_EQ(args.from, "bounce@example.com");
  EXPECT_EQ(args.config, "/etc/x.conf");
  EXPECT_EQ(args.account, "lab");
  EXPECT_EQ(args.dsn_notify, "never");
}

TEST(SendmailArgs, DsnOptionsAsSendmailSpellsThem) {
  const auto args = parse_sendmail_args(
      {"-N", "success,failure", "-Rhdrs", "-V", "queue-42", "-B", "8BITMIME", "a@example.com"});
  EXPECT_EQ(args.dsn_notify, "success,failure");
  EXPECT_EQ(args.dsn_return, "hdrs");
  EXPECT_EQ(args.dsn_envid, "queue-42");
  EXPECT_EQ(args.recipients, (Strings{"a@example.com"}));
  EXPECT_THROW((void)parse_sendmail_args({"-N"}), Error);
}

TEST(SendmailArgs, BsSpeaksSmtpOnStandardInputAndOutput) {
  EXPECT_EQ(parse_sendmail_args({"-bs"}).mode, SendmailArgs::Mode::SmtpSession);
}

TEST(SendmailArgs, OtherModesAndBadOptionsAreUsageErrors) {
  for (const Strings& bad :
       {Strings{"-bd"}, Strings{"-qR"}, Strings{"-Z"}, Strings{"-f"}, Strings{"\"unterminated"}}) {
    EXPECT_THROW((void)parse_sendmail_args(bad), Error) << bad[0];
  }
}

Reply reply(int code) {
  Reply r;
  r.code = ReplyCode(code);
  return r;
}

TEST(SendmailExitCodes, SysexitsByStageAndReply) {
  const Error usage(ExitCode::FailedInit, "x");
  EXPECT_EQ(sendmail_exit_code(usage, SendmailStage::Arguments), SysExit::Usage);
  EXPECT_EQ(sendmail_exit_code(usage, SendmailStage::Configuration), SysExit::Config);
  EXPECT_EQ(sendmail_exit_code(usage, SendmailStage::Message), SysExit::DataErr);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::UrlMalformat, "x"), SendmailStage::Message),
            SysExit::Config);
  const auto delivery = SendmailStage::Delivery;
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::SendError, "x", reply(451)), delivery),
            SysExit::TempFail);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::SendError, "x", reply(550)), delivery),
            SysExit::Unavailable);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::WeirdServerReply, "x", reply(554)), delivery),
            SysExit::Unavailable);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::CouldntConnect, "x"), delivery), SysExit::TempFail);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::OperationTimedout, "x"), delivery),
            SysExit::TempFail);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::LoginDenied, "x", reply(535)), delivery),
            SysExit::Unavailable);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::LoginDenied, "x"), delivery), SysExit::NoPerm);
  EXPECT_EQ(sendmail_exit_code(Error(ExitCode::PeerFailedVerification, "x"), delivery),
            SysExit::Unavailable);
  // In delivery, the one table decides (smtpc/core/failure.hpp).
  for (const FailureKind kind : kFailureKinds) {
    EXPECT_EQ(sendmail_exit_code(Error(kind, ExitCode::SendError, "x"), delivery),
              policy_for(kind).sysexit)
        << policy_for(kind).name;
  }
}

TEST(SendmailInvocation, ByNameOrFlag) {
  std::string sendmail = "/usr/sbin/sendmail";
  std::string smtpc = "/usr/bin/smtpc";
  std::string flag = "--sendmail";
  std::vector<char*> by_name{sendmail.data(), nullptr};
  std::vector<char*> plain{smtpc.data(), nullptr};
  std::vector<char*> by_flag{smtpc.data(), flag.data(), nullptr};
  EXPECT_TRUE(is_sendmail_invocation(1, by_name.data()));
  EXPECT_FALSE(is_sendmail_invocation(1, plain.data()));
  EXPECT_TRUE(is_sendmail_invocation(2, by_flag.data()));
}

}  // namespace
}  // namespace smtpc::cli
