// DotStuffer: CRLF normalisation, dot-stuffing and the end mark, whatever the chunking.
#include "smtpc/smtp/dot_stuffer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "dot_stuffing_reference.hpp"

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

// The slices of `pieces` encoded one after the other (each piece's slices joined before the
// next piece is encoded, as the job writes them before reading again), then finish().
std::string encode_as_slices(const std::vector<std::string_view>& pieces, bool for_data = true) {
  DotStuffer stuffer(for_data);
  WireSlices slices;
  std::string out;
  const auto drain = [&] {
    std::size_t total = 0;
    for (const auto slice : slices.slices()) {
      out.append(slice);
      total += slice.size();
    }
    EXPECT_EQ(total, slices.size());
    slices.clear();
  };
  for (const auto piece : pieces) {
    stuffer.encode(piece, slices);
    drain();
  }
  stuffer.finish(slices);
  drain();
  return out;
}

std::string encode_as_string(const std::vector<std::string_view>& pieces, bool for_data = true) {
  DotStuffer stuffer(for_data);
  std::string out;
  for (const auto piece : pieces) stuffer.encode(piece, out);
  stuffer.finish(out);
  return out;
}

// A line of `length` letters (long lines make runs that the slices reference, not copy).
std::string line_of(std::size_t length, char letter = 'x') { return std::string(length, letter); }

TEST(DotStufferSlices, SameBytesAsTheStringEncoderForEverySplit) {
  const std::string long_line = line_of(700);
  const std::vector<std::string> inputs{
      "a\r\n.b\r\n..\r\n.\r\nc",
      "x\r.\n\r\r\n.",
      ".\n.",
      long_line + "\r\n." + long_line + "\n" + long_line + "\r" + long_line + "\r\n",
      "." + long_line + "\r\n\r\n." + long_line,
  };
  for (const auto& input : inputs) {
    const std::string_view in(input);
    // Every split is too many for the long inputs: a cut near every special byte does.
    for (std::size_t i = 0; i <= in.size(); ++i) {
      if (in.size() > 64 && i % 97 != 0 &&
          in.substr(i > 0 ? i - 1 : 0, 2).find_first_of(".\r\n") == std::string_view::npos) {
        continue;
      }
      for (const bool for_data : {true, false}) {
        const std::vector<std::string_view> pieces{in.substr(0, i), in.substr(i)};
        ASSERT_EQ(encode_as_slices(pieces, for_data), encode_as_string(pieces, for_data))
            << "split at " << i << (for_data ? " (DATA)" : " (BDAT)");
      }
    }
  }
}

TEST(DotStufferSlices, ChunkBoundaryCases) {
  const std::string a = line_of(600, 'a');
  const std::string b = line_of(600, 'b');
  // A dot at the start of the next chunk, after a chunk ending in CRLF.
  EXPECT_EQ(encode_as_slices({a + "\r\n", "." + b}), a + "\r\n.." + b + "\r\n.\r\n");
  // A CR at the end of a chunk and the LF at the start of the next: one CRLF.
  EXPECT_EQ(encode_as_slices({a + "\r", "\n" + b}), a + "\r\n" + b + "\r\n.\r\n");
  // A CR at the end of a chunk and no LF after it: a bare CR, made CRLF.
  EXPECT_EQ(encode_as_slices({a + "\r", b}), a + "\r\n" + b + "\r\n.\r\n");
  // ...and a dot after it starts a line.
  EXPECT_EQ(encode_as_slices({a + "\r", "." + b}), a + "\r\n.." + b + "\r\n.\r\n");
  // A CR ending the last chunk.
  EXPECT_EQ(encode_as_slices({a + "\r"}), a + "\r\n.\r\n");
  // BDAT: no dot is stuffed.
  EXPECT_EQ(encode_as_slices({a + "\r\n", "." + b}, false), a + "\r\n." + b + "\r\n");
}

TEST(DotStufferSlices, CrlfTextIsSentFromTheInputItself) {
  std::string input;
  for (int i = 0; i < 20; ++i) input += line_of(78) + "\r\n";
  DotStuffer stuffer;
  WireSlices slices;
  stuffer.encode(input, slices);
  ASSERT_EQ(slices.slices().size(), 1U);
  EXPECT_EQ(slices.slices()[0].data(), input.data());  // referenced, not copied
  EXPECT_EQ(slices.size(), input.size());

  // A stuffed dot splits the run: input, ".", input.
  input += "." + line_of(600) + "\r\n";
  slices.clear();
  DotStuffer again;
  again.encode(input, slices);
  const auto& parts = slices.slices();
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(parts[0].data(), input.data());
  EXPECT_EQ(parts[1], ".");
  EXPECT_EQ(parts[2].data(), input.data() + 20 * 80);
}

TEST(DotStufferSlices, ShortRunsAreCopiedIntoOneSlice) {
  // LF-only text needs a CRLF on every line: short lines are copied, not sliced.
  std::string input;
  for (int i = 0; i < 100; ++i) input += line_of(40) + "\n";
  DotStuffer stuffer;
  WireSlices slices;
  stuffer.encode(input, slices);
  EXPECT_EQ(slices.slices().size(), 1U);
  EXPECT_EQ(slices.size(), 100U * 42U);
}

using reference::reference_encoding;  // tests/support/dot_stuffing_reference.hpp

