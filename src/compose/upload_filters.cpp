// EditedUpload (header section read first, then edited) and the sendmail lone-dot filter,
// as sources and as origins that open them again.
#include <fmt/format.h>

#include <cstring>

#include "smtpc/compose/composed_message.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

std::size_t serve(std::string& pending, std::size_t& offset, std::span<char> buffer) {
  const std::size_t n = std::min(buffer.size(), pending.size() - offset);
  std::memcpy(buffer.data(), pending.data() + offset, n);
  offset += n;
  if (offset == pending.size()) {
    pending.clear();
    offset = 0;
  }
  return n;
}

class EditedOpener final : public MessageOpener {
 public:
  EditedOpener(MessageOrigin inner, std::unique_ptr<EditedUpload> first)
      : inner_(std::move(inner)), fields_(first->fields()), first_(std::move(first)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    if (first_) return std::move(first_);
    auto again = std::make_unique<EditedUpload>(inner_.open());
    again->fields() = fields_;
    return again;
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return inner_.can_reopen(); }
  [[nodiscard]] const std::string& name() const noexcept override { return inner_.name(); }

 private:
  MessageOrigin inner_;
  std::vector<HeaderField> fields_;
  mutable std::unique_ptr<EditedUpload> first_;  // handed out by the first open()
};

}  // namespace

MessageOrigin edited_origin(MessageOrigin inner, std::unique_ptr<EditedUpload> first) {
  return MessageOrigin(std::make_shared<EditedOpener>(std::move(inner), std::move(first)));
}

MessageOrigin lone_dot_origin(MessageOrigin inner) {
  return inner.filtered([](std::unique_ptr<MessageSource> source) {
    return std::make_unique<DotTerminatedSource>(std::move(source));
  });
}

EditedUpload::EditedUpload(std::unique_ptr<MessageSource> inner) : inner_(std::move(inner)) {
  std::string head;
  std::vector<char> chunk(64 * 1024);
  std::optional<HeaderEnd> end;
  while (!end) {
    const std::size_t got = inner_->read(chunk);
    head.append(chunk.data(), got);
    end = find_header_end(head, got == 0);
    if (!end && head.size() > kMaxHeaderBytes) {
      throw Error(ExitCode::ReadError,
                  fmt::format("the header section of {} is longer than {} bytes (no empty line "
                              "after the header fields?)",
                              inner_->name(), kMaxHeaderBytes));
    }
  }
  fields_ = parse_header_fields(std::string_view(head).substr(0, end->header_length));
  pending_ = head.substr(end->body_offset);
}

std::size_t EditedUpload::read(std::span<char> buffer) {
  if (!started_) {
    started_ = true;
    pending_ = join_fields(fields_) + "\r\n" + pending_;
    pending_offset_ = 0;
  }
  if (pending_offset_ < pending_.size()) return serve(pending_, pending_offset_, buffer);
  return inner_->read(buffer);
}

bool LoneDotFilter::feed(std::string_view input, std::string& output) {
  for (const char c : input) {
    switch (state_) {
      case State::Done:
        return true;
      case State::LineStart:
        if (c == '.') {
          state_ = State::Dot;
          continue;
        }
        output += c;
        state_ = c == '\n' ? State::LineStart : State::Middle;
        break;
      case State::Middle:
        output += c;
        if (c == '\n') state_ = State::LineStart;
        break;
      case State::Dot:
        if (c == '\n') {
          state_ = State::Done;
          return true;
        }
        if (c == '\r') {
          state_ = State::DotCr;
          continue;
        }
        output += '.';
        output += c;
        state_ = State::Middle;
        break;
      case State::DotCr:
        if (c == '\n') {
          state_ = State::Done;
          return true;
        }
        output += ".\r";
        output += c;
        state_ = State::Middle;
        break;
    }
  }
  return state_ == State::Done;
}

void LoneDotFilter::finish(std::string& output) {
  // A "." (or ".\r") at the very end is the terminator without its line end.
  if (state_ == State::Dot || state_ == State::DotCr) {
    state_ = State::Done;
    return;
  }
  (void)output;
}

std::size_t DotTerminatedSource::read(std::span<char> buffer) {
  std::vector<char> chunk(buffer.size());
  while (pending_.empty() && !ended_) {
    const std::size_t got = inner_->read(chunk);
    if (got == 0) {
      filter_.finish(pending_);
      ended_ = true;
    } else if (filter_.feed(std::string_view(chunk.data(), got), pending_)) {
      ended_ = true;  // the rest of the input is not part of the message
    }
  }
  if (pending_.empty()) return 0;
  return serve(pending_, pending_offset_, buffer);
}

}  // namespace smtpc
