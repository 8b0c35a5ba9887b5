// ASCII text helpers (see text.hpp).
#include "smtpc/core/text.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace smtpc {

bool is_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
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

bool is_control(unsigned char c) noexcept { return (c < 0x20 && c != '\t') || c == 0x7f; }

}  // namespace

std::string escape_controls(std::string_view text) {
  constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                      '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (!is_control(byte)) {
      out += c;
      continue;
    }
    out += "\\x";
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xfU];
  }
  return out;
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
