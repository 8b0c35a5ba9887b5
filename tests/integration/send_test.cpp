// Integration tests: the smtpc binary against real (aiosmtpd) and scripted servers on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr std::string_view kSender = "a@example.com";
constexpr std::string_view kRecipient = "b@example.com";
constexpr std::string_view kSimpleMessage = "Subject: x\n\nhello\n.dot\n.\nafter the lone dot\n";
constexpr std::string_view kSimpleMessageOnWire =
    "Subject: x\r\n\r\nhello\r\n.dot\r\n.\r\nafter the lone dot\r\n";

/// Compares big byte strings without printing them whole: reports the first difference.
::testing::AssertionResult same_bytes(const std::string& actual, const std::string& expected) {
  const auto [a, e] = std::mismatch(actual.begin(), actual.end(), expected.begin(), expected.end());
  if (a == actual.end() && e == expected.end()) return ::testing::AssertionSuccess();
  const auto offset = static_cast<std::size_t>(a - actual.begin());
  const auto from = offset > 40 ? offset - 40 : 0;
  return ::testing::AssertionFailure()
         << "sizes " << actual.size() << " (actual) and " << expected.size()
         << " (expected); first difference at offset " << offset
         << "\nactual:   " << ::testing::PrintToString(actual.substr(from, 80))
         << "\nexpected: " << ::testing::PrintToString(expected.substr(from, 80));
}

bool has_line(const std::string& text, std::string_view line) {
  const auto lines = split_lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

bool has_line_matching(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  const auto lines = split_lines(text);
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return std::regex_match(line, re); });
}

class SendTest : public ::testing::Test {
 protected:
  /// smtpc URL --mail-from a@example.com --mail-rcpt R... -T FILE
  static std::vector<std::string> send_args(const std::string& url, const std::string& file,
                                            std::vector<std::string> recipients = {
                                                std::string(kRecipient)}) {
    return it::send_args({.url = url, .files = {file}, .recipients = std::move(recipients)});
  }

  std::string message_file(std::string_view content = kSimpleMessage) {
    return files_.write_file("message.eml", content);
  }

  TempDir files_;
};

// --- Delivery ---

TEST_F(SendTest, DeliversToOneRecipientWithCrlfLinesAndDotsIntact) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_TRUE(same_bytes(messages[0].bytes, std::string(kSimpleMessageOnWire)));
  EXPECT_EQ(messages[0].envelope.mail_from, kSender);
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre(kRecipient));
  EXPECT_THAT(server.log_lines(), ElementsAre("EHLO client.example", "MAIL FROM:<a@example.com>",
                                              "RCPT TO:<b@example.com>", "DATA", "QUIT"));
  EXPECT_THAT(run.err, Not(HasSubstr("smtpc:")));
}

