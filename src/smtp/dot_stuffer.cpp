// DATA encoding: RFC 5321 §4.5.2 (transparency) and §2.3.8 (lines end in CRLF only).
// Normalising every bare CR and LF to CRLF means no "\n.\n" or "\r.\r" variant of the
// end-of-data mark can reach the server (SMTP smuggling).
#include "smtpc/smtp/dot_stuffer.hpp"

#include <algorithm>
#include <cstring>

namespace smtpc {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Position of the first '\r' or '\n' in text[from, end), or npos. The two memchr
// results are cached by the caller across calls, so each byte is scanned once.
struct BreakFinder {
  std::string_view text;
  std::size_t next_cr = 0;
  std::size_t next_lf = 0;
  bool cr_valid = false;
  bool lf_valid = false;

  std::size_t find(std::size_t from) {
    if (!cr_valid || next_cr < from) {
      next_cr = scan('\r', from);
      cr_valid = true;
    }
    if (!lf_valid || next_lf < from) {
      next_lf = scan('\n', from);
      lf_valid = true;
    }
    return std::min(next_cr, next_lf);
  }

  std::size_t scan(char c, std::size_t from) const {
    if (from >= text.size()) return std::string_view::npos;
    const void* hit = std::memchr(text.data() + from, c, text.size() - from);
    return hit == nullptr ? std::string_view::npos
                          : static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
  }
};

}  // namespace

void DotStuffer::encode(std::string_view input, std::string& output) {
  std::size_t i = 0;
  if (pending_cr_ && !input.empty()) {
    // A CR ended the previous chunk; a LF starting this one belongs to it.
    if (input.front() == '\n') i = 1;
    output += kCrlf;
    pending_cr_ = false;
    at_line_start_ = true;
  }
  BreakFinder breaks{input};
  while (i < input.size()) {
    if (at_line_start_ && input[i] == '.' && for_data_) output += '.';
    at_line_start_ = false;
    const std::size_t brk = breaks.find(i);
    if (brk == std::string_view::npos) {
      output.append(input.substr(i));
      return;
    }
    output.append(input.substr(i, brk - i));
    if (input[brk] == '\n') {
      output += kCrlf;
      at_line_start_ = true;
      i = brk + 1;
    } else if (brk + 1 == input.size()) {
      pending_cr_ = true;  // the next chunk may start with the LF of this CR
      return;
    } else {
      output += kCrlf;
      at_line_start_ = true;
      i = input[brk + 1] == '\n' ? brk + 2 : brk + 1;
    }
  }
}

void DotStuffer::finish(std::string& output) {
  if (pending_cr_) {
    output += kCrlf;
    pending_cr_ = false;
    at_line_start_ = true;
  }
  if (!at_line_start_) output += kCrlf;
  if (for_data_) output += ".\r\n";
  at_line_start_ = true;
}

}  // namespace smtpc
