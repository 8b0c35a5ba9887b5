// Command builders and mailbox normalisation: no argument may inject a command.
#include "smtpc/smtp/command.hpp"

#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

using testing::expect_error;

TEST(NormalizeMailbox, AcceptsCommonForms) {
  EXPECT_EQ(normalize_mailbox("user@example.com"), "user@example.com");
  EXPECT_EQ(normalize_mailbox("<user@example.com>"), "user@example.com");
  EXPECT_EQ(normalize_mailbox("Jane Doe <jane@example.com>"), "jane@example.com");
  EXPECT_EQ(normalize_mailbox("\"John Doe\"@example.com"), "\"John Doe\"@example.com");
  EXPECT_EQ(normalize_mailbox("root"), "root");
  EXPECT_EQ(normalize_mailbox(""), "");
  EXPECT_EQ(normalize_mailbox("<>"), "");
  EXPECT_EQ(normalize_mailbox(" user@example.com "), "user@example.com");
}

TEST(NormalizeMailbox, SecurityRefusesInjectionAndUnbalancedBrackets) {
  for (const std::string& bad : std::vector<std::string>{
           "a@example.com\r\nRCPT TO:<b@example.com>", "a@example.com\n", "a\r@example.com",
           std::string("a\0b@example.com", 15), "<a@example.com", "a@example.com>",
           "<<a@example.com>>", "<a@example.com> junk", "a>b<c"}) {
    SCOPED_TRACE(bad);
    expect_error(ExitCode::FailedInit, [&] { (void)normalize_mailbox(bad); });
  }
}

TEST(Commands, BuildLines) {
  EXPECT_EQ(ehlo_command("client.example").line, "EHLO client.example");
  EXPECT_EQ(helo_command("client.example").line, "HELO client.example");
  EXPECT_EQ(mail_from_command("").line, "MAIL FROM:<>");
  MailParameters sized;
  sized.size = 1234;
  EXPECT_EQ(mail_from_command("a@example.com", sized).line, "MAIL FROM:<a@example.com> SIZE=1234");
  EXPECT_EQ(rcpt_to_command("b@example.com").line, "RCPT TO:<b@example.com>");
  EXPECT_EQ(vrfy_command("b@example.com").line, "VRFY b@example.com");
  EXPECT_EQ(simple_command("DATA").line, "DATA");
}

TEST(Commands, SecurityRefuseLineBreaksInArguments) {
  expect_error(ExitCode::FailedInit, [] { (void)ehlo_command("a\r\nMAIL FROM:<x>"); });
  expect_error(ExitCode::FailedInit, [] { (void)rcpt_to_command("b@x\nDATA"); });
  expect_error(ExitCode::FailedInit, [] { (void)mail_from_command("a@x\r"); });
}

TEST(Commands, SecuritySecretLinesShowTheirRedactedForm) {
  const Command secret{"AUTH PLAIN c2VjcmV0", Secrecy::Secret, "AUTH PLAIN [redacted]"};
  EXPECT_EQ(secret.shown(), "AUTH PLAIN [redacted]");
  EXPECT_EQ(simple_command("QUIT").shown(), "QUIT");
}

// curl 8.16's DSN form: ESMTP parameters written after the address.
TEST(SplitWrittenAddress, ParametersAfterTheAddress) {
  const auto bracketed = split_written_address("<a@example.com> NOTIFY=SUCCESS,FAILURE");
  EXPECT_EQ(bracketed.address, "<a@example.com>");
  EXPECT_EQ(bracketed.parameters, "NOTIFY=SUCCESS,FAILURE");
  const auto bare = split_written_address("a@example.com NOTIFY=NEVER");
  EXPECT_EQ(bare.address, "a@example.com");
  EXPECT_EQ(bare.parameters, "NOTIFY=NEVER");
  const auto named = split_written_address(" Me <me@example.com>\tRET=HDRS   ENVID=X ");
  EXPECT_EQ(named.address, "Me <me@example.com>");
  EXPECT_EQ(named.parameters, "RET=HDRS ENVID=X");  // one space apart
  const auto null_path = split_written_address("<> RET=FULL");
  EXPECT_EQ(null_path.address, "<>");
  EXPECT_EQ(null_path.parameters, "RET=FULL");
  EXPECT_EQ(split_written_address("<a@example.com> X-FLAG").parameters, "X-FLAG");
}