// libidn2 and libmagic (and the libraries behind them) are opened only when a send needs
// them: a plain send maps neither, nor libm (a start-up cost, docs/performance.md); a non-ASCII
// domain loads libidn2 and an attachment with no known extension libmagic, and both work. ld.so's
// own log says what it loaded.
TEST_F(SendTest, LoadsLibidn2AndLibmagicOnlyWhenNeeded) {
  SmtpServer server;
  const std::string message = message_file();
  const std::string attachment =
      files_.write_file("document", "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
  const auto loaded = [&](std::vector<std::string> args) {
    const std::string log = files_.path() + "/ld";
    args.insert(args.begin(), SMTPC_BINARY);
    const RunResult run = run_program(args, "", {"LD_DEBUG=files", "LD_DEBUG_OUTPUT=" + log});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::string text;  // LD_DEBUG_OUTPUT=PATH writes PATH.PID
    for (const auto& entry : std::filesystem::directory_iterator(files_.path())) {
      if (entry.path().filename().string().rfind("ld.", 0) != 0) continue;
      text += read_file(entry.path().string());
      std::filesystem::remove(entry.path());
    }
    return text;
  };
  const std::string plain = loaded(send_args(server.url("client.example"), message));
  EXPECT_THAT(plain, Not(HasSubstr("libidn2")));
  EXPECT_THAT(plain, Not(HasSubstr("libmagic")));
  // Nor libm: smtpc's one libm function (llround) is its own now. The sanitizers' runtime
  // needs libm itself.
  if (plain.find("libasan") == std::string::npos) {
    EXPECT_THAT(plain, Not(HasSubstr("libm.so")));
  }

  const std::string idn = loaded(send_args(server.url("client.example"), message,
                                           {"anna@b\xC3\xBC"
                                            "cher.example"}));
  EXPECT_THAT(idn, HasSubstr("libidn2.so"));
  EXPECT_THAT(idn, Not(HasSubstr("libmagic")));

  const std::string attached =
      loaded({server.url("client.example"), "--mail-from", "a@example.com", "--mail-rcpt",
              "b@example.com", "--subject", "x", "--body", "see attached", "--attach", attachment});
  EXPECT_THAT(attached, HasSubstr("libmagic.so"));
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(3));
  EXPECT_THAT(messages[1].envelope.rcpt_tos, ElementsAre("anna@xn--bcher-kva.example"));
  EXPECT_THAT(messages[2].bytes, HasSubstr("Content-Type: application/pdf"));
}

TEST_F(SendTest, DeliversOneCopyToManyRecipientsInOrder) {
  SmtpServer server;
  std::vector<std::string> recipients;
  for (int i = 1; i <= 10; ++i) recipients.push_back("user" + std::to_string(i) + "@example.org");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file(), recipients));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].envelope.rcpt_tos, recipients);
  EXPECT_THAT(server.commands("RCPT"), SizeIs(10));
  EXPECT_THAT(server.commands("DATA"), SizeIs(1));
}

TEST_F(SendTest, UploadsFromStandardInputWithSizeWhenReadWholeBeforeConnecting) {
  SmtpServer server({"--size-limit", "10000000"});
  const std::string body = "Subject: stdin\r\n\r\nfrom standard input\n.leading dot";
  const auto run = run_smtpc(send_args(server.url("client.example"), "-"), body);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_TRUE(same_bytes(messages[0].bytes,
                         "Subject: stdin\r\n\r\nfrom standard input\r\n.leading dot\r\n"));
  // A short standard input is read whole before connecting, so its size is known.
  EXPECT_THAT(server.commands("MAIL"),
              ElementsAre("MAIL FROM:<a@example.com> SIZE=" + std::to_string(body.size())));
}

TEST_F(SendTest, NormalisesBareCarriageReturnsAndAddsFinalCrlf) {
  SmtpServer server;
  const auto file = message_file("Subject: cr\r\n\r\none\rtwo\r\nthree\n\nfour");
  const auto run = run_smtpc(send_args(server.url("client.example"), file));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_TRUE(
      same_bytes(messages[0].bytes, "Subject: cr\r\n\r\none\r\ntwo\r\nthree\r\n\r\nfour\r\n"));
}

TEST_F(SendTest, DeliversFiftyMegabyteMessageByteExact) {
  // Lines of 0..998 characters (the most a server must accept), some starting with one
  // or two dots or being a lone dot, some with 8-bit bytes, ending in LF, CRLF or CR.
  std::mt19937 random(20240611);
  std::string pool(4096, ' ');
  for (auto& c : pool) c = static_cast<char>(' ' + static_cast<int>(random() % 95));
  for (std::size_t i = 0; i < pool.size(); i += 97) pool[i] = static_cast<char>(0xE9);
  const std::vector<std::size_t> lengths{0, 1, 2, 30, 76, 77, 200, 511, 512, 997, 998};
  const std::vector<std::string_view> endings{"\n", "\n", "\r\n", "\r\n", "\r"};
  std::string input;
  constexpr std::size_t kTarget = 50u * 1024 * 1024;
  input.reserve(kTarget + 2048);
  while (input.size() < kTarget) {
    const std::size_t length = lengths[random() % lengths.size()];
    switch (random() % 8) {
      case 0:
        input += ".";
        break;
      case 1:
        input += "..";
        break;
      case 2:
        input += ".\n";
        break;  // a lone dot line
      default:
        break;
    }
    const std::size_t offset = random() % (pool.size() - 1000);
    input.append(pool, offset, length > 2 ? length - 2 : length);
    input += endings[random() % endings.size()];
  }
  input += "last line without end";
  const std::string expected = crlf_normalised(input);
  SmtpServer server;
  const auto file = files_.write_file("big.eml", input);

  const auto run = run_smtpc(send_args(server.url("client.example"), file));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_TRUE(same_bytes(messages[0].bytes, expected));
}

