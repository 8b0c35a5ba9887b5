// The mail transaction phase: MAIL, RCPT, DATA or BDAT, the end of data, RSET and QUIT
// (RFC 5321 §3.3, §4.1.1.5), pipelined (RFC 2920) when allowed. Exit codes follow curl.
#include "smtpc/smtp/transactions.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace smtpc {
namespace {

// RFC 5321 §4.2.2 and §3.8: 421 means the server is closing the connection.
constexpr int kServiceClosing = 421;
// RFC 5321 §4.2.2: "bad sequence of commands"; strict servers (Haraka) send it for
// commands that arrived together with the end of a message's data.
constexpr int kBadSequence = 503;

}  // namespace

MailTransactions::MailTransactions(TransactionSettings settings)
    : settings_(std::move(settings)),
      results_(settings_.messages.size()),
      retried_(settings_.messages.size(), false) {}

Action MailTransactions::start() {
  if (settings_.messages.empty()) return quit(false);
  return begin(0, false);
}

bool MailTransactions::awaiting_quit() const noexcept {
  return !awaited_.empty() && awaited_.front().step == Step::Quit;
}

const char* MailTransactions::awaited_command() const noexcept {
  if (awaited_.empty()) return "";
  switch (awaited_.front().step) {
    case Step::Mail:
      return "MAIL FROM";
    case Step::Recipient:
      return "RCPT TO";
    default:
      return name_of(awaited_.front().step);
  }
}

const char* MailTransactions::name_of(Step step) noexcept {
  switch (step) {
    case Step::Reset:
      return "RSET";
    case Step::Mail:
      return "MAIL";
    case Step::Recipient:
      return "RCPT";
    case Step::Data:
      return "DATA";
    case Step::Chunk:
      return "BDAT";
    case Step::EndOfData:
      return "the end of data";
    case Step::Quit:
      return "QUIT";
  }
  return "";
}

Action MailTransactions::begin(std::size_t message, bool behind_body) {
  current_ = message;
  envelope_open_ = true;
  sent_too_early_ = false;
  if (reset_needed_) {
    // RFC 5321 §4.1.1.5: clear what is left of an abandoned transaction.
    queue(simple_command("RSET"), {Step::Reset, message, 0, behind_body});
    reset_needed_ = false;
  }
  const MessageInfo& info = settings_.messages.at(message);
  MailParameters parameters;
  parameters.written = settings_.address_parameters.reverse_path;
  // As curl: no SIZE for an empty message (its "infilesize > 0").
  if (settings_.size && info.size && *info.size > 0) parameters.size = info.size;
  parameters.eight_bit_mime = info.eight_bit && settings_.eightbitmime;
  parameters.binary_mime = info.binary && settings_.chunking && settings_.binarymime;
  parameters.smtputf8 = settings_.smtputf8;
  parameters.auth = settings_.mail_auth;
  RcptParameters rcpt_parameters;
  if (settings_.dsn) {
    parameters.dsn_ret = settings_.dsn->ret;
    parameters.dsn_envid = settings_.dsn->envid;
    rcpt_parameters.dsn_notify = settings_.dsn->notify;
    rcpt_parameters.dsn_orcpt = true;
  }
  queue(mail_from_command(settings_.reverse_path, parameters),
        {Step::Mail, message, 0, behind_body});
  if (settings_.stop_after == Stage::Mail) return flush();
  for (std::size_t i = 0; i < settings_.forward_paths.size(); ++i) {
    rcpt_parameters.written = settings_.address_parameters.of(settings_.forward_paths[i]);
    queue(rcpt_to_command(settings_.forward_paths[i], rcpt_parameters),
          {Step::Recipient, message, i, behind_body});
  }
  if (settings_.stop_after == Stage::Rcpt) return flush();
  // With CHUNKING the body follows the envelope's replies as BDAT commands. DATA waits for
  // them too when a refused recipient must fail the message but others may be accepted and
  // more messages follow: a 354 could then only be undone by dropping the connection
  // (RFC 2920 §3.1), and the later messages with it. For the last one that costs nothing.
  data_waits_ = !settings_.chunking && settings_.pipelining && !settings_.allow_rcpt_failures &&
                settings_.forward_paths.size() > 1 && message + 1 < settings_.messages.size();
  if (!settings_.chunking && !data_waits_) {
    queue(simple_command("DATA"), {Step::Data, message, 0, behind_body});
  }
  return flush();
}

void MailTransactions::queue(Command command, Awaited awaited) {
  unsent_.emplace_back(std::move(command), awaited);
}

