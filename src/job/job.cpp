// The send job: the only loop. It carries out the Session's actions over a Connection.
#include "smtpc/job/job.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>
#include <span>
#include <type_traits>
#include <variant>

#include "smtpc/core/connect_to.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/job/rate_limit.hpp"
#include "smtpc/message/body_source.hpp"
#include "smtpc/smtp/dot_stuffer.hpp"
#include "smtpc/transport/connection.hpp"

namespace smtpc {
namespace {

// Large reads and writes keep system calls few; memory stays bounded by about twice this.
constexpr std::size_t kChunkSize = 128 * 1024;
// BDAT chunks are larger: each costs a reply, and replies must not pile up unread.
constexpr std::size_t kBdatChunkSize = 256 * 1024;

// Messages up to this size that can be reopened (files) are read once more before sending,
// so that BODY=8BITMIME is declared only for a message that holds 8-bit bytes. Larger ones
// are declared 8-bit unseen (always safe), sparing a second pass over big uploads.
constexpr std::uint64_t kScanLimit = 16 * 1024 * 1024;

// The longest line SMTP carries, line end excluded (RFC 5321 §4.5.3.1.6).
constexpr std::size_t kMaxSmtpLine = 998;

// What SIZE= and BODY= need to know of a message, read through a second reading: `first`
// is the reading the send will use. A message that cannot be opened again (standard input)
// stays unknown, and so does one of unknown size (a composed or edited message is not read
// twice to learn it). A file is read again through the descriptor `first` holds (pread: no
// second open, and `first` stays at its start); anything else is opened anew. The same pass
// finds whether BDAT could send it as it is (CrlfOnlyCheck).
struct Scanned {
  MessageInfo info;
  bool crlf_only = false;
};
void scan_reading(MessageSource& reading, std::uint64_t size, Scanned& scanned) {
  // As large as the message (plus one byte to see its end), at most 64 KiB; not zeroed.
  const auto buffer_size = static_cast<std::size_t>(std::min<std::uint64_t>(size + 1, 64 * 1024));
  const auto storage = std::make_unique_for_overwrite<char[]>(buffer_size);
  const std::span<char> buffer(storage.get(), buffer_size);
  std::uint64_t total = 0;
  bool eight_bit = false;
  bool binary = false;
  bool long_lines = false;
  std::size_t column = 0;
  CrlfOnlyCheck line_ends;
  while (const std::size_t got = reading.read(buffer)) {
    const std::string_view chunk(buffer.data(), got);
    eight_bit = eight_bit || !is_ascii(chunk);
    binary = binary || chunk.find('\0') != std::string_view::npos;
    long_lines = has_line_longer_than(chunk, kMaxSmtpLine, column) || long_lines;
    line_ends.feed(chunk);
    total += got;
  }
  if (total != size) return;  // it changed while we looked: assume the worst
  MessageInfo& info = scanned.info;
  info.eight_bit = eight_bit;
  info.binary = binary;
  info.long_lines = long_lines;
  scanned.crlf_only = line_ends.crlf_only();
}
Scanned scan(const MessageOrigin& origin, const MessageSource& first) {
  Scanned scanned;
  const std::optional<std::uint64_t> size = first.size();
  scanned.info.size = size;
  if (!size || *size > kScanLimit || !origin.can_reopen()) return scanned;
  if (first.file_span()) {
    FileSpanReading again(first);
    scan_reading(again, *size, scanned);
    return scanned;
  }
  const auto again = origin.open();
  if (again->size() != size) return scanned;  // it changed while we looked: assume the worst
  scan_reading(*again, *size, scanned);
  return scanned;
}

// One message to send: its reading and, for the first, the chunk read before connecting.
class Upload {
 public:
  explicit Upload(const MessageOrigin& origin) : origin_(origin), source_(origin.open()) {}

