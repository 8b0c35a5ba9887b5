// The SMTP client dialogue as a pure state machine: reply in, next step out (sans-I/O).
// RFC 5321 (SMTP), RFC 1870 (SIZE), RFC 3207 (STARTTLS).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smtpc/capabilities.hpp"
#include "smtpc/command.hpp"
#include "smtpc/error.hpp"
#include "smtpc/reply.hpp"

namespace smtpc {

/// What one connection is for (curl: upload, or no upload with or without recipients).
enum class SessionMode {
  SendMail,  // MAIL, RCPT..., DATA, body
  Help,      // no upload, no recipients: HELP
  Verify,    // no upload, recipients: VRFY each
};

/// curl's --ssl (Try) and --ssl-reqd (Required); Implicit is smtps://.
/// Opportunistic is Try without the plain-text warnings: STARTTLS when offered, as MTAs do
/// between each other (RFC 7435, RFC 3207); --mx uses it and reports the outcome itself.
enum class TlsPolicy { None, Try, Required, Implicit, Opportunistic };

/// The client side of SMTP AUTH (RFC 4954). An interface so that the core stays free of
/// crypto: the SASL implementation lives in the network library (SaslAuthenticator).
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  /// The AUTH command for the best mechanism among `offered` (upper-case EHLO AUTH
  /// keywords), or nullopt when none fits. Throws Error(FailedInit) for bad login options.
  [[nodiscard]] virtual std::optional<Command> start(const std::vector<std::string>& offered) = 0;
  /// The answer to a 334 challenge (its base64 text), or nullopt when the challenge cannot
  /// be decoded and the exchange must be cancelled. Throws Error(LoginDenied).
  [[nodiscard]] virtual std::optional<Command> respond(std::string_view challenge) = 0;
  /// After the server refused: AUTH with the next mechanism the user listed, if any.
  [[nodiscard]] virtual std::optional<Command> retry(const std::vector<std::string>& offered) = 0;
  /// The mechanism of the exchange under way, e.g. "PLAIN".
  [[nodiscard]] virtual std::string mechanism() const = 0;
};

struct AuthSettings {
  std::shared_ptr<Authenticator> authenticator;  // null: do not authenticate
  bool allow_plaintext = false;          // send credentials unencrypted to a non-loopback peer
  std::optional<std::string> mail_auth;  // --mail-auth: MAIL FROM's AUTH= (RFC 4954 §5)
};

/// What is known of one message before it is sent.
struct MessageInfo {
  std::optional<std::uint64_t> size;  // SIZE= (RFC 1870), when known
  /// It may hold bytes over 127: BODY=8BITMIME when offered (RFC 6152). True when unknown.
  bool eight_bit = true;
  /// It holds NUL bytes: with CHUNKING and BINARYMIME offered, it goes as BODY=BINARYMIME,
  /// byte for byte (RFC 3030 §3).
  bool binary = false;
};

struct SessionConfig {
  SessionMode mode = SessionMode::SendMail;
  std::string ehlo_name;
  std::string reverse_path;                // "" is the null reverse-path
  std::vector<std::string> forward_paths;  // normalised mailboxes
  bool allow_rcpt_failures = false;        // --mail-rcpt-allowfails
  /// SendMail: one entry per message, each sent to the same envelope on this connection.
  std::vector<MessageInfo> messages{MessageInfo{}};
  bool use_pipelining = true;  // PIPELINING when offered (RFC 2920); --no-pipelining
  bool use_chunking = true;    // CHUNKING/BDAT when offered (RFC 3030); --no-chunking
  bool smtputf8 = false;       // an envelope address is not ASCII (RFC 6531)
  TlsPolicy tls = TlsPolicy::None;
  AuthSettings auth;
  std::string peer_address;  // numeric; decides whether credentials may go unencrypted
};

enum class State {
  Greeting,
  Ehlo,
  Helo,
  StartTls,
  Auth,
  Rset,
  MailFrom,
  RcptTo,
  Data,
  Bdat,
  EndOfData,
  Help,
  Verify,
  Quit,
  Done,
};

[[nodiscard]] const char* to_string(State state) noexcept;

/// A recipient the server refused, with its reply.
struct RefusedRecipient {
  std::string address;
  Reply reply;
};

/// The outcome of one message.
struct MessageResult {
  std::vector<std::string> accepted;
  std::vector<RefusedRecipient> refused;
  std::optional<Reply> final_reply;  // reply to the end of data
  std::optional<Error> error;        // set when the message was NOT accepted
};

