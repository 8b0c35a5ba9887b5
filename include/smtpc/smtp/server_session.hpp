// The server side of SMTP, sans I/O, for `sendmail -bs` (Symfony Mailer's and Laravel's
// default transport): a local client speaks SMTP on standard input and output. It accepts
// EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, HELP and QUIT with PIPELINING, 8BITMIME and
// SMTPUTF8; it refuses AUTH and STARTTLS (the client is local). The driver feeds it lines
// and does the delivery: 250 after the data only once the driver says the message is safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

/// One message as the client gave it: the envelope (the body went out as BodyData).
struct ServerTransaction {
  std::string reverse_path;  // "" for the null path <>
  std::vector<std::string> forward_paths;
};

/// What the driver does after one line.
struct ServerStep {
  enum class Action {
    Reply,      // write `text`
    BodyData,   // append `text` (one line of the message, unstuffed, ending in CRLF)
    EndOfData,  // deliver transaction(), then write on_delivered()'s reply
    Close,      // write `text`, then end the session
  };
  Action action = Action::Reply;
  std::string text;
};

class ServerSession {
 public:
  explicit ServerSession(std::string host_name);

  /// The 220 greeting, written first.
  [[nodiscard]] std::string greeting() const;
  /// One line from the client without its line end (CRLF or LF).
  [[nodiscard]] ServerStep on_line(std::string_view line);
  /// The message of the last EndOfData: accepted (queued or relayed) or not, with the
  /// reply to give ("250 2.0.0 ...", "451 4.3.0 ...", "554 5.0.0 ..."). Ends the transaction.
  [[nodiscard]] std::string on_delivered(bool accepted, std::string_view why);
  /// The transaction whose data just ended.
  [[nodiscard]] const ServerTransaction& transaction() const noexcept { return transaction_; }

  /// Longest command line accepted (RFC 5321 §4.5.3.1.4: 512 with CRLF; more for the
  /// parameters of extensions).
  static constexpr std::size_t kMaxCommandLine = 2048;
  static constexpr std::size_t kMaxRecipients = 1000;

 private:
  enum class State { Greeted, Ready, InMail, InData, AwaitingDelivery };
  ServerStep command(std::string_view verb, std::string_view argument);
  ServerStep mail(std::string_view argument);
  ServerStep rcpt(std::string_view argument);
  ServerStep data_line(std::string_view line);

  std::string host_name_;
  State state_ = State::Greeted;
  ServerTransaction transaction_;
};

}  // namespace smtpc
