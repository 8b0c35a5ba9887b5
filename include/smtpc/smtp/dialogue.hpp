// What the Session and the job say to each other: the actions the job carries out and the
// outcome of each message. No I/O here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/smtp/reply.hpp"

namespace smtpc {

/// --quit-after STAGE (swaks's names): run the dialogue up to and including the stage, then
/// QUIT. Connect is the job's (nothing is said); Tls is the hello after STARTTLS (or the
/// first one when no TLS is used); Auth is after AUTH (or where it would be); Data stops at
/// DATA's 354 by closing the connection, which aborts the transaction (RFC 5321 §3.8).
enum class Stage { Connect, Greeting, Ehlo, Tls, Auth, Mail, Rcpt, Data };

[[nodiscard]] const char* to_string(Stage stage) noexcept;
/// "connect", "greeting", "ehlo", "tls", "auth", "mail", "rcpt", "data" (any case; "helo"
/// and "banner" too); nullopt otherwise.
[[nodiscard]] std::optional<Stage> parse_stage(std::string_view name) noexcept;

/// What is known of one message before it is sent.
struct MessageInfo {
  std::optional<std::uint64_t> size;  // SIZE= (RFC 1870), when known
  /// It may hold bytes over 127: BODY=8BITMIME when offered (RFC 6152). True when unknown.
  bool eight_bit = true;
  /// It holds NUL bytes: with CHUNKING and BINARYMIME offered, it goes as BODY=BINARYMIME,
  /// byte for byte (RFC 3030 §3).
  bool binary = false;
  /// It is known to hold a line over 998 characters (RFC 5321 §4.5.3.1.6), which servers
  /// may refuse: curl mode sends it as it is, with a warning.
  bool long_lines = false;
};

/// A recipient the server refused, with its reply.
struct RefusedRecipient {
  std::string address;
  Reply reply;
};

/// What became of one message: the report must say exactly what the server stored.
enum class MessageOutcome {
  NotSent,      // no transaction of it completed: never started, or the connection ended
  Accepted,     // the server answered 250 to the end of its data
  Refused,      // the server refused it: at MAIL, RCPT, DATA, BDAT or after the data
  Unconfirmed,  // its data ended but no reply came: it may or may not have been stored
};

/// The outcome of one message.
struct MessageResult {
  MessageOutcome outcome = MessageOutcome::NotSent;
  std::vector<std::string> accepted;
  std::vector<RefusedRecipient> refused;
  std::optional<Reply> final_reply;  // reply to the end of data
  std::optional<Error> error;        // why it is not Accepted
};

struct SendResult {
  std::vector<MessageResult> messages;  // SendMail: one per message, in order
  /// Lines a HELP or VRFY dialogue prints, as curl writes them: "214-..." each.
  std::vector<std::string> output;
};

/// How to read the next reply.
struct ReplyWait {
  /// Shorter than the usual per-reply timeout: after QUIT, giving up loses nothing.
  std::optional<std::chrono::milliseconds> timeout;
  /// Nothing may follow this reply (STARTTLS, RFC 3207 §5): bytes after it are refused as
  /// a possible command injection.
  bool must_end_input = false;
};

/// Send these commands (in this order, in one write), then read a reply as `wait` says
/// and feed it back.
struct SendCommands {
  std::vector<Command> commands;
  ReplyWait wait;
};
/// STARTTLS was accepted: do the handshake, then call on_tls_ready().
struct UpgradeTls {};
/// Send the body of message `message` (an index into the job's messages): after DATA's
/// 354 dot-stuffed with the end mark, or with `chunked` as BDAT commands (RFC 3030), the
/// last one "BDAT n LAST". Then call on_body_sent().
struct SendBody {
  std::size_t message = 0;
  bool chunked = false;
  bool binary = false;  // BODY=BINARYMIME: the bytes as they are, line ends untouched
};
/// The dialogue is over; close the connection.
struct Finished {
  SendResult result;
};
/// The dialogue failed; close the connection (QUIT has been sent when it could be).
/// `result` still tells which messages were accepted before the failure.
struct Failed {
  Error error;
  SendResult result;
};
using Action = std::variant<SendCommands, UpgradeTls, SendBody, Finished, Failed>;

}  // namespace smtpc
