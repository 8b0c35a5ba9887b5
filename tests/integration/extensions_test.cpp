// ESMTP extensions end to end: PIPELINING, CHUNKING/BDAT, 8BITMIME, SMTPUTF8 and IDN, and
// several messages over one connection, against aiosmtpd and the scripted server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The index of the first line of `text` that starts with `prefix`, or npos.
std::size_t line_index(const std::string& text, std::string_view prefix) {
  const auto lines = split_lines(text);
  const auto it = std::find_if(lines.begin(), lines.end(),
                               [&](const std::string& line) { return line.starts_with(prefix); });
  return it == lines.end() ? std::string::npos : static_cast<std::size_t>(it - lines.begin());
}

// A message whose lines exercise dot-stuffing, CR/LF normalisation and 8-bit bytes.
std::string tricky_message(std::size_t lines) {
  std::string text = "Subject: extensions\n\n";
  for (std::size_t i = 0; i < lines; ++i) {
    text += i % 7 == 0 ? ".starts with a dot " : "line ";
    text += std::to_string(i);
    text += i % 11 == 0 ? "\r\n" : "\n";
  }
  return text;
}

class ExtensionsTest : public ::testing::Test {
 protected:
  std::vector<std::string> send_args(const SmtpServer& server, std::vector<std::string> files,
                                     std::vector<std::string> extra = {}) const {
    return it::send_args({.url = server.url("client.example"),
                          .files = std::move(files),
                          .options = std::move(extra),
                          .recipients = {"b@example.com", "c@example.com"}});
  }
  TempDir dir_;
};

