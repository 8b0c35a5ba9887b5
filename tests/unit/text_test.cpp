// The ASCII text helpers: no locale, exact bounds.
#include "smtpc/core/text.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>

namespace smtpc {
namespace {

TEST(Text, AsciiMeansBelow128) {
  EXPECT_TRUE(is_ascii(""));
  EXPECT_TRUE(is_ascii(std::string_view("a\0\x7f", 3)));
  EXPECT_FALSE(is_ascii("b\xc3\xbc"));
  EXPECT_FALSE(is_ascii("\x80"));
}

// Every position of an 8-bit byte in and around the 8-byte words is_ascii reads at once.
TEST(Text, AsciiFindsAnEightBitByteAtEveryPosition) {
  for (std::size_t size = 0; size <= 40; ++size) {
    const std::string clean(size, 'x');
    EXPECT_TRUE(is_ascii(clean)) << size;
    for (std::size_t at = 0; at < size; ++at) {
      std::string dirty = clean;
      dirty[at] = '\xff';
      EXPECT_FALSE(is_ascii(dirty)) << size << " " << at;
      EXPECT_FALSE(is_ascii(std::string_view(dirty).substr(at))) << size << " " << at;
    }
  }
}

// The rule, one byte at a time: what has_line_longer_than must agree with.
bool reference_long_line(std::string_view chunk, std::size_t limit, std::size_t& column) {
  bool found = false;
  for (const char c : chunk) {
    column = c == '\r' || c == '\n' ? 0 : column + 1;
    found = found || column > limit;
  }
  return found;
}

TEST(Text, LongLineLimitIsExactWithEitherLineEnd) {
  for (const std::string end : {"\r\n", "\n", "\r"}) {
    std::size_t column = 0;
    EXPECT_FALSE(has_line_longer_than(std::string(998, 'a') + end, 998, column)) << end.size();
    EXPECT_EQ(column, 0U);
    EXPECT_TRUE(has_line_longer_than(std::string(999, 'a') + end, 998, column)) << end.size();
    EXPECT_FALSE(has_line_longer_than(std::string(998, 'a'), 998, column));
    EXPECT_EQ(column, 998U);
    EXPECT_TRUE(has_line_longer_than("b", 998, column));  // the line goes on in the next chunk
  }
  std::size_t column = 0;
  EXPECT_FALSE(has_line_longer_than(std::string(500, 'a') + "\r" + std::string(500, 'b') + "\n",
                                    998, column));  // a lone CR ends a line too
  EXPECT_FALSE(
      has_line_longer_than(std::string(600, 'a') + "\r" + std::string(30, 'b'), 998, column));
  EXPECT_EQ(column, 30U);
}

// Random text of short and long lines, CRs, LFs and both, cut into random chunks: the
// result and the carried column are the byte-by-byte rule's.
TEST(Text, LongLineScanAgreesWithTheBytewiseRule) {
  std::mt19937 random(20261207);
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const int lines = std::uniform_int_distribution<int>(0, 12)(random);
    for (int i = 0; i < lines; ++i) {
      const int kind = std::uniform_int_distribution<int>(0, 3)(random);
      const std::size_t length = kind == 0
                                     ? std::uniform_int_distribution<std::size_t>(990, 1005)(random)
                                     : std::uniform_int_distribution<std::size_t>(0, 120)(random);
      text += std::string(length, static_cast<char>('a' + i));
      const int end = std::uniform_int_distribution<int>(0, 3)(random);
      text += end == 0 ? "\r\n" : end == 1 ? "\n" : end == 2 ? "\r" : "";
    }
    std::size_t fast_column = 0;
    std::size_t slow_column = 0;
    bool fast = false;
    bool slow = false;
    std::string_view rest = text;
    while (!rest.empty()) {
      const std::size_t size =
          std::min(rest.size(), std::uniform_int_distribution<std::size_t>(1, 700)(random));
      fast = has_line_longer_than(rest.substr(0, size), 998, fast_column) || fast;
      slow = reference_long_line(rest.substr(0, size), 998, slow_column) || slow;
      ASSERT_EQ(fast_column, slow_column) << "round " << round;
      rest.remove_prefix(size);
    }
    ASSERT_EQ(fast, slow) << "round " << round;
  }
}

TEST(Text, CaseChangesOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("MAIL From:<\xc3\x9c@X.Example>"), "mail from:<\xc3\x9c@x.example>");
  EXPECT_EQ(ascii_upper("auth=plain-1_\xc3\xa9"), "AUTH=PLAIN-1_\xc3\xa9");
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_lower('['), '[');  // just after 'Z'
}

TEST(Text, EqualsIgnoringCase) {
  EXPECT_TRUE(equals_ignore_case("Cram-MD5", "CRAM-md5"));
  EXPECT_FALSE(equals_ignore_case("PLAIN", "PLAINX"));
  EXPECT_FALSE(equals_ignore_case("a", "\xc3"));
  EXPECT_TRUE(equals_ignore_case("", ""));
}

