// The send job: the only loop. It carries out the Session's actions over a Connection.
#include "smtpc/job/job.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/message/body_source.hpp"
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

// One message to send: its source and, for the first, the chunk read before connecting.
class Upload {
 public:
  explicit Upload(std::unique_ptr<MessageSource> source) : source_(std::move(source)) {}

  /// Reads the first chunk before connecting, so that an empty or unreadable upload is
  /// refused before the server sees anything.
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
    if (prefetched_ == 0) refuse_empty();
    prefetch_buffer_ = &buffer;
  }
  void refuse_empty() const {
    throw Error(ExitCode::ReadError,
                fmt::format("the upload from {} is empty: refusing to send an empty message",
                            source_->name()));
  }

  /// SIZE= and whether BODY=8BITMIME is needed: known when the whole message was prefetched.
  [[nodiscard]] MessageInfo info() const {
    MessageInfo info;
    info.size = complete_ ? std::optional<std::uint64_t>(prefetched_) : source_->size();
    if (complete_) {
      const auto* data = prefetch_buffer_->data();
      info.eight_bit = !is_ascii(std::string_view(data, prefetched_));
      info.binary = std::memchr(data, '\0', prefetched_) != nullptr;
    }
    return info;
  }

  /// Streams the body through `encoder` (nullptr: the bytes as they are, for BINARYMIME)
  /// into `sink(wire, last)` calls of about `chunk` bytes; returns the bytes written.
  template <class Sink>
  std::size_t stream(std::vector<char>& buffer, DotStuffer* encoder, std::size_t chunk,
                     const Sink& sink) {
    std::string wire;
    wire.reserve(chunk + chunk / 2);
    std::size_t written = 0;
    std::size_t got = prefetched_;
    if (prefetch_buffer_ == nullptr) {
      got = source_->read(buffer);
      if (got == 0 && source_->size().value_or(1) == 0) refuse_empty();
    }
    while (got > 0) {
      if (encoder != nullptr) {
        encoder->encode(std::string_view(buffer.data(), got), wire);
      } else {
        wire.append(buffer.data(), got);
      }
      if (wire.size() >= chunk) {
        sink(wire, false);
        written += wire.size();
        wire.clear();
      }
      got = source_->read(buffer);
    }
    if (encoder != nullptr) encoder->finish(wire);
    sink(wire, true);
    return written + wire.size();
  }

  [[nodiscard]] const MessageSource& source() const noexcept { return *source_; }
  [[nodiscard]] bool prefetched_whole() const noexcept { return complete_; }

 private:
  std::unique_ptr<MessageSource> source_;
  std::vector<char>* prefetch_buffer_ = nullptr;
  std::size_t prefetched_ = 0;
  bool complete_ = false;  // the prefetch reached the end of the message
};

// Regular files up to this size are read once more before sending, so that BODY=8BITMIME
// is declared only for a message that holds 8-bit bytes. Larger ones are declared 8-bit
// unseen (always safe), sparing a second pass over big uploads.
constexpr std::uint64_t kScanLimit = 16 * 1024 * 1024;

// What SIZE= and BODY= need to know of an upload file, read through a descriptor of its
// own. A file that is not regular (a pipe) cannot be read twice: its content stays unknown.
MessageInfo scan_file(const std::string& path) {
  BodySource source(path);
  MessageInfo info;
  info.size = source.size();
  if (!info.size || *info.size > kScanLimit) return info;
  std::vector<char> buffer(64 * 1024);
  std::uint64_t total = 0;
  bool eight_bit = false;
  bool binary = false;
  while (const std::size_t got = source.read(buffer)) {
    const std::string_view chunk(buffer.data(), got);
    eight_bit = eight_bit || !is_ascii(chunk);
    binary = binary || chunk.find('\0') != std::string_view::npos;
    total += got;
  }
  if (total != *info.size) return info;  // it changed while we looked: assume the worst
  info.eight_bit = eight_bit;
  info.binary = binary;
  return info;
}

// The address to connect to: the URL's host, or what --resolve maps it to.
std::string connect_address(const JobSpec& spec) {
  for (const auto& entry : spec.resolve) {
    if (entry.port == spec.url.port && strcasecmp(entry.host.c_str(), spec.url.host.c_str()) == 0) {
      return entry.address;
    }
  }
  return spec.url.host;
}

}  // namespace

std::string local_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host(name.data());
  if (host.find('.') != std::string::npos) return host;
  // Ask the resolver for the fully qualified name, as MTAs do.
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0 && found != nullptr) {
    if (found->ai_canonname != nullptr && *found->ai_canonname != '\0') {
      host = found->ai_canonname;
    }
    ::freeaddrinfo(found);
  }
  return host;
}