Action MailTransactions::flush() {
  // RFC 2920 §3.1: with PIPELINING the whole group goes in one write; without it, one
  // command and then its reply.
  SendCommands send;
  while (!unsent_.empty() && (settings_.pipelining || send.commands.empty())) {
    send.commands.push_back(std::move(unsent_.front().first));
    awaited_.push_back(unsent_.front().second);
    unsent_.pop_front();
  }
  return send;
}

Action MailTransactions::on_reply(const Reply& reply) {
  if (awaited_.empty()) {
    return fail(Error(ExitCode::WeirdServerReply,
                      describe_with_reply("unexpected reply: no command awaits one", reply),
                      reply));
  }
  const Awaited awaited = awaited_.front();
  awaited_.pop_front();
  if (awaited.step == Step::Quit) {
    return finished();
  }
  const bool ignored = sent_too_early_ && awaited.message == current_;
  if (reply.code.value() == kServiceClosing) return on_service_closing(awaited, ignored, reply);
  std::optional<Action> next;
  switch (awaited.step) {
    case Step::Reset:
      break;  // whatever it says, MAIL will tell
    case Step::Mail:
      on_mail_reply(awaited, reply);
      break;
    case Step::Recipient:
      if (!ignored) on_recipient_reply(awaited, reply);
      break;
    case Step::Data:
      next = on_data_reply(awaited, ignored, reply);
      break;
    case Step::Chunk:
      if (!reply.code.positive()) {
        refuse(awaited.message,
               Error(ExitCode::SendError, describe_with_reply("BDAT failed", reply), reply));
      }
      break;
    case Step::EndOfData:
      on_end_of_data_reply(awaited, reply);
      break;
    case Step::Quit:
      break;
  }
  return next ? std::move(*next) : advance();
}

Action MailTransactions::on_service_closing(const Awaited& awaited, bool ignored,
                                            const Reply& reply) {
  Error error(awaited.step == Step::EndOfData ? ExitCode::WeirdServerReply : ExitCode::SendError,
              describe_with_reply(fmt::format("the server is closing the connection (reply to {})",
                                              name_of(awaited.step)),
                                  reply),
              reply);
  if (awaited.step != Step::Reset && !ignored) refuse(awaited.message, error);
  return fail(error);
}

void MailTransactions::on_mail_reply(const Awaited& awaited, const Reply& reply) {
  if (reply.code.positive()) return;
  if (awaited.behind_body && reply.code.value() == kBadSequence && !retried_.at(awaited.message)) {
    sent_too_early_ = true;  // not the message's fault: it goes again (advance)
    return;
  }
  refuse(awaited.message,
         with_utf8_note(
             Error(ExitCode::SendError, describe_with_reply("MAIL FROM failed", reply), reply)));
}

void MailTransactions::on_recipient_reply(const Awaited& awaited, const Reply& reply) {
  MessageResult& result = results_.at(awaited.message);
  const std::string& address = settings_.forward_paths.at(awaited.recipient);
  if (reply.code.positive()) {
    result.accepted.push_back(address);
  } else {
    result.refused.push_back({address, reply});
    if (!settings_.allow_rcpt_failures) {
      refuse(awaited.message,
             with_utf8_note(Error(
                 ExitCode::SendError,
                 describe_with_reply(fmt::format("RCPT TO <{}> failed", address), reply), reply)));
    }
  }
  if (awaited.recipient + 1 == settings_.forward_paths.size() && result.accepted.empty() &&
      !result.refused.empty()) {
    // curl's rule with --mail-rcpt-allowfails: fail only when every recipient was refused.
    const RefusedRecipient& last = result.refused.back();
    refuse(
        awaited.message,
        Error(ExitCode::SendError,
              describe_with_reply(
                  fmt::format("every recipient was refused; last, <{}>", last.address), last.reply),
              last.reply));
  }
}

std::optional<Action> MailTransactions::on_data_reply(const Awaited& awaited, bool ignored,
                                                      const Reply& reply) {
  const MessageResult& result = results_.at(awaited.message);
  if (reply.code.value() != 354) {
    if (!ignored) {
      refuse(awaited.message,
             Error(ExitCode::SendError, describe_with_reply("DATA failed", reply), reply));
    }
    return std::nullopt;
  }
  if (result.error || ignored) {
    // Pipelined DATA was accepted although the envelope failed. Ending the data now would
    // deliver an empty or unwanted message: drop the connection instead, and the server
    // discards the transaction (RFC 5321 §3.8).
    return fail(result.error ? *result.error
                             : Error(ExitCode::WeirdServerReply,
                                     "the server accepted DATA after refusing MAIL FROM"));
  }
  envelope_open_ = false;
  if (settings_.stop_after == Stage::Data) {
    // --quit-after data: QUIT now would be read as message text; dropping the connection
    // makes the server discard the transaction (RFC 5321 §3.8).
    return finished();
  }
  return SendBody{awaited.message, false, false};
}

