// ReplyParser: multi-line replies, input split anywhere, bounds, malformed input.
#include "smtpc/smtp/reply.hpp"

#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

using testing::expect_error;

TEST(ReplyParser, ParsesSingleLineReply) {
  const Reply reply = parse_reply("220 mx.example.com ESMTP ready\r\n");
  EXPECT_EQ(reply.code.value(), 220);
  ASSERT_EQ(reply.lines.size(), 1U);
  EXPECT_EQ(reply.lines[0], "mx.example.com ESMTP ready");
  EXPECT_FALSE(reply.enhanced_code.has_value());
}

TEST(ReplyParser, ParsesMultiLineReplyAndEnhancedCode) {
  const Reply reply = parse_reply("550-5.1.1 no such user\r\n550 5.1.1 see the docs\r\n");
  EXPECT_EQ(reply.code.value(), 550);
  EXPECT_TRUE(reply.code.permanent());
  EXPECT_EQ(reply.lines, (std::vector<std::string>{"5.1.1 no such user", "5.1.1 see the docs"}));
  EXPECT_EQ(reply.enhanced_code, "5.1.1");
  EXPECT_EQ(reply.summary(), "550 5.1.1 no such user 5.1.1 see the docs");
  EXPECT_EQ(reply.to_string(), "550-5.1.1 no such user\n550 5.1.1 see the docs");
}

TEST(ReplyParser, AcceptsBareCodeAndBareLf) {
  const Reply reply = parse_reply("250\n");
  EXPECT_EQ(reply.code.value(), 250);
  EXPECT_EQ(reply.lines, std::vector<std::string>{""});
}

TEST(ReplyParser, SplitAtEveryByteGivesTheSameReplies) {
  const std::string text =
      "220 hi\r\n250-mx.example.com\r\n250-SIZE 1000\r\n250 PIPELINING\r\n354 go\r\n";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    ReplyParser parser;
    std::vector<Reply> replies;
    parser.feed(std::string_view(text).substr(0, split));
    while (auto reply = parser.next()) replies.push_back(*reply);
    parser.feed(std::string_view(text).substr(split));
    while (auto reply = parser.next()) replies.push_back(*reply);
    ASSERT_EQ(replies.size(), 3U) << "split at " << split;
    EXPECT_EQ(replies[0].code.value(), 220);
    EXPECT_EQ(replies[1].lines,
              (std::vector<std::string>{"mx.example.com", "SIZE 1000", "PIPELINING"}));
    EXPECT_EQ(replies[2].code.value(), 354);
    EXPECT_EQ(parser.buffered(), 0U);
  }
}

TEST(ReplyParser, ByteByByteFeeding) {
  const std::string text = "250-a\r\n250-b\r\n250 c\r\n";
  ReplyParser parser;
  std::optional<Reply> reply;
  for (const char c : text) {
    EXPECT_FALSE(reply.has_value());
    parser.feed(std::string_view(&c, 1));
    reply = parser.next();
  }
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->lines.size(), 3U);
}

TEST(ReplyParser, KeepsBytesAfterTheFinalLine) {
  ReplyParser parser;
  parser.feed("220 ready\r\n250 injected\r\n");
  ASSERT_TRUE(parser.next().has_value());
  EXPECT_EQ(parser.buffered(), std::string("250 injected\r\n").size());
}

TEST(ReplyParser, IncompleteReplyIsNotReturned) {
  ReplyParser parser;
  parser.feed("250-first\r\n250 sec");
  EXPECT_FALSE(parser.next().has_value());
  parser.feed("ond\r\n");
  const auto reply = parser.next();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->lines.back(), "second");
}

TEST(ReplyParser, RejectsMixedCodes) {
  expect_error(ExitCode::WeirdServerReply, [] { (void)parse_reply("250-a\r\n251 b\r\n"); });
}

TEST(ReplyParser, RejectsLinesWithoutCode) {
  expect_error(ExitCode::WeirdServerReply, [] { (void)parse_reply("hello\r\n"); });
  expect_error(ExitCode::WeirdServerReply, [] { (void)parse_reply("25\r\n"); });
  expect_error(ExitCode::WeirdServerReply, [] { (void)parse_reply("2500 x\r\n"); });
  expect_error(ExitCode::WeirdServerReply, [] { (void)parse_reply("650 x\r\n"); });
  expect_error(ExitCode::WeirdServerReply, [] { (void)parse_reply("\r\n"); });
}

TEST(ReplyParser, SecurityRejectsNulByte) {
  ReplyParser parser;
  expect_error(ExitCode::WeirdServerReply,
               [&] { parser.feed(std::string_view("250 a\0b\r\n", 9)); });
}

TEST(ReplyParser, RejectsOverlongLineEvenWithoutNewline) {
  ReplyParser parser;
  std::string line = "250 " + std::string(kMaxReplyLine, 'x');
  expect_error(ExitCode::WeirdServerReply, [&] { parser.feed(line); });
}

TEST(ReplyParser, AcceptsLineAtTheLimit) {
  const std::string text = "250 " + std::string(kMaxReplyLine - 4, 'x') + "\r\n";
  EXPECT_EQ(parse_reply(text).lines[0].size(), kMaxReplyLine - 4);
}

TEST(ReplyParser, RejectsTooManyLines) {
  std::string text;
  for (std::size_t i = 0; i < kMaxReplyLines + 1; ++i) text += "250-x\r\n";
  ReplyParser parser;
  parser.feed(text);
  expect_error(ExitCode::WeirdServerReply, [&] { (void)parser.next(); });
}

TEST(ReplyParser, AcceptsMaximumLineCount) {
  std::string text;
  for (std::size_t i = 0; i + 1 < kMaxReplyLines; ++i) text += "250-x\r\n";
  text += "250 end\r\n";
  EXPECT_EQ(parse_reply(text).lines.size(), kMaxReplyLines);
}

TEST(ReplyCode, Classes) {
  EXPECT_TRUE(ReplyCode(250).positive());
  EXPECT_TRUE(ReplyCode(354).intermediate());
  EXPECT_TRUE(ReplyCode(421).transient());
  EXPECT_TRUE(ReplyCode(554).permanent());
  EXPECT_FALSE(ReplyCode(554).positive());
}

}  // namespace
}  // namespace smtpc
