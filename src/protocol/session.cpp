// The client side of RFC 5321 §3 (greeting, EHLO/HELO, mail transaction, QUIT), with
// STARTTLS (RFC 3207) and SIZE (RFC 1870). Exit codes follow curl's lib/smtp.c.
#include "smtpc/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <utility>

#include "smtpc/auth_policy.hpp"

namespace smtpc {

const char* to_string(State state) noexcept {
  switch (state) {
    case State::Greeting:
      return "GREETING";
    case State::Ehlo:
      return "EHLO";
    case State::Helo:
      return "HELO";
    case State::StartTls:
      return "STARTTLS";
    case State::Auth:
      return "AUTH";
    case State::Rset:
      return "RSET";
    case State::MailFrom:
      return "MAIL";
    case State::RcptTo:
      return "RCPT";
    case State::Data:
      return "DATA";
    case State::Bdat:
      return "BDAT";
    case State::EndOfData:
      return "POSTDATA";
    case State::Help:
      return "HELP";
    case State::Verify:
      return "VRFY";
    case State::Quit:
      return "QUIT";
    case State::Done:
      return "DONE";
  }
  return "?";
}

Session::Session(SessionConfig config) : config_(std::move(config)) {
  tls_active_ = config_.tls == TlsPolicy::Implicit;
}

std::vector<std::string> Session::take_warnings() { return std::exchange(warnings_, {}); }

void Session::enter(State next) { state_ = next; }

Action Session::send(Command command) { return SendCommands{{std::move(command)}}; }

Action Session::on_reply(const Reply& reply) {
  if (!pending_.empty()) {
    const Pending pending = pending_.front();
    pending_.pop_front();
    return on_transaction_reply(pending, reply);
  }
  switch (state_) {
    case State::Greeting:
      return on_greeting(reply);
    case State::Ehlo:
      return on_ehlo(reply);
    case State::Helo:
      return on_helo(reply);
    case State::StartTls:
      return on_starttls(reply);
    case State::Auth:
      return on_auth(reply);
    case State::Rset:
    case State::MailFrom:
    case State::RcptTo:
    case State::Data:
    case State::Bdat:
    case State::EndOfData:
      break;  // only ever expected through pending_
    case State::Help:
      return on_help(reply);
    case State::Verify:
      return on_verify(reply);
    case State::Quit:
      return finish();
    case State::Done:
      break;
  }
  return fail_now(Error(ExitCode::WeirdServerReply,
                        describe_with_reply("unexpected reply after the dialogue ended", reply),
                        reply));
}

Action Session::on_greeting(const Reply& reply) {
  if (reply.code.value() != 220) {
    // RFC 5321 §3.1: after a 554 greeting the client should still send QUIT.
    return quit_with(Error(ExitCode::WeirdServerReply,
                           describe_with_reply("server greeting refused the connection", reply),
                           reply));
  }
  enter(State::Ehlo);
  return send(ehlo_command(config_.ehlo_name));
}

Action Session::on_ehlo(const Reply& reply) {
  if (reply.code.positive()) {
    capabilities_ = Capabilities::from_ehlo(reply);
    return after_hello();
  }
  if (config_.tls == TlsPolicy::Required && !tls_active_) {
    // Without EHLO there is no STARTTLS; HELO would only lead to plain text.
    return quit_with(Error(ExitCode::UseSslFailed,
                           describe_with_reply("EHLO refused, so STARTTLS is impossible", reply),
                           reply));
  }
  // RFC 5321 §4.1.4: a server that does not know EHLO may still know HELO.
  enter(State::Helo);
  return send(helo_command(config_.ehlo_name));
}

Action Session::on_helo(const Reply& reply) {
  if (!reply.code.positive()) {
    return quit_with(
        Error(ExitCode::RemoteAccessDenied, describe_with_reply("HELO refused", reply), reply));
  }
  capabilities_ = Capabilities{};
  return after_hello();
}

Action Session::after_hello() {
  const bool wants_tls = config_.tls == TlsPolicy::Try || config_.tls == TlsPolicy::Required ||
                         config_.tls == TlsPolicy::Opportunistic;
  if (wants_tls && !tls_active_ && !starttls_refused_) {
    if (capabilities_.starttls) {
      enter(State::StartTls);
      return send(simple_command("STARTTLS"));
    }
    if (config_.tls == TlsPolicy::Required) {
      return quit_with(Error(ExitCode::UseSslFailed,
                             "STARTTLS is required (--ssl-reqd) but the server does not offer it"));
    }
    if (config_.tls == TlsPolicy::Try) {
      warnings_.emplace_back(
          "the server does not offer STARTTLS: continuing WITHOUT encryption (--ssl); use "
          "--ssl-reqd to refuse plain text");
    }
  }
  if (config_.auth.authenticator && !authenticated_ && !auth_skipped_) return start_auth();
  return after_auth();
}

Action Session::after_auth() {
  switch (config_.mode) {
    case SessionMode::Help:
      enter(State::Help);
      return send(simple_command("HELP"));
    case SessionMode::Verify:
      enter(State::Verify);
      return send(vrfy_command(config_.forward_paths.at(next_recipient_)));
    case SessionMode::SendMail:
      break;
  }
  pipelining_ = config_.use_pipelining && capabilities_.pipelining;
  // BDAT needs the envelope's replies before the body (to stop on a refused recipient),
  // and only pays off with PIPELINING, where the chunks go without waiting.
  chunking_ = config_.use_chunking && capabilities_.chunking && pipelining_;
  result_.messages.assign(config_.messages.size(), MessageResult{});
  message_ = 0;
  return begin_transaction();
}

Action Session::start_auth() {
  const auto& offered = capabilities_.auth_mechanisms;
  if (offered.empty()) {
    // curl carries on silently; a warning tells the user the credentials went unused.
    warnings_.emplace_back(
        "credentials were given but the server offers no AUTH: sending without "
        "authenticating");
    auth_skipped_ = true;
    return after_auth();
  }
  if (decide_credentials(config_.peer_address, tls_active_, config_.auth.allow_plaintext) ==
      CredentialDecision::RefusePlaintext) {
    return quit_with(Error(
        ExitCode::LoginDenied,
        fmt::format("refusing to send credentials unencrypted to {}: use smtps://, --ssl-reqd, "
                    "or --allow-plaintext-auth",
                    config_.peer_address)));
  }
  std::optional<Command> command;
  try {
    command = config_.auth.authenticator->start(offered);
  } catch (const Error& error) {
    return quit_with(error);
  }
  if (!command) {
    return quit_with(
        Error(ExitCode::LoginDenied,
              fmt::format("no usable authentication mechanism: the server offers {} (see "
                          "--login-options, --oauth2-bearer)",
                          fmt::join(offered, " "))));
  }
  auth_rounds_ = 0;
  enter(State::Auth);
  return send(std::move(*command));
}

Action Session::on_auth(const Reply& reply) {
  // Bounds the exchange: no mechanism we speak needs more than two challenges.
  constexpr std::size_t kMaxAuthRounds = 8;
  Authenticator& authenticator = *config_.auth.authenticator;
  if (reply.code.value() == 235) {
    authenticated_ = true;
    return after_auth();
  }
  if (reply.code.value() == 334 && !auth_cancelled_) {
    std::optional<Command> answer;
    if (++auth_rounds_ <= kMaxAuthRounds) {
      try {
        answer = authenticator.respond(reply.lines.front());
      } catch (const Error& error) {
        auth_cancelled_ = error;
        return send(simple_command("*"));
      }
    }
    if (!answer) {
      // RFC 4954 §4: a client that cannot go on cancels with "*".
      auth_cancelled_ = Error(
          ExitCode::LoginDenied,
          fmt::format("AUTH {} cancelled: the server's challenge \"{}\" is not valid base64 or "
                      "one too many",
                      authenticator.mechanism(), reply.lines.front().substr(0, 64)),
          reply);
      return send(simple_command("*"));
    }
    return send(std::move(*answer));
  }
  if (auth_cancelled_) return quit_with(*auth_cancelled_);
  if (auto next = authenticator.retry(capabilities_.auth_mechanisms)) {
    warnings_.push_back(
        fmt::format("AUTH refused ({}); trying the next mechanism listed", reply.summary()));
    auth_rounds_ = 0;
    return send(std::move(*next));
  }
  return quit_with(Error(
      ExitCode::LoginDenied,
      describe_with_reply(fmt::format("AUTH {} failed", authenticator.mechanism()), reply), reply));
}

Action Session::on_starttls(const Reply& reply) {
  if (reply.code.value() == 220) return UpgradeTls{};
  if (config_.tls == TlsPolicy::Required) {
    return quit_with(
        Error(ExitCode::UseSslFailed, describe_with_reply("STARTTLS refused", reply), reply));
  }
  starttls_refused_ = true;
  if (config_.tls == TlsPolicy::Try) {
    warnings_.push_back(fmt::format(
        "STARTTLS refused ({}): continuing WITHOUT encryption (--ssl); use --ssl-reqd to refuse "
        "plain text",
        reply.summary()));
  }
  return after_hello();
}

Action Session::on_tls_ready() {
  // RFC 3207 §4.2: discard everything learnt before the handshake and ask again.
  tls_active_ = true;
  capabilities_ = Capabilities{};
  enter(State::Ehlo);
  return send(ehlo_command(config_.ehlo_name));
}

Action Session::begin_transaction() {
  stage_ = Stage::Envelope;
  const MessageInfo& info = config_.messages.at(message_);
  if (reset_needed_) {
    // RFC 5321 §4.1.1.5: clear what is left of an abandoned transaction.
    queue(simple_command("RSET"), {State::Rset, message_});
    reset_needed_ = false;
  }
  MailParameters parameters;
  if (capabilities_.size && info.size) parameters.size = info.size;
  parameters.eight_bit_mime = info.eight_bit && capabilities_.eightbitmime;
  binary_body_ = info.binary && chunking_ && capabilities_.binarymime;
  parameters.binary_mime = binary_body_;
  parameters.smtputf8 = config_.smtputf8 && capabilities_.smtputf8;
  // As curl: AUTH= only describes a submitter we authenticated as (RFC 4954 §5).
  if (authenticated_ && config_.auth.mail_auth) parameters.auth = config_.auth.mail_auth;
  queue(mail_from_command(config_.reverse_path, parameters), {State::MailFrom, message_});
  for (std::size_t i = 0; i < config_.forward_paths.size(); ++i) {
    queue(rcpt_to_command(config_.forward_paths[i]), {State::RcptTo, message_, i});
  }
  // With CHUNKING the body follows the envelope's replies as BDAT commands.
  if (!chunking_) queue(simple_command("DATA"), {State::Data, message_});
  return flush();
}

void Session::queue(Command command, Pending pending) {
  outbox_.emplace_back(std::move(command), pending);
}

Action Session::flush() {
  // RFC 2920 §3.1: with PIPELINING the whole group goes in one write; without it, one
  // command and then its reply.
  SendCommands send;
  while (!outbox_.empty() && (pipelining_ || send.commands.empty())) {
    send.commands.push_back(std::move(outbox_.front().first));
    pending_.push_back(outbox_.front().second);
    outbox_.pop_front();
  }
  if (!pending_.empty()) enter(pending_.front().kind);
  return send;
}

Action Session::advance() {
  if (!pending_.empty()) {
    enter(pending_.front().kind);
    return SendCommands{};  // nothing to send: read the next reply
  }
  if (!outbox_.empty()) return flush();
  if (stage_ == Stage::Envelope) {
    if (!result_.messages.at(message_).error && chunking_) {
      stage_ = Stage::Body;
      return SendBody{true, binary_body_};
    }
    // Only a failed envelope gets here (a good one got DATA's 354): no body was sent.
    reset_needed_ = true;
  }
  return next_message();
}

Action Session::next_message() {
  if (++message_ < config_.messages.size()) return begin_transaction();
  queue(simple_command("QUIT"), {State::Quit, message_});
  return flush();
}

void Session::fail_message(std::size_t message, Error error) {
  MessageResult& result = result_.messages.at(message);
  if (result.error) return;  // the first failure is the one to report
  result.error = std::move(error);
  // Commands of this transaction not yet sent never will be.
  std::erase_if(outbox_, [&](const auto& entry) { return entry.second.message == message; });
}

Error Session::with_utf8_note(Error error) const {
  if (!config_.smtputf8 || capabilities_.smtputf8) return error;
  return Error(error.code(),
               std::string(error.what()) +
                   " (the server does not support SMTPUTF8, which a non-ASCII address needs)",
               error.reply());
}

Action Session::on_transaction_reply(const Pending& pending, const Reply& reply) {
  if (pending.kind == State::Quit) return finish();
  MessageResult& result = result_.messages.at(pending.message);
  switch (pending.kind) {
    case State::Rset:
      break;  // whatever it says, MAIL will tell
    case State::MailFrom:
      if (!reply.code.positive()) {
        fail_message(pending.message,
                     with_utf8_note(Error(ExitCode::SendError,
                                          describe_with_reply("MAIL FROM failed", reply), reply)));
      }
      break;
    case State::RcptTo: {
      const std::string& address = config_.forward_paths.at(pending.recipient);
      if (reply.code.positive()) {
        result.accepted.push_back(address);
      } else {
        result.refused.push_back({address, reply});
        if (!config_.allow_rcpt_failures) {
          fail_message(
              pending.message,
              with_utf8_note(Error(
                  ExitCode::SendError,
                  describe_with_reply(fmt::format("RCPT TO <{}> failed", address), reply), reply)));
        }
      }
      if (pending.recipient + 1 == config_.forward_paths.size() && result.accepted.empty() &&
          !result.refused.empty()) {
        // curl's rule with --mail-rcpt-allowfails: fail only when every recipient was refused.
        const RefusedRecipient& last = result.refused.back();
        fail_message(pending.message,
                     Error(ExitCode::SendError,
                           describe_with_reply(
                               fmt::format("every recipient was refused; last, <{}>", last.address),
                               last.reply),
                           last.reply));
      }
      break;
    }
    case State::Data:
      if (reply.code.value() == 354) {
        if (result.error) {
          // Pipelined DATA was accepted although the envelope failed. Ending the data now
          // would deliver an empty or unwanted message: drop the connection instead, and
          // the server discards the transaction (RFC 5321 §3.8).
          return fail_now(*result.error);
        }
        stage_ = Stage::Body;
        return SendBody{false};
      }
      fail_message(pending.message,
                   Error(ExitCode::SendError, describe_with_reply("DATA failed", reply), reply));
      break;
    case State::Bdat:
      if (!reply.code.positive()) {
        fail_message(pending.message,
                     Error(ExitCode::SendError, describe_with_reply("BDAT failed", reply), reply));
      }
      break;
    case State::EndOfData:
      result.final_reply = reply;
      if (reply.code.value() != 250) {
        fail_message(pending.message,
                     Error(ExitCode::WeirdServerReply,
                           describe_with_reply("the message was NOT accepted", reply), reply));
      }
      break;
    default:
      return fail_now(
          Error(ExitCode::WeirdServerReply, describe_with_reply("unexpected reply", reply), reply));
  }
  return advance();
}

Action Session::on_body_sent(std::size_t bdat_commands) {
  for (std::size_t i = 1; i < bdat_commands; ++i) pending_.push_back({State::Bdat, message_});
  pending_.push_back({State::EndOfData, message_});
  if (!pipelining_) return advance();
  // RFC 2920 §3.1: the end of the data may be followed at once by the next group.
  if (++message_ < config_.messages.size()) return begin_transaction();
  queue(simple_command("QUIT"), {State::Quit, message_});
  return flush();
}

Action Session::on_help(const Reply& reply) {
  if (!reply.code.positive()) {
    return quit_with(
        Error(ExitCode::WeirdServerReply, describe_with_reply("HELP failed", reply), reply));
  }
  for (const auto& line : reply.to_string_lines()) result_.output.push_back(line);
  return quit_successfully();
}

Action Session::on_verify(const Reply& reply) {
  // 553 is "ambiguous mailbox": curl prints it like a success (RFC 5321 §3.5.3).
  if (!reply.code.positive() && reply.code.value() != 553) {
    return quit_with(
        Error(ExitCode::WeirdServerReply, describe_with_reply("VRFY failed", reply), reply));
  }
  for (const auto& line : reply.to_string_lines()) result_.output.push_back(line);
  if (++next_recipient_ < config_.forward_paths.size()) {
    return send(vrfy_command(config_.forward_paths.at(next_recipient_)));
  }
  return quit_successfully();
}

Action Session::quit_with(Error error) {
  pending_error_ = std::move(error);
  return quit_successfully();
}

Action Session::quit_successfully() {
  enter(State::Quit);
  return send(simple_command("QUIT"));
}

Action Session::finish() {
  enter(State::Done);
  if (pending_error_) return Failed{*pending_error_};
  return Finished{result_};
}

Action Session::fail_now(Error error) {
  enter(State::Done);
  return Failed{std::move(error)};
}

Action Session::on_connection_closed() {
  if (state_ == State::Quit) return finish();
  if (pending_error_) return fail_now(*pending_error_);
  return fail_now(Error(ExitCode::RecvError,
                        fmt::format("connection closed by the server while waiting for the "
                                    "reply to {}",
                                    to_string(state_))));
}

}  // namespace smtpc
