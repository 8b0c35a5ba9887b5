// Header, date and body encoders for composed messages (RFC 5322, 2045, 2047, 2231).
#include "smtpc/compose/mime.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>

#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/smtp/command.hpp"

namespace smtpc::mime {
namespace {

constexpr std::size_t kFoldAt = 78;  // RFC 5322 §2.1.1's SHOULD
constexpr std::string_view kHex = "0123456789ABCDEF";

bool is_continuation(unsigned char c) noexcept { return (c & 0xC0U) == 0x80U; }

// RFC 5322 §3.2.3 atext.
bool is_atext(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x80 || u <= 0x20 || u == 0x7F) return false;
  return std::string_view("()<>[]:;@\\,.\"").find(c) == std::string_view::npos;
}

void append_hex(std::string& out, unsigned char c) {
  out += kHex[c >> 4U];
  out += kHex[c & 0x0FU];
}

}  // namespace

bool is_plain_ascii(std::string_view text) noexcept {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x7F || (u < 0x20 && c != '\t')) return false;
  }
  return true;
}

std::string encoded_words(std::string_view text, std::size_t first_line_used) {
  // "=?UTF-8?B?" + base64 + "?=": 12 characters of frame; at most 75 in all (§2), so
  // at most 60 base64 characters = 45 bytes. The first word also keeps its line <= 78.
  constexpr std::size_t kFrame = 12;
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  bool first = true;
  while (!text.empty()) {
    std::size_t budget = kMaxBytes;
    if (first && first_line_used + kFrame + 4 < kFoldAt) {
      budget = std::min(kMaxBytes, (kFoldAt - first_line_used - kFrame) / 4 * 3);
    } else if (first) {
      budget = 3;  // the line is already long; emit a short word and fold
    }
    std::size_t take = std::min(budget, text.size());
    // Never split a UTF-8 character: back up to the start of the character at `take`.
    while (take < text.size() && take > 0 &&
           is_continuation(static_cast<unsigned char>(text[take]))) {
      --take;
    }
    if (take == 0) take = std::min(budget, text.size());  // not UTF-8: split anywhere
    if (!first) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += base64_encode(text.substr(0, take));
    out += "?=";
    text.remove_prefix(take);
    first = false;
  }
  return out;
}

std::string unstructured_field(std::string_view name, std::string_view value) {
  require_single_line(value, fmt::format("header {}", name));
  std::string out(name);
  out += ": ";
  if (!is_plain_ascii(value)) {
    out += encoded_words(value, out.size());
    out += "\r\n";
    return out;
  }
  // Fold at blanks (RFC 5322 §2.2.3): the blank starts the continuation line.
  std::size_t line_length = out.size();
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t next = value.find_first_of(" \t", pos + 1);
    if (next == std::string_view::npos) next = value.size();
    const std::string_view word = value.substr(pos, next - pos);  // may start with a blank
    if (line_length + word.size() > kFoldAt && line_length > name.size() + 2 &&
        (word.front() == ' ' || word.front() == '\t')) {
      out += "\r\n";
      line_length = 0;
    }
    if (line_length + word.size() > kMaxLineLength) {
      throw Error(
          ExitCode::FailedInit,
          fmt::format("header {}: a word is too long for a {}-octet line", name, kMaxLineLength));
    }
    out += word;
    line_length += word.size();
    pos = next;
  }
  out += "\r\n";
  return out;
}

std::string quoted_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string phrase(std::string_view display_name) {
  if (!is_plain_ascii(display_name)) return encoded_words(display_name, 0);
  bool atoms = !display_name.empty() && display_name.front() != ' ' && display_name.back() != ' ';
  for (const char c : display_name) atoms = atoms && (is_atext(c) || c == ' ');
  if (atoms && display_name.find("  ") == std::string_view::npos) return std::string(display_name);
  return quoted_string(display_name);
}

std::string crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16 + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

bool fits_7bit(std::string_view text) noexcept {
  std::size_t line = 0;
  for (const char c : text) {
    if (c == '\r' || c == '\n') {
      line = 0;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u == 0) return false;
    if (++line > kMaxLineLength) return false;
  }
  return true;
}

std::string quoted_printable(std::string_view text) {
  const std::string lines = crlf_lines(text);
  std::string out;
  out.reserve(lines.size() + lines.size() / 4);
  std::size_t start = 0;
  while (start < lines.size()) {
    const std::size_t end = lines.find("\r\n", start);
    const std::string_view line(lines.data() + start, end - start);
    std::size_t length = 0;  // of the current encoded line
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string piece;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        piece = static_cast<char>(c);
      } else {
        piece = "=";
        append_hex(piece, c);
      }
      // Room for a soft line break "=" unless this is the line's last piece (§6.7 rule 5).
      const std::size_t limit = last ? kEncodedLineLength : kEncodedLineLength - 1;
      if (length + piece.size() > limit) {
        out += "=\r\n";
        length = 0;
      }
      out += piece;
      length += piece.size();
    }
    out += "\r\n";
    start = end + 2;
  }
  return out;
}

std::string base64_lines(std::string_view bytes) {
  const std::string encoded = base64_encode(bytes);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / kEncodedLineLength * 2 + 2);
  for (std::size_t pos = 0; pos < encoded.size(); pos += kEncodedLineLength) {
    out.append(encoded, pos, kEncodedLineLength);
    out += "\r\n";
  }
  return out;
}

std::string attachment_disposition(std::string_view filename) {
  require_single_line(filename, "attachment file name");
  if (is_plain_ascii(filename)) return "attachment;\r\n filename=" + quoted_string(filename);
  // RFC 2231 §4: charset''percent-encoded; attribute-char is atext minus *'%.
  std::string out = "attachment;\r\n filename*=UTF-8''";
  for (const char c : filename) {
    const auto u = static_cast<unsigned char>(c);
    if ((is_atext(c) || c == '.') && c != '*' && c != '\'' && c != '%' && c != '/' && c != '=' &&
        c != '?') {
      out += c;
    } else {
      out += '%';
      append_hex(out, u);
    }
  }
  return out;
}

std::string rfc5322_date(const std::tm& local, long utc_offset_seconds) {
  static constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                         "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const long minutes = std::labs(utc_offset_seconds) / 60;
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} {}{:02}{:02}",
                     kDays.at(static_cast<std::size_t>(local.tm_wday % 7)), local.tm_mday,
                     kMonths.at(static_cast<std::size_t>(local.tm_mon % 12)), local.tm_year + 1900,
                     local.tm_hour, local.tm_min, local.tm_sec, utc_offset_seconds < 0 ? '-' : '+',
                     minutes / 60, minutes % 60);
}

}  // namespace smtpc::mime