TEST(SplitWrittenAddress, AddressesWithoutParametersStayWhole) {
  for (const std::string written :
       {"a@example.com", "<a@example.com>", "Jane Doe <jane@example.com>", "root", "", "<>",
        "\"John Doe\"@example.com", "\"a \\\" b\"@example.com"}) {
    SCOPED_TRACE(written);
    const auto split = split_written_address(written);
    EXPECT_EQ(split.address, written);
    EXPECT_EQ(split.parameters, "");
  }
  // No blank after '>': one malformed address, refused by normalize_mailbox as before.
  EXPECT_EQ(split_written_address("<a@example.com>X=1").address, "<a@example.com>X=1");
}

TEST(SplitWrittenAddress, RefusesControlCharactersAndNonParameters) {
  for (const std::string bad :
       {"<a@example.com> NOTIFY=NEVER\r\nRCPT TO:<b@example.com>", "a@example.com NOTIFY=NEVER\n",
        "<a@example.com> NOTIFY=\x01", "<a@example.com> X=\x7f", "<a@example.com> =X",
        "<a@example.com> -X=1", "<a@example.com> NO_TIFY=1",
        "<a@example.com> X=", "<a@example.com> NOTIFY=NEVER notify=DELAY", "user @example.com"}) {
    SCOPED_TRACE(bad);
    expect_error(ExitCode::FailedInit, [&] { (void)split_written_address(bad); });
  }
  expect_error(
      ExitCode::FailedInit, [] { (void)split_written_address("<a@x> NOTIFY=N\x01"); },
      "control character");
  expect_error(
      ExitCode::FailedInit, [] { (void)split_written_address("<a@x> RET=HDRS ret=FULL"); },
      "given twice");
}

TEST(NamesParameter, ComparesKeywordsWithoutCase) {
  EXPECT_TRUE(names_parameter("notify=NEVER ORCPT=rfc822;a@x", "NOTIFY"));
  EXPECT_TRUE(names_parameter("notify=NEVER ORCPT=rfc822;a@x", "orcpt"));
  EXPECT_TRUE(names_parameter("SMTPUTF8", "SMTPUTF8"));
  EXPECT_FALSE(names_parameter("NOTIFYX=1", "NOTIFY"));
  EXPECT_FALSE(names_parameter("X=NOTIFY", "NOTIFY"));
  EXPECT_FALSE(names_parameter("", "NOTIFY"));
}

TEST(Commands, WrittenParametersComeFirstAndWinOverOwnOnes) {
  MailParameters mail;
  mail.written = "RET=HDRS ENVID=X";
  mail.size = 100;
  mail.eight_bit_mime = true;
  mail.smtputf8 = true;
  mail.dsn_ret = "FULL";
  mail.dsn_envid = "own";
  EXPECT_EQ(mail_from_command("me@example.com", mail).line,
            "MAIL FROM:<me@example.com> RET=HDRS ENVID=X SIZE=100 BODY=8BITMIME SMTPUTF8");
  mail.written = "size=5 body=7BIT smtputf8 auth=<>";
  mail.auth = "me@example.com";
  EXPECT_EQ(mail_from_command("me@example.com", mail).line,
            "MAIL FROM:<me@example.com> size=5 body=7BIT smtputf8 auth=<> RET=FULL ENVID=own");

  RcptParameters rcpt;
  rcpt.dsn_notify = "DELAY";
  rcpt.dsn_orcpt = true;
  rcpt.written = "NOTIFY=SUCCESS,FAILURE";
  EXPECT_EQ(rcpt_to_command("a@example.com", rcpt).line,
            "RCPT TO:<a@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@example.com");
  rcpt.written = "ORCPT=rfc822;old@example.com";
  EXPECT_EQ(rcpt_to_command("a@example.com", rcpt).line,
            "RCPT TO:<a@example.com> ORCPT=rfc822;old@example.com NOTIFY=DELAY");
  rcpt.written = "X=\r\nDATA";  // never from split_written_address, refused all the same
  expect_error(ExitCode::FailedInit, [&] { (void)rcpt_to_command("a@example.com", rcpt); });
}

TEST(WrittenParameters, FoundByForwardPathWithoutCase) {
  WrittenParameters written;
  written.forward_paths.emplace("a@Example.COM", "NOTIFY=NEVER");
  EXPECT_EQ(written.of("a@example.com"), "NOTIFY=NEVER");
  EXPECT_EQ(written.of("b@example.com"), "");
}

}  // namespace
}  // namespace smtpc