  /// Reads the first chunk before connecting, so that an unreadable upload is refused
  /// before the server sees anything.
  void prefetch(std::span<char> buffer) {
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
    prefetch_buffer_ = buffer.data();
  }
  /// Whether prefetch() was called: the first chunk waits in the job's buffer.
  [[nodiscard]] bool prefetched() const noexcept { return prefetch_buffer_ != nullptr; }
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
  [[nodiscard]] MessageInfo info() {
    if (!complete_) {
      const Scanned scanned = scan(origin_, *source_);
      crlf_only_ = scanned.crlf_only;
      return scanned.info;
    }
    MessageInfo info;
    info.size = prefetched_;
    const char* data = prefetch_buffer_;
    info.eight_bit = !is_ascii(std::string_view(data, prefetched_));
    info.binary = std::memchr(data, '\0', prefetched_) != nullptr;
    std::size_t column = 0;
    info.long_lines =
        has_line_longer_than(std::string_view(data, prefetched_), kMaxSmtpLine, column);
    return info;
  }

  /// Streams the body through `encoder` (nullptr: the bytes as they are, for BINARYMIME)
  /// into `sink(wire, last)` calls of at most about `chunk` bytes; returns the bytes
  /// written. The wire is slices of `buffer` (and the few bytes the encoding inserts), so
  /// each read is sent before the next one. `body_sent` grows by the bytes each sink call
  /// took, the end-of-data mark aside.
  template <class Sink>
  std::size_t stream(std::span<char> buffer, DotStuffer* encoder, std::size_t chunk,
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

  /// Where BDAT can take the whole message from unchanged, with sendfile: a regular file
  /// read as it is, which the scan found CRLF-only (info()), nothing of it sent yet.
  [[nodiscard]] std::optional<FileSpan> whole_file() const {
    const auto size = source_->size();
    if (!crlf_only_ || consumed_ != 0 || !size || *size == 0) return std::nullopt;
    return source_->file_span();
  }
  /// `bytes` of the message went out from its file.
  void sent_from_file(std::uint64_t bytes) noexcept { consumed_ += bytes; }

 private:
  MessageOrigin origin_;
  std::unique_ptr<MessageSource> source_;
  const char* prefetch_buffer_ = nullptr;  // the prefetched bytes (in the job's buffer)
  std::size_t prefetched_ = 0;
  bool complete_ = false;  // the prefetch reached the end of the message
  bool warned_empty_ = false;
  bool crlf_only_ = false;  // the scan found every line ending in CRLF
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

// Warns of what the server may refuse or what may surprise: an empty upload (sent all the
// same, as curl sends it) and lines longer than SMTP allows (sent as they are).
void warn_before_sending(std::vector<Upload>& uploads, const std::vector<MessageInfo>& messages,
                         Notices& notices) {
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    if (uploads[i].known_empty()) uploads[i].warn_empty(notices);
    if (messages[i].long_lines) {
      notices.warning(fmt::format(
          "{} has lines longer than {} characters, which servers may refuse (sent as it is, "
          "as curl sends it; sendmail mode breaks them)",
          uploads[i].source().name(), kMaxSmtpLine));
    }
  }
}

// Opens the job's messages before connecting (each signed first with --dkim-key) and fills
// in what the session declares of each (SIZE=, BODY=). The first one is prefetched into
// `buffer`, so that an unreadable upload is refused before the server sees anything.
std::vector<Upload> open_uploads(const JobSpec& spec, SessionConfig& config, std::span<char> buffer,
                                 Tracer& tracer, Notices& notices) {
  std::vector<Upload> uploads;
  if (config.mode != SessionMode::SendMail) return uploads;
  if (spec.messages.empty()) {
    // --quit-after mail, rcpt or data without -T: an envelope, no message.
    if (!config.quit_after) throw Error(ExitCode::FailedInit, "no message to send");
    config.messages = {MessageInfo{std::nullopt, false}};
    return uploads;
  }
  config.messages.clear();
  for (const auto& origin : spec.messages) {
    uploads.emplace_back(spec.dkim ? signed_origin(origin, *spec.dkim, tracer) : origin);
    // The first message's info comes from its prefetch, below.
    config.messages.push_back(uploads.size() == 1 ? MessageInfo{} : uploads.back().info());
  }
  uploads.front().prefetch(buffer);
  config.messages.front() = uploads.front().info();
  warn_before_sending(uploads, config.messages, notices);
  return uploads;
}

// What every step of a job reads: its spec, where it reports, and when time runs out.
struct JobContext {
  const JobSpec& spec;
  Tracer& tracer;
  Notices& notices;
  JobProgress& progress;
  Deadline overall;  // -m/--max-time's end, or Deadline::max()

