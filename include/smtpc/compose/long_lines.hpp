// Lines longer than SMTP allows (998 characters before CRLF, RFC 5321 §4.5.3.1.6): a server
// refuses such a message with 500, and sendmail mode would lose a cron job's output. Broken
// as Postfix breaks them (smtp_line_length_limit): CRLF and a space after 998 characters, so
// that a header line becomes a folded one and a MIME structure survives.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smtpc/message/message_origin.hpp"

namespace smtpc {

/// The longest line SMTP carries, line end excluded.
inline constexpr std::size_t kMaxLineLength = 998;

/// Inserts "\r\n " into every line once it reaches `limit` characters (CR and LF end a line).
class LongLineBreaker {
 public:
  explicit LongLineBreaker(std::size_t limit = kMaxLineLength) : limit_(limit) {}
  void feed(std::string_view input, std::string& output);
  /// Whether any line was broken so far.
  [[nodiscard]] bool broke() const noexcept { return broke_; }

 private:
  std::size_t limit_;
  std::size_t column_ = 0;
  bool broke_ = false;
};

/// `inner`, with long lines broken by LongLineBreaker at each opening.
[[nodiscard]] MessageOrigin long_lines_broken_origin(MessageOrigin inner);

}  // namespace smtpc
