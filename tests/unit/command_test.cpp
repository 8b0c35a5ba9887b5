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

TEST(NormalizeMailbox, RefusesInjectionAndUnbalancedBrackets) {
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

TEST(Commands, RefuseLineBreaksInArguments) {
  expect_error(ExitCode::FailedInit, [] { (void)ehlo_command("a\r\nMAIL FROM:<x>"); });
  expect_error(ExitCode::FailedInit, [] { (void)rcpt_to_command("b@x\nDATA"); });
  expect_error(ExitCode::FailedInit, [] { (void)mail_from_command("a@x\r"); });
}

TEST(Commands, SecretLinesShowTheirRedactedForm) {
  const Command secret{"AUTH PLAIN c2VjcmV0", Secrecy::Secret, "AUTH PLAIN [redacted]"};
  EXPECT_EQ(secret.shown(), "AUTH PLAIN [redacted]");
  EXPECT_EQ(simple_command("QUIT").shown(), "QUIT");
}

}  // namespace
}  // namespace smtpc