struct SendResult {
  std::vector<MessageResult> messages;  // SendMail: one per message, in order
  /// Lines a HELP or VRFY dialogue prints, as curl writes them: "214-..." each.
  std::vector<std::string> output;
};

/// Send these commands (in this order, in one write) and feed back their replies.
struct SendCommands {
  std::vector<Command> commands;
};
/// STARTTLS was accepted: do the handshake, then call on_tls_ready().
struct UpgradeTls {};
/// Send the message body: after DATA's 354 dot-stuffed with the end mark, or with
/// `chunked` as BDAT commands (RFC 3030), the last one "BDAT n LAST". Then call
/// on_body_sent().
struct SendBody {
  bool chunked = false;
  bool binary = false;  // BODY=BINARYMIME: the bytes as they are, line ends untouched
};
/// The dialogue is over; close the connection.
struct Finished {
  SendResult result;
};
/// The dialogue failed; close the connection (QUIT has been sent when it could be).
struct Failed {
  Error error;
};
using Action = std::variant<SendCommands, UpgradeTls, SendBody, Finished, Failed>;

/// Drives one SMTP connection. It never blocks and does no I/O: the job feeds it
/// each reply and carries out the Action it returns.
class Session {
 public:
  explicit Session(SessionConfig config);

  /// The server's next reply. Never throws.
  [[nodiscard]] Action on_reply(const Reply& reply);
  /// The TLS handshake after STARTTLS succeeded: forget the capabilities, EHLO again.
  [[nodiscard]] Action on_tls_ready();
  /// The body has been written (as `bdat_commands` BDAT commands when chunked). Returns
  /// what may follow at once: with PIPELINING, QUIT or the next message's commands.
  [[nodiscard]] Action on_body_sent(std::size_t bdat_commands = 0);
  /// The server closed the connection. In Quit, that ends the dialogue as planned;
  /// elsewhere it is Error(RecvError).
  [[nodiscard]] Action on_connection_closed();

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] const Capabilities& capabilities() const noexcept { return capabilities_; }
  /// Warnings for the user (printed even without -v), drained by the caller.
  [[nodiscard]] std::vector<std::string> take_warnings();

 private:
  void enter(State next);  // the only way state_ changes
  /// A reply still to come for a command of the mail transaction phase.
  struct Pending {
    State kind;
    std::size_t message = 0;
    std::size_t recipient = 0;
  };
  enum class Stage { Envelope, Body };
  Action begin_transaction();
  void queue(Command command, Pending pending);
  Action flush();
  Action advance();
  Action next_message();
  Action on_transaction_reply(const Pending& pending, const Reply& reply);
  void fail_message(std::size_t message, Error error);
  Error with_utf8_note(Error error) const;
  Action quit_with(Error error);
  Action quit_successfully();
  Action finish();
  Action fail_now(Error error);
  Action on_greeting(const Reply& reply);
  Action on_ehlo(const Reply& reply);
  Action on_helo(const Reply& reply);
  Action on_starttls(const Reply& reply);
  Action start_auth();
  Action on_auth(const Reply& reply);
  Action after_auth();
  Action on_help(const Reply& reply);
  Action on_verify(const Reply& reply);
  Action after_hello();
  Action send(Command command);

  SessionConfig config_;
  State state_ = State::Greeting;
  Capabilities capabilities_;
  bool tls_active_ = false;
  bool starttls_refused_ = false;  // --ssl: carry on in plain text
  bool authenticated_ = false;
  bool auth_skipped_ = false;  // the server offers no AUTH
  std::size_t auth_rounds_ = 0;
  std::optional<Error> auth_cancelled_;  // sent "*"; reported after the server's reply
  std::size_t next_recipient_ = 0;       // VRFY
  SendResult result_;
  // Mail transaction phase: replies still expected, in order, and commands not yet sent
  // (without PIPELINING they go one at a time).
  std::deque<Pending> pending_;
  std::deque<std::pair<Command, Pending>> outbox_;
  bool pipelining_ = false;
  bool chunking_ = false;
  bool binary_body_ = false;  // the current message goes as BINARYMIME
  std::size_t message_ = 0;   // the message whose envelope is under way
  Stage stage_ = Stage::Envelope;
  bool reset_needed_ = false;           // a transaction ended without its body: RSET first
  std::optional<Error> pending_error_;  // reported after QUIT
  std::vector<std::string> warnings_;
};

}  // namespace smtpc
