// The client side of RFC 5321 §3 (greeting, EHLO/HELO, mail transaction, QUIT), with
// STARTTLS (RFC 3207) and SIZE (RFC 1870). Exit codes follow curl's lib/smtp.c.
#include "smtpc/smtp/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <utility>

#include "smtpc/core/text.hpp"
#include "smtpc/smtp/auth_policy.hpp"

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
    case State::Help:
      return "HELP";
    case State::Verify:
      return "VRFY";
    case State::Transactions:
      return "TRANSACTIONS";
    case State::Quit:
      return "QUIT";
    case State::Done:
      return "DONE";
  }
  return "?";
}

const char* to_string(Stage stage) noexcept {
  switch (stage) {
    case Stage::Connect:
      return "connect";
    case Stage::Greeting:
      return "greeting";
    case Stage::Ehlo:
      return "ehlo";
    case Stage::Tls:
      return "tls";
    case Stage::Auth:
      return "auth";
    case Stage::Mail:
      return "mail";
    case Stage::Rcpt:
      return "rcpt";
    case Stage::Data:
      return "data";
  }
  return "?";
}

std::optional<Stage> parse_stage(std::string_view name) noexcept {
  const std::string lower = ascii_lower(name);
  constexpr std::array<Stage, 8> kStages{Stage::Connect, Stage::Greeting, Stage::Ehlo, Stage::Tls,
                                         Stage::Auth,    Stage::Mail,     Stage::Rcpt, Stage::Data};
  for (const Stage stage : kStages) {
    if (lower == to_string(stage)) return stage;
  }
  // swaks's spellings of the same stages.
  if (lower == "banner") return Stage::Greeting;
  if (lower == "helo" || lower == "first-helo" || lower == "first-ehlo") return Stage::Ehlo;
  if (lower == "starttls") return Stage::Tls;
  return std::nullopt;
}

Session::Session(SessionConfig config) : config_(std::move(config)) {
  tls_active_ = config_.tls == TlsPolicy::Implicit;
}

std::vector<std::string> Session::take_warnings() { return std::exchange(warnings_, {}); }

void Session::enter(State next) { state_ = next; }

Action Session::send(Command command) { return SendCommands{{std::move(command)}, {}}; }

bool Session::quits_after(Stage stage) const noexcept { return config_.quit_after == stage; }

Action Session::on_reply(const Reply& reply) { return with_reply_wait(dispatch(reply)); }

Action Session::with_reply_wait(Action action) const {
  // After QUIT nothing more can be lost: do not wait long for the goodbye.
  constexpr std::chrono::milliseconds kQuitReplyTimeout{5000};
  if (auto* send = std::get_if<SendCommands>(&action)) {
    if (awaiting_quit()) send->wait.timeout = kQuitReplyTimeout;
    send->wait.must_end_input = state_ == State::StartTls;
  }
  return action;
}

Action Session::dispatch(const Reply& reply) {
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
    case State::Help:
      return on_help(reply);
    case State::Verify:
      return on_verify(reply);
    case State::Transactions:
      return settle(transactions_->on_reply(reply));
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
  facts_.greeting = reply;
  greeted_ = reply.code.value() == 220;
  if (!greeted_) {
    // RFC 5321 §3.1: after a 554 greeting the client should still send QUIT.
    return quit_with(Error(ExitCode::WeirdServerReply,
                           describe_with_reply("server greeting refused the connection", reply),
                           reply));
  }
  if (quits_after(Stage::Greeting)) return send_quit();
  enter(State::Ehlo);
  return send(ehlo_command(config_.ehlo_name));
}

Action Session::on_ehlo(const Reply& reply) {
  (tls_active_ ? facts_.hello_tls : facts_.hello_plain) = reply;
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
  facts_.ehlo_refused = true;
  enter(State::Helo);
  return send(helo_command(config_.ehlo_name));
}

Action Session::on_helo(const Reply& reply) {
  if (!reply.code.positive()) {
    return quit_with(
        Error(ExitCode::RemoteAccessDenied, describe_with_reply("HELO refused", reply), reply));
  }
  (tls_active_ ? facts_.hello_tls : facts_.hello_plain) = reply;
  capabilities_ = Capabilities{};
  return after_hello();
}

