// ServerSession: the small SMTP server that `sendmail -bs` speaks on standard input/output.
#include "smtpc/smtp/server_session.hpp"

#include <fmt/format.h>

#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

ServerStep reply(std::string text) {
  return ServerStep{ServerStep::Action::Reply, std::move(text) + "\r\n"};
}

// "<addr> PARAM PARAM": the path without its brackets, and the parameters; false when the
// path is not in angle brackets (RFC 5321 §4.1.2; a bare address is accepted too, as
// Postfix's sendmail accepts it from local clients).
bool split_path(std::string_view argument, std::string& path, std::string_view& parameters) {
  argument = trim(argument);
  if (argument.starts_with("<")) {
    const auto close = argument.find('>');
    if (close == std::string_view::npos) return false;
    path = std::string(argument.substr(1, close - 1));
    parameters = trim(argument.substr(close + 1));
  } else {
    const auto space = argument.find(' ');
    path = std::string(argument.substr(0, space));
    parameters =
        space == std::string_view::npos ? std::string_view() : trim(argument.substr(space));
  }
  return path.find_first_of(" \t<>") == std::string::npos;
}

// The MAIL parameters of the extensions offered: BODY=7BIT|8BITMIME, SMTPUTF8, SIZE=n.
bool known_mail_parameters(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto space = parameters.find(' ');
    const std::string_view parameter = parameters.substr(0, space);
    parameters =
        space == std::string_view::npos ? std::string_view() : trim(parameters.substr(space));
    if (parameter.empty()) continue;
    if (equals_ignore_case(parameter, "BODY=7BIT") ||
        equals_ignore_case(parameter, "BODY=8BITMIME") ||
        equals_ignore_case(parameter, "SMTPUTF8")) {
      continue;
    }
    if (parameter.size() > 5 && equals_ignore_case(parameter.substr(0, 5), "SIZE=")) continue;
    return false;
  }
  return true;
}

}  // namespace

ServerSession::ServerSession(std::string host_name) : host_name_(std::move(host_name)) {}

std::string ServerSession::greeting() const {
  return fmt::format("220 {} ESMTP smtpc (sendmail -bs)\r\n", host_name_);
}

ServerStep ServerSession::on_line(std::string_view line) {
  if (state_ == State::InData) return data_line(line);
  if (state_ == State::AwaitingDelivery) {
    return reply("503 5.5.1 waiting for the delivery of the message");  // the driver's error
  }
  if (line.size() > kMaxCommandLine) return reply("500 5.5.2 line too long");
  const auto space = line.find(' ');
  const std::string_view verb = line.substr(0, space);
  const std::string_view argument =
      space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  return command(verb, argument);
}

ServerStep ServerSession::command(std::string_view verb, std::string_view argument) {
  auto is = [verb](std::string_view name) { return equals_ignore_case(verb, name); };
  if (is("EHLO") || is("HELO")) {
    if (trim(argument).empty()) return reply(fmt::format("501 5.5.4 {} needs a domain", verb));
    state_ = State::Ready;
    transaction_ = {};
    if (is("HELO")) return reply(fmt::format("250 {}", host_name_));
    return reply(
        fmt::format("250-{}\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                    "250-ENHANCEDSTATUSCODES\r\n250 HELP",
                    host_name_));
  }
  if (is("QUIT"))
    return ServerStep{ServerStep::Action::Close,
                      fmt::format("221 2.0.0 {} closing\r\n", host_name_)};
  if (is("NOOP")) return reply("250 2.0.0 OK");
  if (is("RSET")) {
    if (state_ != State::Greeted) state_ = State::Ready;
    transaction_ = {};
    return reply("250 2.0.0 OK");
  }
  if (is("VRFY")) return reply("252 2.5.2 cannot verify, but will accept and try");
  if (is("HELP")) return reply("214 2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT");
  if (is("AUTH")) return reply("502 5.5.1 AUTH is not offered: the client is local");
  if (is("STARTTLS")) return reply("502 5.5.1 STARTTLS is not offered: the client is local");
  if (is("MAIL")) return mail(argument);
  if (is("RCPT")) return rcpt(argument);
  if (is("DATA")) {
    if (!trim(argument).empty()) return reply("501 5.5.4 DATA takes no argument");
    if (state_ != State::InMail) return reply("503 5.5.1 MAIL first");
    if (transaction_.forward_paths.empty()) return reply("554 5.5.1 no valid recipients");
    state_ = State::InData;
    return reply("354 End data with <CR><LF>.<CR><LF>");
  }
  return reply("500 5.5.1 command unrecognized");
}

ServerStep ServerSession::mail(std::string_view argument) {
  if (state_ == State::Greeted) return reply("503 5.5.1 EHLO or HELO first");
  if (state_ == State::InMail) return reply("503 5.5.1 nested MAIL command");
  if (argument.size() < 5 || !equals_ignore_case(argument.substr(0, 5), "FROM:")) {
    return reply("501 5.5.4 syntax: MAIL FROM:<address>");
  }
  std::string path;
  std::string_view parameters;
  if (!split_path(argument.substr(5), path, parameters))
    return reply("501 5.1.7 bad sender address");
  if (!known_mail_parameters(parameters)) return reply("555 5.5.4 unsupported MAIL parameter");
  transaction_ = ServerTransaction{path, {}};
  state_ = State::InMail;
  return reply("250 2.1.0 OK");
}

ServerStep ServerSession::rcpt(std::string_view argument) {
  if (state_ != State::InMail) return reply("503 5.5.1 MAIL first");
  if (argument.size() < 3 || !equals_ignore_case(argument.substr(0, 3), "TO:")) {
    return reply("501 5.5.4 syntax: RCPT TO:<address>");
  }
  std::string path;
  std::string_view parameters;
  if (!split_path(argument.substr(3), path, parameters) || path.empty()) {
    return reply("501 5.1.3 bad recipient address");
  }
  if (!parameters.empty()) return reply("555 5.5.4 unsupported RCPT parameter");
  if (transaction_.forward_paths.size() >= kMaxRecipients) {
    return reply("452 4.5.3 too many recipients");
  }
  transaction_.forward_paths.push_back(std::move(path));
  return reply("250 2.1.5 OK");
}

ServerStep ServerSession::data_line(std::string_view line) {
  if (line == ".") {
    state_ = State::AwaitingDelivery;
    return ServerStep{ServerStep::Action::EndOfData, {}};
  }
  if (line.starts_with(".")) line.remove_prefix(1);  // RFC 5321 §4.5.2: un-stuffing
  return ServerStep{ServerStep::Action::BodyData, std::string(line) + "\r\n"};
}

std::string ServerSession::on_delivered(bool accepted, std::string_view why) {
  state_ = State::Ready;
  transaction_ = {};
  std::string text(why);
  std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });
  if (accepted) return fmt::format("250 2.0.0 {}\r\n", text);
  return fmt::format("{}\r\n", text);
}

}  // namespace smtpc