TEST_F(SendTest, EndOfDataLookalikesInBodyAreDeliveredAsText) {
  // Sequences that some servers take for the end of data (SMTP smuggling) must arrive
  // as part of the message, and must not be read as commands by the server.
  SmtpServer server;
  const std::string body =
      "Subject: smuggle\r\n\r\none\n.\r\nMAIL FROM:<evil@example.net>\r\n"
      "two\r\n.\nRCPT TO:<evil@example.net>\r\nthree\r.\rDATA\r\n.\r\nRSET\r\nend\r\n";
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file(body)));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_TRUE(same_bytes(server.messages()[0].bytes, crlf_normalised(body)));
  EXPECT_THAT(server.log_lines(), ElementsAre("EHLO client.example", "MAIL FROM:<a@example.com>",
                                              "RCPT TO:<b@example.com>", "DATA", "QUIT"));
}

TEST_F(SendTest, LargeStandardInputIsStreamedByteExact) {
  SmtpServer server;
  std::string input;
  for (int i = 0; input.size() < 5u * 1024 * 1024; ++i) {
    if (i % 7 == 0) input += '.';
    input += std::to_string(i);
    input.append(static_cast<std::size_t>(i % 300), 'x');
    input += '\n';
  }
  const auto run = run_smtpc(send_args(server.url("client.example"), "-"), input);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_TRUE(same_bytes(server.messages()[0].bytes, crlf_normalised(input)));
}

TEST_F(SendTest, DotStuffingAndSplitRepliesOnTheWire) {
  // Replies arrive in pieces split inside lines; the body on the wire is dot-stuffed.
  ScriptedServer server(
      "SRAW 220-mx\\r\\n\nSLEEP 0.1\nSRAW 220 re\nSLEEP 0.1\nSRAW ady\\r\nSLEEP 0.1\nSRAW \\n\n"
      "R\nSRAW 250-mx\\r\\n250-SIZE 1000\nSLEEP 0.1\nSRAW 0\\r\\n250 8BITMIME\\r\\n\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 354 go ahead\nRDATA\nS 250 queued\nR\nS 221 bye\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string expected_data =
      "DATA\r\nSubject: x\r\n\r\nhello\r\n..dot\r\n..\r\nafter the lone dot\r\n.\r\nQUIT\r\n";
  EXPECT_THAT(server.received(), ::testing::EndsWith(expected_data));
  EXPECT_THAT(server.received_lines(),
              Contains("MAIL FROM:<a@example.com> SIZE=" + std::to_string(kSimpleMessage.size())));
}

TEST_F(SendTest, DeliversOverIpv6Loopback) {
  SmtpServer server({"--host", "::1"});
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_TRUE(same_bytes(server.messages()[0].bytes, std::string(kSimpleMessageOnWire)));
}

TEST_F(SendTest, SendsNullReversePathWithoutMailFrom) {
  SmtpServer server;
  const auto run = run_smtpc(
      {server.url("client.example"), "--mail-rcpt", std::string(kRecipient), "-T", message_file()});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("MAIL"), ElementsAre("MAIL FROM:<>"));
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_EQ(server.messages()[0].envelope.mail_from, "");
}

