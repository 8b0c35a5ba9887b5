// A canned SMTP dialogue for driving the Session: server replies in, expected client lines out.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "smtpc/smtp/session.hpp"

namespace smtpc::testing {

/// A reply as the server sends it: lines separated by '\n' in `text`, each ended by CRLF.
inline std::string wire_reply(std::string_view text) {
  std::string wire;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    wire += std::string(text.substr(start, end - start)) + "\r\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return wire;
}

class Script {
 public:
  explicit Script(SessionConfig config)
      : ehlo_name_(config.ehlo_name),
        reverse_path_(config.reverse_path),
        forward_paths_(config.forward_paths),
        session_(std::move(config)) {}

  /// A server reply; lines separated by '\n', CRLFs added here.
  Script& server(std::string_view text) {
    steps_.push_back(Step{Kind::Server, wire_reply(text), 0, std::nullopt});
    return *this;
  }
  /// The next command line the client must send.
  Script& client(std::string_view line) {
    steps_.push_back(Step{Kind::Client, std::string(line), 0, std::nullopt});
    return *this;
  }
  /// The client must now send the body: after DATA, or as `bdat_commands` BDAT commands.
  Script& body(std::size_t bdat_commands = 0) {
    steps_.push_back(Step{Kind::Body, {}, bdat_commands, std::nullopt});
    return *this;
  }
  /// As body(), and the body must be that of message `message` (counted from 0).
  Script& body_of(std::size_t message, std::size_t bdat_commands = 0) {
    steps_.push_back(Step{Kind::Body, {}, bdat_commands, message});
    return *this;
  }
  /// The client must now do the TLS handshake; it succeeds.
  Script& tls() {
    steps_.push_back(Step{Kind::Tls, {}, 0, std::nullopt});
    return *this;
  }
  /// The server closes the connection.
  Script& closed() {
    steps_.push_back(Step{Kind::Closed, {}, 0, std::nullopt});
    return *this;
  }

  // Fragments for the parts most dialogues share, with the config's EHLO name and envelope
  // and plain reply texts; SessionDialogue.SendsOneMessage writes them out once in full.

  /// The greeting "220 mx", then EHLO answered by `ehlo_reply`.
  Script& hello(std::string_view ehlo_reply = "250 mx") {
    return server("220 mx").client("EHLO " + ehlo_name_).server(ehlo_reply);
  }
  /// One command at a time: MAIL FROM (with `mail_parameters`, e.g. "SIZE=100"), each
  /// RCPT TO and DATA, answered "250 ok", "250 ok"... and "354 go".
  Script& envelope(std::string_view mail_parameters = {}) {
    client(mail_line(mail_parameters)).server("250 ok");
    for (const auto& path : forward_paths_) client("RCPT TO:<" + path + ">").server("250 ok");
    return client("DATA").server("354 go");
  }
  /// With PIPELINING: MAIL FROM, each RCPT TO and DATA in one write, then their replies.
  Script& pipelined_envelope() {
    client(mail_line({}));
    for (const auto& path : forward_paths_) client("RCPT TO:<" + path + ">");
    client("DATA").server("250 ok");
    for (std::size_t i = 0; i < forward_paths_.size(); ++i) server("250 ok");
    return server("354 go");
  }
  /// A whole message, one command at a time: envelope(), the body, and "250 ok" for it.
  Script& message(std::string_view mail_parameters = {}) {
    return envelope(mail_parameters).body().server("250 ok");
  }
  /// QUIT, answered "221 bye".
  Script& quit() { return client("QUIT").server("221 bye"); }

