// The send job: the only loop. It carries out the Session's actions over a Connection.
#include "smtpc/job/job.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <type_traits>

#include "smtpc/core/connect_to.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/job/rate_limit.hpp"
#include "smtpc/smtp/dot_stuffer.hpp"
#include "smtpc/transport/connection.hpp"

namespace smtpc {
namespace {

// Large reads and writes keep system calls few; memory stays bounded by about twice this.
constexpr std::size_t kChunkSize = 128 * 1024;
// BDAT chunks are larger: each costs a reply, and replies must not pile up unread.
constexpr std::size_t kBdatChunkSize = 256 * 1024;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Messages up to this size that can be reopened (files) are read once more before sending,
// so that BODY=8BITMIME is declared only for a message that holds 8-bit bytes. Larger ones
// are declared 8-bit unseen (always safe), sparing a second pass over big uploads.
constexpr std::uint64_t kScanLimit = 16 * 1024 * 1024;

// The longest line SMTP carries, line end excluded (RFC 5321 §4.5.3.1.6).
constexpr std::size_t kMaxSmtpLine = 998;

// What SIZE= and BODY= need to know of a message of `size` bytes, read through a reading of
// its own. A message that cannot be opened again (standard input) stays unknown, and so
// does one of unknown size (a composed or edited message is not read twice to learn it).
// Whether `chunk` ends a line longer than SMTP allows; `column` carries the length of the
// line in progress from one chunk to the next.
bool has_long_line(std::string_view chunk, std::size_t& column) {
  bool found = false;
  for (const char c : chunk) {
    column = c == '\r' || c == '\n' ? 0 : column + 1;
    found = found || column > kMaxSmtpLine;
  }
  return found;
}

MessageInfo scan(const MessageOrigin& origin, std::optional<std::uint64_t> size) {
  MessageInfo info;
  info.size = size;
  if (!size || *size > kScanLimit || !origin.can_reopen()) return info;
  const auto source = origin.open();
  if (source->size() != size) return info;  // it changed while we looked: assume the worst
  std::vector<char> buffer(64 * 1024);
  std::uint64_t total = 0;
  bool eight_bit = false;
  bool binary = false;
  bool long_lines = false;
  std::size_t column = 0;
  while (const std::size_t got = source->read(buffer)) {
    const std::string_view chunk(buffer.data(), got);
    eight_bit = eight_bit || !is_ascii(chunk);
    binary = binary || chunk.find('\0') != std::string_view::npos;
    long_lines = has_long_line(chunk, column) || long_lines;
    total += got;
  }
  if (total != *size) return info;
  info.eight_bit = eight_bit;
  info.binary = binary;
  info.long_lines = long_lines;
  return info;
}

// One message to send: its reading and, for the first, the chunk read before connecting.
class Upload {
 public:
  explicit Upload(const MessageOrigin& origin) : origin_(origin), source_(origin.open()) {}

  /// Reads the first chunk before connecting, so that an unreadable upload is refused
  /// before the server sees anything.
  void prefetch(std::vector<char>& buffer) {
    // Fill the buffer (a pipe gives short reads): a message that fits is then known whole.
    while (prefetched_ < buffer.size()) {
      const std::size_t got =
          source_->read(std::span<char>(buffer.data() + prefetched_, buffer.size() - prefetched_));
      if (got == 0) {
        complete_ = true;
        break;
      }
      prefetched_ += got;
    }
    prefetch_buffer_ = &buffer;
  }
  /// The upload is empty as far as is known before sending it.
  [[nodiscard]] bool known_empty() const {
    return prefetch_buffer_ != nullptr ? prefetched_ == 0 : source_->size() == 0;
  }
  /// Warns, once, that the upload is empty. It is sent all the same, as curl sends it: DATA
  /// and at once the end-of-data mark (or BDAT 0 LAST).
  void warn_empty(Notices& notices) {
    if (warned_empty_) return;
    warned_empty_ = true;
    notices.warning(
        fmt::format("the upload from {} is empty: sending an empty message", source_->name()));
  }

  /// SIZE= and whether BODY=8BITMIME is needed: from the prefetch when it held the whole
  /// message, else from a scan of another reading.
  [[nodiscard]] MessageInfo info() const {
    if (!complete_) return scan(origin_, source_->size());
    MessageInfo info;
    info.size = prefetched_;
    const auto* data = prefetch_buffer_->data();
    info.eight_bit = !is_ascii(std::string_view(data, prefetched_));
    info.binary = std::memchr(data, '\0', prefetched_) != nullptr;
    std::size_t column = 0;
    info.long_lines = has_long_line(std::string_view(data, prefetched_), column);
    return info;
  }