TEST_F(SendTest, ReducesDisplayNameFormToTheAddress) {
  SmtpServer server;
  const auto run =
      run_smtpc({server.url("client.example"), "--mail-from", "Alice <alice@example.com>",
                 "--mail-rcpt", "<bob@example.com>", "-T", message_file()});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("MAIL"), ElementsAre("MAIL FROM:<alice@example.com>"));
  EXPECT_THAT(server.commands("RCPT"), ElementsAre("RCPT TO:<bob@example.com>"));
}

// --- EHLO / HELO ---

TEST_F(SendTest, UsesUrlPathAsEhloName) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("EHLO"), ElementsAre("EHLO client.example"));
}

TEST_F(SendTest, DefaultEhloNameIsNotTheUploadFileName) {
  SmtpServer server;
  const auto file = files_.write_file("upload-name.eml", kSimpleMessage);
  const std::string bare = "smtp://127.0.0.1:" + std::to_string(server.port());
  for (const auto& url : {bare, bare + "/"}) {
    SCOPED_TRACE(url);
    const auto run = run_smtpc(send_args(url, file));
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const auto ehlo = server.commands("EHLO");
  ASSERT_THAT(ehlo, SizeIs(2));
  for (const auto& line : ehlo) {
    EXPECT_GT(line.size(), std::string_view("EHLO ").size()) << line;
    EXPECT_THAT(line, Not(HasSubstr("upload-name"))) << line;
    EXPECT_THAT(line, Not(HasSubstr("/")));
  }
  EXPECT_THAT(server.messages(), SizeIs(2));
}

TEST_F(SendTest, FallsBackToHeloWhenEhloIsNotRecognised) {
  SmtpServer server({"--helo-only"});
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = server.log_lines();
  ASSERT_THAT(log, SizeIs(::testing::Ge(2u)));
  EXPECT_EQ(log[0], "EHLO client.example");
  EXPECT_EQ(log[1], "HELO client.example");
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_TRUE(same_bytes(server.messages()[0].bytes, std::string(kSimpleMessageOnWire)));
}

TEST_F(SendTest, HeloRefusedExits9) {
  ScriptedServer server(
      "S 220 mx ready\nR\nS 502 5.5.2 command not recognized\nR\n"
      "S 550 5.7.1 go away\nR\nS 221 bye\nDRAIN 3\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 9) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(9)));
  const auto received = server.received_lines();
  ASSERT_THAT(received, SizeIs(::testing::Ge(2u)));
  EXPECT_EQ(received[0], "EHLO client.example");
  EXPECT_EQ(received[1], "HELO client.example");
  EXPECT_THAT(received, Not(Contains(StartsWith("MAIL"))));
}

// --- Recipients ---

TEST_F(SendTest, RefusedRecipientExits55WithoutAllowFails) {
  SmtpServer server({"--refuse-rcpt", "nobody@example.com"});
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file(),
                                       {std::string(kRecipient), "nobody@example.com"}));

  EXPECT_EQ(run.exit_code, 55);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(55)), HasSubstr("550 5.1.1")));
  EXPECT_THAT(server.messages(), IsEmpty());
  EXPECT_THAT(server.commands("DATA"), IsEmpty());
}

TEST_F(SendTest, RefusedRecipientIsSkippedWithAllowFails) {
  SmtpServer server({"--refuse-rcpt", "nobody@example.com"});
  auto args = send_args(server.url("client.example"), message_file(),
                        {"nobody@example.com", std::string(kRecipient)});
  args.push_back("--mail-rcpt-allowfails");
  const auto run = run_smtpc(args);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_THAT(messages[0].envelope.rcpt_tos, ElementsAre(kRecipient));
  EXPECT_TRUE(same_bytes(messages[0].bytes, std::string(kSimpleMessageOnWire)));
}

