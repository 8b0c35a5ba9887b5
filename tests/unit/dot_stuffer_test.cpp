// DotStuffer: CRLF normalisation, dot-stuffing and the end mark, whatever the chunking.
#include "smtpc/smtp/dot_stuffer.hpp"

#include <gtest/gtest.h>

namespace smtpc {
namespace {

std::string encode_whole(std::string_view input) {
  DotStuffer stuffer;
  std::string out;
  stuffer.encode(input, out);
  stuffer.finish(out);
  return out;
}

// Encodes `input` cut into pieces at every pair of positions (i, j).
void expect_same_for_every_split(std::string_view input, std::string_view expected) {
  for (std::size_t i = 0; i <= input.size(); ++i) {
    for (std::size_t j = i; j <= input.size(); ++j) {
      DotStuffer stuffer;
      std::string out;
      stuffer.encode(input.substr(0, i), out);
      stuffer.encode(input.substr(i, j - i), out);
      stuffer.encode(input.substr(j), out);
      stuffer.finish(out);
      ASSERT_EQ(out, expected) << "splits at " << i << ", " << j;
    }
  }
}

TEST(DotStuffer, CrlfInputPassesThrough) {
  EXPECT_EQ(encode_whole("Subject: x\r\n\r\nhello\r\n"), "Subject: x\r\n\r\nhello\r\n.\r\n");
}

TEST(DotStuffer, BareLfAndBareCrBecomeCrlf) {
  EXPECT_EQ(encode_whole("a\nb\rc\r\n"), "a\r\nb\r\nc\r\n.\r\n");
  EXPECT_EQ(encode_whole("a\r\rb"), "a\r\n\r\nb\r\n.\r\n");
  EXPECT_EQ(encode_whole("a\n\r\nb"), "a\r\n\r\nb\r\n.\r\n");
}

TEST(DotStuffer, LinesStartingWithADotGetAnotherDot) {
  EXPECT_EQ(encode_whole(".\n..x\n.x\nx.\n"), "..\r\n...x\r\n..x\r\nx.\r\n.\r\n");
  EXPECT_EQ(encode_whole(".hidden"), "..hidden\r\n.\r\n");
}

TEST(DotStuffer, AddsFinalLineEndWhenMissing) {
  EXPECT_EQ(encode_whole("no newline"), "no newline\r\n.\r\n");
  EXPECT_EQ(encode_whole("ends in cr\r"), "ends in cr\r\n.\r\n");
}

TEST(DotStuffer, EmptyBodyIsJustTheEndMark) { EXPECT_EQ(encode_whole(""), ".\r\n"); }

TEST(DotStuffer, SmugglingSequencesCannotEndTheData) {
  // "\n.\n" and "\r.\r" are end-of-data to some servers: they must leave as a stuffed line.
  EXPECT_EQ(encode_whole("a\n.\nMAIL FROM:<x>\n"), "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n");
  EXPECT_EQ(encode_whole("a\r.\rb"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(encode_whole("a\r\n.\nb"), "a\r\n..\r\nb\r\n.\r\n");
}

TEST(DotStuffer, ChunkBoundariesAnywhereGiveTheSameOutput) {
  expect_same_for_every_split("a\r\n.b\r\n..\r\n.\r\nc", "a\r\n..b\r\n...\r\n..\r\nc\r\n.\r\n");
  expect_same_for_every_split("x\r.\n\r\r\n.", "x\r\n..\r\n\r\n\r\n..\r\n.\r\n");
  expect_same_for_every_split(".\n.", "..\r\n..\r\n.\r\n");
}

}  // namespace
}  // namespace smtpc