  /// Plays the steps and returns the last action. Fails the test on any mismatch.
  Action run() {
    Action action = SendCommands{};
    for (const auto& step : steps_) {
      switch (step.kind) {
        case Kind::Server:
          EXPECT_TRUE(sent_.empty()) << "unchecked client line: " << sent_.front();
          action = session_.on_reply(parse_reply(step.text));
          take_commands(action);
          break;
        case Kind::Closed:
          action = session_.on_connection_closed();
          take_commands(action);
          break;
        case Kind::Client:
          if (sent_.empty()) {
            ADD_FAILURE() << "expected client line \"" << step.text << "\", client sent nothing";
            return action;
          }
          EXPECT_EQ(sent_.front(), step.text);
          sent_.pop_front();
          break;
        case Kind::Body:
          if (!std::holds_alternative<SendBody>(action)) {
            ADD_FAILURE() << "expected SendBody";
            return action;
          }
          EXPECT_EQ(std::get<SendBody>(action).chunked, step.bdat_commands > 0);
          if (step.message) {
            EXPECT_EQ(std::get<SendBody>(action).message, *step.message);
          }
          action = session_.on_body_sent(step.bdat_commands);
          take_commands(action);
          break;
        case Kind::Tls:
          EXPECT_TRUE(std::holds_alternative<UpgradeTls>(action)) << "expected UpgradeTls";
          action = session_.on_tls_ready();
          take_commands(action);
          break;
      }
    }
    EXPECT_TRUE(sent_.empty()) << "unchecked client line: " << sent_.front();
    return action;
  }

  Session& session() { return session_; }
  /// How many commands each write carried, in order.
  [[nodiscard]] const std::vector<std::size_t>& writes() const { return writes_; }

  /// The result of a Finished action where every message was accepted; fails the test
  /// otherwise.
  static SendResult finished(const Action& action) {
    if (const auto* failed = std::get_if<Failed>(&action)) {
      ADD_FAILURE() << "dialogue failed: " << failed->error.what();
      return {};
    }
    if (const auto* done = std::get_if<Finished>(&action)) {
      for (const auto& message : done->result.messages) {
        if (message.error) ADD_FAILURE() << "message failed: " << message.error->what();
      }
    }
    EXPECT_TRUE(std::holds_alternative<Finished>(action));
    return std::holds_alternative<Finished>(action) ? std::get<Finished>(action).result
                                                    : SendResult{};
  }
  /// The error of a Failed action, or of the first message not accepted; fails the test
  /// when there is none.
  static Error failed(const Action& action) {
    if (const auto* failed = std::get_if<Failed>(&action)) return failed->error;
    if (const auto* done = std::get_if<Finished>(&action)) {
      for (const auto& message : done->result.messages) {
        if (message.error) return *message.error;
      }
    }
    ADD_FAILURE() << "expected the dialogue to fail";
    return Error(ExitCode::Ok, "");
  }

 private:
  enum class Kind { Server, Client, Body, Tls, Closed };
  struct Step {
    Kind kind;
    std::string text;
    std::size_t bdat_commands = 0;
    std::optional<std::size_t> message;  // whose body it must be
  };
  void take_commands(const Action& action) {
    if (const auto* send = std::get_if<SendCommands>(&action)) {
      for (const auto& command : send->commands) sent_.push_back(command.line);
      if (!send->commands.empty()) writes_.push_back(send->commands.size());
    }
  }

  [[nodiscard]] std::string mail_line(std::string_view parameters) const {
    std::string line = "MAIL FROM:<" + reverse_path_ + ">";
    if (!parameters.empty()) line += " " + std::string(parameters);
    return line;
  }

  std::string ehlo_name_;
  std::string reverse_path_;
  std::vector<std::string> forward_paths_;
  Session session_;
  std::vector<Step> steps_;
  std::deque<std::string> sent_;
  std::vector<std::size_t> writes_;
};

inline SessionConfig mail_config(std::vector<std::string> recipients = {"b@example.com"}) {
  SessionConfig config;
  config.mode = SessionMode::SendMail;
  config.ehlo_name = "client.example";
  config.reverse_path = "a@example.com";
  config.forward_paths = std::move(recipients);
  config.messages = {MessageInfo{std::nullopt, false}};  // 7-bit, size unknown
  return config;
}

}  // namespace smtpc::testing
