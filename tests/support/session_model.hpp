// A model SMTP server and a reference model for the Session's mail transactions: random
// server behaviour (refusals at every step, 421, lost connections, strict servers that
// refuse commands arriving with the end of data, replies split and batched at random)
// drives a real Session; check() says whether it kept its promises. Used by the property
// test (tests/unit) and the fuzz target (tests/fuzz).
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "smtpc/smtp/reply.hpp"
#include "smtpc/smtp/session.hpp"

namespace smtpc::model {

// Message i declares SIZE=kSizeBase+i: the model server learns from MAIL FROM which
// message an envelope announces, and checks that the body it receives is that one.
constexpr std::uint64_t kSizeBase = 1000;

/// Where the model's decisions come from: a seeded generator (property test) or the
/// fuzzer's input bytes.
class Choices {
 public:
  virtual ~Choices() = default;
  /// A number in [0, n), n > 0.
  virtual std::size_t pick(std::size_t n) = 0;
  /// True with about probability p.
  bool chance(double p) { return static_cast<double>(pick(1000)) < p * 1000.0; }
};

class RandomChoices final : public Choices {
 public:
  explicit RandomChoices(std::uint32_t seed) : random_(seed) {}
  std::size_t pick(std::size_t n) override {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }

 private:
  std::mt19937 random_;
};

/// Decisions read from bytes; 0 once they run out, so every input ends.
class ByteChoices final : public Choices {
 public:
  explicit ByteChoices(std::string_view bytes) : bytes_(bytes) {}
  std::size_t pick(std::size_t n) override {
    if (at_ + 1 >= bytes_.size()) return 0;
    const auto value = static_cast<std::size_t>(static_cast<unsigned char>(bytes_[at_]) << 8 |
                                                static_cast<unsigned char>(bytes_[at_ + 1]));
    at_ += 2;
    return value % n;
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

struct Fate {
  enum Kind { Accept, RefuseMail, RefuseRecipient, RefuseData, RefuseAfterData } kind = Accept;
  int code = 250;
  std::size_t recipient = 0;
};

// The connection ends while this message is under way.
struct Breakdown {
  enum Where { AtMail, AtRecipient, AtData, AfterDataSilently, AfterDataWith421 } where;
  std::size_t message = 0;
};

struct Scenario {
  std::size_t messages = 1;
  std::size_t recipients = 1;
  bool offer_pipelining = false;
  bool offer_chunking = false;
  bool use_pipelining = true;
  bool allow_rcpt_failures = false;
  bool strict = false;  // 503 for commands that arrive in the same write as a data end
  bool require_tls = false;
  bool offer_starttls = true;
  bool refuse_starttls = false;
  std::vector<Fate> fates;
  std::optional<Breakdown> breakdown;
};

// One client write as the server sees it: command lines and message bodies, in order.
struct Piece {
  std::optional<std::string> command;
  std::optional<std::size_t> body;  // the message whose body this is
};

class ModelServer {
 public:
  explicit ModelServer(const Scenario& scenario) : scenario_(scenario) { reply("220 model"); }

  void write(const std::vector<Piece>& pieces) {
    bool after_data_end = false;
    for (const auto& piece : pieces) {
      if (closed_) return;
      if (piece.body) {
        receive_body(*piece.body);
        after_data_end = !bdat_open_ || bdat_last_seen_;
        bdat_last_seen_ = false;
        continue;
      }
      const std::string& line = *piece.command;
      if (scenario_.strict && after_data_end) {
        if (line.rfind("BDAT", 0) == 0) expect_bdat(line);
        reply("503 5.5.1 pipelined after end of DATA");
        continue;
      }
      command(line);
    }
  }

  void tls_ready() { tls_ = true; }
  [[nodiscard]] bool closed() const { return closed_; }
  std::string take_output() { return std::exchange(output_, {}); }
  [[nodiscard]] const std::vector<std::size_t>& stored() const { return stored_; }
  [[nodiscard]] const std::vector<std::string>& violations() const { return violations_; }

 private:
  void reply(const std::string& line) { output_ += line + "\r\n"; }
  void close_with(const std::string& line) {
    if (!line.empty()) reply(line);
    closed_ = true;
  }
  void reset() {
    mail_ = std::nullopt;
    recipients_seen_ = 0;
    recipients_ok_ = 0;
    data_open_ = false;
    bdat_open_ = false;
    data_refused_ = false;
  }
  [[nodiscard]] bool breaks_at(Breakdown::Where where, std::size_t message) const {
    return scenario_.breakdown && scenario_.breakdown->where == where &&
           scenario_.breakdown->message == message;
  }

  void command(const std::string& line) {
    if (line.rfind("EHLO", 0) == 0) {
      std::string ehlo = "250-model\r\n250-SIZE\r\n";
      if (scenario_.offer_pipelining) ehlo += "250-PIPELINING\r\n";
      if (scenario_.offer_chunking) ehlo += "250-CHUNKING\r\n";
      if (scenario_.offer_starttls && !tls_) ehlo += "250-STARTTLS\r\n";
      output_ += ehlo + "250 8BITMIME\r\n";
    } else if (line == "STARTTLS") {
      reply(scenario_.refuse_starttls ? "454 4.7.0 TLS not available" : "220 go ahead");
    } else if (line.rfind("MAIL FROM:", 0) == 0) {
      on_mail(line);
    } else if (line.rfind("RCPT TO:", 0) == 0) {
      on_recipient();
    } else if (line == "DATA") {
      on_data();
    } else if (line.rfind("BDAT", 0) == 0) {
      expect_bdat(line);
      if (!mail_ || recipients_ok_ == 0) {
        violations_.push_back("BDAT without an accepted envelope");
        reply("503 5.5.1 no valid recipients");
      } else if (!data_refused_ && breaks_at(Breakdown::AtData, *mail_)) {
        close_with("421 4.3.2 closing");
      } else if (scenario_.fates.at(*mail_).kind == Fate::RefuseData) {
        // RFC 3030 §2: a refused chunk; the later ones of the transaction fail too.
        data_refused_ = true;
        reply(std::to_string(scenario_.fates.at(*mail_).code) + " chunk refused");
      } else if (!bdat_last_seen_) {
        reply("250 chunk received");
      }
    } else if (line == "RSET") {
      reset();
      reply("250 reset");
    } else if (line == "QUIT") {
      close_with("221 bye");
    } else {
      violations_.push_back("unexpected command: " + line);
      reply("500 unknown");
    }
  }

  void on_mail(const std::string& line) {
    if (scenario_.require_tls && !tls_) violations_.push_back("MAIL before TLS: " + line);
    const auto at = line.find("SIZE=");
    std::uint64_t size = 0;
    if (at != std::string::npos) {
      const char* begin = line.data() + at + 5;
      std::from_chars(begin, line.data() + line.size(), size);
    }
    const std::size_t message = static_cast<std::size_t>(size - kSizeBase);
    if (size < kSizeBase || message >= scenario_.messages) {
      violations_.push_back("MAIL without a known SIZE: " + line);
      reply("501 bad size");
      return;
    }
    if (mail_) {
      reply("503 5.5.1 nested MAIL");
      return;
    }
    if (breaks_at(Breakdown::AtMail, message)) return close_with("421 4.3.2 closing");
    const Fate& fate = scenario_.fates.at(message);
    if (fate.kind == Fate::RefuseMail) return reply(std::to_string(fate.code) + " refused");
    mail_ = message;
    reply("250 sender ok");
  }

  void on_recipient() {
    if (!mail_) return reply("503 5.5.1 need MAIL");
    const std::size_t index = recipients_seen_++;
    if (index == 0 && breaks_at(Breakdown::AtRecipient, *mail_)) {
      return close_with("421 4.3.2 closing");
    }
    const Fate& fate = scenario_.fates.at(*mail_);
    if (fate.kind == Fate::RefuseRecipient && fate.recipient == index) {
      return reply(std::to_string(fate.code) + " recipient refused");
    }
    ++recipients_ok_;
    reply("250 recipient ok");
  }

  void on_data() {
    if (!mail_ || recipients_ok_ == 0) return reply("503 5.5.1 no valid recipients");
    if (breaks_at(Breakdown::AtData, *mail_)) return close_with("421 4.3.2 closing");
    const Fate& fate = scenario_.fates.at(*mail_);
    if (fate.kind == Fate::RefuseData) return reply(std::to_string(fate.code) + " no data");
    data_open_ = true;
    reply("354 go ahead");
  }

  void expect_bdat(const std::string& line) {
    bdat_open_ = true;
    bdat_last_seen_ = line.find("LAST") != std::string::npos;
  }

  void receive_body(std::size_t message) {
    if (!data_open_ && !bdat_open_) {
      violations_.push_back("a body without 354 or BDAT: message " + std::to_string(message));
      return;
    }
    if (bdat_open_ && !bdat_last_seen_) return;  // a chunk before the last one
    if (!mail_ || recipients_ok_ == 0) {
      // A strict refusal of BDAT's envelope: the chunk is read and dropped.
      if (data_open_) violations_.push_back("data without an envelope");
      reset();
      return;
    }
    if (*mail_ != message) {
      violations_.push_back("the body of message " + std::to_string(message) +
                            " under the envelope of message " + std::to_string(*mail_));
    }
    const std::size_t owner = *mail_;
    const bool refused_chunk = data_refused_;
    reset();
    if (refused_chunk) return;  // its reply went with the BDAT command
    if (breaks_at(Breakdown::AfterDataSilently, owner)) return close_with("");
    if (breaks_at(Breakdown::AfterDataWith421, owner)) return close_with("421 4.3.2 closing");
    const Fate& fate = scenario_.fates.at(owner);
    if (fate.kind == Fate::RefuseAfterData) return reply(std::to_string(fate.code) + " rejected");
    stored_.push_back(message);
    reply("250 stored");
  }

  const Scenario& scenario_;
  std::string output_;
  bool closed_ = false;
  bool tls_ = false;
  std::optional<std::size_t> mail_;
  std::size_t recipients_seen_ = 0;
  std::size_t recipients_ok_ = 0;
  bool data_open_ = false;
  bool bdat_open_ = false;
  bool bdat_last_seen_ = false;
  bool data_refused_ = false;  // a BDAT chunk of this transaction was refused
  std::vector<std::size_t> stored_;
  std::vector<std::string> violations_;
};

inline Scenario random_scenario(Choices& choices) {
  auto chance = [&](double p) { return choices.chance(p); };
  auto pick = [&](std::size_t n) { return choices.pick(n); };
  Scenario s;
  s.messages = 1 + pick(10);
  s.recipients = 1 + pick(3);
  s.offer_pipelining = chance(0.7);
  s.offer_chunking = chance(0.4);
  s.use_pipelining = chance(0.8);
  s.allow_rcpt_failures = chance(0.3);
  s.strict = chance(0.5);
  s.require_tls = chance(0.3);
  s.offer_starttls = chance(0.9);
  s.refuse_starttls = chance(0.1);
  for (std::size_t i = 0; i < s.messages; ++i) {
    Fate fate;
    const int codes[] = {451, 452, 550, 552, 554};
    const int code = codes[pick(5)];
    switch (pick(8)) {
      case 0:
        fate = {Fate::RefuseMail, code};
        break;
      case 1:
        fate = {Fate::RefuseRecipient, code, pick(s.recipients)};
        break;
      case 2:
        fate = {Fate::RefuseData, code};
        break;
      case 3:
        fate = {Fate::RefuseAfterData, code};
        break;
      default:
        break;
    }
    s.fates.push_back(fate);
  }
  if (chance(0.15)) {
    s.breakdown = Breakdown{static_cast<Breakdown::Where>(pick(5)), pick(s.messages)};
  }
  return s;
}

// What must be reported for each message, as a person would work it out.
inline std::vector<MessageOutcome> reference_outcomes(const Scenario& s) {
  std::vector<MessageOutcome> expected;
  for (std::size_t i = 0; i < s.messages; ++i) {
    const Fate& fate = s.fates[i];
    MessageOutcome outcome = MessageOutcome::Accepted;
    if (fate.kind == Fate::RefuseRecipient) {
      if (!s.allow_rcpt_failures || s.recipients == 1) outcome = MessageOutcome::Refused;
    } else if (fate.kind != Fate::Accept) {
      outcome = MessageOutcome::Refused;
    }
    if (s.breakdown && s.breakdown->message == i) {
      const bool envelope_ok =
          fate.kind == Fate::Accept || fate.kind == Fate::RefuseData ||
          fate.kind == Fate::RefuseAfterData ||
          (fate.kind == Fate::RefuseRecipient && s.allow_rcpt_failures && s.recipients > 1);
      const auto where = s.breakdown->where;
      bool gets_there = envelope_ok && fate.kind != Fate::RefuseData;  // after the data
      if (where == Breakdown::AtMail) gets_there = true;
      if (where == Breakdown::AtRecipient) gets_there = fate.kind != Fate::RefuseMail;
      if (where == Breakdown::AtData) gets_there = envelope_ok;
      if (gets_there) {
        expected.push_back(where == Breakdown::AfterDataSilently ? MessageOutcome::Unconfirmed
                                                                 : MessageOutcome::Refused);
        expected.resize(s.messages, MessageOutcome::NotSent);
        return expected;
      }
    }
    expected.push_back(outcome);
  }
  return expected;
}

struct RunOutcome {
  Action last = Finished{};
  std::vector<std::string> problems;
  std::vector<std::size_t> stored;
  std::vector<MessageOutcome> outcomes;
  bool breakdown_reached = false;
};

inline RunOutcome run(const Scenario& s, Choices& choices) {
  SessionConfig config;
  config.ehlo_name = "client.example";
  config.reverse_path = "a@example.com";
  for (std::size_t r = 0; r < s.recipients; ++r) {
    config.forward_paths.push_back("r" + std::to_string(r) + "@example.com");
  }
  config.messages.clear();
  for (std::size_t i = 0; i < s.messages; ++i) {
    config.messages.push_back(MessageInfo{kSizeBase + i, false});
  }
  config.allow_rcpt_failures = s.allow_rcpt_failures;
  config.use_pipelining = s.use_pipelining;
  config.tls = s.require_tls ? TlsPolicy::Required : TlsPolicy::None;

  ModelServer server(s);
  Session session(config);
  ReplyParser parser;
  RunOutcome outcome;
  auto chance = [&](double p) { return choices.chance(p); };

  auto read_reply = [&]() -> Action {
    // Replies arrive split and batched at random.
    std::string pending = server.take_output();
    std::size_t at = 0;
    while (true) {
      if (auto reply = parser.next()) {
        if (at < pending.size()) parser.feed(std::string_view(pending).substr(at));
        return session.on_reply(*reply);
      }
      if (at >= pending.size()) break;
      const std::size_t piece = 1 + choices.pick(pending.size() - at);
      parser.feed(std::string_view(pending).substr(at, piece));
      at += piece;
    }
    if (server.closed()) return session.on_connection_closed();
    outcome.problems.push_back("the client waits for a reply that never comes");
    return session.on_connection_lost(Error(ExitCode::OperationTimedout, "model: no reply"));
  };
  auto commands_of = [](const Action& action) {
    std::vector<Piece> pieces;
    if (const auto* send = std::get_if<SendCommands>(&action)) {
      for (const auto& command : send->commands) pieces.push_back({command.line, std::nullopt});
    }
    return pieces;
  };

  Action action = read_reply();
  for (int steps = 0; steps < 10000; ++steps) {
    if (std::holds_alternative<Finished>(action) || std::holds_alternative<Failed>(action)) break;
    if (const auto* send = std::get_if<SendCommands>(&action)) {
      if (!server.closed()) server.write(commands_of(action));
      (void)send;
      action = read_reply();
    } else if (std::holds_alternative<UpgradeTls>(action)) {
      server.tls_ready();
      action = session.on_tls_ready();
    } else if (const auto* body = std::get_if<SendBody>(&action)) {
      std::vector<Piece> pieces;
      std::size_t chunks = 0;
      if (body->chunked) {
        chunks = 1 + choices.pick(3);
        for (std::size_t c = 0; c < chunks; ++c) {
          pieces.push_back({c + 1 == chunks ? "BDAT 10 LAST" : "BDAT 10", std::nullopt});
          pieces.push_back({std::nullopt, body->message});
        }
      } else {
        pieces.push_back({std::nullopt, body->message});
      }
      Action next = session.on_body_sent(chunks);
      // What follows the body may share its write (and so meet a strict server's 503).
      auto following = commands_of(next);
      if (!following.empty() && chance(0.7)) {
        pieces.insert(pieces.end(), following.begin(), following.end());
        if (!server.closed()) server.write(pieces);
        action = read_reply();
        continue;
      }
      if (!server.closed()) server.write(pieces);
      action = next;
      if (following.empty() && std::holds_alternative<SendCommands>(action))
        action = read_reply();
      else if (!following.empty()) {
        if (!server.closed()) server.write(following);
        action = read_reply();
      }
    }
  }
  outcome.last = action;
  outcome.stored = server.stored();
  for (const auto& v : server.violations()) outcome.problems.push_back(v);
  const SendResult* result = nullptr;
  if (const auto* done = std::get_if<Finished>(&action)) result = &done->result;
  if (const auto* failed = std::get_if<Failed>(&action)) result = &failed->result;
  if (result == nullptr) outcome.problems.push_back("the dialogue never ended");
  if (result != nullptr) {
    for (const auto& message : result->messages) outcome.outcomes.push_back(message.outcome);
  }
  return outcome;
}

inline std::string describe(const Scenario& s) {
  std::string text =
      "messages=" + std::to_string(s.messages) + " recipients=" + std::to_string(s.recipients) +
      " pipelining=" + std::to_string(s.offer_pipelining) + "/" + std::to_string(s.use_pipelining) +
      " chunking=" + std::to_string(s.offer_chunking) + " strict=" + std::to_string(s.strict) +
      " allowfails=" + std::to_string(s.allow_rcpt_failures) +
      " tls=" + std::to_string(s.require_tls) + "/" + std::to_string(s.offer_starttls) + "/" +
      std::to_string(s.refuse_starttls);
  for (std::size_t i = 0; i < s.fates.size(); ++i) {
    text += " [" + std::to_string(i) + ":" + std::to_string(s.fates[i].kind) + "/" +
            std::to_string(s.fates[i].code) + "/" + std::to_string(s.fates[i].recipient) + "]";
  }
  if (s.breakdown) {
    text += " breakdown=" + std::to_string(s.breakdown->where) + "@" +
            std::to_string(s.breakdown->message);
  }
  return text;
}

/// Every way the run broke the rules: nothing before TLS when TLS is required, each body
/// after its own accepted envelope, and a report equal to what the server stored and to the
/// reference model. Empty when the run was right.
inline std::vector<std::string> check(const Scenario& scenario, const RunOutcome& outcome) {
  const bool tls_impossible =
      scenario.require_tls && (!scenario.offer_starttls || scenario.refuse_starttls);
  std::vector<std::string> problems = outcome.problems;
  if (tls_impossible) {
    if (!std::holds_alternative<Failed>(outcome.last) ||
        std::get<Failed>(outcome.last).error.code() != ExitCode::UseSslFailed) {
      problems.emplace_back("TLS was required and impossible, yet no UseSslFailed");
    }
    if (!outcome.stored.empty()) problems.emplace_back("stored without TLS");
    return problems;
  }
  if (outcome.outcomes != reference_outcomes(scenario)) {
    problems.emplace_back("reported outcomes differ from the reference model");
  }
  std::vector<std::size_t> accepted;
  for (std::size_t i = 0; i < outcome.outcomes.size(); ++i) {
    if (outcome.outcomes[i] == MessageOutcome::Accepted) accepted.push_back(i);
  }
  if (accepted != outcome.stored) problems.emplace_back("accepted != stored");
  return problems;
}

/// The problems and the run, readable.
inline std::string explain(const Scenario& scenario, const RunOutcome& outcome,
                           const std::vector<std::string>& problems) {
  std::string text = describe(scenario);
  for (const auto& p : problems) text += "\n  " + p;
  text += "\n  reported:";
  for (auto o : outcome.outcomes) text += " " + std::to_string(static_cast<int>(o));
  text += "\n  stored:";
  for (auto i : outcome.stored) text += " " + std::to_string(i);
  return text;
}

}  // namespace smtpc::model
