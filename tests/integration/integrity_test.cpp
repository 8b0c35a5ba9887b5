// Message integrity over one connection: ten -T files go as ten messages to one envelope,
// whatever the server refuses on the way. Every message the server stores must be exactly
// one input file, in order, under its own envelope (SIZE= its length, BODY=8BITMIME only
// when it holds 8-bit bytes); smtpc's per-message report must name exactly the stored
// messages as accepted; the exit code must follow the first failure.
//
// The servers are smtp_server.py with --size-limit (so that SIZE= is offered and sent) and,
// for the strict ones, --reject-pipelined-after-data: like Haraka, they answer 503 to any
// command pipelined behind the end of a message's data. A message is refused with
// --refuse-message SIZE:STAGE:REPLY, which picks it by the SIZE= its MAIL declares (the
// input file's length), so a retried transaction is still the same message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::HasSubstr;

constexpr int kMessages = 10;
constexpr std::string_view kSender = "s@example.test";
constexpr std::string_view kRecipient = "r@example.test";

// --- The ten input files ---

// Distinct sizes around the client's buffers: message 1 outgrows the 128 KiB read before
// connecting, message 6 the 256 KiB BDAT chunk. Messages 3, 5, 8 and 10 hold UTF-8.
struct Shape {
  std::size_t target_size;
  bool utf8;
};
constexpr Shape kShapes[kMessages] = {
    {150000, false}, {600, false},  {3000, true},  {70000, false}, {1500, true},
    {280000, false}, {9000, false}, {40000, true}, {400, false},   {20000, true},
};

std::string marker(int number) {
  return "X-Test-Marker: integrity-message-" + std::to_string(number) + "\r\n";
}

// CRLF lines ending in CRLF, so that the stored message (after the server's un-dot-stuffing)
// is the file byte for byte and SIZE= (the file's length) is the stored length. Lines
// starting with a dot, and lone "." and ".." lines, exercise dot-stuffing.
std::string make_message(int number, const Shape& shape) {
  const std::string n = std::to_string(number);
  std::string text =
      "From: <" + std::string(kSender) + ">\r\nTo: <" + std::string(kRecipient) +
      ">\r\nSubject: integrity test message " + n + (shape.utf8 ? " caf\xc3\xa9" : "") +
      "\r\nMessage-ID: <integrity-" + n + "@example.test>\r\n" + marker(number) +
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=" +
      (shape.utf8 ? "utf-8" : "us-ascii") +
      "\r\nContent-Transfer-Encoding: " + (shape.utf8 ? "8bit" : "7bit") + "\r\n\r\n";
  constexpr std::string_view kFiller = "the quick brown fox jumps over the lazy dog 0123456789 ";
  for (std::size_t line = 1; text.size() < shape.target_size; ++line) {
    if (line % 17 == 0) {
      text += ".\r\n";
      continue;
    }
    if (line % 23 == 0) {
      text += "..\r\n";
      continue;
    }
    if (line % 7 == 0) text += ".";
    text += "message " + n + " line " + std::to_string(line) + ": ";
    if (shape.utf8 && line % 3 == 0) text += "d\xc3\xa9j\xc3\xa0 vu \xe2\x9c\x93 ";
    const std::size_t length = (line * 37 + static_cast<std::size_t>(number) * 11) % 120;
    for (std::size_t i = 0; i < length; ++i) text += kFiller[(i + line) % kFiller.size()];
    text += "\r\n";
  }
  text += "-- end of message " + n + "\r\n";
  return text;
}

bool has_eight_bit(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

struct Input {
  std::string path;
  std::string bytes;
};

// --- The scenarios ---

enum class Mode {
  Pipelining,                     // PIPELINING, lenient server
  StrictPipelining,               // PIPELINING, 503 to commands pipelined after the data
  StrictNoPipeliningClient,       // the same server, smtpc --no-pipelining
  StrictServerWithoutPipelining,  // no PIPELINING offered
  StrictChunking,                 // PIPELINING and CHUNKING (BDAT), strict
};

std::string to_string(Mode mode) {
  switch (mode) {
    case Mode::Pipelining:
      return "Pipelining";
    case Mode::StrictPipelining:
      return "StrictPipelining";
    case Mode::StrictNoPipeliningClient:
      return "StrictNoPipeliningClient";
    case Mode::StrictServerWithoutPipelining:
      return "StrictServerWithoutPipelining";
    case Mode::StrictChunking:
      return "StrictChunking";
  }
  return "?";
}

enum class Fault { None, RefuseMail, RefuseRcpt, RefuseData, Reply421AtMail, CloseAtMail };

struct FaultSpec {
  std::string name;
  std::string stage;  // for --refuse-message
  std::string reply;  // for --refuse-message; "CLOSE" drops the connection
  int exit_code;      // smtpc's exit code: the first failure's (ExitCode in error.hpp)
  bool fatal;         // the connection ends: every later message is NOT sent
};

FaultSpec spec_of(Fault fault) {
  switch (fault) {
    case Fault::None:
      return {"NoRefusal", "", "", 0, false};
    case Fault::RefuseMail:  // MAIL FROM failed: SendError
      return {"RefusedAtMail", "mail", "552 5.3.4 message size exceeds fixed limit", 55, false};
    case Fault::RefuseRcpt:  // RCPT TO failed: SendError
      return {"RefusedAtRcpt", "rcpt", "451 4.3.0 try later", 55, false};
    case Fault::RefuseData:  // the message was NOT accepted: WeirdServerReply
      return {"RefusedAfterData", "data", "554 5.7.1 rejected", 8, false};
    case Fault::Reply421AtMail:  // MAIL FROM failed (SendError), then the server hangs up
      return {"Reply421AtMail", "mail", "421 4.3.2 service shutting down", 55, true};
    case Fault::CloseAtMail:  // connection lost: RecvError
      return {"ConnectionClosedAtMail", "mail", "CLOSE", 56, true};
  }
  return {};
}

struct Scenario {
  Mode mode;
  Fault fault;
  int position;  // the message (1-based) the fault hits; 0 with Fault::None
};

std::string describe(const Scenario& s) {
  std::string name = to_string(s.mode) + "_" + spec_of(s.fault).name;
  if (s.fault != Fault::None) name += "_Message" + std::to_string(s.position);
  return name;
}

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& info) {
  return describe(info.param);
}

