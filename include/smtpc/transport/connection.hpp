// Line I/O over a Transport: commands out, replies in, every byte through the one Tracer.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "smtpc/smtp/command.hpp"
#include "smtpc/smtp/dot_stuffer.hpp"
#include "smtpc/smtp/reply.hpp"
#include "smtpc/transport/speed_check.hpp"
#include "smtpc/transport/trace.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {

struct ReplyTimeouts {
  std::chrono::milliseconds per_reply{std::chrono::seconds(120)};
  Deadline overall = Deadline::max();  // --max-time
  SpeedLimit speed_limit{};            // -Y/-y: watched from the body to the next reply
};

class Connection {
 public:
  Connection(std::unique_ptr<Transport> transport, Tracer& tracer, ReplyTimeouts timeouts);

  /// Sends the commands in one write, each traced. Throws Error(SendError/OperationTimedout).
  void send_commands(const std::vector<Command>& commands);
  /// Writes body bytes (already encoded for DATA). Throws like send_commands. From the
  /// first body bytes to the next reply, -Y/-y's stall check applies: a stall throws
  /// Error(OperationTimedout) in curl's words, and stalled() is true.
  void send_data(std::string_view data);
  /// The same for a body held as slices (written without joining them).
  void send_data(WireSlices& data);
  /// A BDAT command and its chunk in one write: one system call, and one segment the
  /// server reads, fewer per chunk than the command and then its bytes. Traced and checked
  /// as send_commands and send_data.
  void send_chunk(const Command& command, WireSlices& data);
  /// The last piece of a body: with its BDAT command (`bdat`), or the end of a DATA body
  /// (nullptr). A piece of at most kHoldAtMost bytes is held and written in one write with
  /// the commands that follow it (send_commands: the next MAIL FROM, or QUIT) or before
  /// the next reply is read: a small message, its end and the next commands leave in one
  /// system call and one segment. A larger one is written now. Traced as it is held.
  void send_last_piece(const Command* bdat, WireSlices& data);
  static constexpr std::size_t kHoldAtMost = 16 * 1024;
  /// Body bytes are held for the next write (send_last_piece).
  [[nodiscard]] bool holds_body() const noexcept { return !held_.empty(); }
  /// Whether send_file may be used: a plain connection (or kernel TLS) whose body is not
  /// traced byte by byte (--trace shows what a read would have given).
  [[nodiscard]] bool can_send_file() const noexcept;
  /// Body bytes straight from a regular file (Transport::send_file), counted as send_data.
  void send_file(int fd, std::uint64_t offset, std::size_t count);
  /// Reads one reply, tracing each line; nullopt if the server closed the connection
  /// before a complete reply. Throws Error(RecvError/WeirdServerReply/OperationTimedout).
  /// `timeout` shortens the wait below the per-reply timeout (used for QUIT). With
  /// `must_end_input`, bytes after the reply throw Error(WeirdServerReply) (STARTTLS).
  [[nodiscard]] std::optional<Reply> read_reply(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt, bool must_end_input = false);

  /// Replaces the transport by one wrapped around it (STARTTLS). Throws Error(WeirdServerReply)
  /// if the server sent bytes after its last reply: those must never be read as replies
  /// of the new layer (RFC 3207 §5, STARTTLS command injection).
  void upgrade(const std::function<std::unique_ptr<Transport>(std::unique_ptr<Transport>)>& wrap);

  /// The dialogue runs inside TLS (false also when a failed handshake left no transport).
  [[nodiscard]] bool is_tls() const noexcept { return transport_ && transport_->is_tls(); }
  /// The last timeout was -Y/-y's stall check (its message already says so).
  [[nodiscard]] bool stalled() const noexcept { return stalled_; }

 private:
  /// The one STARTTLS-injection check: nothing may wait after the last reply.
  void refuse_pending_input() const;
  [[nodiscard]] Deadline reply_deadline(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) const;
  /// Rethrows a timeout of a wait that the stall check bounded as the stall it is.
  void throw_if_stalled();
  /// Body bytes go out under -Y/-y's stall check: `write` may wait until the earlier of the
  /// reply deadline and the check's; then the bytes count as moved.
  void write_body(std::size_t size, const std::function<void(Deadline)>& write);
  /// Writes what send_last_piece held (and what send_commands added to it), as body bytes.
  void write_held();
  std::unique_ptr<Transport> transport_;
  Tracer& tracer_;
  ReplyTimeouts timeouts_;
  ReplyParser parser_;
  SpeedCheck speed_check_;
  bool stalled_ = false;
  std::string write_buffer_;
  std::string held_;  // a held last body piece, then the commands after it (send_last_piece)
  std::vector<std::string_view> chunk_slices_;      // send_chunk's command and body slices
  Clock::time_point waiting_since_ = Clock::now();  // the last write: replies are timed from it
};

}  // namespace smtpc