  /// When a TLS handshake must be over.
  [[nodiscard]] Deadline handshake_deadline() const {
    return std::min(overall, Clock::now() + spec.reply_timeout);
  }
  /// A timeout says what was under way ("waiting for the reply to RCPT TO") and which limit
  /// ran out: -m/--max-time's, or the wait for each reply. Other errors stay as they are.
  [[nodiscard]] Error with_step(const Error& error, const std::string& step) const {
    if (error.code() != ExitCode::OperationTimedout) return error;
    const bool overall_ran_out = spec.max_time && Clock::now() >= overall;
    return Error(ExitCode::OperationTimedout,
                 fmt::format("timed out {} after {}{}", step,
                             seconds_text(overall_ran_out ? *spec.max_time : spec.reply_timeout),
                             overall_ran_out ? " (--max-time)" : ""));
  }
  /// Where a TLS handshake records what it saw, as far as it gets (--serverinfo, -w).
  [[nodiscard]] TlsDetails* tls_details() const { return &progress.tls_details.emplace(); }
};

// Connects where the job says, and for smtps:// starts TLS at once.
std::unique_ptr<Transport> open_transport(const JobContext& job, const SessionConfig& config,
                                          const Connector& connect) {
  std::unique_ptr<Transport> transport = connect(
      connect_request(job.spec, job.overall, job.progress.connection, job.tracer), job.tracer);
  job.progress.connected = true;
  if (config.tls != TlsPolicy::Implicit) return transport;
  try {
    transport = start_tls(std::move(transport), job.spec.tls, job.spec.url.host,
                          job.handshake_deadline(), job.tracer, job.tls_details());
    job.progress.tls_connected = Clock::now();
  } catch (const Error& error) {
    if (error.code() != ExitCode::OperationTimedout) throw;
    throw job.with_step(error, "in the TLS handshake");
  }
  return transport;
}

// The dialogue over one connection: the Session decides, one method here carries out each
// kind of Action it returns, and the replies go back to it until it has Finished or Failed.
class Dialogue {
 public:
  Dialogue(const JobContext& job, std::vector<Upload>& uploads, std::span<char> buffer,
           SessionConfig config, std::unique_ptr<Transport> transport)
      : job_(job),
        uploads_(uploads),
        buffer_(buffer),
        connection_(std::move(transport), job.tracer,
                    ReplyTimeouts{job.spec.reply_timeout, job.overall, job.spec.speed_limit}),
        quit_after_(config.quit_after),
        uploaded_{0, total_size(config.messages)},
        session_(std::move(config)) {}

  /// From the greeting to the end. Returns what the server accepted (every message);
  /// throws SendFailure when not every message was accepted.
  SendResult run() {
    Action action = SendCommands{};  // the greeting comes first
    while (auto next = step(action)) action = std::move(*next);
    // What the dialogue learnt of the server (--serverinfo reads it), copied once at the
    // end: after every reply it copied the greeting and EHLO replies 100 000 times over for
    // as many recipients.
    job_.progress.server = session_.facts();
    return finish(std::move(action));
  }

 private:
  // Carries out `action`; returns the next one, or nullopt once the dialogue is over.
  std::optional<Action> step(const Action& action) {
    const State before = session_.state();
    std::optional<Action> next;
    try {
      next = std::visit([&](const auto& each) { return carry_out(each); }, action);
    } catch (const Error& error) {
      // The link failed, timed out or the upload could not be read: the session settles
      // what is known of each message (after QUIT, nothing is lost). A stall (-Y/-y) is
      // reported in curl's words, which say what ran out.
      next = session_.on_connection_lost(connection_.stalled() ? error
                                                               : job_.with_step(error, doing()));
    }
    for (const auto& warning : session_.take_warnings()) job_.notices.warning(warning);
    if (next && session_.state() != before) {
      job_.tracer.debug(
          fmt::format("STATE: {} => {}", to_string(before), to_string(session_.state())));
    }
    return next;
  }