std::string message_name(const JobSpec& spec, std::size_t index) {
  if (index > 0) return spec.more_upload_paths.at(index - 1);
  if (spec.open_message) return "the message";
  const std::string path = spec.upload_path.value_or("-");
  return path == "-" ? "standard input" : path;
}

SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices) {
  JobProgress progress;
  return run_job(spec, tracer, notices, progress);
}

SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices, JobProgress& progress) {
  progress = JobProgress{};
  SessionConfig config = spec.session;
  std::vector<Upload> uploads;
  std::vector<char> buffer(kChunkSize);
  if (config.mode == SessionMode::SendMail) {
    uploads.emplace_back(spec.open_message
                             ? spec.open_message()
                             : std::make_unique<BodySource>(spec.upload_path.value_or("-")));
    config.messages.clear();
    config.messages.emplace_back();  // the first upload's, once prefetched
    for (const auto& path : spec.more_upload_paths) {
      uploads.emplace_back(std::make_unique<BodySource>(path));
      if (uploads.back().source().size() == 0) uploads.back().refuse_empty();
      config.messages.push_back(scan_file(path));
    }
    uploads.front().prefetch(buffer);
    config.messages.front() = uploads.front().info();
    if (!spec.open_message && spec.upload_path && *spec.upload_path != "-" &&
        !uploads.front().prefetched_whole()) {
      config.messages.front() = scan_file(*spec.upload_path);
    }
  }
  if (config.ehlo_name.empty()) config.ehlo_name = local_host_name();

  const Deadline overall = spec.max_time ? Clock::now() + *spec.max_time : Deadline::max();
  auto handshake_deadline = [&] { return std::min(overall, Clock::now() + spec.reply_timeout); };
  std::unique_ptr<Transport> transport =
      connect_tcp({connect_address(spec), spec.url.port, spec.connect_timeout, overall}, tracer);
  progress.connected = true;
  if (config.tls == TlsPolicy::Implicit) {
    transport =
        start_tls(std::move(transport), spec.tls, spec.url.host, handshake_deadline(), tracer);
  }
  config.peer_address = transport->peer_address();
  Connection connection(std::move(transport), tracer, ReplyTimeouts{spec.reply_timeout, overall});
  Session session(std::move(config));

  auto next_reply = [&](const ReplyWait& wait) -> Action {
    auto reply = connection.read_reply(wait.timeout, wait.must_end_input);
    if (!reply) return session.on_connection_closed();
    Action next = session.on_reply(*reply);
    progress.greeted = session.greeted();
    return next;
  };

  Action action = SendCommands{};  // the greeting comes first
  while (true) {
    State before = session.state();
    std::optional<Action> next;
    try {
      next = std::visit(Overloaded{
                            [&](const SendCommands& send) -> std::optional<Action> {
                              if (!send.commands.empty()) connection.send_commands(send.commands);
                              return next_reply(send.wait);
                            },
                            [&](const SendBody& send) -> std::optional<Action> {
                              Upload& upload = uploads.at(send.message);
                              DotStuffer stuffer(!send.chunked);
                              DotStuffer* encoder = send.binary ? nullptr : &stuffer;
                              std::size_t bdat_commands = 0;
                              const std::size_t bytes =
                                  send.chunked
                                      ? upload.stream(buffer, encoder, kBdatChunkSize,
                                                      [&](const std::string& wire, bool last) {
                                                        connection.send_commands(
                                                            {bdat_command(wire.size(), last)});
                                                        connection.send_data(wire);
                                                        ++bdat_commands;
                                                      })
                                      : upload.stream(buffer, encoder, kChunkSize,
                                                      [&](const std::string& wire, bool) {
                                                        connection.send_data(wire);
                                                      });
                              tracer.data_summary(bytes);
                              return session.on_body_sent(bdat_commands);
                            },
                            [&](const UpgradeTls&) -> std::optional<Action> {
                              connection.upgrade([&](std::unique_ptr<Transport> plain) {
                                return start_tls(std::move(plain), spec.tls, spec.url.host,
                                                 handshake_deadline(), tracer);
                              });
                              return session.on_tls_ready();
                            },
                            [&](const Finished&) -> std::optional<Action> { return std::nullopt; },
                            [&](const Failed&) -> std::optional<Action> { return std::nullopt; },
                        },
                        action);
    } catch (const Error& error) {
      // The link failed, timed out or the upload could not be read: the session settles
      // what is known of each message (after QUIT, nothing is lost).
      next = session.on_connection_lost(error);
    }
    for (const auto& warning : session.take_warnings()) notices.warning(warning);
    if (!next) break;
    if (session.state() != before) {
      tracer.debug(fmt::format("STATE: {} => {}", to_string(before), to_string(session.state())));
    }
    action = std::move(*next);
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