TEST_F(SendTest, AllRecipientsRefusedExits55EvenWithAllowFails) {
  SmtpServer server({"--refuse-rcpt", "nobody@example.com", "--refuse-rcpt", "none@example.com"});
  auto args = send_args(server.url("client.example"), message_file(),
                        {"nobody@example.com", "none@example.com"});
  args.push_back("--mail-rcpt-allowfails");
  const auto run = run_smtpc(args);

  EXPECT_EQ(run.exit_code, 55);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(55)), HasSubstr("550 5.1.1")));
  EXPECT_THAT(server.commands("RCPT"), SizeIs(2));
  EXPECT_THAT(server.commands("DATA"), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(SendTest, RefusedSenderExits55WithServerReply) {
  SmtpServer server({"--reject-mail", "550 5.7.1 sender refused"});
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 55);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(55)), HasSubstr("550 5.7.1")));
  EXPECT_THAT(server.commands("DATA"), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

// --- SIZE (RFC 1870) ---

TEST_F(SendTest, SendsSizeWhenServerAdvertisesIt) {
  SmtpServer server({"--size-limit", "1000000"});
  const std::string content = "Subject: size\r\n\r\nno bare line ends here\r\n";
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file(content)));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string size = "SIZE=" + std::to_string(content.size());
  EXPECT_THAT(server.commands("MAIL"), ElementsAre("MAIL FROM:<a@example.com> " + size));
  ASSERT_THAT(server.messages(), SizeIs(1));
  EXPECT_THAT(server.messages()[0].envelope.mail_options, ElementsAre(size));
}

TEST_F(SendTest, OmitsSizeWhenServerDoesNotAdvertiseIt) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("MAIL"), ElementsAre("MAIL FROM:<a@example.com>"));
}

TEST_F(SendTest, MessageOverSizeLimitIsRefusedAtMail) {
  SmtpServer server({"--size-limit", "100"});
  std::string content = "Subject: big\r\n\r\n";
  while (content.size() < 500) content += "0123456789012345678901234567890123456789\r\n";
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file(content)));

  EXPECT_EQ(run.exit_code, 55);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(55)), HasSubstr("552")));
  ASSERT_THAT(server.commands("MAIL"), SizeIs(1));
  EXPECT_THAT(server.commands("MAIL")[0], HasSubstr(" SIZE=" + std::to_string(content.size())));
  EXPECT_THAT(server.commands("DATA"), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

// --- End of data ---

TEST_F(SendTest, RefusedEndOfDataExits8WithServerReply) {
  SmtpServer server({"--data-reply", "554 5.7.1 rejected as spam"});
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 8);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(8)), HasSubstr("554 5.7.1")));
  EXPECT_THAT(server.commands("DATA"), SizeIs(1));
}

// --- Trace output ---

TEST_F(SendTest, VerboseShowsDialogueButNotTheBody) {
  SmtpServer server;
  const auto file = message_file("Subject: v\n\nBODY-MARKER-7f3a\n");
  auto args = send_args(server.url("client.example"), file);
  args.push_back("-v");
  const auto run = run_smtpc(args);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(has_line(run.err, "> EHLO client.example")) << run.err;
  EXPECT_TRUE(has_line(run.err, "> MAIL FROM:<a@example.com>")) << run.err;
  EXPECT_TRUE(has_line(run.err, "> RCPT TO:<b@example.com>")) << run.err;
  EXPECT_TRUE(has_line(run.err, "> DATA")) << run.err;
  EXPECT_TRUE(has_line_matching(run.err, R"(< 220 .*)")) << run.err;
  EXPECT_TRUE(has_line_matching(run.err, R"(< 354 .*)")) << run.err;
  EXPECT_TRUE(has_line_matching(run.err, R"(< 250 OK: queued)")) << run.err;
  EXPECT_TRUE(has_line_matching(run.err, R"(\* .+)")) << run.err;
  EXPECT_TRUE(has_line_matching(run.err, R"(\} \[[0-9]+ bytes data\])")) << run.err;
  EXPECT_THAT(run.err, Not(HasSubstr("BODY-MARKER-7f3a")));
  for (const auto& line : split_lines(run.err)) {
    EXPECT_TRUE(line.starts_with("* ") || line.starts_with("> ") || line.starts_with("< ") ||
                line.starts_with("} "))
        << "unexpected -v line: " << line;
  }
  EXPECT_THAT(server.messages(), SizeIs(1));
}

