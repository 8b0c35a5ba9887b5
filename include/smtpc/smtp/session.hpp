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

#include "smtpc/core/error.hpp"
#include "smtpc/smtp/capabilities.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/smtp/dialogue.hpp"
#include "smtpc/smtp/dsn.hpp"
#include "smtpc/smtp/reply.hpp"
#include "smtpc/smtp/transactions.hpp"

namespace smtpc {

/// What one connection is for (curl: upload, or no upload with or without recipients).
enum class SessionMode {
  SendMail,  // MAIL, RCPT..., DATA, body
  Help,      // no upload, no recipients: HELP
  Verify,    // no upload, recipients: VRFY each
};

/// What the server said about itself, for --serverinfo: recorded as the dialogue goes.
struct ServerFacts {
  std::optional<Reply> greeting;
  std::optional<Reply> hello_plain;  // EHLO (or HELO) before TLS
  std::optional<Reply> hello_tls;    // EHLO (or HELO) inside TLS
  bool ehlo_refused = false;         // only HELO worked
  std::optional<Reply> starttls;     // the reply to STARTTLS
  std::optional<Reply> auth;         // the final reply to AUTH
  std::string auth_mechanism;        // the mechanism that reply ended
};

/// curl's --ssl (Try) and --ssl-reqd (Required); Implicit is smtps://.
/// Opportunistic is Try without the plain-text warnings: STARTTLS when offered, as MTAs do
/// between each other (RFC 7435, RFC 3207); --mx uses it and reports the outcome itself.
enum class TlsPolicy { None, Try, Required, Implicit, Opportunistic };

/// The client side of SMTP AUTH (RFC 4954): the Session asks, SaslAuthenticator
/// (auth/sasl.hpp) answers. Both are pure; CRAM-MD5's HMAC-MD5 is passed in.
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
  /// After the client cancelled an exchange whose challenge it could not decode: AUTH with
  /// the next usable mechanism, whatever the user listed (curl's "SASL downgrade").
  [[nodiscard]] virtual std::optional<Command> downgrade(const std::vector<std::string>& offered) {
    (void)offered;
    return std::nullopt;
  }
  /// What the server's last challenge said when it reports a failure (OAUTHBEARER's and
  /// XOAUTH2's JSON), for the error message; empty when nothing.
  [[nodiscard]] virtual std::string failure_detail() const { return {}; }
};

struct AuthSettings {
  std::shared_ptr<Authenticator> authenticator;  // null: do not authenticate
  bool allow_plaintext = false;          // send credentials unencrypted to a non-loopback peer
  std::optional<std::string> mail_auth;  // --mail-auth: MAIL FROM's AUTH= (RFC 4954 §5)
};

struct SessionConfig {
  SessionMode mode = SessionMode::SendMail;
  std::string ehlo_name;
  std::string reverse_path;                // "" is the null reverse-path
  std::vector<std::string> forward_paths;  // normalised mailboxes
  /// ESMTP parameters written after the addresses: on MAIL and RCPT, as written (not VRFY).
  WrittenParameters address_parameters;
  bool allow_rcpt_failures = false;  // --mail-rcpt-allowfails
  /// SendMail: one entry per message, each sent to the same envelope on this connection.
  std::vector<MessageInfo> messages{MessageInfo{}};
  bool use_pipelining = true;  // PIPELINING when offered (RFC 2920); --no-pipelining
  bool use_chunking = true;    // CHUNKING/BDAT when offered (RFC 3030); --no-chunking
  bool smtputf8 = false;       // an envelope address is not ASCII (RFC 6531)
  /// -X VERB for Help and Verify modes (curl's CURLOPT_CUSTOMREQUEST): sent instead of
  /// HELP, or instead of VRFY before each recipient as given.
  std::string custom_request;
  TlsPolicy tls = TlsPolicy::None;
  AuthSettings auth;
  std::string peer_address;  // numeric; decides whether credentials may go unencrypted
  DsnRequest dsn;            // --dsn-*: sent only when the server offers DSN
  /// --quit-after (never Connect here: the job stops before the Session starts). At Mail,
  /// Rcpt and Data, only the first message's envelope is sent, and no body.
  std::optional<Stage> quit_after;
};