void PrintTo(const Scenario& scenario, std::ostream* out) { *out << describe(scenario); }

std::vector<Scenario> all_scenarios() {
  std::vector<Scenario> scenarios;
  for (const Mode mode : {Mode::Pipelining, Mode::StrictPipelining, Mode::StrictNoPipeliningClient,
                          Mode::StrictServerWithoutPipelining, Mode::StrictChunking}) {
    scenarios.push_back({mode, Fault::None, 0});
    for (const Fault fault : {Fault::RefuseMail, Fault::RefuseRcpt, Fault::RefuseData}) {
      for (const int position : {5, 1, kMessages}) scenarios.push_back({mode, fault, position});
    }
    scenarios.push_back({mode, Fault::Reply421AtMail, 6});
    scenarios.push_back({mode, Fault::CloseAtMail, 6});
  }
  return scenarios;
}

// --- What happened ---

// "m3" for a stored message that is input 3 byte for byte; "m3?" when it carries input 3's
// marker but differs; "m?" when it has no marker at all.
std::string identify(const std::string& bytes, const std::vector<Input>& inputs) {
  for (int number = 1; number <= kMessages; ++number) {
    if (bytes.find(marker(number)) == std::string::npos) continue;
    const bool exact = bytes == inputs[static_cast<std::size_t>(number - 1)].bytes;
    return numbered("m", number) + (exact ? "" : "?");
  }
  return "m?";
}

std::string join(const std::vector<std::string>& items, std::string_view separator = " ") {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

std::optional<std::string> mail_option(const Envelope& envelope, std::string_view prefix) {
  for (const auto& option : envelope.mail_options) {
    if (option.starts_with(prefix)) return option.substr(prefix.size());
  }
  return std::nullopt;
}

struct ReportLine {
  std::string path;
  bool accepted = false;
  std::string text;
};

// smtpc's per-message report: "smtpc: message N (PATH) accepted: ..." / "... NOT sent: ...".
std::map<int, std::vector<ReportLine>> parse_report(const std::string& err) {
  static const std::regex kLine(R"(smtpc: message (\d+) \((.*)\) (accepted|NOT sent): (.*))");
  std::map<int, std::vector<ReportLine>> report;
  for (const auto& line : split_lines(err)) {
    std::smatch match;
    if (!std::regex_match(line, match, kLine)) continue;
    report[std::stoi(match[1])].push_back({match[2], match[3] == "accepted", match[4]});
  }
  return report;
}

// "1:accepted 2:accepted 3:NOT-sent ...": one word per message, "missing" when the report
// has no line for it, "twice" for more than one, "wrong-file" when it names another file.
std::string describe_report(const std::map<int, std::vector<ReportLine>>& report,
                            const std::vector<Input>& inputs) {
  std::vector<std::string> words;
  for (int number = 1; number <= kMessages; ++number) {
    const auto it = report.find(number);
    std::string word = std::to_string(number) + ":";
    if (it == report.end()) {
      word += "missing";
    } else if (it->second.size() != 1) {
      word += "twice";
    } else if (it->second[0].path != inputs[static_cast<std::size_t>(number - 1)].path) {
      word += "wrong-file";
    } else {
      word += it->second[0].accepted ? "accepted" : "NOT-sent";
    }
    words.push_back(word);
  }
  return join(words);
}

class IntegrityTest : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    for (int number = 1; number <= kMessages; ++number) {
      const std::string bytes = make_message(number, kShapes[number - 1]);
      inputs_.push_back({dir_.write_file(numbered("m", number) + ".eml", bytes), bytes});
    }
    std::set<std::size_t> sizes;
    for (const auto& input : inputs_) sizes.insert(input.bytes.size());
    ASSERT_EQ(sizes.size(), inputs_.size()) << "the inputs' sizes must differ";
  }

  [[nodiscard]] const Input& input(int number) const {
    return inputs_.at(static_cast<std::size_t>(number - 1));
  }

  TempDir dir_;
  std::vector<Input> inputs_;
};

