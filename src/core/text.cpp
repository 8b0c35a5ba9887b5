// ASCII text helpers (see text.hpp).
#include "smtpc/core/text.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace smtpc {

// A whole message is scanned for BODY=8BITMIME before it is sent: eight bytes at a time,
// not one (std::all_of over chars is not vectorised, because of its early exit).
bool is_ascii(std::string_view text) noexcept {
  constexpr std::uint64_t kHighBits = 0x8080808080808080U;
  std::size_t at = 0;
  for (; at + sizeof(std::uint64_t) <= text.size(); at += sizeof(std::uint64_t)) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + at, sizeof word);
    if ((word & kHighBits) != 0) return false;
  }
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(at), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

namespace {

// The rule itself, byte by byte: for the rare stretch whose line might pass `limit`.
bool has_long_line_bytewise(std::string_view text, std::size_t limit,
                            std::size_t& column) noexcept {
  bool found = false;
  for (const char c : text) {
    column = c == '\r' || c == '\n' ? 0 : column + 1;
    found = found || column > limit;
  }
  return found;
}

}  // namespace

// Line by line with memchr (string_view::find): a line that cannot reach `limit` even
// without a CR in it is not looked at byte by byte. Before, this loop was byte by byte and
// 40 % of the CPU of sending an 8 MiB file.
bool has_line_longer_than(std::string_view chunk, std::size_t limit, std::size_t& column) noexcept {
  bool found = false;
  while (!chunk.empty()) {
    const std::size_t lf = chunk.find('\n');
    const std::string_view line = chunk.substr(0, lf);  // up to the LF, or all of it
    if (column + line.size() > limit) {
      found = has_long_line_bytewise(line, limit, column) || found;
    } else if (line.find('\r') == std::string_view::npos) {
      column += line.size();
    } else {
      column = line.size() - line.rfind('\r') - 1;
    }
    if (lf == std::string_view::npos) break;
    column = 0;
    chunk.remove_prefix(lf + 1);
  }
  return found;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::size_t hash_ignore_case(std::string_view text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325U;
  for (const char c : text) {
    hash = (hash ^ static_cast<unsigned char>(ascii_lower(c))) * 0x100000001b3U;
  }
  return static_cast<std::size_t>(hash ^ (hash >> 32));
}

bool LessIgnoreCase::operator()(std::string_view a, std::string_view b) const noexcept {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return ascii_lower(x) < ascii_lower(y);
  });
}

std::string_view trim(std::string_view text) noexcept {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

std::string_view domain_of(std::string_view mailbox) noexcept {
  const auto at = mailbox.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : mailbox.substr(at + 1);
}

namespace {

bool is_c0_control(unsigned char c) noexcept { return (c < 0x20 && c != '\t') || c == 0x7f; }

// A C1 control (U+0080-U+009F) acts like ESC on many terminals: 0x9b is CSI on a Latin-1
// terminal, and U+009B (0xc2 0x9b) on a UTF-8 one that honours 8-bit controls.
bool is_c1_control(unsigned char c) noexcept { return c >= 0x80 && c <= 0x9f; }

// The length of the well-formed UTF-8 sequence at the start of text (RFC 3629 §4), or 0.
std::size_t utf8_sequence_length(std::string_view text) noexcept {
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  unsigned char low = 0x80;   // the range of the second byte, narrowed against overlongs
  unsigned char high = 0xbf;  // and surrogates
  if (lead >= 0xc2 && lead <= 0xdf)
    length = 2;
  else if (lead >= 0xe0 && lead <= 0xef)
    length = 3;
  else if (lead >= 0xf0 && lead <= 0xf4)
    length = 4;
  if (length == 0 || text.size() < length) return 0;
  if (lead == 0xe0) low = 0xa0;
  if (lead == 0xed) high = 0x9f;
  if (lead == 0xf0) low = 0x90;
  if (lead == 0xf4) high = 0x8f;
  const auto second = static_cast<unsigned char>(text[1]);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

void append_escaped(std::string& out, unsigned char byte) {
  constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                      '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  out += "\\x";
  out += kHex[byte >> 4U];
  out += kHex[byte & 0xfU];
}

}  // namespace

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = byte < 0x80 ? 1 : utf8_sequence_length(text.substr(i));
    const bool c1_in_utf8 =
        length == 2 && byte == 0xc2 && is_c1_control(static_cast<unsigned char>(text[i + 1]));
    if (length == 1 && is_c0_control(byte)) {
      append_escaped(out, byte);
    } else if (c1_in_utf8) {
      append_escaped(out, byte);
      append_escaped(out, static_cast<unsigned char>(text[i + 1]));
    } else if (length == 0 && is_c1_control(byte)) {
      append_escaped(out, byte);  // a bare 0x80-0x9f byte: C1 on an 8-bit terminal
    } else {
      // Other bytes outside UTF-8 (Latin-1 letters 0xa0-0xff) print as they are.
      out.append(text.substr(i, length == 0 ? 1 : length));
    }
    i += length == 0 ? 1 : length;
  }
  return out;
}

ParsedDouble parse_double(std::string_view text) {
  const std::string copy(text);  // strtod needs the terminating NUL
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || std::isnan(value)) {
    return {0, std::errc::invalid_argument};
  }
  if (errno == ERANGE || !std::isfinite(value)) return {0, std::errc::result_out_of_range};
  return {value, std::errc{}};
}

ParsedLong parse_long(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r'))) ++i;
  const bool negative = i < text.size() && text[i] == '-';
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  // Accumulated as a negative number, whose range is the larger one.
  constexpr long kMin = std::numeric_limits<long>::min();
  long value = 0;
  bool overflow = false;
  const std::size_t first_digit = i;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    const int digit = text[i] - '0';
    if (value < (kMin + digit) / 10) overflow = true;
    if (!overflow) value = value * 10 - digit;
  }
  if (i == first_digit) return {0, std::errc::invalid_argument};
  // strtol's ERANGE comes first, as in curl's str2num: "99999999999999999999x" is too large.
  if (overflow || (!negative && value == kMin)) return {0, std::errc::result_out_of_range};
  if (i != text.size()) return {0, std::errc::invalid_argument};
  return {negative ? value : -value, std::errc{}};
}

}  // namespace smtpc