/// Where the dialogue is. The mail transactions keep their own account of which reply
/// they await (MailTransactions).
enum class State {
  Greeting,
  Ehlo,
  Helo,
  StartTls,
  Auth,
  Help,
  Verify,
  Transactions,  // MAIL, RCPT, DATA/BDAT, bodies, then QUIT
  Quit,
  Done,
};

[[nodiscard]] const char* to_string(State state) noexcept;

/// Drives one SMTP connection. It never blocks and does no I/O: the job feeds it
/// each reply and carries out the Action it returns.
class Session {
 public:
  explicit Session(SessionConfig config);

  /// The server's next reply. Never throws.
  [[nodiscard]] Action on_reply(const Reply& reply);
  /// The TLS handshake after STARTTLS succeeded: forget the capabilities, EHLO again.
  [[nodiscard]] Action on_tls_ready();
  /// The body asked for by the last SendBody has been written (as `bdat_commands` BDAT
  /// commands when chunked). Returns what may follow at once: with PIPELINING, QUIT or the
  /// next message's commands.
  [[nodiscard]] Action on_body_sent(std::size_t bdat_commands = 0);
  /// The server closed the connection. After QUIT, that ends the dialogue as planned;
  /// elsewhere it is Error(RecvError).
  [[nodiscard]] Action on_connection_closed();
  /// The connection failed (timeout, reset) with `error`: Failed, with what is known of
  /// each message; after QUIT, the planned end.
  [[nodiscard]] Action on_connection_lost(Error error);

  [[nodiscard]] State state() const noexcept { return state_; }
  /// What the next reply answers, for messages: "the greeting", "the reply to RCPT TO",
  /// "the reply to the end of data"...
  [[nodiscard]] std::string awaited_reply() const;
  /// The server greeted with 220: it offered service (--mx may try another server only
  /// before that, so that no message can arrive twice).
  [[nodiscard]] bool greeted() const noexcept { return greeted_; }
  [[nodiscard]] const Capabilities& capabilities() const noexcept { return capabilities_; }
  [[nodiscard]] const ServerFacts& facts() const noexcept { return facts_; }
  /// Warnings for the user (printed even without -v), drained by the caller.
  [[nodiscard]] std::vector<std::string> take_warnings();

 private:
  void enter(State next);  // the only way state_ changes
  Action quit_with(Error error);
  Action send_quit();
  Action finish();
  Action fail_now(Error error);
  /// Notes the end of the dialogue when the transactions report it.
  Action settle(Action action);
  /// Says how the next reply is to be read: every action leaves through here.
  Action with_reply_wait(Action action) const;
  [[nodiscard]] bool awaiting_quit() const noexcept;
  Action dispatch(const Reply& reply);
  Action on_greeting(const Reply& reply);
  Action on_ehlo(const Reply& reply);
  Action on_helo(const Reply& reply);
  Action on_starttls(const Reply& reply);
  Action start_auth();
  Action on_auth(const Reply& reply);
  Action after_auth();
  Action on_help(const Reply& reply);
  Action on_verify(const Reply& reply);
  [[nodiscard]] Command verify_command() const;
  Action after_hello();
  Action send(Command command);
  [[nodiscard]] bool quits_after(Stage stage) const noexcept;

  SessionConfig config_;
  State state_ = State::Greeting;
  Capabilities capabilities_;
  bool greeted_ = false;
  bool tls_active_ = false;
  bool starttls_refused_ = false;  // --ssl: carry on in plain text
  bool authenticated_ = false;
  bool auth_skipped_ = false;  // the server offers no AUTH
  std::size_t auth_rounds_ = 0;
  bool auth_downgrade_ = false;  // the cancelled exchange may give way to the next mechanism
  std::optional<Error> auth_cancelled_;  // sent "*"; reported after the server's reply
  std::size_t next_recipient_ = 0;       // VRFY
  SendResult result_;                    // HELP and VRFY output
  std::optional<MailTransactions> transactions_;
  std::optional<Error> pending_error_;  // reported after QUIT
  std::vector<std::string> warnings_;
  ServerFacts facts_;
};

}  // namespace smtpc
