// Pure encoders for composing messages: RFC 5322 header fields and dates, RFC 2047
// encoded-words, RFC 2045 quoted-printable and base64 bodies, RFC 2231 parameters.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace smtpc::mime {

/// RFC 5322 §2.1.1: no line of a message may be longer than this (without CRLF).
inline constexpr std::size_t kMaxLineLength = 998;
/// RFC 2045 §6.7/§6.8: encoded body lines are at most this long.
inline constexpr std::size_t kEncodedLineLength = 76;

/// Whether `text` is 7-bit printable: no byte >= 0x80 and no control other than tab.
[[nodiscard]] bool is_plain_ascii(std::string_view text) noexcept;

/// `text` as RFC 2047 encoded-words (UTF-8, "B" encoding), each at most 75 characters,
/// split only between UTF-8 characters and joined by CRLF SP (folding whitespace, which
/// decoders drop between encoded-words). `first_line_used` is how many characters the
/// first line already holds ("Subject: " is 9), so that line stays within 78 too.
[[nodiscard]] std::string encoded_words(std::string_view text, std::size_t first_line_used);

/// "Name: value\r\n" for an unstructured field (Subject, Comments, X-...): the value as
/// it is when plain ASCII, folded at blanks to keep lines near 78; encoded-words when it
/// holds non-ASCII bytes. Throws Error(FailedInit) when the value holds CR, LF or NUL, or
/// an ASCII word too long for a 998-octet line.
[[nodiscard]] std::string unstructured_field(std::string_view name, std::string_view value);

/// `text` as an RFC 5322 quoted-string (§3.2.4): in double quotes, with a backslash before
/// each '"' and '\\'. The one quoting of display names, local parts and MIME parameters.
[[nodiscard]] std::string quoted_string(std::string_view text);

/// A display name as an RFC 5322 phrase: atoms as they are, a quoted-string when it holds
/// specials, encoded-words (RFC 2047 §5(3)) when it holds non-ASCII bytes.
[[nodiscard]] std::string phrase(std::string_view display_name);

/// `text` (any line endings) as quoted-printable (RFC 2045 §6.7) with CRLF line ends,
/// encoded lines of at most 76 characters, '=' and trailing blanks encoded.
[[nodiscard]] std::string quoted_printable(std::string_view text);

/// `text` with every line ending made CRLF and a final CRLF when missing ("" stays "").
[[nodiscard]] std::string crlf_lines(std::string_view text);

/// Whether a text body can go as 7bit: plain ASCII and no line over 998 octets.
[[nodiscard]] bool fits_7bit(std::string_view text) noexcept;

/// Base64 of `bytes` (a multiple of 3 long unless it is the last piece) in lines of
/// 76 characters, each ending in CRLF.
[[nodiscard]] std::string base64_lines(std::string_view bytes);

/// `Content-Disposition` value for an attachment named `filename`: a quoted-string when
/// plain ASCII, RFC 2231 `filename*=UTF-8''%XX...` otherwise. Folded onto its own line.
[[nodiscard]] std::string attachment_disposition(std::string_view filename);

/// RFC 5322 §3.3 date-time, e.g. "Tue, 11 Jun 2024 09:05:03 +0200", from broken-down
/// local time and its offset from UTC in seconds. Never depends on the locale.
[[nodiscard]] std::string rfc5322_date(const std::tm& local, long utc_offset_seconds);

}  // namespace smtpc::mime
