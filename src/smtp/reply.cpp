// Reply parsing: RFC 5321 §4.2 (reply lines), RFC 3463 (enhanced status codes).
#include "smtpc/smtp/reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void malformed(std::string_view why) {
  throw Error(ExitCode::WeirdServerReply, fmt::format("malformed server reply: {}", why));
}

// "5.1.1 text" -> "5.1.1"; RFC 3463: class "." subject "." detail, class 2, 4 or 5.
std::optional<std::string> enhanced_code_of(std::string_view text) {
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
    return std::nullopt;
  }
  std::size_t pos = 2;
  auto digits = [&](std::size_t max) {
    const std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < max) ++pos;
    return pos > start;
  };
  if (!digits(3) || pos >= text.size() || text[pos] != '.') return std::nullopt;
  ++pos;
  if (!digits(3)) return std::nullopt;
  if (pos < text.size() && text[pos] != ' ') return std::nullopt;
  return std::string(text.substr(0, pos));
}

}  // namespace

void ReplyParser::feed(std::string_view bytes) {
  if (std::memchr(bytes.data(), '\0', bytes.size()) != nullptr) {
    malformed("NUL byte in reply");
  }
  // Drop what earlier replies consumed before growing the buffer.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
  const std::size_t last_newline = buffer_.rfind('\n');
  const std::size_t tail =
      last_newline == std::string::npos ? buffer_.size() : buffer_.size() - last_newline - 1;
  if (tail > kMaxReplyLine) {
    malformed(fmt::format("line longer than {} bytes", kMaxReplyLine));
  }
}

std::optional<Reply> ReplyParser::next() { return parse_lines(); }

std::optional<Reply> ReplyParser::parse_lines() {
  while (true) {
    const std::size_t end = buffer_.find('\n', consumed_);
    if (end == std::string::npos) return std::nullopt;
    std::string_view line(buffer_.data() + consumed_, end - consumed_);
    consumed_ = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxReplyLine) {
      malformed(fmt::format("line longer than {} bytes", kMaxReplyLine));
    }
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
        line[0] < '2' || line[0] > '5' || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      malformed(fmt::format("line without a reply code: \"{}\"", line.substr(0, 64)));
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!pending_lines_.empty() && code != pending_code_) {
      malformed(
          fmt::format("reply code changed from {} to {} within one reply", pending_code_, code));
    }
    pending_code_ = code;
    pending_lines_.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view{});
    if (pending_lines_.size() > kMaxReplyLines) {
      malformed(fmt::format("more than {} lines in one reply", kMaxReplyLines));
    }
    const bool final_line = line.size() == 3 || line[3] == ' ';
    if (final_line) {
      Reply reply;
      reply.code = ReplyCode(code);
      reply.lines = std::move(pending_lines_);
      pending_lines_.clear();
      reply.enhanced_code = enhanced_code_of(reply.lines.front());
      return reply;
    }
  }
}

Reply parse_reply(std::string_view text) {
  ReplyParser parser;
  parser.feed(text);
  auto reply = parser.next();
  if (!reply || parser.buffered() != 0) malformed("not exactly one reply");
  return *reply;
}

}  // namespace smtpc