TEST_P(IntegrityTest, TenMessagesOverOneConnection) {
  const Scenario& scenario = GetParam();
  const FaultSpec fault = spec_of(scenario.fault);

  std::vector<std::string> server_options{"--size-limit", "10000000"};
  if (scenario.mode != Mode::StrictServerWithoutPipelining) {
    server_options.push_back("--pipelining");
  }
  if (scenario.mode != Mode::Pipelining) {
    server_options.push_back("--reject-pipelined-after-data");
  }
  if (scenario.mode == Mode::StrictChunking) server_options.push_back("--chunking");
  if (scenario.fault != Fault::None) {
    server_options.push_back("--refuse-message");
    server_options.push_back(std::to_string(input(scenario.position).bytes.size()) + ":" +
                             fault.stage + ":" + fault.reply);
  }
  SmtpServer server(server_options);

  Send send{.url = server.url("client.example"),
            .recipients = {std::string(kRecipient)},
            .sender = std::string(kSender)};
  for (const auto& in : inputs_) send.files.push_back(in.path);
  if (scenario.mode == Mode::StrictNoPipeliningClient) send.options.push_back("--no-pipelining");
  const auto args = send_args(send);
  const auto run = run_smtpc(args, "", std::chrono::seconds(60));

  // Which messages should have been stored, and so reported accepted.
  std::vector<std::string> expected_stored;
  std::vector<std::string> expected_report;
  for (int number = 1; number <= kMessages; ++number) {
    const bool hit = scenario.fault != Fault::None && number == scenario.position;
    const bool lost = fault.fatal && number > scenario.position;
    if (!hit && !lost) expected_stored.push_back(numbered("m", number));
    expected_report.push_back(std::to_string(number) + ":" +
                              (hit || lost ? "NOT-sent" : "accepted"));
  }

  const auto messages = server.messages();
  std::vector<std::string> stored;
  for (const auto& message : messages) stored.push_back(identify(message.bytes, inputs_));
  EXPECT_EQ(join(stored), join(expected_stored))
      << "[stored] mN: input N byte for byte; mN?: input N's marker but other bytes";

  // Each stored message under its own envelope.
  std::vector<std::string> bad_envelopes;
  std::vector<std::string> bad_body_parameters;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const Message& message = messages[i];
    const std::string who = "stored #" + std::to_string(i + 1) + " (" + stored[i] + ")";
    const auto size = mail_option(message.envelope, "SIZE=");
    if (size != std::to_string(message.bytes.size())) {
      bad_envelopes.push_back(who + ": SIZE=" + size.value_or("(none)") + " but " +
                              std::to_string(message.bytes.size()) + " bytes");
    }
    const bool declared_8bit = mail_option(message.envelope, "BODY=8BITMIME").has_value();
    if (declared_8bit != has_eight_bit(message.bytes)) {
      bad_body_parameters.push_back(who + (declared_8bit ? ": BODY=8BITMIME for a 7-bit message"
                                                         : ": no BODY=8BITMIME for 8-bit bytes"));
    }
    if (message.envelope.mail_from != kSender ||
        message.envelope.rcpt_tos != std::vector<std::string>{std::string(kRecipient)}) {
      bad_envelopes.push_back(who + ": envelope " + message.envelope.mail_from + " -> " +
                              join(message.envelope.rcpt_tos));
    }
  }
  EXPECT_EQ(join(bad_envelopes, "; "), "") << "[envelope] envelopes that do not fit their message";
  EXPECT_EQ(join(bad_body_parameters, "; "), "")
      << "[body] BODY=8BITMIME must be declared exactly for messages with 8-bit bytes";

  const auto report = parse_report(run.err);
  EXPECT_EQ(describe_report(report, inputs_), join(expected_report))
      << "[report] smtpc's per-message report; stderr:\n"
      << run.err;
  if (scenario.fault != Fault::None && fault.reply != "CLOSE") {
    const auto it = report.find(scenario.position);
    if (it != report.end() && !it->second.empty()) {
      EXPECT_THAT(it->second[0].text, HasSubstr(fault.reply))
          << "[report] message " << scenario.position << " is NOT sent for the server's refusal";
    }
  }

  EXPECT_EQ(run.exit_code, fault.exit_code) << "[exit] " << run.err;

  const auto ehlo = server.commands("EHLO");
  EXPECT_EQ(ehlo.size(), 1U) << "[connections] one connection";
}

INSTANTIATE_TEST_SUITE_P(Integrity, IntegrityTest, ::testing::ValuesIn(all_scenarios()),
                         scenario_name);

}  // namespace
}  // namespace smtpc::it
