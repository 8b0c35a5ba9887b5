// SMTP replies (RFC 5321 §4.2) and an incremental, bounded reply parser.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/core/reply.hpp"

namespace smtpc {

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