Action Session::after_hello() {
  if (quits_after(Stage::Ehlo)) return send_quit();
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
  if (quits_after(Stage::Tls)) return send_quit();
  if (config_.auth.authenticator && !authenticated_ && !auth_skipped_) return start_auth();
  return after_auth();
}

Action Session::after_auth() {
  if (quits_after(Stage::Auth)) return send_quit();
  switch (config_.mode) {
    case SessionMode::Help:
      enter(State::Help);
      return send(config_.custom_request.empty() ? simple_command("HELP")
                                                 : custom_command(config_.custom_request));
    case SessionMode::Verify:
      enter(State::Verify);
      return send(verify_command());
    case SessionMode::SendMail:
      break;
  }
  TransactionSettings settings;
  settings.reverse_path = config_.reverse_path;
  // The transactions own the envelope from here on (the session reads the recipients only
  // to VRFY them): moved, not copied, for 100 000 recipients.
  settings.forward_paths = std::move(config_.forward_paths);
  settings.address_parameters = std::move(config_.address_parameters);
  settings.messages = config_.messages;
  settings.allow_rcpt_failures = config_.allow_rcpt_failures;
  settings.pipelining = config_.use_pipelining && capabilities_.pipelining;
  // BDAT needs the envelope's replies before the body (to stop on a refused recipient),
  // and only pays off with PIPELINING, where the chunks go without waiting.
  settings.chunking = config_.use_chunking && capabilities_.chunking && settings.pipelining;
  settings.binarymime = capabilities_.binarymime;
  settings.size = capabilities_.size;
  settings.eightbitmime = capabilities_.eightbitmime;
  settings.smtputf8 = config_.smtputf8 && capabilities_.smtputf8;
  settings.smtputf8_missing = config_.smtputf8 && !capabilities_.smtputf8;
  // As curl: AUTH= only describes a submitter we authenticated as (RFC 4954 §5).
  if (authenticated_) settings.mail_auth = config_.auth.mail_auth;
  if (config_.dsn.requested()) {
    if (capabilities_.dsn) {
      settings.dsn = config_.dsn;
    } else if (config_.dsn.required) {
      return quit_with(Error(ExitCode::SendError,
                             "the server does not offer DSN (RFC 3461), which --dsn-required "
                             "asks for: nothing was sent"));
    } else {
      warnings_.emplace_back(
          "the server does not offer DSN: sending without the --dsn-* parameters "
          "(--dsn-required refuses to)");
    }
  }
  if (config_.quit_after) {
    settings.stop_after = config_.quit_after;
    settings.messages.resize(1);
    // BDAT has no point at which the envelope is complete but no data was sent.
    settings.chunking = false;
  }
  transactions_.emplace(std::move(settings));
  enter(State::Transactions);
  return settle(transactions_->start());
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
    facts_.auth = reply;
    facts_.auth_mechanism = authenticator.mechanism();
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
      // RFC 4954 §4: a client that cannot go on cancels with "*"; curl then tries the
      // next mechanism (its "SASL downgrade") when the challenge could not be decoded.
      auth_downgrade_ = auth_rounds_ <= kMaxAuthRounds;
      auth_cancelled_ =
          Error(ExitCode::LoginDenied,
                fmt::format(
                    "AUTH {} cancelled: the server's challenge \"{}\" is not valid base64 or "
                    "one too many",
                    authenticator.mechanism(), escape_controls(reply.lines.front().substr(0, 64))),
                reply);
      return send(simple_command("*"));
    }
    return send(std::move(*answer));
  }
  facts_.auth = reply;
  facts_.auth_mechanism = authenticator.mechanism();
  if (auth_cancelled_ && auth_downgrade_) {
    if (auto next = authenticator.downgrade(capabilities_.auth_mechanisms)) {
      warnings_.push_back(
          fmt::format("AUTH {}; trying the next mechanism offered", auth_cancelled_->what()));
      auth_cancelled_.reset();
      auth_downgrade_ = false;
      auth_rounds_ = 0;
      return send(std::move(*next));
    }
  }
  // A refused or cancelled login ends the session without QUIT, as curl does (its tests
  // 932, 948, 949, 954): nothing else will be sent on this connection.
  if (auth_cancelled_) return fail_now(*auth_cancelled_);
  if (auto next = authenticator.retry(capabilities_.auth_mechanisms)) {
    warnings_.push_back(
        fmt::format("AUTH refused ({}); trying the next mechanism listed", reply.summary()));
    auth_rounds_ = 0;
    return send(std::move(*next));
  }
  const std::string detail = authenticator.failure_detail();
  return fail_now(
      Error(ExitCode::LoginDenied,
            describe_with_reply(fmt::format("AUTH {} failed{}", authenticator.mechanism(),
                                            detail.empty() ? "" : " (" + detail + ")"),
                                reply),
            reply));
}