TEST_F(ExtensionsTest, PipeliningSendsTheEnvelopeWithoutWaiting) {
  SmtpServer server({"--pipelining"});
  const std::string text = tricky_message(50);
  const auto run = run_smtpc(send_args(server, {dir_.write_file("m", text)}, {"-v"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].bytes, crlf_normalised(text));
  // DATA left before the reply to MAIL arrived, and QUIT before the final reply.
  EXPECT_LT(line_index(run.err, "> DATA"), line_index(run.err, "< 250 OK"));
  EXPECT_LT(line_index(run.err, "> QUIT"), line_index(run.err, "< 250 OK: queued"));
  EXPECT_THAT(server.log_lines(),
              ElementsAre("EHLO client.example", StartsWith("MAIL FROM:"),
                          "RCPT TO:<b@example.com>", "RCPT TO:<c@example.com>", "DATA", "QUIT"));
}

TEST_F(ExtensionsTest, NoPipeliningWaitsForEveryReply) {
  SmtpServer server({"--pipelining"});
  const auto run = run_smtpc(
      send_args(server, {dir_.write_file("m", "Subject: x\n\nhi\n")}, {"-v", "--no-pipelining"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GT(line_index(run.err, "> RCPT"), line_index(run.err, "< 250 OK"));
}

TEST_F(ExtensionsTest, PipelinedRefusedRecipientStopsTheSend) {
  SmtpServer server({"--pipelining", "--refuse-rcpt", "c@example.com"});
  const auto run = run_smtpc(send_args(server, {dir_.write_file("m", "Subject: x\n\nhi\n")}));
  EXPECT_EQ(run.exit_code, 55) << run.err;
  EXPECT_THAT(run.err, HasSubstr("RCPT TO <c@example.com> failed: 550 5.1.1"));
  EXPECT_TRUE(server.messages().empty());  // b@ must not get it either
}

TEST_F(ExtensionsTest, PipelinedAllowFailsDeliversToTheOthers) {
  SmtpServer server({"--pipelining", "--refuse-rcpt", "c@example.com"});
  const auto run = run_smtpc(
      send_args(server, {dir_.write_file("m", "Subject: x\n\nhi\n")}, {"--mail-rcpt-allowfails"}));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_THAT(server.messages()[0].envelope.rcpt_tos, ElementsAre("b@example.com"));
  EXPECT_THAT(run.err, HasSubstr("recipient <c@example.com> was refused"));
}

TEST_F(ExtensionsTest, ChunkingSendsBdatWithoutDotStuffingByteExact) {
  SmtpServer server({"--pipelining", "--chunking"});
  const std::string text = tricky_message(200000);  // about 2.5 MB: several BDAT chunks
  const auto run = run_smtpc(send_args(server, {dir_.write_file("m", text)}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_TRUE(server.messages()[0].bytes == crlf_normalised(text)) << "BDAT content differs";
  const auto log = server.log_lines();
  EXPECT_THAT(log, Not(Contains("DATA")));
  EXPECT_GE(std::count_if(log.begin(), log.end(),
                          [](const std::string& line) { return line.starts_with("BDAT "); }),
            3);
  EXPECT_THAT(log, Contains(AllOf(StartsWith("BDAT "), HasSubstr(" LAST"))));
}

// A file already in BDAT's form (every line ends in CRLF, the last too) goes out with
// sendfile, straight from the page cache: byte for byte, in 256 KiB chunks. strace shows
// the calls; any other file, a traced body or a rate limit is read and encoded as before.
class BdatFromFileTest : public ExtensionsTest {
 protected:
  /// A CRLF message of about 1.2 MB (above the 128 KiB read before connecting).
  static std::string crlf_message() { return it::crlf_message(1200 * 1000); }
  struct Sent {
    std::string bytes;          // what the server received
    std::size_t sendfiles = 0;  // sendfile calls strace saw
    std::vector<std::string> log;
  };
  Sent send_traced(const std::string& text, std::vector<std::string> extra = {}) {
    SmtpServer server({"--pipelining", "--chunking"});
    const std::string trace = dir_.path() + "/sendfile.trace";
    std::vector<std::string> argv{"/usr/bin/strace", "-f", "-e", "trace=sendfile", "-o", trace,
                                  SMTPC_BINARY};
    for (auto& arg : send_args(server, {dir_.write_file("m", text)}, std::move(extra))) {
      argv.push_back(std::move(arg));
    }
    // LeakSanitizer cannot stop a process that strace traces: off for this run (ASan build).
    const auto run = run_program(argv, "", {"ASAN_OPTIONS=detect_leaks=0"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    Sent sent;
    if (server.messages().size() == 1) sent.bytes = server.messages()[0].bytes;
    for (const auto& line : split_lines(read_file(trace))) {
      if (line.find("sendfile(") != std::string::npos) ++sent.sendfiles;
    }
    sent.log = server.log_lines();
    return sent;
  }
};

TEST_F(BdatFromFileTest, ACrlfFileGoesOutWithSendfileByteExact) {
  const std::string text = crlf_message();
  const Sent sent = send_traced(text);
  EXPECT_TRUE(sent.bytes == text) << "BDAT content differs";
  EXPECT_GE(sent.sendfiles, 5U);  // 1.2 MB in 256 KiB chunks
  EXPECT_THAT(sent.log, Contains(AllOf(StartsWith("BDAT "), HasSubstr(" LAST"))));
  EXPECT_THAT(sent.log, Not(Contains("BDAT 0 LAST")));
}

TEST_F(BdatFromFileTest, AFileNotInCrlfFormIsReadAndNormalised) {
  const std::string text = crlf_message();
  const std::size_t middle = text.size() / 2 + 7;
  const std::vector<std::string> not_crlf{
      text.substr(0, middle) + "bare LF\n" + text.substr(middle),
      text.substr(0, middle) + "bare CR\r" + text.substr(middle),
      text + "no final line end",
  };
  for (const auto& variant : not_crlf) {
    const Sent sent = send_traced(variant);
    EXPECT_EQ(sent.sendfiles, 0U);
    EXPECT_TRUE(sent.bytes == crlf_normalised(variant)) << "BDAT content differs";
  }
}

TEST_F(BdatFromFileTest, ATracedOrRateLimitedBodyIsRead) {
  const std::string text = crlf_message();
  for (const std::vector<std::string>& options :
       {std::vector<std::string>{"--trace-ascii", dir_.path() + "/ascii.trace"},
        std::vector<std::string>{"--limit-rate", "500M"}}) {
    const Sent sent = send_traced(text, options);
    EXPECT_EQ(sent.sendfiles, 0U) << options.front();
    EXPECT_TRUE(sent.bytes == text) << options.front();
  }
}

// Each -T file is opened once: the scan before sending (SIZE=, BODY=, whether sendfile may
// send it) reads it again through the descriptor the send then reads from its start. The
// second file is larger than the first read (so it is scanned, found CRLF-only and sent by
// sendfile), the third holds 8-bit bytes; each arrives byte for byte under its own SIZE=.
TEST_F(BdatFromFileTest, EachUploadFileIsOpenedOnceAndScannedThroughThatOpening) {
  SmtpServer server({"--pipelining", "--chunking", "--size-limit", "10000000"});
  const std::vector<std::string> texts{"Subject: one\r\n\r\nfirst\r\n", crlf_message(),
                                       "Subject: caf\xc3\xa9\n\nthird\n"};
  std::vector<std::string> files;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    files.push_back(dir_.write_file("m" + std::to_string(i), texts[i]));
  }
  const std::string trace = dir_.path() + "/open.trace";
  std::vector<std::string> argv{"/usr/bin/strace", "-f", "-e", "trace=openat,sendfile", "-o", trace,
                                SMTPC_BINARY};
  for (auto& arg : send_args(server, files)) argv.push_back(std::move(arg));
  const auto run = run_program(argv, "", {"ASAN_OPTIONS=detect_leaks=0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const auto lines = split_lines(read_file(trace));
  for (const auto& path : files) {
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [&](const std::string& line) {
                              return line.find("openat(") != std::string::npos &&
                                     line.find("\"" + path + "\"") != std::string::npos;
                            }),
              1)
        << path;
  }
  EXPECT_GE(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& line) {
                            return line.find("sendfile(") != std::string::npos;
                          }),
            5);
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_TRUE(messages[0].bytes == texts[0]);
  EXPECT_TRUE(messages[1].bytes == texts[1]) << "the file scanned first, then sent, differs";
  EXPECT_TRUE(messages[2].bytes == crlf_normalised(texts[2]));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_THAT(messages[i].envelope.mail_options,
                Contains("SIZE=" + std::to_string(texts[i].size())))
        << i;
    const auto& options = messages[i].envelope.mail_options;
    EXPECT_EQ(std::count(options.begin(), options.end(), "BODY=8BITMIME"), i == 2 ? 1 : 0) << i;
  }
}

// A CRLF file that shrinks while sendfile sends it: the chunk announced cannot be
// completed, so smtpc stops with exit 26 and closes the connection inside the chunk, and
// the server can only discard the transaction. Every chunk holds the file's bytes at its
// offset, and nothing (no RSET or QUIT, which the server would take for chunk data)
// follows the short one.
TEST_F(BdatFromFileTest, AFileThatShrinksWhileSentEndsTheConnectionInsideTheChunk) {
  std::string text = "Subject: shrinking\r\n\r\n";
  for (int i = 0; text.size() < 8 * 1000 * 1000; ++i) text += "line " + std::to_string(i) + "\r\n";
  const std::string path = dir_.write_file("m", text);
  // The server takes the first BDAT command, cuts the file while the client is still
  // writing (8 MB does not fit in the socket buffers), then reads what comes.
  ScriptedServer server(
      "S 220 mx ready\nR\nS 250-mx\nS 250-PIPELINING\nS 250 CHUNKING\n"
      "R\nR\nS 250 ok\nS 250 ok\nR\nTRUNCATE 1000 " +
      path + "\nDRAIN 20\n");
  const auto run = run_smtpc(it::send_args({.url = server.url("client.example"), .files = {path}}));

  EXPECT_EQ(run.exit_code, 26) << run.err;
  EXPECT_THAT(run.err, HasSubstr("became shorter"));
  const std::string received = server.received();
  std::size_t at = received.find("BDAT ");
  ASSERT_NE(at, std::string::npos) << received.substr(0, 300);
  std::uint64_t offset = 0;  // of the chunk in the file
  bool short_chunk = false;
  while (at < received.size()) {
    const std::size_t line_end = received.find("\r\n", at);
    ASSERT_NE(line_end, std::string::npos);
    const std::string command = received.substr(at, line_end - at);
    ASSERT_THAT(command, StartsWith("BDAT ")) << "at byte " << at;
    const std::size_t announced = std::stoul(command.substr(5));
    const std::string chunk = received.substr(line_end + 2, announced);
    // sendfile hands the kernel page-cache pages, not copies: bytes the server had not
    // read yet when the file was cut read as NUL. Anything else is not the file.
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      ASSERT_TRUE(chunk[i] == text[offset + i] || chunk[i] == '\0')
          << "byte " << offset + i << " of the chunks is not the file's";
    }
    at = line_end + 2 + chunk.size();
    offset += chunk.size();
    if (chunk.size() < announced) {
      short_chunk = true;
      EXPECT_EQ(at, received.size()) << "bytes after a short chunk";
    }
  }
  EXPECT_TRUE(short_chunk);
}

TEST_F(ExtensionsTest, NoChunkingUsesData) {
  SmtpServer server({"--pipelining", "--chunking"});
  const auto run = run_smtpc(
      send_args(server, {dir_.write_file("m", "Subject: x\n\n.hi\n")}, {"--no-chunking"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.log_lines(), Contains("DATA"));
  EXPECT_EQ(server.messages().at(0).bytes, "Subject: x\r\n\r\n.hi\r\n");
}

TEST_F(ExtensionsTest, SeveralMessagesOnOneConnection) {
  for (const bool pipelining : {false, true}) {
    SmtpServer server(pipelining ? std::vector<std::string>{"--pipelining"}
                                 : std::vector<std::string>{});
    std::vector<std::string> files;
    for (int i = 1; i <= 3; ++i) {
      files.push_back(
          dir_.write_file(numbered("m", i), numbered("Subject: message ", i) + "\n\nbody\n"));
    }
    const auto run = run_smtpc(send_args(server, files));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto messages = server.messages();
    ASSERT_EQ(messages.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_THAT(messages[i].bytes, StartsWith("Subject: message " + std::to_string(i + 1)));
    }
    const auto log = server.log_lines();
    EXPECT_EQ(std::count(log.begin(), log.end(), "EHLO client.example"), 1);  // one connection
    EXPECT_THAT(run.err, HasSubstr("message 3 (" + files[2] + ") accepted: 250"));
  }
}

TEST_F(ExtensionsTest, OneRefusedMessageOfSeveralIsReportedAndFailsTheRun) {
  ScriptedServer server(
      "S 220 mx\nR\nS 250 mx\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nS 250 first queued\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nS 554 5.7.1 second is spam\n"
      "R\nS 221 bye\nDRAIN 3\n");
  const auto run = run_smtpc({server.url("client.example"), "--mail-from", "a@example.com",
                              "--mail-rcpt", "b@example.com", "--mail-rcpt", "c@example.com", "-T",
                              dir_.write_file("one", "Subject: 1\n\n1\n"), "-T",
                              dir_.write_file("two", "Subject: 2\n\n2\n")});
  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(run.err, HasSubstr("message 1 (" + dir_.path() + "/one) accepted: 250 first"));
  EXPECT_THAT(run.err, HasSubstr("message 2 (" + dir_.path() + "/two) NOT sent"));
  EXPECT_THAT(run.err, HasSubstr("smtpc: (8) the message was NOT accepted: 554 5.7.1"));
}

// Issue 20 defect 8: with -sS the run that ends non-zero still says which messages went
// (a cron job that resends on failure would duplicate the accepted ones); silent on success.
TEST_F(ExtensionsTest, SilentShowErrorNamesEachMessageWhenOneIsRefused) {
  const std::string refusing =
      "S 220 mx\nR\nS 250 mx\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nS 250 first queued\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nS 552 5.3.4 second too big\n"
      "R\nS 221 bye\nDRAIN 3\n";
  const std::string one = dir_.write_file("one", "Subject: 1\n\n1\n");
  const std::string two = dir_.write_file("two", "Subject: 2\n\n2\n");
  ScriptedServer server(refusing);
  const auto run = run_smtpc({"-sS", server.url("client.example"), "--mail-from", "a@example.com",
                              "--mail-rcpt", "b@example.com", "-T", one, "-T", two});
  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(run.err, HasSubstr("message 1 (" + one + ") accepted: 250 first"));
  EXPECT_THAT(run.err, HasSubstr("message 2 (" + two + ") NOT sent: "));
  EXPECT_THAT(run.err, HasSubstr("smtpc: (8) the message was NOT accepted: 552 5.3.4"));
  SmtpServer accepting;
  const auto quiet =
      run_smtpc({"-sS", accepting.url("client.example"), "--mail-from", "a@example.com",
                 "--mail-rcpt", "b@example.com", "-T", one, "-T", two});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
}

// Issue 20 defect 8, the third case: an end of data that got no reply (the server closed
// the connection) may have been delivered; -sS says so of that message, in the words.
TEST_F(ExtensionsTest, SilentShowErrorSaysAnUnansweredMessageMayHaveBeenDelivered) {
  ScriptedServer server(
      "S 220 mx\nR\nS 250 mx\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nS 250 first queued\n"
      "R\nS 250 ok\nR\nS 250 ok\nR\nS 354 go\nRDATA\nCLOSE\n");
  const std::string one = dir_.write_file("one", "Subject: 1\n\n1\n");
  const std::string two = dir_.write_file("two", "Subject: 2\n\n2\n");
  const std::string three = dir_.write_file("three", "Subject: 3\n\n3\n");
  const auto run = run_smtpc({"-sS", server.url("client.example"), "--mail-from", "a@example.com",
                              "--mail-rcpt", "b@example.com", "-T", one, "-T", two, "-T", three});
  EXPECT_NE(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("message 1 (" + one + ") accepted: 250 first"));
  EXPECT_THAT(run.err, HasSubstr("message 2 (" + two + ") may have been delivered: "));
  EXPECT_THAT(run.err, HasSubstr("message 3 (" + three + ") NOT sent: "));
  EXPECT_THAT(run.err, Not(HasSubstr("NOT confirmed")));
  // The lines come before the error line.
  EXPECT_LT(line_index(run.err, "smtpc: message 3"), line_index(run.err, "smtpc: ("));
}

TEST_F(ExtensionsTest, MissingSecondFileIsRefusedBeforeConnecting) {
  SmtpServer server;
  const auto run = run_smtpc(
      send_args(server, {dir_.write_file("m", "Subject: x\n\nhi\n"), dir_.path() + "/missing"}));
  EXPECT_EQ(run.exit_code, 26) << run.err;
  EXPECT_TRUE(server.log_lines().empty());
}

TEST_F(ExtensionsTest, MessageWithNulBytesGoesAsBinaryMimeByteForByte) {
  SmtpServer server({"--pipelining", "--chunking"});
  const std::string binary = std::string("Subject: bin\r\n\r\n\0\x01\xff bare\nlf\r.\r\n", 28);
  const auto run = run_smtpc(send_args(server, {dir_.write_file("bin", binary)}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].bytes, binary);  // not a byte changed, not even line ends
  EXPECT_THAT(server.messages()[0].envelope.mail_options, Contains("BODY=BINARYMIME"));
}

TEST_F(ExtensionsTest, EightBitBodyIsDeclared) {
  SmtpServer server;
  const auto run = run_smtpc(
      send_args(server, {dir_.write_file("m", "Subject: caf\xc3\xa9\n\nd\xc3\xa9j\xc3\xa0\n")}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.messages().at(0).envelope.mail_options, Contains("BODY=8BITMIME"));
  const auto plain =
      run_smtpc(send_args(server, {dir_.write_file("ascii", "Subject: plain\n\nascii\n")}));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(server.messages().at(1).envelope.mail_options, Not(Contains("BODY=8BITMIME")));
}

TEST_F(ExtensionsTest, InternationalAddresses) {
  SmtpServer server({"--smtputf8"});
  const auto run =
      run_smtpc({server.url("client.example"), "--mail-from", "a@example.com", "--mail-rcpt",
                 "j\xc3\xb6rg@b\xc3\xbc"
                 "cher.example",
                 "-T", dir_.write_file("m", "Subject: x\n\nhi\n")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.log_lines(), Contains("RCPT TO:<j\xc3\xb6rg@xn--bcher-kva.example>"));
  EXPECT_THAT(server.commands("MAIL"), ElementsAre(HasSubstr(" SMTPUTF8")));
}

}  // namespace
}  // namespace smtpc::it
