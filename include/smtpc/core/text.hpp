// Small ASCII text helpers, in one place: protocol keywords, host names and mailboxes are
// compared and cased as ASCII, never by the locale.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace smtpc {

/// Every byte is below 128.
[[nodiscard]] bool is_ascii(std::string_view text) noexcept;

/// Whether `chunk`, the next piece of a stream, holds or continues a line longer than
/// `limit` bytes (a line ends at CR or LF; the line end is not counted). `column` carries
/// the length of the line in progress from one piece to the next: start it at 0.
[[nodiscard]] bool has_line_longer_than(std::string_view chunk, std::size_t limit,
                                        std::size_t& column) noexcept;

/// 'A'..'Z' become 'a'..'z'; every other byte stays. Inline: case-insensitive lookups call
/// it for every byte they compare.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
[[nodiscard]] std::string ascii_lower(std::string_view text);
/// 'a'..'z' become 'A'..'Z'; every other byte stays.
[[nodiscard]] std::string ascii_upper(std::string_view text);

/// Equal when ASCII letters are compared without case (EHLO keywords, SASL names, hosts).
[[nodiscard]] bool equals_ignore_case(std::string_view a, std::string_view b) noexcept;

/// A hash on which strings equal under equals_ignore_case agree (FNV-1a of the lowered
/// bytes): a hash-table key for mailboxes.
[[nodiscard]] std::size_t hash_ignore_case(std::string_view text) noexcept;

/// Orders strings as equals_ignore_case compares them: a map key for mailboxes.
struct LessIgnoreCase {
  using is_transparent = void;
  [[nodiscard]] bool operator()(std::string_view a, std::string_view b) const noexcept;
};

/// Without leading and trailing spaces, tabs, CRs and LFs.
[[nodiscard]] std::string_view trim(std::string_view text) noexcept;

/// The domain of a mailbox: what follows its last '@', as written; empty when there is no
/// '@' (a bare local part such as "root") or nothing after it.
[[nodiscard]] std::string_view domain_of(std::string_view mailbox) noexcept;

/// A number read by parse_long: `error` is std::errc{} when `value` holds it,
/// invalid_argument when the text is not one, result_out_of_range when it does not fit.
struct ParsedLong {
  long value = 0;
  std::errc error{};
};

/// The one reading of a decimal number in text (options, their files, the environment):
/// the whole of `text` as C's strtol(text, &end, 10) reads it in the "C" locale, which is how
/// curl reads its numeric options: blanks and one sign may lead, digits must follow, and
/// nothing may come after them. Digits that do not fit are out of range whatever follows
/// them (strtol's ERANGE).
[[nodiscard]] ParsedLong parse_long(std::string_view text) noexcept;

/// A number read by parse_double, as ParsedLong.
struct ParsedDouble {
  double value = 0;
  std::errc error{};
};

/// The one reading of a decimal fraction (seconds: --connect-timeout, --max-time, the queue's
/// stored timeouts): the whole of `text` as strtod reads it, which is how curl reads them;
/// infinity and NaN are not numbers, a value strtod cannot hold is out of range.
[[nodiscard]] ParsedDouble parse_double(std::string_view text);

/// `text` made safe to print on a terminal or store as one line: each control byte (below
/// 0x20 except tab, and DEL 0x7f) becomes "\xHH" (ESC is "\x1b"), so a server's
/// "\e]0;title\a" can neither retitle, clear nor move anything; every other byte stays,
/// UTF-8 included. Text without control bytes comes back unchanged, so escaping twice is
/// harmless.
[[nodiscard]] std::string escape_controls(std::string_view text);

}  // namespace smtpc