Action Session::on_starttls(const Reply& reply) {
  facts_.starttls = reply;
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
  return with_reply_wait(send(ehlo_command(config_.ehlo_name)));
}

Action Session::on_body_sent(std::size_t bdat_commands) {
  if (state_ != State::Transactions) {
    return fail_now(Error(ExitCode::WeirdServerReply, "a body was sent outside a transaction"));
  }
  return with_reply_wait(settle(transactions_->on_body_sent(bdat_commands)));
}

Action Session::settle(Action action) {
  if (std::holds_alternative<Finished>(action) || std::holds_alternative<Failed>(action)) {
    enter(State::Done);
  }
  return action;
}

bool Session::awaiting_quit() const noexcept {
  if (state_ == State::Transactions) return transactions_->awaiting_quit();
  return state_ == State::Quit;
}

// As curl's smtp_perform_command: VRFY says SMTPUTF8 when the server offers it and the
// mailbox is not ASCII; a custom verb gets it only when it is EXPN (any list name).
Command Session::verify_command() const {
  const std::string& recipient = config_.forward_paths.at(next_recipient_);
  if (config_.custom_request.empty()) {
    return vrfy_command(recipient, capabilities_.smtputf8 && !is_ascii(recipient));
  }
  return custom_command(config_.custom_request, recipient,
                        capabilities_.smtputf8 && config_.custom_request == "EXPN");
}

Action Session::on_help(const Reply& reply) {
  if (!reply.code.positive()) {
    return quit_with(
        Error(ExitCode::WeirdServerReply,
              describe_with_reply(config_.custom_request.empty() ? "HELP failed" : "Command failed",
                                  reply),
              reply));
  }
  for (const auto& line : reply.to_string_lines()) result_.output.push_back(line);
  return send_quit();
}

Action Session::on_verify(const Reply& reply) {
  // 553 is "ambiguous mailbox": curl prints it like a success (RFC 5321 §3.5.3).
  if (!reply.code.positive() && reply.code.value() != 553) {
    return quit_with(
        Error(ExitCode::WeirdServerReply,
              describe_with_reply(config_.custom_request.empty() ? "VRFY failed" : "Command failed",
                                  reply),
              reply));
  }
  for (const auto& line : reply.to_string_lines()) result_.output.push_back(line);
  if (++next_recipient_ < config_.forward_paths.size()) return send(verify_command());
  return send_quit();
}

Action Session::quit_with(Error error) {
  pending_error_ = std::move(error);
  return send_quit();
}

Action Session::send_quit() {
  enter(State::Quit);
  return send(simple_command("QUIT"));
}

Action Session::finish() {
  enter(State::Done);
  if (pending_error_) return Failed{*pending_error_, result_};
  return Finished{result_};
}

Action Session::fail_now(Error error) {
  enter(State::Done);
  return Failed{std::move(error), result_};
}

std::string Session::awaited_reply() const {
  std::string_view command = to_string(state_);
  switch (state_) {
    case State::Greeting:
      return "the greeting";
    case State::Transactions:
      command = transactions_->awaited_command();
      break;
    case State::Help:
    case State::Verify:
      if (!config_.custom_request.empty()) command = config_.custom_request;
      break;
    case State::Done:
      command = "";
      break;
    default:
      break;
  }
  return command.empty() ? std::string("a reply") : fmt::format("the reply to {}", command);
}

Action Session::on_connection_closed() {
  return on_connection_lost(
      Error(ExitCode::RecvError,
            fmt::format("connection closed by the server while waiting for {}", awaited_reply())));
}

Action Session::on_connection_lost(Error error) {
  switch (state_) {
    case State::Quit:
      return finish();
    case State::Transactions:
      return settle(transactions_->on_connection_lost(std::move(error)));
    case State::Done:
      break;
    default:
      if (pending_error_) return fail_now(*pending_error_);
      break;
  }
  return fail_now(std::move(error));
}

}  // namespace smtpc
