// SMTP reply values (RFC 5321 §4.2): a reply code and a complete reply. The parser that
// makes them from bytes is smtp/reply.hpp; they live here because Error carries one.
#pragma once

#include <optional>
#include <string>
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

}  // namespace smtpc
