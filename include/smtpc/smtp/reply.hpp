// SMTP replies (RFC 5321 §4.2) and an incremental, bounded reply parser.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

/// A three-digit reply code such as 250.
class ReplyCode {
 public:
  constexpr ReplyCode() = default;
  constexpr explicit ReplyCode(int value) : value_(value) {}

  [[nodiscard]] constexpr int value() const noexcept { return value_; }
  [[nodiscard]] constexpr bool positive() const noexcept { return value_ / 100 == 2; }
  [[nodiscard]] constexpr bool intermediate() const noexcept { return value_ / 100 == 3; }
  [[nodiscard]] constexpr bool transient() const noexcept { return value_ / 100 == 4; }
  [[nodiscard]] constexpr bool permanent() const noexcept { return value_ / 100 == 5; }
  constexpr bool operator==(const ReplyCode&) const = default;

 private:
  int value_ = 0;
};

/// One complete reply: its code and the text of each line (code and separator removed).
struct Reply {
  ReplyCode code;
  std::vector<std::string> lines;
  /// RFC 3463 enhanced status code ("5.1.1") when the first line starts with one.
  std::optional<std::string> enhanced_code;

  /// The reply as the server sent it, lines joined by "\n": "250-a\n250 b".
  [[nodiscard]] std::string to_string() const;
  /// Each line with its code, as the server sent it: {"250-a", "250 b"}.
  [[nodiscard]] std::vector<std::string> to_string_lines() const;
  /// Code and text on one line, for error messages: "550 5.1.1 no such user"; control
  /// bytes shown as "\xHH" (escape_controls), so it is safe on a terminal and in a file.
  [[nodiscard]] std::string summary() const;
};

/// Bounds on what a server may send; a hostile server must not make us grow without limit.
inline constexpr std::size_t kMaxReplyLine = 8192;
inline constexpr std::size_t kMaxReplyLines = 512;

/// Parses replies from bytes that may arrive split anywhere. Bytes after a
/// final line stay buffered for the next reply.
class ReplyParser {
 public:
  /// Appends received bytes. Throws Error(WeirdServerReply) on malformed input
  /// (no code, mixed codes, NUL byte, line or reply too long).
  void feed(std::string_view bytes);
  /// The next complete reply, if one has arrived.
  [[nodiscard]] std::optional<Reply> next();
  /// Bytes received but not yet part of a returned reply.
  [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size() - consumed_; }

 private:
  std::optional<Reply> parse_lines();
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already returned as replies
  std::vector<std::string> pending_lines_;
  int pending_code_ = 0;
};

/// Parses one complete reply from text ("250-a\r\n250 b\r\n"); for tests and canned input.
/// Throws Error(WeirdServerReply) if the text is not exactly one reply.
[[nodiscard]] Reply parse_reply(std::string_view text);

}  // namespace smtpc