  /// Streams the body through `encoder` (nullptr: the bytes as they are, for BINARYMIME)
  /// into `sink(wire, last)` calls of at most about `chunk` bytes; returns the bytes
  /// written. The wire is slices of `buffer` (and the few bytes the encoding inserts), so
  /// each read is sent before the next one. `body_sent` grows by the bytes each sink call
  /// took, the end-of-data mark aside.
  template <class Sink>
  std::size_t stream(std::vector<char>& buffer, DotStuffer* encoder, std::size_t chunk,
                     std::uint64_t& body_sent, const Sink& sink) {
    WireSlices wire;
    std::size_t written = 0;
    std::size_t got = prefetched_;
    if (prefetch_buffer_ == nullptr) got = source_->read(buffer);
    while (got > 0) {
      consumed_ += got;
      const bool read_to_end = at_end();
      for (std::size_t at = 0; at < got; at += chunk) {
        const std::string_view piece(buffer.data() + at, std::min(chunk, got - at));
        if (encoder != nullptr) {
          encoder->encode(piece, wire);
        } else {
          wire.add_input(piece);
        }
        // The message's last piece goes with the end of data (BDAT n LAST, not BDAT n and
        // BDAT 0 LAST) when it is known to be the last one.
        if (wire.empty() || (read_to_end && at + chunk >= got)) continue;
        sink(wire, false);
        written += wire.size();
        body_sent += wire.size();
        wire.clear();
      }
      if (read_to_end) break;
      got = source_->read(buffer);
    }
    body_sent += wire.size();
    if (encoder != nullptr) encoder->finish(wire);  // the end-of-data mark: not body
    sink(wire, true);
    return written + wire.size();
  }

  [[nodiscard]] const MessageSource& source() const noexcept { return *source_; }
  /// Whether every byte of the message has been read: the prefetch reached its end. (A
  /// file's size from stat is not trusted for this: the file may still grow.)
  [[nodiscard]] bool at_end() const { return complete_ && consumed_ >= prefetched_; }
  /// The bytes of the message that stream() has read (and encoded into what it wrote).
  [[nodiscard]] std::uint64_t consumed() const noexcept { return consumed_; }

 private:
  MessageOrigin origin_;
  std::unique_ptr<MessageSource> source_;
  std::vector<char>* prefetch_buffer_ = nullptr;
  std::size_t prefetched_ = 0;
  bool complete_ = false;  // the prefetch reached the end of the message
  bool warned_empty_ = false;
  std::uint64_t consumed_ = 0;
};

// The sum of the messages' sizes, when each one is known (for the progress meter).
std::optional<std::uint64_t> total_size(const std::vector<MessageInfo>& messages) {
  std::uint64_t total = 0;
  for (const auto& message : messages) {
    if (!message.size) return std::nullopt;
    total += *message.size;
  }
  return total;
}

// Where to connect: --connect-to's host and port for the URL's (Error(SetoptOptionSyntax)
// for a bad one), at the addresses --resolve gives for them, from -4/-6, --interface and
// --local-port.
ConnectRequest connect_request(const JobSpec& spec, Deadline deadline, ConnectInfo& info,
                               Tracer& tracer) {
  const ConnectTarget target = apply_connect_to(spec.connect_to, spec.url.host, spec.url.port);
  // curl's lines, naming what --connect-to changed.
  if (target.host != spec.url.host) tracer.info("Connecting to hostname: " + target.host);
  if (target.port != spec.url.port) tracer.info(fmt::format("Connecting to port: {}", target.port));
  ConnectRequest request;
  request.host = target.host;
  request.port = target.port;
  for (const auto& entry : spec.resolve) {
    if (entry.port == target.port && equals_ignore_case(entry.host, target.host)) {
      request.addresses = entry.addresses;
      break;
    }
  }
  request.family = spec.ip_family;
  request.interface = spec.interface;
  request.local_port = spec.local_port;
  request.socket = spec.socket;
  request.connect_timeout = spec.connect_timeout;
  request.deadline = deadline;
  request.info = &info;
  request.route = spec.route;
  return request;
}

// What the job was doing on the connection, for the message when time runs out.
enum class Doing { WaitingForReply, SendingCommands, SendingBody, TlsHandshake };

// The command as a timeout names it: its verb, and MAIL's and RCPT's "FROM"/"TO". Shown
// in its traced form, so that a secret never reaches the message.
std::string command_name(const Command& command) {
  const std::string_view shown = command.shown();
  std::string_view name = shown.substr(0, shown.find(' '));
  if ((equals_ignore_case(name, "MAIL") || equals_ignore_case(name, "RCPT")) &&
      shown.find(':') != std::string_view::npos) {
    name = shown.substr(0, shown.find(':'));
  }
  return std::string(name);
}

// "2 seconds", "1 second", "0.5 seconds".
std::string seconds_text(std::chrono::milliseconds limit) {
  const double seconds = static_cast<double>(limit.count()) / 1000.0;
  return fmt::format("{:g} second{}", seconds, seconds == 1.0 ? "" : "s");
}

// The first pass over the message: it leaves with its DKIM-Signature fields, which -v shows.
MessageOrigin signed_origin(const MessageOrigin& origin, const dkim::SigningRequest& request,
                            Tracer& tracer) {
  dkim::SignedMessage message = dkim::sign_message(origin, request, std::time(nullptr));
  for (const auto& field : message.signatures) {
    tracer.info(fmt::format("added {}", dkim::shortened_signature(field)));
  }
  return std::move(message.origin);
}

}  // namespace

std::string message_name(const JobSpec& spec, std::size_t index) {
  return index < spec.messages.size() ? spec.messages[index].name() : "the message";
}

SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices) {
  JobProgress progress;
  return run_job(spec, tracer, notices, progress);
}

SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices, JobProgress& progress) {
  return run_job(spec, tracer, notices, progress, open_connection);
}

SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices, JobProgress& progress,
                   const Connector& connect) {
  progress = JobProgress{};
  SessionConfig config = spec.session;
  std::vector<Upload> uploads;
  std::vector<char> buffer(kChunkSize);
  if (config.mode == SessionMode::SendMail && spec.messages.empty()) {
    // --quit-after mail, rcpt or data without -T: an envelope, no message.
    if (!config.quit_after) throw Error(ExitCode::FailedInit, "no message to send");
    config.messages = {MessageInfo{std::nullopt, false}};
  } else if (config.mode == SessionMode::SendMail) {
    config.messages.clear();
    for (const auto& origin : spec.messages) {
      uploads.emplace_back(spec.dkim ? signed_origin(origin, *spec.dkim, tracer) : origin);
      if (uploads.size() == 1) {
        config.messages.emplace_back();  // once prefetched
      } else {
        config.messages.push_back(uploads.back().info());
      }
    }
    uploads.front().prefetch(buffer);
    config.messages.front() = uploads.front().info();
    for (std::size_t i = 0; i < uploads.size(); ++i) {
      if (uploads[i].known_empty()) uploads[i].warn_empty(notices);
      if (config.messages[i].long_lines) {
        notices.warning(fmt::format(
            "{} has lines longer than {} characters, which servers may refuse (sent as it is, "
            "as curl sends it; sendmail mode breaks them)",
            uploads[i].source().name(), kMaxSmtpLine));
      }
    }
  }
  if (config.ehlo_name.empty()) config.ehlo_name = local_host_name();

  const Deadline overall = spec.max_time ? Clock::now() + *spec.max_time : Deadline::max();
  auto handshake_deadline = [&] { return std::min(overall, Clock::now() + spec.reply_timeout); };
  // A timeout says what was under way ("waiting for the reply to RCPT TO") and which limit
  // ran out: -m/--max-time's, or the wait for each reply.
  auto with_step = [&](const Error& error, const std::string& step) {
    if (error.code() != ExitCode::OperationTimedout) return error;
    const bool overall_ran_out = spec.max_time && Clock::now() >= overall;
    return Error(ExitCode::OperationTimedout,
                 fmt::format("timed out {} after {}{}", step,
                             seconds_text(overall_ran_out ? *spec.max_time : spec.reply_timeout),
                             overall_ran_out ? " (--max-time)" : ""));
  };
  std::unique_ptr<Transport> transport =
      connect(connect_request(spec, overall, progress.connection, tracer), tracer);
  progress.connected = true;
  auto tls_details = [&progress]() -> TlsDetails* { return &progress.tls_details.emplace(); };
  if (config.tls == TlsPolicy::Implicit) {
    try {
      transport = start_tls(std::move(transport), spec.tls, spec.url.host, handshake_deadline(),
                            tracer, tls_details());
      progress.tls_connected = Clock::now();
    } catch (const Error& error) {
      if (error.code() != ExitCode::OperationTimedout) throw;
      throw with_step(error, "in the TLS handshake");
    }
  }
  if (config.quit_after == Stage::Connect) {
    // Nothing said: the greeting is not even read.
    tracer.info("--quit-after connect: closing the connection");
    progress.tls = transport->is_tls();
    return SendResult{};
  }
  config.peer_address = transport->peer_address();
  Connection connection(std::move(transport), tracer,
                        ReplyTimeouts{spec.reply_timeout, overall, spec.speed_limit});
  const std::optional<Stage> config_quit_after = config.quit_after;
  UploadProgress uploaded{0, total_size(config.messages)};
  Session session(std::move(config));

  auto next_reply = [&](const ReplyWait& wait) -> Action {
    auto reply = connection.read_reply(wait.timeout, wait.must_end_input);
    if (!reply) return session.on_connection_closed();
    Action next = session.on_reply(*reply);
    progress.greeted = session.greeted();
    progress.server = session.facts();
    return next;
  };

  Action action = SendCommands{};  // the greeting comes first
  Doing doing = Doing::WaitingForReply;
  std::string sending;  // with Doing::SendingCommands: the first command being written
  auto describe = [&]() -> std::string {
    switch (doing) {
      case Doing::SendingCommands:
        return "sending " + sending;
      case Doing::SendingBody:
        return "sending the message body";
      case Doing::TlsHandshake:
        return "in the TLS handshake";
      case Doing::WaitingForReply:
        break;
    }
    return "waiting for " + session.awaited_reply();
  };
  // After each chunk of a body: how far the upload has got (the progress meter).
  auto sent = [&](const Upload& upload) {
    notices.upload_progress({uploaded.sent + upload.consumed(), uploaded.total});
  };
  while (true) {
    State before = session.state();
    std::optional<Action> next;
    try {
      next = std::visit(
          Overloaded{
              [&](const SendCommands& send) -> std::optional<Action> {
                if (!send.commands.empty()) {
                  doing = Doing::SendingCommands;
                  sending = command_name(send.commands.front());
                  connection.send_commands(send.commands);
                }
                doing = Doing::WaitingForReply;
                return next_reply(send.wait);
              },
              [&](const SendBody& send) -> std::optional<Action> {
                Upload& upload = uploads.at(send.message);
                std::optional<SendRateLimiter> limiter;
                if (spec.max_send_speed > 0) limiter.emplace(spec.max_send_speed);
                // As curl, a write is no larger than a second's worth at the limit.
                const std::size_t chunk =
                    limiter ? std::clamp<std::size_t>(spec.max_send_speed, 1, kChunkSize)
                            : kChunkSize;
                DotStuffer stuffer(!send.chunked);
                DotStuffer* encoder = send.binary ? nullptr : &stuffer;
                std::size_t bdat_commands = 0;
                doing = Doing::SendingBody;
                notices.upload_progress(uploaded);
                const std::size_t bytes =
                    send.chunked
                        ? upload.stream(
                              buffer, encoder, kBdatChunkSize, progress.body_bytes_sent,
                              [&](WireSlices& wire, bool last) {
                                connection.send_commands({bdat_command(wire.size(), last)});
                                connection.send_data(wire);
                                ++bdat_commands;
                                sent(upload);
                                if (limiter) limiter->sent(wire.size());
                              })
                        : upload.stream(buffer, encoder, chunk, progress.body_bytes_sent,
                                        [&](WireSlices& wire, bool) {
                                          connection.send_data(wire);
                                          sent(upload);
                                          if (limiter) limiter->sent(wire.size());
                                        });
                uploaded.sent += upload.consumed();
                if (upload.consumed() == 0) upload.warn_empty(notices);
                tracer.data_summary(bytes);
                return session.on_body_sent(bdat_commands);
              },
              [&](const UpgradeTls&) -> std::optional<Action> {
                doing = Doing::TlsHandshake;
                connection.upgrade([&](std::unique_ptr<Transport> plain) {
                  return start_tls(std::move(plain), spec.tls, spec.url.host, handshake_deadline(),
                                   tracer, tls_details());
                });
                progress.tls_connected = Clock::now();
                return session.on_tls_ready();
              },
              [&](const Finished&) -> std::optional<Action> { return std::nullopt; },
              [&](const Failed&) -> std::optional<Action> { return std::nullopt; },
          },
          action);
    } catch (const Error& error) {
      // The link failed, timed out or the upload could not be read: the session settles
      // what is known of each message (after QUIT, nothing is lost).
      // A stall (-Y/-y) is reported in curl's words, which say what ran out.
      next =
          session.on_connection_lost(connection.stalled() ? error : with_step(error, describe()));
    }
    for (const auto& warning : session.take_warnings()) notices.warning(warning);
    if (!next) break;
    if (session.state() != before) {
      tracer.debug(fmt::format("STATE: {} => {}", to_string(before), to_string(session.state())));
    }
    action = std::move(*next);
  }
  if (config_quit_after == Stage::Data && std::holds_alternative<Finished>(action)) {
    tracer.info(
        "--quit-after data: closing the connection inside DATA; the server discards the "
        "transaction");
  }
  tracer.info("Closing connection");
  progress.tls = connection.is_tls();
  if (auto* failed = std::get_if<Failed>(&action)) {
    throw SendFailure(failed->error, std::move(failed->result));
  }
  SendResult& result = std::get<Finished>(action).result;
  for (const auto& message : result.messages) {
    if (message.error) throw SendFailure(*message.error, std::move(result));
  }
  return result;
}

}  // namespace smtpc