// CRLF mail text (lines of 0 to 150 characters, so that lines start anywhere in the
// 16- and 64-byte blocks the encoder checks at once) with now and then a bare LF, a bare
// CR, a line starting with "." or a NUL.
std::string mostly_crlf_text(std::mt19937& random, std::size_t lines, int defect_per_mille) {
  std::uniform_int_distribution<std::size_t> length(0, 150);
  std::uniform_int_distribution<int> per_mille(0, 999);
  std::uniform_int_distribution<int> defect(0, 5);
  std::string text;
  for (std::size_t line = 0; line < lines; ++line) {
    std::string body(length(random), 'x');
    for (std::size_t i = 0; i < body.size(); ++i)
      body[i] = static_cast<char>('a' + (i + line) % 26);
    if (per_mille(random) < defect_per_mille) {
      const std::size_t at =
          body.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, body.size() - 1)(random);
      static constexpr std::string_view kDefects[] = {"\n",  "\r",  ".",
                                                      "\n.", "\r.", std::string_view("\0", 1)};
      body.insert(at, kDefects[defect(random)]);
    }
    if (per_mille(random) < defect_per_mille / 2) body.insert(0, ".");
    text += body;
    text += "\r\n";
  }
  if (!text.empty() && per_mille(random) < 300) text.pop_back();  // ends in a bare CR
  return text;
}

TEST(DotStufferSlices, AgreesWithTheBytewiseModelOnRandomTextCutAnywhere) {
  std::mt19937 random(20261207);
  for (int round = 0; round < 3000; ++round) {
    const int defects = std::uniform_int_distribution<int>(0, 3)(random) * 100;  // 0 to 30 %
    const std::string text = mostly_crlf_text(
        random, std::uniform_int_distribution<std::size_t>(0, 40)(random), defects);
    // Cut into up to 4 pieces at random places.
    std::vector<std::string_view> pieces;
    std::string_view rest(text);
    while (!rest.empty() && pieces.size() < 3) {
      const std::size_t cut = std::uniform_int_distribution<std::size_t>(0, rest.size())(random);
      pieces.push_back(rest.substr(0, cut));
      rest.remove_prefix(cut);
    }
    pieces.push_back(rest);
    // CrlfOnlyCheck (sendfile's eligibility) says yes exactly when BDAT changes nothing.
    CrlfOnlyCheck check;
    for (const auto piece : pieces) check.feed(piece);
    ASSERT_EQ(check.crlf_only(), reference_encoding(text, false) == text) << "round " << round;
    for (const bool for_data : {true, false}) {
      const std::string expected = reference_encoding(text, for_data);
      ASSERT_EQ(encode_as_slices(pieces, for_data), expected)
          << "round " << round << (for_data ? " (DATA)" : " (BDAT)");
      ASSERT_EQ(encode_as_string(pieces, for_data), expected)
          << "round " << round << (for_data ? " (DATA)" : " (BDAT)");
    }
  }
}

// One change in 300 bytes of clean CRLF lines, at every position, whole and cut just
// before, at and after it: each block position of the many-bytes-at-once check.
TEST(DotStufferSlices, OneDefectAtEveryPositionOfCleanLines) {
  std::string clean;
  for (int line = 0; line < 5; ++line)
    clean += std::string(58, static_cast<char>('a' + line)) + "\r\n";
  for (const std::string_view defect : {"\n", "\r", ".", "\n.", "\r\n.", "\r."}) {
    for (std::size_t at = 0; at <= clean.size(); ++at) {
      std::string text = clean;
      text.insert(at, defect);
      for (const bool for_data : {true, false}) {
        const std::string expected = reference_encoding(text, for_data);
        const std::string_view all(text);
        ASSERT_EQ(encode_as_slices({all}, for_data), expected) << "at " << at;
        for (const std::size_t cut : {at > 0 ? at - 1 : 0, at, at + 1, at + defect.size()}) {
          if (cut > text.size()) continue;
          ASSERT_EQ(encode_as_slices({all.substr(0, cut), all.substr(cut)}, for_data), expected)
              << "at " << at << ", cut at " << cut << (for_data ? " (DATA)" : " (BDAT)");
        }
      }
    }
  }
}

}  // namespace
}  // namespace smtpc

namespace smtpc {
namespace {

// CrlfOnlyCheck says yes exactly when DotStuffer for BDAT would leave the body unchanged
// (what lets BDAT send a file with sendfile): every text of up to 6 bytes from CR, LF and
// "a", cut at every pair of positions.
TEST(CrlfOnlyCheck, AgreesWithTheBdatEncoderOnEverySmallTextAndSplit) {
  std::vector<std::string> texts{""};
  for (int length = 1; length <= 6; ++length) {
    std::vector<std::string> longer;
    for (const auto& text : texts) {
      if (static_cast<int>(text.size()) != length - 1) continue;
      for (const char c : {'\r', '\n', 'a'}) longer.push_back(text + c);
    }
    texts.insert(texts.end(), longer.begin(), longer.end());
  }
  for (const auto& text : texts) {
    DotStuffer stuffer(false);
    std::string encoded;
    stuffer.encode(text, encoded);
    stuffer.finish(encoded);
    const bool unchanged = encoded == text;
    for (std::size_t i = 0; i <= text.size(); ++i) {
      for (std::size_t j = i; j <= text.size(); ++j) {
        CrlfOnlyCheck check;
        check.feed(std::string_view(text).substr(0, i));
        check.feed(std::string_view(text).substr(i, j - i));
        check.feed(std::string_view(text).substr(j));
        ASSERT_EQ(check.crlf_only(), unchanged)
            << "text of " << text.size() << " bytes, splits at " << i << ", " << j;
      }
    }
  }
}

}  // namespace
}  // namespace smtpc
