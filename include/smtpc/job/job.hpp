// One send: connect, drive the Session, stream the body, QUIT.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/core/url.hpp"
#include "smtpc/dkim/signer.hpp"
#include "smtpc/message/message_origin.hpp"
#include "smtpc/smtp/session.hpp"
#include "smtpc/sys/host_name.hpp"
#include "smtpc/transport/speed_check.hpp"
#include "smtpc/transport/tls.hpp"
#include "smtpc/transport/trace.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {

/// --resolve HOST:PORT:ADDR[,ADDR]...: connect to these addresses, in order, but name HOST
/// in SNI and certificate checks.
struct ResolveOverride {
  std::string host;
  std::uint16_t port = 0;
  std::vector<std::string> addresses;
};

struct JobSpec {
  SmtpUrl url;
  SessionConfig session;  // ehlo_name, paths, mode, tls policy
  /// SessionMode::SendMail: the messages, each its own transaction on the one connection,
  /// all to the same envelope. run_job opens each one before connecting, and a small one
  /// that can be reopened once more to learn SIZE= and whether it needs BODY=8BITMIME.
  std::vector<MessageOrigin> messages;
  std::optional<std::chrono::milliseconds> connect_timeout;  // --connect-timeout
  std::optional<std::chrono::milliseconds> max_time;         // -m/--max-time
  std::chrono::milliseconds reply_timeout{std::chrono::seconds(120)};
  TlsOptions tls;
  std::vector<ResolveOverride> resolve;
  /// --connect-to HOST1:PORT1:HOST2:PORT2 entries, as given: read when connecting, against
  /// the URL's host and port (apply_connect_to). --resolve then applies to HOST2:PORT2.
  std::vector<std::string> connect_to;
  IpFamily ip_family = IpFamily::Any;        // -4, -6
  std::optional<std::string> interface;      // --interface
  std::optional<LocalPortRange> local_port;  // --local-port
  std::uint64_t max_send_speed = 0;          // --limit-rate, bytes per second (0: none)
  SpeedLimit speed_limit;                    // -Y/--speed-limit, -y/--speed-time
  SocketOptions socket;                      // --tcp-nodelay, --keepalive(-time)
  /// --dkim-key...: run_job signs each message (a first pass over it) before connecting.
  std::optional<dkim::SigningRequest> dkim;
  ConnectRoute route;  // proxies, --unix-socket, --haproxy-protocol, --tcp-fastopen...
};

/// How far the upload of a job's messages has got: the bytes of the messages read and
/// handed to the connection so far, out of `total` when every message's size is known.
struct UploadProgress {
  std::uint64_t sent = 0;
  std::optional<std::uint64_t> total;
};

/// What the user must see even without -v, as it happens (e.g. "continuing WITHOUT
/// encryption"). The CLI decides where it goes and whether -s silences it.
class Notices {
 public:
  virtual ~Notices() = default;
  virtual void warning(std::string_view text) = 0;
  /// A body starts (sent = the bytes before it) and after each chunk written (about every
  /// 128 KiB): often, so a receiver that draws something must throttle itself. Never throws.
  virtual void upload_progress(const UploadProgress& /*progress*/) noexcept {}
};

/// A dialogue that ended without every message accepted: its first failure, and what
/// became of each message, so that the report matches what the server stored.
class SendFailure : public Error {
 public:
  SendFailure(const Error& error, SendResult result) : Error(error), result_(std::move(result)) {}
  [[nodiscard]] const SendResult& result() const noexcept { return result_; }

 private:
  SendResult result_;
};

/// What to call message `index` of the job in reports: its file name, "standard input"...
[[nodiscard]] std::string message_name(const JobSpec& spec, std::size_t index);

/// Runs the job. Returns what the server accepted (every message).
/// Throws SendFailure when the dialogue ran but not every message was accepted, else
/// Error, with curl's code: 6, 7, 8, 9, 26, 28, 45, 49, 55, 56 (and the TLS codes).
[[nodiscard]] SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices);

/// How far a job got, for a caller that may try another server after a failure (--mx):
/// until `greeted`, the server never offered service, so trying another one cannot
/// deliver the message twice.
struct JobProgress {
  bool connected = false;  // the TCP connection was established
  ConnectInfo connection;  // when and where it was made, as far as the connect got (-w)
  std::optional<Clock::time_point> tls_connected;  // the TLS handshake ended (smtps, STARTTLS)
  /// The messages' bytes written, as sent (CRLF, dot-stuffed), without the end-of-data
  /// marks: curl's size_upload.
  std::uint64_t body_bytes_sent = 0;
  bool greeted = false;  // the server's greeting was 220
  bool tls = false;      // the dialogue ended inside TLS
  ServerFacts server;    // greeting, hello replies, STARTTLS and AUTH replies (--serverinfo)
  std::optional<TlsDetails> tls_details;  // what the TLS handshake showed, as far as it got
};

/// run_job, recording its progress in `progress` whether it returns or throws.
[[nodiscard]] SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices,
                                 JobProgress& progress);

/// Opens the connection a job talks over: open_connection, or a test's fake transport.
using Connector =
    std::function<std::unique_ptr<Transport>(const ConnectRequest& request, Tracer& tracer)>;

/// run_job over the transport `connect` returns instead of open_connection's (the seam for
/// tests that make each transport operation fail in turn). Throws like run_job.
[[nodiscard]] SendResult run_job(const JobSpec& spec, Tracer& tracer, Notices& notices,
                                 JobProgress& progress, const Connector& connect);

}  // namespace smtpc