void MailTransactions::on_end_of_data_reply(const Awaited& awaited, const Reply& reply) {
  MessageResult& result = results_.at(awaited.message);
  result.final_reply = reply;
  if (reply.code.value() != 250) {
    refuse(awaited.message,
           Error(ExitCode::WeirdServerReply,
                 describe_with_reply("the message was NOT accepted", reply), reply));
  } else if (!result.error) {
    result.outcome = MessageOutcome::Accepted;
  }
}

Action MailTransactions::advance() {
  if (!awaited_.empty()) return SendCommands{};  // nothing to send: read the next reply
  if (!unsent_.empty()) return flush();
  if (envelope_open_) {
    // Every reply to the current envelope is in, and none was DATA's 354.
    if (sent_too_early_) {
      // The server refused the envelope for arriving with the previous data's end: send it
      // again, and from now on wait for each end of data before the next envelope.
      retried_.at(current_) = true;
      envelope_behind_body_ = false;
      reset_needed_ = true;
      return begin(current_, false);
    }
    const MessageResult& result = results_.at(current_);
    if (!result.error && data_waits_) {
      data_waits_ = false;
      queue(simple_command("DATA"), {Step::Data, current_, 0, false});
      return flush();
    }
    envelope_open_ = false;
    if (!result.error && settings_.chunking) {
      const MessageInfo& info = settings_.messages.at(current_);
      return SendBody{current_, true, info.binary && settings_.binarymime};
    }
    reset_needed_ = true;  // a failed envelope: no body was sent
  }
  return next_message();
}

Action MailTransactions::next_message() {
  if (current_ + 1 < settings_.messages.size()) return begin(current_ + 1, false);
  return quit(false);
}

Action MailTransactions::quit(bool behind_body) {
  queue(simple_command("QUIT"), {Step::Quit, current_, 0, behind_body});
  return flush();
}

Action MailTransactions::on_body_sent(std::size_t bdat_commands) {
  const std::size_t message = current_;
  for (std::size_t i = 1; i < bdat_commands; ++i) {
    awaited_.push_back({Step::Chunk, message, 0, false});
  }
  awaited_.push_back({Step::EndOfData, message, 0, false});
  envelope_open_ = false;
  if (!settings_.pipelining || !envelope_behind_body_) return SendCommands{};
  // RFC 2920 §3.1: the end of the data may be followed at once by the next group.
  if (current_ + 1 < settings_.messages.size()) return begin(current_ + 1, true);
  return quit(true);
}

Action MailTransactions::on_connection_lost(Error error) {
  if (done_ || awaiting_quit()) {
    return finished();
  }
  return fail(std::move(error));
}

void MailTransactions::refuse(std::size_t message, Error error) {
  MessageResult& result = results_.at(message);
  if (result.error) return;  // the first failure is the one to report
  result.error = std::move(error);
  result.outcome = MessageOutcome::Refused;
  // Commands of this transaction not yet sent never will be.
  std::erase_if(unsent_, [&](const auto& entry) { return entry.second.message == message; });
}

Error MailTransactions::with_utf8_note(Error error) const {
  if (!settings_.smtputf8_missing) return error;
  return Error(error.code(),
               std::string(error.what()) +
                   " (the server does not support SMTPUTF8, which a non-ASCII address needs)",
               error.reply());
}

Action MailTransactions::finished() {
  done_ = true;
  // Nothing is asked of the transactions after they finish: the results move out.
  return Finished{SendResult{std::move(results_), {}}};
}

Action MailTransactions::fail(Error error) {
  done_ = true;
  SendResult settled = settled_results(error);
  return Failed{std::move(error), std::move(settled)};
}

SendResult MailTransactions::settled_results(const Error& error) const {
  SendResult settled{results_, {}};
  for (std::size_t i = 0; i < settled.messages.size(); ++i) {
    MessageResult& result = settled.messages[i];
    if (result.outcome == MessageOutcome::Accepted || result.outcome == MessageOutcome::Refused) {
      continue;
    }
    const bool data_ended = std::any_of(awaited_.begin(), awaited_.end(), [&](const Awaited& a) {
      return a.step == Step::EndOfData && a.message == i;
    });
    if (data_ended) {
      // RFC 5321 §6.1: the server may have stored it; only its reply was lost.
      result.outcome = MessageOutcome::Unconfirmed;
      result.error = Error(FailureKind::Unconfirmed, error.code(),
                           fmt::format("its data was sent but not answered, so it may have been "
                                       "delivered: {}",
                                       error.what()),
                           error.reply());
    } else {
      result.outcome = MessageOutcome::NotSent;
      result.error = error;
    }
  }
  return settled;
}

}  // namespace smtpc
