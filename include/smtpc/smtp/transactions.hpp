// The mail transaction phase of one connection (RFC 5321 §3.3): one transaction per
// message, in order, pipelined when allowed (RFC 2920), bodies by DATA or BDAT (RFC 3030).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "smtpc/smtp/command.hpp"
#include "smtpc/smtp/dialogue.hpp"
#include "smtpc/smtp/dsn.hpp"

namespace smtpc {

struct TransactionSettings {
  std::string reverse_path;                // "" is the null reverse-path
  std::vector<std::string> forward_paths;  // the same envelope for every message
  WrittenParameters address_parameters;    // written after the addresses, passed on
  std::vector<MessageInfo> messages;       // one per message, in order
  bool allow_rcpt_failures = false;        // --mail-rcpt-allowfails
  bool pipelining = false;                 // allowed by the user and offered by the server
  bool chunking = false;                   // BDAT: allowed, offered, and pipelining
  bool binarymime = false;                 // offered (with chunking)
  bool size = false;                       // SIZE offered
  bool eightbitmime = false;               // 8BITMIME offered
  bool smtputf8 = false;                   // declare SMTPUTF8 on MAIL FROM
  bool smtputf8_missing = false;           // an address needs SMTPUTF8 and the server lacks it
  std::optional<std::string> mail_auth;    // MAIL FROM's AUTH= (RFC 4954 §5)
  std::optional<DsnRequest> dsn;           // requested and offered (RFC 3461)
  /// --quit-after mail, rcpt or data: the envelope up to that command, then QUIT (after
  /// DATA's 354: Finished at once, and the job drops the connection). No body is sent.
  std::optional<Stage> stop_after;
};

/// Sends every message of a connection and ends it with QUIT. It alone knows which
/// message each command, reply and body belongs to: every reply is matched to the command
/// it answers, and a body goes out only after its own transaction's envelope was accepted.
///
/// A strict server (e.g. Haraka) answers 503 to commands that arrive with the end of the
/// previous message's data. Such a refusal says nothing of the message: it is sent again,
/// and for the rest of the connection no envelope follows a body without waiting.
class MailTransactions {
 public:
  explicit MailTransactions(TransactionSettings settings);

  /// The first transaction's commands.
  [[nodiscard]] Action start();
  /// The reply to the oldest command not yet answered.
  [[nodiscard]] Action on_reply(const Reply& reply);
  /// The body asked for by the last SendBody has been written (as `bdat_commands` BDAT
  /// commands when chunked). Returns what may follow at once: with PIPELINING, QUIT or the
  /// next envelope.
  [[nodiscard]] Action on_body_sent(std::size_t bdat_commands);
  /// The connection ended, or could not be used, with `error`. After QUIT's reply was the
  /// only one missing, that is the planned end (Finished); otherwise Failed, with each
  /// message's outcome as far as it is known.
  [[nodiscard]] Action on_connection_lost(Error error);

  /// QUIT has been sent and nothing else is awaited: losing the connection loses nothing.
  [[nodiscard]] bool awaiting_quit() const noexcept;
  /// The command whose reply comes next, e.g. "RCPT TO" or "the end of data" ("" when
  /// none is awaited).
  [[nodiscard]] const char* awaited_command() const noexcept;

 private:
  enum class Step { Reset, Mail, Recipient, Data, Chunk, EndOfData, Quit };
  /// A command sent (or still to send) whose reply is awaited.
  struct Awaited {
    Step step;
    std::size_t message = 0;
    std::size_t recipient = 0;
    bool behind_body = false;  // written right behind the end of another message's data
  };

  [[nodiscard]] static const char* name_of(Step step) noexcept;
  Action begin(std::size_t message, bool behind_body);
  // The replies to each step (on_reply): what they make of the message they belong to.
  // `ignored`: the reply belongs to an envelope refused for arriving behind a data end,
  // which is sent again (on_mail_reply).
  Action on_service_closing(const Awaited& awaited, bool ignored, const Reply& reply);
  void on_mail_reply(const Awaited& awaited, const Reply& reply);
  void on_recipient_reply(const Awaited& awaited, const Reply& reply);
  std::optional<Action> on_data_reply(const Awaited& awaited, bool ignored, const Reply& reply);
  void on_end_of_data_reply(const Awaited& awaited, const Reply& reply);
  void queue(Command command, Awaited awaited);
  Action flush();
  Action advance();
  Action next_message();
  Action quit(bool behind_body);
  void refuse(std::size_t message, Error error);
  [[nodiscard]] Error with_utf8_note(Error error) const;
  /// The planned end (QUIT answered, or --quit-after data): Finished, with the results
  /// moved out; the transactions are over.
  [[nodiscard]] Action finished();
  [[nodiscard]] Action fail(Error error);
  [[nodiscard]] SendResult settled_results(const Error& error) const;

  TransactionSettings settings_;
  std::vector<MessageResult> results_;
  std::deque<Awaited> awaited_;                     // sent, in order
  std::deque<std::pair<Command, Awaited>> unsent_;  // without PIPELINING: one at a time
  std::size_t current_ = 0;                         // the message whose envelope was sent last
  bool envelope_open_ = false;                      // its envelope's replies decide what comes next
  bool data_waits_ = false;                         // its DATA goes after the recipients' replies
  bool sent_too_early_ = false;       // its envelope was refused for arriving with a data end
  std::vector<bool> retried_;         // per message: sent again after such a refusal
  bool envelope_behind_body_ = true;  // may an envelope follow a body without waiting?
  bool reset_needed_ = false;         // a transaction ended without its body: RSET first
  bool done_ = false;
};

}  // namespace smtpc
