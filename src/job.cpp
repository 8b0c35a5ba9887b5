// The send job: the only loop. It carries out the Session's actions over a Connection.
#include "smtpc/job.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <strings.h>
#include <unistd.h>

#include <array>
#include <type_traits>

#include "smtpc/body_source.hpp"
#include "smtpc/connection.hpp"
#include "smtpc/dot_stuffer.hpp"
#include "smtpc/error.hpp"

namespace smtpc {
namespace {

// Large reads and writes keep system calls few; memory stays bounded by about twice this.
constexpr std::size_t kChunkSize = 256 * 1024;
// After QUIT nothing more can be lost: do not wait long for the goodbye.
constexpr std::chrono::milliseconds kQuitReplyTimeout{5000};

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

class BodyWriter {
 public:
  explicit BodyWriter(MessageSource& source) : source_(source) { buffer_.resize(kChunkSize); }

  /// Reads the first chunk before connecting, so that an empty or unreadable upload is
  /// refused before the server sees anything.
  void prefetch() {
    const std::size_t got = source_.read(buffer_);
    if (got == 0) {
      throw Error(ExitCode::ReadError,
                  fmt::format("the upload from {} is empty: refusing to send an empty message",
                              source_.name()));
    }
    prefetched_ = got;
  }

  /// Streams the whole body, encoded for DATA, and returns the bytes written.
  std::size_t write(Connection& connection) {
    DotStuffer stuffer;
    std::string wire;
    wire.reserve(kChunkSize + kChunkSize / 2);
    std::size_t written = 0;
    auto flush = [&] {
      connection.send_data(wire);
      written += wire.size();
      wire.clear();
    };
    std::size_t got = prefetched_;
    while (got > 0) {
      stuffer.encode(std::string_view(buffer_.data(), got), wire);
      if (wire.size() >= kChunkSize) flush();
      got = source_.read(buffer_);
    }
    stuffer.finish(wire);
    flush();
    return written;
  }

 private:
  MessageSource& source_;
  std::vector<char> buffer_;
  std::size_t prefetched_ = 0;
};

// The address to connect to: the URL's host, or what --resolve maps it to.
std::string connect_address(const JobSpec& spec) {
  for (const auto& entry : spec.resolve) {
    if (entry.port == spec.url.port && strcasecmp(entry.host.c_str(), spec.url.host.c_str()) == 0) {
      return entry.address;
    }
  }
  return spec.url.host;
}

// RFC 3207 §5: nothing the server sent after its reply to STARTTLS may be read as a
// reply, neither inside TLS nor in a plain session that goes on (STARTTLS injection).
void refuse_injected_bytes(Connection& connection) {
  if (connection.unread_bytes() > 0 || has_pending_input(connection.transport())) {
    throw Error(ExitCode::WeirdServerReply,
                "the server sent data after its reply to STARTTLS: refusing it as a possible "
                "command injection");
  }
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

SendResult run_job(const JobSpec& spec, Tracer& tracer) {
  JobProgress progress;
  return run_job(spec, tracer, progress);
}

SendResult run_job(const JobSpec& spec, Tracer& tracer, JobProgress& progress) {
  progress = JobProgress{};
  SessionConfig config = spec.session;
  std::unique_ptr<MessageSource> source;
  std::optional<BodyWriter> body;
  if (config.mode == SessionMode::SendMail) {
    source = spec.open_message ? spec.open_message()
                               : std::make_unique<BodySource>(spec.upload_path.value_or("-"));
    body.emplace(*source);
    body->prefetch();
    config.message_size = source->size();
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

  auto next_reply = [&]() -> Action {
    const bool quitting = session.state() == State::Quit;
    try {
      auto reply =
          connection.read_reply(quitting ? std::optional(kQuitReplyTimeout) : std::nullopt);
      if (reply && session.state() == State::StartTls) refuse_injected_bytes(connection);
      if (reply && session.state() == State::Greeting && reply->code.value() == 220) {
        progress.greeted = true;
      }
      return reply ? session.on_reply(*reply) : session.on_connection_closed();
    } catch (const Error&) {
      // A server that drops the link or stays silent after QUIT loses us nothing.
      if (quitting) return session.on_connection_closed();
      throw;
    }
  };

  Action action = next_reply();
  while (true) {
    for (const auto& warning : session.take_warnings()) tracer.warning(warning);
    State before = session.state();
    std::optional<Action> next =
        std::visit(Overloaded{
                       [&](const SendCommands& send) -> std::optional<Action> {
                         try {
                           connection.send_commands(send.commands);
                         } catch (const Error&) {
                           if (session.state() != State::Quit) throw;
                           return session.on_connection_closed();
                         }
                         return next_reply();
                       },
                       [&](const SendBody&) -> std::optional<Action> {
                         tracer.data_summary(body->write(connection));
                         return next_reply();
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
    if (!next) break;
    if (session.state() != before) {
      tracer.debug(fmt::format("STATE: {} => {}", to_string(before), to_string(session.state())));
    }
    action = std::move(*next);
  }
  tracer.info("Closing connection");
  progress.tls = connection.transport().is_tls();
  if (auto* failed = std::get_if<Failed>(&action)) throw failed->error;
  SendResult result = std::get<Finished>(action).result;
  for (const auto& refused : result.refused) {
    tracer.warning(
        fmt::format("recipient <{}> was refused: {}", refused.address, refused.reply.summary()));
  }
  return result;
}

}  // namespace smtpc
