// Header sections: where they end, folded fields, recipients from To/Cc/Bcc and Resent-*,
// Bcc removal, and the sendmail lone-dot rule.
#include "smtpc/compose/header_block.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtpc/compose/composed_message.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

using Strings = std::vector<std::string>;

std::vector<HeaderField> fields_of(std::string_view message) {
  const auto end = find_header_end(message, true);
  return parse_header_fields(message.substr(0, end->header_length));
}

TEST(HeaderEnd, EmptyLineWithLfOrCrlf) {
  const auto lf = find_header_end("To: a@b\nSubject: x\n\nbody\n", false);
  ASSERT_TRUE(lf);
  EXPECT_EQ(lf->header_length, 19U);
  EXPECT_EQ(lf->body_offset, 20U);
  const auto crlf = find_header_end("To: a@b\r\n\r\nbody", false);
  ASSERT_TRUE(crlf);
  EXPECT_EQ(crlf->header_length, 9U);
  EXPECT_EQ(crlf->body_offset, 11U);
}

TEST(HeaderEnd, NeedsMoreInputUntilTheEmptyLine) {
  EXPECT_FALSE(find_header_end("To: a@b\nSubject: x", false));
  EXPECT_FALSE(find_header_end("To: a@b\n", false));
  const auto all = find_header_end("To: a@b\nSubject: x", true);  // headers only
  ASSERT_TRUE(all);
  EXPECT_EQ(all->header_length, 18U);
}

TEST(HeaderEnd, NonFieldLineStartsTheBody) {
  const auto end = find_header_end("To: a@b\nthis is not a header\n", false);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->header_length, 8U);
  EXPECT_EQ(end->body_offset, 8U);
}

TEST(HeaderFields, FoldedFieldsKeptWholeWithCrlf) {
  const auto fields = fields_of("To: a@b,\n  c@d\nSubject: hi\n\nbody");
  ASSERT_EQ(fields.size(), 2U);
  EXPECT_EQ(fields[0].name, "To");
  EXPECT_EQ(fields[0].raw, "To: a@b,\r\n  c@d\r\n");
  EXPECT_EQ(fields[0].value(), "a@b,  c@d");
  EXPECT_TRUE(fields[1].is("subject"));
  EXPECT_EQ(join_fields(fields), "To: a@b,\r\n  c@d\r\nSubject: hi\r\n");
}

TEST(HeaderRecipients, ToCcBccInOrderWithoutDuplicates) {
  const auto fields = fields_of(
      "From: me@example.com\nTo: Team <team@example.com>, b@example.com\nCc: c@example.com,\n"
      " B@EXAMPLE.COM\nBcc: hidden@example.com\nSubject: x\n\n");
  EXPECT_EQ(header_recipients(fields),
            (Strings{"team@example.com", "b@example.com", "c@example.com", "hidden@example.com"}));
  EXPECT_EQ(from_address(fields), "me@example.com");
}

TEST(HeaderRecipients, ResentFieldsWinWhenPresent) {
  const auto fields = fields_of(
      "To: original@example.com\nResent-To: new@example.com\nResent-Bcc: secret@example.com\n\n");
  EXPECT_EQ(header_recipients(fields), (Strings{"new@example.com", "secret@example.com"}));
}

TEST(HeaderRecipients, BadAddressListIsAnError) {
  EXPECT_THROW((void)header_recipients(fields_of("To: \"unterminated <a@b>\n\n")), Error);
}

TEST(Bcc, RemovedWithResentBccAndTheirContinuations) {
  auto fields = fields_of("To: a@b\nBcc: x@y,\n z@w\nbcc: q@r\nResent-Bcc: s@t\nSubject: keep\n\n");
  remove_bcc(fields);
  EXPECT_EQ(join_fields(fields), "To: a@b\r\nSubject: keep\r\n");
}

TEST(LoneDotFilter, StopsAtALineWithOnlyADot) {
  for (const std::string ending : {"\n", "\r\n"}) {
    const std::string input = "a\n.b\n..\n." + ending + "after\n";
    // Feed in every split, byte by byte too.
    for (std::size_t step = 1; step <= input.size(); ++step) {
      LoneDotFilter filter;
      std::string out;
      bool done = false;
      for (std::size_t pos = 0; pos < input.size() && !done; pos += step) {
        done = filter.feed(std::string_view(input).substr(pos, step), out);
      }
      EXPECT_TRUE(done);
      EXPECT_EQ(out, "a\n.b\n..\n") << "step " << step;
    }
  }
}

TEST(LoneDotFilter, DotAtTheEndAndDotsInsideLinesPassThrough) {
  LoneDotFilter filter;
  std::string out;
  EXPECT_FALSE(filter.feed("x.\n.\rno\n.", out));
  filter.finish(out);
  EXPECT_TRUE(filter.done());
  EXPECT_EQ(out, "x.\n.\rno\n");
}

}  // namespace
}  // namespace smtpc