  std::optional<Action> carry_out(const SendCommands& send) {
    if (connection_.holds_body()) {
      // The end of the body goes out with these commands (or alone), in one write.
      doing_ = Doing::SendingBody;
      connection_.send_commands(send.commands);
    } else if (!send.commands.empty()) {
      doing_ = Doing::SendingCommands;
      sending_ = command_name(send.commands.front());
      connection_.send_commands(send.commands);
    }
    doing_ = Doing::WaitingForReply;
    return next_reply(send.wait);
  }

  std::optional<Action> carry_out(const SendBody& send) {
    Upload& upload = uploads_.at(send.message);
    std::optional<SendRateLimiter> limiter;
    if (job_.spec.max_send_speed > 0) limiter.emplace(job_.spec.max_send_speed);
    DotStuffer stuffer(!send.chunked);
    DotStuffer* encoder = send.binary ? nullptr : &stuffer;
    std::size_t bdat_commands = 0;
    // After each write: how far the upload has got (the progress meter), and --limit-rate.
    auto wrote = [&](const WireSlices& wire) {
      job_.notices.upload_progress({uploaded_.sent + upload.consumed(), uploaded_.total});
      if (limiter) limiter->sent(wire.size());
    };
    doing_ = Doing::SendingBody;
    job_.notices.upload_progress(uploaded_);
    std::uint64_t& body_sent = job_.progress.body_bytes_sent;
    // A body small enough to be held (Connection::send_last_piece) is read instead: it then
    // goes out with its BDAT command and the next commands in one write, where sendfile
    // would need three.
    const bool small = upload.source().size().value_or(0) <= Connection::kHoldAtMost;
    // Read whole first, a small body is known to end with its first piece: one BDAT LAST.
    if (small && !upload.prefetched()) upload.prefetch(buffer_);
    const std::optional<FileSpan> file =
        send.chunked && !limiter && !small && connection_.can_send_file() ? upload.whole_file()
                                                                          : std::nullopt;
    const std::size_t bytes =
        file           ? send_file_by_bdat(upload, *file, bdat_commands)
        : send.chunked ? upload.stream(buffer_, encoder, kBdatChunkSize, body_sent,
                                       [&](WireSlices& wire, bool last) {
                                         const Command bdat = bdat_command(wire.size(), last);
                                         if (last) {
                                           connection_.send_last_piece(&bdat, wire);
                                         } else {
                                           connection_.send_chunk(bdat, wire);
                                         }
                                         ++bdat_commands;
                                         wrote(wire);
                                       })
                       : upload.stream(buffer_, encoder, data_write_size(), body_sent,
                                       [&](WireSlices& wire, bool last) {
                                         if (last) {
                                           connection_.send_last_piece(nullptr, wire);
                                         } else {
                                           connection_.send_data(wire);
                                         }
                                         wrote(wire);
                                       });
    uploaded_.sent += upload.consumed();
    if (upload.consumed() == 0) upload.warn_empty(job_.notices);
    job_.tracer.data_summary(bytes);
    return session_.on_body_sent(bdat_commands);
  }

  // BDAT chunks straight from the file: a CRLF-only body needs no change for BDAT (RFC
  // 3030), so the kernel sends it from the page cache (sendfile) and it is not read here.
  // The size is the one SIZE= declared; a file that shrinks since is a read error.
  std::size_t send_file_by_bdat(Upload& upload, const FileSpan& file, std::size_t& bdat_commands) {
    const std::uint64_t size = upload.source().size().value_or(0);
    std::uint64_t offset = 0;
    while (offset < size) {
      const auto count =
          static_cast<std::size_t>(std::min<std::uint64_t>(kBdatChunkSize, size - offset));
      connection_.send_commands({bdat_command(count, offset + count == size)});
      connection_.send_file(file.fd, file.offset + offset, count);
      offset += count;
      ++bdat_commands;
      upload.sent_from_file(count);
      job_.progress.body_bytes_sent += count;
      job_.notices.upload_progress({uploaded_.sent + upload.consumed(), uploaded_.total});
    }
    return static_cast<std::size_t>(size);
  }

