// Header and body encoders: RFC 2047 encoded-words, quoted-printable, base64 lines,
// RFC 2231 file names and RFC 5322 dates.
#include "smtpc/compose/mime.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::mime {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "every line ends in CRLF: " << text;
    if (end == std::string::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// Decodes a run of "=?UTF-8?B?...?=" words separated by folding whitespace.
std::string decode_words(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while ((pos = text.find("=?UTF-8?B?", pos)) != std::string_view::npos) {
    const auto end = text.find("?=", pos + 10);
    out += base64_decode(text.substr(pos + 10, end - pos - 10)).value();
    pos = end + 2;
  }
  return out;
}

TEST(EncodedWords, Rfc2047Example) {
  // RFC 2047 §8's "Keld Jørn Simonsen", here in UTF-8 and the B encoding.
  EXPECT_EQ(encoded_words("Keld J\xC3\xB8rn Simonsen", 0),
            "=?UTF-8?B?S2VsZCBKw7hybiBTaW1vbnNlbg==?=");
}

TEST(EncodedWords, LongTextSplitsBetweenCharactersWithinLimits) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "\xE2\x82\xAC \xC3\xA9t\xC3\xA9 ";  // "€ été "
  const std::string field = unstructured_field("Subject", text);
  const auto lines = lines_of(field);
  ASSERT_GT(lines.size(), 3U);
  for (const auto& line : lines) {
    EXPECT_LE(line.size(), 78U) << line;
    for (std::size_t pos = line.find("=?UTF-8?B?"); pos != std::string::npos;
         pos = line.find("=?UTF-8?B?", pos + 2)) {
      EXPECT_LE(line.find("?=", pos + 10) + 2 - pos, 75U) << "encoded-word too long: " << line;
    }
  }
  EXPECT_EQ(decode_words(field), text);  // each word holds whole characters: nothing split
  for (std::size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(lines[i].front(), ' ');
}

TEST(UnstructuredField, AsciiStaysReadableAndFoldsAtBlanks) {
  EXPECT_EQ(unstructured_field("Subject", "nightly build failed"),
            "Subject: nightly build failed\r\n");
  std::string long_value;
  for (int i = 0; i < 30; ++i) long_value += "word" + std::to_string(i) + " ";
  const auto lines = lines_of(unstructured_field("Subject", long_value));
  ASSERT_GT(lines.size(), 1U);
  std::string unfolded;
  for (const auto& line : lines) {
    EXPECT_LE(line.size(), 78U);
    unfolded += line;
  }
  EXPECT_EQ(unfolded, "Subject: " + long_value);
}

TEST(UnstructuredField, SecurityRefusesLineBreaksAndOverlongWords) {
  EXPECT_THROW((void)unstructured_field("Subject", "a\r\nBcc: x@y"), Error);
  EXPECT_THROW((void)unstructured_field("X-Long", std::string(1000, 'a')), Error);
  EXPECT_NO_THROW((void)unstructured_field("X-Long", std::string(980, 'a')));
}

TEST(Phrase, AtomsQuotedStringsAndEncodedWords) {
  EXPECT_EQ(phrase("John Doe"), "John Doe");
  EXPECT_EQ(phrase("Joe Q. Public"), "\"Joe Q. Public\"");
  EXPECT_EQ(phrase("Giant; \"Big\" Box"), "\"Giant; \\\"Big\\\" Box\"");
  EXPECT_EQ(phrase("J\xC3\xB8rn"), "=?UTF-8?B?SsO4cm4=?=");
}

TEST(QuotedPrintable, EncodesEqualsEightBitAndTrailingBlanks) {
  EXPECT_EQ(quoted_printable("caf\xC3\xA9 = ok \n"), "caf=C3=A9 =3D ok=20\r\n");
  EXPECT_EQ(quoted_printable("a\tb\t\r\nc"), "a\tb=09\r\nc\r\n");
}

TEST(QuotedPrintable, SoftBreaksKeepLinesAt76) {
  const std::string input = std::string(200, 'x') + "\xC3\xA9" + std::string(300, '=') + "\n";
  const std::string encoded = quoted_printable(input);
  std::string decoded;
  for (const auto& line : lines_of(encoded)) {
    EXPECT_LE(line.size(), 76U);
    std::string_view rest = line;
    const bool soft = rest.ends_with('=');
    if (soft) rest.remove_suffix(1);
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '=') {
        decoded += static_cast<char>(std::stoi(std::string(rest.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        decoded += rest[i];
      }
    }
    if (!soft) decoded += "\n";
  }
  EXPECT_EQ(decoded, input);
}

TEST(Bodies, SevenBitNeedsAsciiAndShortLines) {
  EXPECT_TRUE(fits_7bit("hello\nworld\n"));
  EXPECT_FALSE(fits_7bit("caf\xC3\xA9"));
  EXPECT_TRUE(fits_7bit(std::string(998, 'a')));
  EXPECT_FALSE(fits_7bit(std::string(999, 'a')));
  EXPECT_EQ(crlf_lines("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd\r\n");
  EXPECT_EQ(crlf_lines(""), "");
}

TEST(Base64Lines, LinesOf76AndExactRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i % 256);
  const std::string encoded = base64_lines(bytes);
  std::string joined;
  const auto lines = lines_of(encoded);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i + 1 < lines.size()) {
      EXPECT_EQ(lines[i].size(), 76U);
    }
    EXPECT_LE(lines[i].size(), 76U);
    joined += lines[i];
  }
  EXPECT_EQ(base64_decode(joined), bytes);
}

TEST(AttachmentDisposition, AsciiQuotedNonAsciiRfc2231) {
  EXPECT_EQ(attachment_disposition("build.log"), "attachment;\r\n filename=\"build.log\"");
  EXPECT_EQ(attachment_disposition("a \"b\".txt"), "attachment;\r\n filename=\"a \\\"b\\\".txt\"");
  EXPECT_EQ(attachment_disposition("r\xC3\xA9sum\xC3\xA9 1.pdf"),
            "attachment;\r\n filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf");
  EXPECT_THROW((void)attachment_disposition("a\nb"), Error);
}

TEST(Date, Rfc5322FormatWithOffset) {
  std::tm tm{};
  tm.tm_year = 2024 - 1900;
  tm.tm_mon = 5;
  tm.tm_mday = 11;
  tm.tm_wday = 2;
  tm.tm_hour = 9;
  tm.tm_min = 5;
  tm.tm_sec = 3;
  EXPECT_EQ(rfc5322_date(tm, 7200), "Tue, 11 Jun 2024 09:05:03 +0200");
  EXPECT_EQ(rfc5322_date(tm, -(3 * 3600 + 30 * 60)), "Tue, 11 Jun 2024 09:05:03 -0330");
  EXPECT_EQ(rfc5322_date(tm, 0), "Tue, 11 Jun 2024 09:05:03 +0000");
}

}  // namespace
}  // namespace smtpc::mime
