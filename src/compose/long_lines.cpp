// LongLineBreaker and the origin that applies it: sendmail mode's answer to lines over 998.
#include "smtpc/compose/long_lines.hpp"

#include <cstring>
#include <memory>
#include <vector>

namespace smtpc {
namespace {

class BrokenLinesSource final : public MessageSource {
 public:
  explicit BrokenLinesSource(std::unique_ptr<MessageSource> inner) : inner_(std::move(inner)) {}
  std::size_t read(std::span<char> buffer) override {
    while (offset_ == pending_.size() && !ended_) {
      pending_.clear();
      offset_ = 0;
      chunk_.resize(buffer.size());
      const std::size_t got = inner_->read(chunk_);
      if (got == 0) {
        ended_ = true;
      } else {
        breaker_.feed(std::string_view(chunk_.data(), got), pending_);
      }
    }
    const std::size_t n = std::min(buffer.size(), pending_.size() - offset_);
    std::memcpy(buffer.data(), pending_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  // size() stays unknown: each break changes it.
  [[nodiscard]] const std::string& name() const noexcept override { return inner_->name(); }

 private:
  std::unique_ptr<MessageSource> inner_;
  LongLineBreaker breaker_;
  std::vector<char> chunk_;
  std::string pending_;
  std::size_t offset_ = 0;
  bool ended_ = false;
};

}  // namespace

void LongLineBreaker::feed(std::string_view input, std::string& output) {
  output.reserve(output.size() + input.size());
  for (const char c : input) {
    if (c == '\r' || c == '\n') {
      column_ = 0;
    } else {
      if (column_ == limit_) {
        output += "\r\n ";  // the space makes the rest a continuation (a folded header line)
        column_ = 1;
        broke_ = true;
      }
      ++column_;
    }
    output += c;
  }
}

MessageOrigin long_lines_broken_origin(MessageOrigin inner) {
  return inner.filtered([](std::unique_ptr<MessageSource> source) {
    return std::make_unique<BrokenLinesSource>(std::move(source));
  });
}

}  // namespace smtpc
