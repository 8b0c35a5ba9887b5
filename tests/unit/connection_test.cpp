// Connection over a FakeTransport whose Nth operation fails: each failure is a typed Error
// (or, for a peer that closed, the end of the replies), never a crash, a hang or half a reply.
#include "smtpc/transport/connection.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "captured_stream.hpp"
#include "expect_error.hpp"
#include "fake_transport.hpp"
#include "smtpc/transport/trace.hpp"

namespace smtpc {
namespace {

using testing::Captured;
using testing::FakePeer;
using testing::FakeTransport;
using testing::Fault;
using testing::Operation;

// What the peer sends: a greeting, an EHLO reply cut inside a line, the reply to the body.
const std::vector<std::string> kPieces{"220 mx\r\n", "250-mx\r\n250-PIPE",
                                       "LINING\r\n250 8BITMIME\r\n", "250 queued\r\n"};
// The trace lines of each reply, as they must appear: whole replies only.
const std::vector<std::vector<std::string>> kTracedReplies{
    {"< 220 mx"}, {"< 250-mx", "< 250-PIPELINING", "< 250 8BITMIME"}, {"< 250 queued"}};
constexpr std::size_t kOperations = 6;  // read, write, read, read, write, read

// Greeting, EHLO, its reply (two reads), the body, its reply. Counts in `replies` those read
// whole, and stops when the peer closed; throws what the connection throws.
void converse(Connection& connection, std::size_t& replies) {
  const auto read = [&] {
    const bool got = connection.read_reply().has_value();
    if (got) ++replies;
    return got;
  };
  if (!read()) return;
  connection.send_commands({simple_command("EHLO client.example")});
  if (!read()) return;
  connection.send_data("hi\r\n.\r\n");
  (void)read();
}

// The "< " lines of a trace.
std::vector<std::string> received_lines(const std::string& trace) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end = trace.find('\n'); end != std::string::npos;
       start = end + 1, end = trace.find('\n', start)) {
    const std::string line = trace.substr(start, end - start);
    if (line.starts_with("< ")) lines.push_back(line);
  }
  return lines;
}

ExitCode expected_code(Fault fault, Operation operation) {
  if (fault == Fault::Timeout) return ExitCode::OperationTimedout;
  return operation == Operation::Write ? ExitCode::SendError : ExitCode::RecvError;
}

class ConnectionFaults : public ::testing::TestWithParam<Fault> {};