// Strings equal ignoring case hash alike (the envelope's repeat check relies on it); the
// hash sees every byte, and bytes over 127 keep their case.
TEST(Text, HashIgnoringCaseAgreesWithEqualsIgnoringCase) {
  EXPECT_EQ(hash_ignore_case("Anna@Example.COM"), hash_ignore_case("anna@example.com"));
  EXPECT_EQ(hash_ignore_case(""), hash_ignore_case(""));
  EXPECT_NE(hash_ignore_case("anna@example.com"), hash_ignore_case("anna@example.co"));
  EXPECT_NE(hash_ignore_case("ab"), hash_ignore_case("ba"));
  EXPECT_NE(hash_ignore_case("\xC3\x96"), hash_ignore_case("\xC3\xB6"));
  EXPECT_NE(hash_ignore_case("@"), hash_ignore_case("`"));  // '@' + 32 is not a letter
}

TEST(Text, TrimSpacesTabsAndLineEnds) {
  EXPECT_EQ(trim("  key = value\t\r\n"), "key = value");
  EXPECT_EQ(trim(" \t "), "");
  EXPECT_EQ(trim("x"), "x");
}

// The same answers as strtol(text, &end, 10) with the whole text read, which curl uses.
TEST(Text, NumbersAreReadWholeAsStrtolReadsThem) {
  EXPECT_EQ(parse_long("0").value, 0);
  EXPECT_EQ(parse_long("42").value, 42);
  EXPECT_EQ(parse_long(" \t+7").value, 7);
  EXPECT_EQ(parse_long("-12").value, -12);
  EXPECT_EQ(parse_long("007").value, 7);
  EXPECT_EQ(parse_long("9223372036854775807").value, std::numeric_limits<long>::max());
  EXPECT_EQ(parse_long("-9223372036854775808").value, std::numeric_limits<long>::min());
  for (const char* bad : {"", " ", "-", "+", "x", "5x", "5 ", "- 5", "0x10", "1e3", "5.0", "--5"}) {
    EXPECT_EQ(parse_long(bad).error, std::errc::invalid_argument) << bad;
  }
  for (const char* big : {"9223372036854775808", "-9223372036854775809", "99999999999999999999"}) {
    EXPECT_EQ(parse_long(big).error, std::errc::result_out_of_range) << big;
  }
  EXPECT_EQ(parse_long("99999999999999999999x").error, std::errc::result_out_of_range);
  EXPECT_EQ(parse_long(std::string_view("12\0", 3)).error, std::errc::invalid_argument);
}

// Seconds as curl reads them (strtod over the whole text).
TEST(Text, FractionsAreReadWholeAsStrtodReadsThem) {
  EXPECT_EQ(parse_double("1.5").value, 1.5);
  EXPECT_EQ(parse_double(" +2").value, 2.0);
  EXPECT_EQ(parse_double("1e3").value, 1000.0);
  EXPECT_EQ(parse_double("-0.25").value, -0.25);
  for (const char* bad : {"", " ", "x", "1.5s", "1.5 ", "nan", "--1"}) {
    EXPECT_EQ(parse_double(bad).error, std::errc::invalid_argument) << bad;
  }
  for (const char* big : {"inf", "1e999", "-1e999"}) {
    EXPECT_EQ(parse_double(big).error, std::errc::result_out_of_range) << big;
  }
}

TEST(SecurityText, ControlBytesBecomeVisibleAndNothingElseChanges) {
  EXPECT_EQ(escape_controls("451 4.3.0 \x1b]0;PWNED\x07\x1b[2J gone"),
            "451 4.3.0 \\x1b]0;PWNED\\x07\\x1b[2J gone");
  EXPECT_EQ(escape_controls("a\rb\nc\x7f\x01"), "a\\x0db\\x0ac\\x7f\\x01");
  EXPECT_EQ(escape_controls("tab\tstays, UTF-8 st\xc3\xa4ys, \\ stays"),
            "tab\tstays, UTF-8 st\xc3\xa4ys, \\ stays");
  const std::string escaped = escape_controls("\x1b[31mred");
  EXPECT_EQ(escape_controls(escaped), escaped);
}

TEST(SecurityText, C1ControlsAreEscapedRawAndInUtf8) {
  // 0x9b is CSI on an 8-bit terminal and U+009B (0xc2 0x9b) on a UTF-8 one.
  EXPECT_EQ(escape_controls("550 \x9b"
                            "2J gone"),
            "550 \\x9b2J gone");
  EXPECT_EQ(escape_controls("550 \xc2\x9b"
                            "2J \xc2\x85 gone"),
            "550 \\xc2\\x9b2J \\xc2\\x85 gone");
  EXPECT_EQ(escape_controls("\x80\x9f"), "\\x80\\x9f");
  // A valid sequence whose continuation byte lies in 0x80-0x9f stays: it is a letter.
  EXPECT_EQ(escape_controls("\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa4"),
            "\xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa4");
  // Latin-1 letters outside UTF-8 print as they did; a truncated sequence's C1 byte does not.
  EXPECT_EQ(escape_controls("caf\xe9"), "caf\xe9");
  EXPECT_EQ(escape_controls("\xe2\x82"), "\xe2\\x82");
  const std::string escaped = escape_controls("\x9b\xc2\x9b");
  EXPECT_EQ(escape_controls(escaped), escaped);
}

TEST(Text, DomainIsAfterTheLastAt) {
  EXPECT_EQ(domain_of("a@b@example.com"), "example.com");
  EXPECT_EQ(domain_of("\"a@b\"@c.example"), "c.example");
  EXPECT_EQ(domain_of("root"), "");
  EXPECT_EQ(domain_of("user@"), "");
  EXPECT_EQ(domain_of("x@[127.0.0.1]"), "[127.0.0.1]");
}

}  // namespace
}  // namespace smtpc
