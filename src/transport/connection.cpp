// Connection: the one place where commands are written, replies read, and both traced.
#include "smtpc/transport/connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

// Body bytes that go out as slices, shown by a tracer that dumps data (-v shows only their
// size, and then nothing is joined).
void trace_slices(Tracer& tracer, const std::vector<std::string_view>& slices, std::size_t size) {
  if (!tracer.dumps_data()) return;
  std::string joined;
  joined.reserve(size);
  for (const auto slice : slices) joined.append(slice);
  tracer.data_sent(joined);
}

}  // namespace

Connection::Connection(std::unique_ptr<Transport> transport, Tracer& tracer, ReplyTimeouts timeouts)
    : transport_(std::move(transport)),
      tracer_(tracer),
      timeouts_(timeouts),
      speed_check_(timeouts.speed_limit) {}

Deadline Connection::reply_deadline(std::optional<std::chrono::milliseconds> timeout) const {
  const auto wait = timeout ? std::min(*timeout, timeouts_.per_reply) : timeouts_.per_reply;
  return std::min(timeouts_.overall, Clock::now() + wait);
}

void Connection::send_commands(const std::vector<Command>& commands) {
  // After a held body piece, the commands go out in the same write.
  std::string& out = held_.empty() ? write_buffer_ : held_;
  if (held_.empty()) write_buffer_.clear();
  for (const auto& command : commands) {
    tracer_.command_sent(command);
    out += command.line;
    out += "\r\n";
  }
  if (!held_.empty()) {
    write_held();
    return;
  }
  transport_->write_all(write_buffer_, reply_deadline());
  waiting_since_ = Clock::now();
}

void Connection::send_last_piece(const Command* bdat, WireSlices& data) {
  const std::size_t command_size = bdat != nullptr ? bdat->line.size() + 2 : 0;
  if (!held_.empty() || data.size() + command_size > kHoldAtMost) {
    if (!held_.empty()) write_held();
    if (bdat != nullptr) {
      send_chunk(*bdat, data);
    } else {
      send_data(data);
    }
    return;
  }
  if (bdat != nullptr) {
    tracer_.command_sent(*bdat);
    held_ += bdat->line;
    held_ += "\r\n";
  }
  const std::size_t body_starts = held_.size();
  for (const auto slice : data.slices()) held_.append(slice);
  if (tracer_.dumps_data()) tracer_.data_sent(std::string_view(held_).substr(body_starts));
}

void Connection::write_held() {
  // Nothing stays held once a write was tried: a failed link is not written to again.
  const std::string held = std::exchange(held_, std::string());
  write_body(held.size(), [&](Deadline deadline) { transport_->write_all(held, deadline); });
}

void Connection::throw_if_stalled() {
  if (!speed_check_.expired(Clock::now())) return;
  stalled_ = true;
  throw speed_check_.stalled_error();
}

void Connection::write_body(std::size_t size, const std::function<void(Deadline)>& write) {
  speed_check_.watch(Clock::now());
  try {
    write(std::min(reply_deadline(), speed_check_.deadline()));
    waiting_since_ = Clock::now();
    speed_check_.moved(size, waiting_since_);
  } catch (const Error& error) {
    if (error.code() == ExitCode::OperationTimedout) throw_if_stalled();
    throw;
  }
}

void Connection::send_data(std::string_view data) {
  tracer_.data_sent(data);
  write_body(data.size(), [&](Deadline deadline) { transport_->write_all(data, deadline); });
}

void Connection::send_data(WireSlices& data) {
  const auto& slices = data.slices();
  trace_slices(tracer_, slices, data.size());
  write_body(data.size(), [&](Deadline deadline) { transport_->write_slices(slices, deadline); });
}

void Connection::send_chunk(const Command& command, WireSlices& data) {
  tracer_.command_sent(command);
  write_buffer_.assign(command.line);
  write_buffer_ += "\r\n";
  const auto& body = data.slices();
  trace_slices(tracer_, body, data.size());
  chunk_slices_.assign(1, write_buffer_);
  chunk_slices_.insert(chunk_slices_.end(), body.begin(), body.end());
  write_body(data.size(),
             [&](Deadline deadline) { transport_->write_slices(chunk_slices_, deadline); });
}

bool Connection::can_send_file() const noexcept {
  return transport_ && transport_->can_send_file() && !tracer_.dumps_data();
}

void Connection::send_file(int fd, std::uint64_t offset, std::size_t count) {
  write_body(count, [&](Deadline deadline) { transport_->send_file(fd, offset, count, deadline); });
}

std::optional<Reply> Connection::read_reply(std::optional<std::chrono::milliseconds> timeout,
                                            bool must_end_input) {
  if (!held_.empty()) write_held();  // the server answers what it has received
  // Not value-initialised: zeroing 16 KiB for every reply cost more than parsing a
  // thousand pipelined RCPT replies (docs/performance.md, "Fourth pass").
  std::array<char, 16 * 1024> buffer;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  while (true) {
    if (auto reply = parser_.next()) {
      // Formatted only when shown: 100 000 RCPT replies are read without -v.
      if (tracer_.verbose() || tracer_.dumps_data()) {
        for (const auto& line : reply->to_string_lines()) tracer_.reply_line_received(line);
      }
      tracer_.reply_latency(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - waiting_since_));
      if (must_end_input) refuse_pending_input();
      speed_check_.stop();
      return reply;
    }
    const Deadline deadline = std::min(reply_deadline(timeout), speed_check_.deadline());
    std::size_t got = 0;
    try {
      got = transport_->read_some(buffer, deadline);
    } catch (const Error& error) {
      if (error.code() == ExitCode::OperationTimedout) throw_if_stalled();
      throw;
    }
    if (got == 0) return std::nullopt;
    parser_.feed(std::string_view(buffer.data(), got));
  }
}

void Connection::refuse_pending_input() const {
  // RFC 3207 §5: nothing the server sent after its reply to STARTTLS may be read as a
  // reply, neither inside TLS nor in a plain session that goes on (STARTTLS injection).
  if (parser_.buffered() != 0 || transport_->has_pending_input()) {
    throw Error(ExitCode::WeirdServerReply,
                "the server sent data after its reply to STARTTLS: refusing it as a possible "
                "command injection");
  }
}

void Connection::upgrade(
    const std::function<std::unique_ptr<Transport>(std::unique_ptr<Transport>)>& wrap) {
  if (!held_.empty()) write_held();  // never carried into the new layer
  refuse_pending_input();
  transport_ = wrap(std::move(transport_));
}

}  // namespace smtpc