TEST_P(ConnectionFaults, EachFailingOperationEndsTheExchangeCleanly) {
  for (std::size_t fail_at = 0;; ++fail_at) {
    SCOPED_TRACE("operation " + std::to_string(fail_at) + " fails");
    ASSERT_LE(fail_at, kOperations) << "the exchange never succeeds";
    auto peer = std::make_shared<FakePeer>();
    peer->pieces = {kPieces.begin(), kPieces.end()};
    peer->fail_at = fail_at;
    peer->fault = GetParam();
    Captured trace;
    Tracer tracer(TraceOptions{.verbosity = 1, .verbose_stream = trace.file()});
    Connection connection(std::make_unique<FakeTransport>(peer), tracer, ReplyTimeouts{});

    std::size_t replies = 0;
    std::optional<Error> error;
    try {
      converse(connection, replies);
    } catch (const Error& thrown) {
      error = thrown;
    }

    if (!peer->failed) {  // the fault came after the last operation: all went through
      EXPECT_EQ(fail_at, kOperations);
      EXPECT_FALSE(error.has_value());
      EXPECT_EQ(replies, kTracedReplies.size());
      EXPECT_EQ(peer->received, "EHLO client.example\r\nhi\r\n.\r\n");
      break;
    }
    // The failing operation was the last one tried: no retry, no spin on a dead link.
    EXPECT_EQ(peer->operations.size(), fail_at + 1);
    if (GetParam() == Fault::Close && *peer->failed == Operation::Read) {
      EXPECT_FALSE(error.has_value()) << error->what();  // the end of the replies
    } else {
      ASSERT_TRUE(error.has_value());
      EXPECT_EQ(error->code(), expected_code(GetParam(), *peer->failed)) << error->what();
    }
    // Only whole replies reach the tracer.
    std::vector<std::string> traced;
    for (std::size_t i = 0; i < replies; ++i) {
      traced.insert(traced.end(), kTracedReplies[i].begin(), kTracedReplies[i].end());
    }
    EXPECT_EQ(received_lines(trace.text()), traced);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFaults, ConnectionFaults,
                         ::testing::Values(Fault::Reset, Fault::Timeout, Fault::Close),
                         [](const auto& tested) { return testing::to_string(tested.param); });

// RFC 3207 §5: bytes after the reply to STARTTLS are refused, whether they arrived with the
// reply or are still waiting in the transport.
TEST(ConnectionStartTls, SecurityBytesAfterTheReplyAreRefused) {
  Tracer tracer;
  auto with_reply = std::make_shared<FakePeer>();
  with_reply->pieces = {"220 go ahead\r\n250 injected\r\n"};
  Connection same_read(std::make_unique<FakeTransport>(with_reply), tracer, ReplyTimeouts{});
  testing::expect_error(ExitCode::WeirdServerReply,
                        [&] { (void)same_read.read_reply(std::nullopt, true); });

  auto ahead = std::make_shared<FakePeer>();
  ahead->pieces = {"220 go ahead\r\n", "250 injected\r\n"};
  ahead->sends_ahead = true;
  Connection later_read(std::make_unique<FakeTransport>(ahead), tracer, ReplyTimeouts{});
  testing::expect_error(ExitCode::WeirdServerReply,
                        [&] { (void)later_read.read_reply(std::nullopt, true); });

  auto waits = std::make_shared<FakePeer>();
  waits->pieces = {"220 go ahead\r\n"};
  Connection clean(std::make_unique<FakeTransport>(waits), tracer, ReplyTimeouts{});
  EXPECT_EQ(clean.read_reply(std::nullopt, true)->code.value(), 220);
}

// A BDAT chunk goes out as its command and its bytes in one write, the command traced.
TEST(ConnectionChunk, CommandAndBytesInOneWrite) {
  auto peer = std::make_shared<FakePeer>();
  Captured trace;
  Tracer tracer(TraceOptions{.verbosity = 1, .verbose_stream = trace.file()});
  Connection connection(std::make_unique<FakeTransport>(peer), tracer, ReplyTimeouts{});
  const std::string body(600, 'x');  // long enough to be referenced, not copied
  WireSlices wire;
  wire.add_input(body);
  wire.add_inserted("\r\n");
  connection.send_chunk(bdat_command(wire.size(), true), wire);
  EXPECT_EQ(peer->received, "BDAT 602 LAST\r\n" + body + "\r\n");
  EXPECT_EQ(peer->operations, std::vector<Operation>{Operation::Write});
  EXPECT_NE(trace.text().find("> BDAT 602 LAST"), std::string::npos) << trace.text();
}

// The last piece of a small body waits for the commands after it: one write for the BDAT
// command, the body and QUIT, each traced in order.
TEST(ConnectionHold, ASmallLastPieceGoesOutWithTheNextCommands) {
  auto peer = std::make_shared<FakePeer>();
  peer->pieces = {"250 queued\r\n221 bye\r\n"};
  Captured trace;
  Tracer tracer(TraceOptions{.verbosity = 1, .verbose_stream = trace.file()});
  Connection connection(std::make_unique<FakeTransport>(peer), tracer, ReplyTimeouts{});
  const std::string body(600, 'x');
  WireSlices wire;
  wire.add_input(body);
  const Command bdat = bdat_command(wire.size(), true);
  connection.send_last_piece(&bdat, wire);
  EXPECT_TRUE(connection.holds_body());
  EXPECT_TRUE(peer->operations.empty());
  connection.send_commands({simple_command("QUIT")});
  EXPECT_FALSE(connection.holds_body());
  EXPECT_EQ(peer->received, "BDAT 600 LAST\r\n" + body + "QUIT\r\n");
  EXPECT_EQ(peer->operations, std::vector<Operation>{Operation::Write});
  const auto bdat_at = trace.text().find("> BDAT 600 LAST");
  EXPECT_NE(bdat_at, std::string::npos) << trace.text();
  EXPECT_LT(bdat_at, trace.text().find("> QUIT")) << trace.text();
}

// Nothing held is left unwritten when a reply is read next (DATA's end, nothing pipelined),
// and a body larger than kHoldAtMost is written at once.
TEST(ConnectionHold, AReadWritesWhatIsHeldAndALargePieceIsNotHeld) {
  auto peer = std::make_shared<FakePeer>();
  peer->pieces = {"250 queued\r\n"};
  Tracer tracer;
  Connection connection(std::make_unique<FakeTransport>(peer), tracer, ReplyTimeouts{});
  WireSlices end;
  end.add_inserted("hi\r\n.\r\n");
  connection.send_last_piece(nullptr, end);
  ASSERT_TRUE(connection.read_reply().has_value());
  EXPECT_EQ(peer->received, "hi\r\n.\r\n");
  EXPECT_EQ(peer->operations, (std::vector<Operation>{Operation::Write, Operation::Read}));

  const std::string large(Connection::kHoldAtMost + 1, 'y');
  WireSlices big;
  big.add_input(large);
  connection.send_last_piece(nullptr, big);
  EXPECT_FALSE(connection.holds_body());
  EXPECT_EQ(peer->received, "hi\r\n.\r\n" + large);
}

}  // namespace
}  // namespace smtpc