TEST_F(SendTest, TraceTimePrefixesVerboseLines) {
  SmtpServer server;
  auto args = send_args(server.url("client.example"), message_file());
  args.insert(args.end(), {"-v", "--trace-time"});
  const auto run = run_smtpc(args);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(
      has_line_matching(run.err, R"([0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} > EHLO client\.example)"))
      << run.err;
}

TEST_F(SendTest, TraceAsciiWritesCommandsAndBodyToFile) {
  SmtpServer server;
  const auto trace = files_.path() + "/trace.txt";
  auto args = send_args(server.url("client.example"), message_file("Subject: t\n\nTRACEBODY\n"));
  args.insert(args.end(), {"--trace-ascii", trace});
  const auto run = run_smtpc(args);

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto text = read_file(trace);
  EXPECT_THAT(text, HasSubstr("EHLO client.example"));
  EXPECT_THAT(text, HasSubstr("MAIL FROM:<a@example.com>"));
  EXPECT_THAT(text, HasSubstr("250 OK: queued"));
  EXPECT_THAT(text, HasSubstr("TRACEBODY"));
}

// --- No upload: HELP and VRFY ---

TEST_F(SendTest, WithoutUploadOrRecipientsSendsHelpAndPrintsReply) {
  SmtpServer server;
  const auto run = run_smtpc({server.url("client.example")});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.commands("HELP"), SizeIs(1));
  EXPECT_THAT(server.commands("MAIL"), IsEmpty());
  EXPECT_THAT(run.out, HasSubstr("Supported commands:"));
}

TEST_F(SendTest, HelpReplyGoesToOutputFile) {
  SmtpServer server;
  const auto output = files_.path() + "/help.txt";
  const auto run = run_smtpc({server.url("client.example"), "-o", output});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(read_file(output), HasSubstr("Supported commands:"));
  EXPECT_THAT(run.out, Not(HasSubstr("Supported commands:")));
}

TEST_F(SendTest, UnwritableOutputFileExits23) {
  SmtpServer server;
  const auto run =
      run_smtpc({server.url("client.example"), "-o", files_.path() + "/no-such-dir/help.txt"});

  EXPECT_EQ(run.exit_code, 23);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(23)));
}

TEST_F(SendTest, WithoutUploadRecipientsAreVerified) {
  SmtpServer server;
  const auto run = run_smtpc({server.url("client.example"), "--mail-rcpt", "b@example.com",
                              "--mail-rcpt", "c@example.com"});

  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto vrfy = server.commands("VRFY");
  ASSERT_THAT(vrfy, SizeIs(2));
  EXPECT_THAT(vrfy[0], HasSubstr("b@example.com"));
  EXPECT_THAT(vrfy[1], HasSubstr("c@example.com"));
  EXPECT_THAT(server.commands("MAIL"), IsEmpty());
  EXPECT_THAT(run.out, HasSubstr("252"));
}

// --- Exit codes for local errors ---

TEST_F(SendTest, UnsupportedSchemeExits1) {
  SmtpServer server;
  const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  const auto run = run_smtpc(send_args(url, message_file()));

  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(1)));
  EXPECT_THAT(server.log_lines(), IsEmpty());
}

TEST_F(SendTest, UnknownOptionExits2) {
  const auto run = run_smtpc({"smtp://127.0.0.1:1/", "--no-such-option"});
  EXPECT_EQ(run.exit_code, 2);
}

