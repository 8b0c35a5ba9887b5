// Tracer: curl's prefixes, redaction of secret lines, --trace-ascii format.
#include "smtpc/transport/trace.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "captured_stream.hpp"
#include "parse_args.hpp"

namespace smtpc {
namespace {

using testing::Captured;

TEST(Tracer, VerbosePrefixes) {
  Captured out;
  Tracer tracer(TraceOptions{.verbosity = 1, .verbose_stream = out.file()});
  tracer.info("Connected to h (127.0.0.1) port 25");
  tracer.command_sent(simple_command("QUIT"));
  tracer.reply_line_received("221 bye");
  tracer.data_summary(42);
  EXPECT_EQ(out.text(),
            "* Connected to h (127.0.0.1) port 25\n> QUIT\n< 221 bye\n} [42 bytes data]\n");
}

TEST(Tracer, ReplyLatencyOnlyWithDoubleVerbose) {
  Captured once;
  Tracer verbose(TraceOptions{.verbosity = 1, .verbose_stream = once.file()});
  verbose.reply_latency(std::chrono::microseconds(1500));
  EXPECT_EQ(once.text(), "");
  Captured twice;
  Tracer very_verbose(TraceOptions{.verbosity = 2, .verbose_stream = twice.file()});
  very_verbose.reply_latency(std::chrono::microseconds(1203045));
  very_verbose.reply_latency(std::chrono::microseconds(7));
  EXPECT_EQ(twice.text(), "* reply after 1203.045 ms\n* reply after 0.007 ms\n");
}

TEST(Tracer, SilentWithoutVerbose) {
  Captured out;
  Tracer tracer(TraceOptions{.verbosity = 0, .verbose_stream = out.file()});
  tracer.info("x");
  tracer.command_sent(simple_command("QUIT"));
  EXPECT_EQ(out.text(), "");
}

TEST(Tracer, SecuritySecretCommandsAreRedactedEverywhere) {
  Captured verbose;
  Captured ascii;
  Tracer tracer(
      TraceOptions{.verbosity = 2, .verbose_stream = verbose.file(), .ascii_stream = ascii.file()});
  tracer.command_sent(
      Command{"AUTH PLAIN AHVzZXIAc2VjcmV0", Secrecy::Secret, "AUTH PLAIN [redacted]"});
  EXPECT_EQ(verbose.text(), "> AUTH PLAIN [redacted]\n");
  EXPECT_EQ(ascii.text().find("AHVzZXIAc2VjcmV0"), std::string::npos);
  EXPECT_NE(ascii.text().find("AUTH PLAIN [redacted]"), std::string::npos);
}

TEST(Tracer, TraceAsciiFormat) {
  Captured ascii;
  Tracer tracer(TraceOptions{.ascii_stream = ascii.file()});
  tracer.command_sent(simple_command("EHLO client.example"));
  tracer.data_sent("line one\r\nline two\r\n");
  EXPECT_EQ(ascii.text(),
            "=> Send header, 21 bytes (0x15)\n0000: EHLO client.example\n"
            "=> Send data, 20 bytes (0x14)\n0000: line one\n000a: line two\n");
}

// curl 8.2's --trace-ids: "[transfer-connection] " before each line's "* ", "> ", "< ", and
// before "== Info:" in --trace-ascii.
TEST(Tracer, TraceIdsPrefixEachLine) {
  Captured out;
  Captured ascii;
  Tracer tracer(TraceOptions{
      .verbosity = 1, .verbose_stream = out.file(), .ascii_stream = ascii.file(), .ids = 2});
  tracer.info("Connected");
  tracer.command_sent(simple_command("QUIT"));
  tracer.reply_line_received("221 bye");
  EXPECT_EQ(out.text(), "[2-2] * Connected\n[2-2] > QUIT\n[2-2] < 221 bye\n");
  EXPECT_EQ(ascii.text().substr(0, 22), "[2-2] == Info: Connect");
}

TEST(Tracer, TraceConfigTurnsIdsAndTimeOnAndOff) {
  const auto parsed = [](std::vector<std::string> args) {
    args.push_back("smtp://h");
    return cli::testing::parse_args(args);
  };
  EXPECT_TRUE(parsed({"--trace-ids"}).trace_ids);
  const auto all = parsed({"--trace-config", "all"});
  EXPECT_TRUE(all.trace_ids && all.trace_time);
  const auto ids = parsed({"--trace-config", "smtp, IDS,tcp"});
  EXPECT_TRUE(ids.trace_ids);
  EXPECT_FALSE(ids.trace_time);
  const auto off = parsed({"--trace-config", "all,-time"});
  EXPECT_TRUE(off.trace_ids);
  EXPECT_FALSE(off.trace_time);
}

}  // namespace
}  // namespace smtpc