  std::optional<Action> carry_out(const UpgradeTls& /*upgrade*/) {
    doing_ = Doing::TlsHandshake;
    connection_.upgrade([this](std::unique_ptr<Transport> plain) {
      return start_tls(std::move(plain), job_.spec.tls, job_.spec.url.host,
                       job_.handshake_deadline(), job_.tracer, job_.tls_details());
    });
    job_.progress.tls_connected = Clock::now();
    return session_.on_tls_ready();
  }

  static std::optional<Action> carry_out(const Finished& /*end*/) { return std::nullopt; }
  static std::optional<Action> carry_out(const Failed& /*end*/) { return std::nullopt; }

  Action next_reply(const ReplyWait& wait) {
    auto reply = connection_.read_reply(wait.timeout, wait.must_end_input);
    if (!reply) return session_.on_connection_closed();
    Action next = session_.on_reply(*reply);
    job_.progress.greeted = session_.greeted();
    return next;
  }

  // A DATA body's writes: as curl's, no larger than a second's worth at --limit-rate.
  [[nodiscard]] std::size_t data_write_size() const {
    const std::uint64_t limit = job_.spec.max_send_speed;
    return limit > 0 ? static_cast<std::size_t>(std::clamp<std::uint64_t>(limit, 1, kChunkSize))
                     : kChunkSize;
  }

  // What was under way, for a timeout's message.
  [[nodiscard]] std::string doing() const {
    switch (doing_) {
      case Doing::SendingCommands:
        return "sending " + sending_;
      case Doing::SendingBody:
        return "sending the message body";
      case Doing::TlsHandshake:
        return "in the TLS handshake";
      case Doing::WaitingForReply:
        break;
    }
    return "waiting for " + session_.awaited_reply();
  }

  // The dialogue is over: what became of each message, thrown unless all were accepted.
  SendResult finish(Action action) {
    if (quit_after_ == Stage::Data && std::holds_alternative<Finished>(action)) {
      job_.tracer.info(
          "--quit-after data: closing the connection inside DATA; the server discards the "
          "transaction");
    }
    job_.tracer.info("Closing connection");
    job_.progress.tls = connection_.is_tls();
    if (auto* failed = std::get_if<Failed>(&action)) {
      throw SendFailure(failed->error, std::move(failed->result));
    }
    SendResult& result = std::get<Finished>(action).result;
    for (const auto& message : result.messages) {
      if (message.error) throw SendFailure(*message.error, std::move(result));
    }
    return std::move(result);
  }

  const JobContext& job_;
  std::vector<Upload>& uploads_;
  std::span<char> buffer_;
  Connection connection_;
  std::optional<Stage> quit_after_;  // --quit-after
  UploadProgress uploaded_;          // the bytes of the messages before the one being sent
  Session session_;
  Doing doing_ = Doing::WaitingForReply;
  std::string sending_;  // with Doing::SendingCommands: the first command being written
};

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
  // Not zeroed: only the pages a read fills are touched (a 2 KB message touches one of
  // 32, which keeps the peak RSS of a small send down).
  const auto storage = std::make_unique_for_overwrite<char[]>(kChunkSize);
  const std::span<char> buffer(storage.get(), kChunkSize);
  std::vector<Upload> uploads = open_uploads(spec, config, buffer, tracer, notices);
  if (config.ehlo_name.empty()) config.ehlo_name = local_host_name();
  const JobContext job{spec, tracer, notices, progress,
                       spec.max_time ? Clock::now() + *spec.max_time : Deadline::max()};
  std::unique_ptr<Transport> transport = open_transport(job, config, connect);
  if (config.quit_after == Stage::Connect) {
    // Nothing said: the greeting is not even read.
    tracer.info("--quit-after connect: closing the connection");
    progress.tls = transport->is_tls();
    return SendResult{};
  }
  config.peer_address = transport->peer_address();
  return Dialogue(job, uploads, buffer, std::move(config), std::move(transport)).run();
}

}  // namespace smtpc
