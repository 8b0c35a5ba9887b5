// DKIM canonicalization, RFC 6376 §3.4, streamed for the body.
#include "smtpc/dkim/canonicalization.hpp"

#include "smtpc/core/text.hpp"

namespace smtpc::dkim {
namespace {

constexpr bool is_blank(char byte) noexcept { return byte == ' ' || byte == '\t'; }

}  // namespace

std::string_view canonicalization_name(Canonicalization canonicalization) noexcept {
  return canonicalization == Canonicalization::Relaxed ? "relaxed" : "simple";
}

std::optional<Canonicalization> parse_canonicalization(std::string_view text) {
  if (equals_ignore_case(text, "relaxed")) return Canonicalization::Relaxed;
  if (equals_ignore_case(text, "simple")) return Canonicalization::Simple;
  return std::nullopt;
}

// §3.4.2: lower-case name, unfold, blanks to one space, none at the end or around the colon.
std::string canonicalize_header(Canonicalization canonicalization, std::string_view field) {
  if (canonicalization == Canonicalization::Simple) return std::string(field);
  const auto colon = field.find(':');
  std::string_view name = field.substr(0, colon);
  while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);
  std::string out = ascii_lower(name);
  if (colon == std::string_view::npos) return out;
  out += ':';
  bool blank = false;
  bool started = false;
  for (std::size_t i = colon + 1; i < field.size(); ++i) {
    const char byte = field[i];
    if (byte == '\r' && i + 1 < field.size() && field[i + 1] == '\n') {
      ++i;  // unfolding: the line break goes, the blank after it counts as a blank
      continue;
    }
    if (is_blank(byte)) {
      blank = true;
      continue;
    }
    if (blank && started) out += ' ';
    blank = false;
    started = true;
    out += byte;
  }
  out += "\r\n";
  return out;
}

void BodyCanonicalizer::flush_empty_lines(std::string& output) {
  for (; empty_lines_ > 0; --empty_lines_) output += "\r\n";
}

void BodyCanonicalizer::content(char byte, std::string& output) {
  if (relaxed_ && is_blank(byte)) {
    pending_blank_ = true;
    return;
  }
  if (!line_has_content_) {
    flush_empty_lines(output);
    line_has_content_ = true;
    body_has_content_ = true;
  }
  if (pending_blank_) output += ' ';
  pending_blank_ = false;
  output += byte;
}

void BodyCanonicalizer::line_end(std::string& output) {
  pending_blank_ = false;  // relaxed: blanks at a line's end go
  if (line_has_content_) {
    output += "\r\n";
  } else {
    ++empty_lines_;
  }
  line_has_content_ = false;
}

void BodyCanonicalizer::update(std::string_view input, std::string& output) {
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char byte = input[i];
    if (pending_cr_) {
      pending_cr_ = false;
      if (byte == '\n') {
        line_end(output);
        continue;
      }
      content('\r', output);
    }
    if (byte == '\r') {
      pending_cr_ = true;
      continue;
    }
    // The common case, a run of ordinary bytes, is appended at once.
    if (line_has_content_ && !pending_blank_ && !is_blank(byte)) {
      std::size_t end = i;
      while (end < input.size() && input[end] != '\r' && !is_blank(input[end])) ++end;
      output.append(input.substr(i, end - i));
      i = end - 1;
      continue;
    }
    content(byte, output);
  }
}

void BodyCanonicalizer::finish(std::string& output) {
  if (pending_cr_) {
    pending_cr_ = false;
    content('\r', output);
  }
  if (line_has_content_) line_end(output);
  // §3.4.3: an empty body is one CRLF for simple; §3.4.4 (erratum 3758): empty for relaxed.
  if (!body_has_content_ && !relaxed_) output += "\r\n";
  empty_lines_ = 0;
}

}  // namespace smtpc::dkim