TEST_F(SendTest, UploadWithoutRecipientsExits2) {
  SmtpServer server;
  const auto run = run_smtpc(
      {server.url("client.example"), "--mail-from", std::string(kSender), "-T", message_file()});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(2)));
  EXPECT_THAT(server.commands("MAIL"), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(SendTest, SecurityRecipientWithLineBreakExits2WithoutInjection) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file(),
                                       {"a\r\nRCPT TO:<injected@example.com>"}));

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(2)));
  EXPECT_THAT(server.commands("RCPT"), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(SendTest, SenderWithUnbalancedBracketExits2) {
  SmtpServer server;
  const auto run = run_smtpc({server.url("client.example"), "--mail-from", "<a@example.com",
                              "--mail-rcpt", std::string(kRecipient), "-T", message_file()});

  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(2)));
  EXPECT_THAT(server.commands("MAIL"), IsEmpty());
}

TEST_F(SendTest, PortOutOfRangeExits3) {
  const auto run = run_smtpc(send_args("smtp://127.0.0.1:99999/", message_file()));
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(3)));
}

TEST_F(SendTest, SecurityEhloNameWithEncodedLineBreakExits3WithoutInjection) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client%0d%0aRSET"), message_file()));

  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(3)));
  EXPECT_THAT(server.log_lines(), IsEmpty());
}

TEST_F(SendTest, UnresolvableHostExits6) {
  const auto run =
      run_smtpc(send_args("smtp://nonexistent.invalid/client.example", message_file()));
  EXPECT_EQ(run.exit_code, 6);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(6)));
}

TEST_F(SendTest, ClosedPortExits7) {
  const auto url = "smtp://127.0.0.1:" + std::to_string(closed_port()) + "/client.example";
  const auto run = run_smtpc(send_args(url, message_file()));
  EXPECT_EQ(run.exit_code, 7);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(7)));
}

TEST_F(SendTest, MissingUploadFileExits26) {
  SmtpServer server;
  const auto run =
      run_smtpc(send_args(server.url("client.example"), files_.path() + "/missing.eml"));

  EXPECT_EQ(run.exit_code, 26);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(26)), HasSubstr("missing.eml")));
  EXPECT_THAT(server.commands("DATA"), IsEmpty());
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST_F(SendTest, UnreadableUploadFileExits26) {
  SmtpServer server;  // a directory cannot be read as a file, even by root
  const auto run = run_smtpc(send_args(server.url("client.example"), files_.path()));

  EXPECT_EQ(run.exit_code, 26);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(26)));
  EXPECT_THAT(server.messages(), IsEmpty());
}

// As curl: an empty upload is sent (DATA, then "."), with a warning; between two
// messages on one connection too, and the report says what the server stored.
TEST_F(SendTest, EmptyUploadIsSentWithAWarning) {
  SmtpServer server;
  const std::string first = files_.write_file("first.eml", "Subject: one\r\n\r\n1\r\n");
  const std::string empty = files_.write_file("empty.eml", "");
  const std::string last = files_.write_file("last.eml", "Subject: three\r\n\r\n3\r\n");
  const auto run =
      run_smtpc({server.url("client.example"), "--mail-from", "a@example.com", "--mail-rcpt",
                 "b@example.com", "-T", first, "-T", empty, "-T", last});

  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("Warning: the upload from " + empty +
                                 " is empty: sending an empty message"));
  EXPECT_THAT(run.err, HasSubstr("message 2 (" + empty + ") accepted: 250"));
  const auto stored = server.messages();
  ASSERT_EQ(stored.size(), 3U);
  EXPECT_EQ(stored[0].bytes, "Subject: one\r\n\r\n1\r\n");
  EXPECT_EQ(stored[1].bytes, "");
  EXPECT_EQ(stored[2].bytes, "Subject: three\r\n\r\n3\r\n");
  EXPECT_EQ(server.commands("DATA").size(), 3U);
}

// --- Exit codes for server faults ---

TEST_F(SendTest, GreetingRefusedExits8) {
  ScriptedServer server("S 554 5.3.2 no service here\nR\nS 221 bye\nDRAIN 3\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 8);
  EXPECT_THAT(run.err, AllOf(HasSubstr(error_prefix(8)), HasSubstr("554")));
  EXPECT_THAT(server.received_lines(), Not(Contains(StartsWith("MAIL"))));
}

TEST_F(SendTest, MixedReplyCodesExit8) {
  ScriptedServer server("S 220 mx ready\nR\nSRAW 250-mx\\r\\n251 b\\r\\n\nDRAIN 3\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(8)));
  EXPECT_THAT(server.received_lines(), Not(Contains(StartsWith("MAIL"))));
}

TEST_F(SendTest, OverlongReplyLineExits8) {
  // 9000 bytes without a line end: more than kMaxReplyLine (8192).
  ScriptedServer server("S 220 mx ready\nR\nSREPEAT 9000 a\nDRAIN 5\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(8)));
}

TEST_F(SendTest, ServerThatStopsReadingTheBodyTimesOut) {
  // 20 MB is far more than the socket buffers hold, so the write itself must time out.
  ScriptedServer server(
      "S 220 mx ready\nR\nS 250 mx\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go ahead\nSLEEP 30\n");
  std::string line(998, 'z');
  line += "\r\n";
  std::string big;
  while (big.size() < 20u * 1024 * 1024) big += line;
  auto args = send_args(server.url("client.example"), files_.write_file("big.eml", big));
  args.insert(args.end(), {"-m", "2"});
  const auto run = run_smtpc(args, "", std::chrono::seconds(20));

  EXPECT_EQ(run.exit_code, 28) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(28)));
  EXPECT_LT(run.elapsed, std::chrono::seconds(8));
}

TEST_F(SendTest, SilentServerTimesOutWithMaxTime) {
  ScriptedServer server("S 220 mx ready\nSLEEP 30\n");
  auto args = send_args(server.url("client.example"), message_file());
  args.insert(args.end(), {"-m", "2"});
  const auto run = run_smtpc(args, "", std::chrono::seconds(20));

  EXPECT_EQ(run.exit_code, 28) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(28)));
  EXPECT_GE(run.elapsed, std::chrono::milliseconds(1500));
  EXPECT_LT(run.elapsed, std::chrono::seconds(8));
}

TEST_F(SendTest, ConnectionClosedAfterGreetingExits56) {
  ScriptedServer server("S 220 mx ready\nCLOSE\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 56) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(56)));
}

TEST_F(SendTest, ConnectionClosedAfterEhloExits56) {
  ScriptedServer server("S 220 mx ready\nR\nCLOSE\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), message_file()));

  EXPECT_EQ(run.exit_code, 56) << run.err;
  EXPECT_THAT(run.err, HasSubstr(error_prefix(56)));
  EXPECT_THAT(server.received_lines(), ElementsAre("EHLO client.example"));
}

// --- -s and -S ---

TEST_F(SendTest, SilentSuppressesErrorMessage) {
  const auto url = "smtp://127.0.0.1:" + std::to_string(closed_port()) + "/client.example";
  auto args = send_args(url, message_file());
  args.push_back("-s");
  const auto run = run_smtpc(args);

  EXPECT_EQ(run.exit_code, 7);
  EXPECT_EQ(run.err, "");
}

TEST_F(SendTest, SilentWithShowErrorPrintsErrorMessage) {
  const auto url = "smtp://127.0.0.1:" + std::to_string(closed_port()) + "/client.example";
  auto args = send_args(url, message_file());
  args.insert(args.end(), {"-s", "-S"});
  const auto run = run_smtpc(args);

  EXPECT_EQ(run.exit_code, 7);
  EXPECT_THAT(run.err, HasSubstr(error_prefix(7)));
}

}  // namespace
}  // namespace smtpc::it
