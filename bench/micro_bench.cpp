// Microbenchmarks of the protocol core's hot paths: DotStuffer::encode (every body byte
// goes through it) and ReplyParser (every reply, many at once with PIPELINING, RFC 2920).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "smtpc/smtp/dot_stuffer.hpp"
#include "smtpc/smtp/reply.hpp"

namespace {

constexpr std::size_t kMessageSize = 1024 * 1024;
// smtpc reads the upload in 256 KiB chunks (src/job.cpp kChunkSize); encode the same way.
constexpr std::size_t kChunkSize = 256 * 1024;

// Mail text: 78 printable characters per line, every 16th line starting with '.'
// (quoted signatures, "..." paragraphs), lines ending in `line_end`.
std::string make_text(std::string_view line_end) {
  static constexpr std::string_view kWords =
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
      "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud ";
  std::string text;
  text.reserve(kMessageSize + 128);
  std::size_t line = 0;
  while (text.size() < kMessageSize) {
    const std::size_t offset = (line * 7) % (kWords.size() - 78);
    std::string_view body = kWords.substr(offset, 78);
    if (line % 16 == 0) {
      text += '.';
      body.remove_prefix(1);
    }
    text += body;
    text += line_end;
    ++line;
  }
  text.resize(kMessageSize);
  return text;
}

// Binary-ish data (what a careless client might send as 8-bit content): every byte value,
// so bare CRs, bare LFs and dots at line starts are frequent.
std::string make_binary() {
  std::string data(kMessageSize, '\0');
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (char& c : data) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state & 0xFF);
  }
  return data;
}

void encode_all(benchmark::State& state, const std::string& input) {
  std::string wire;
  wire.reserve(kChunkSize * 2);
  for (auto _ : state) {
    smtpc::DotStuffer stuffer;
    std::string_view rest = input;
    while (!rest.empty()) {
      const std::string_view chunk = rest.substr(0, kChunkSize);
      rest.remove_prefix(chunk.size());
      wire.clear();
      stuffer.encode(chunk, wire);
      benchmark::DoNotOptimize(wire.data());
    }
    wire.clear();
    stuffer.finish(wire);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
}

// As the job encodes a body: into slices of the read buffer (DATA, or BDAT's line-end
// normalisation only when `for_data` is false).
void encode_all_as_slices(benchmark::State& state, const std::string& input, bool for_data) {
  smtpc::WireSlices wire;
  for (auto _ : state) {
    smtpc::DotStuffer stuffer(for_data);
    std::string_view rest = input;
    while (!rest.empty()) {
      const std::string_view chunk = rest.substr(0, kChunkSize);
      rest.remove_prefix(chunk.size());
      wire.clear();
      stuffer.encode(chunk, wire);
      benchmark::DoNotOptimize(wire.slices().data());
    }
    wire.clear();
    stuffer.finish(wire);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
}

void BM_SlicesDataTextCrlf(benchmark::State& state) {
  static const std::string input = make_text("\r\n");
  encode_all_as_slices(state, input, true);
}
BENCHMARK(BM_SlicesDataTextCrlf);

void BM_SlicesBdatTextCrlf(benchmark::State& state) {
  static const std::string input = make_text("\r\n");
  encode_all_as_slices(state, input, false);
}
BENCHMARK(BM_SlicesBdatTextCrlf);

void BM_SlicesDataTextLf(benchmark::State& state) {
  static const std::string input = make_text("\n");
  encode_all_as_slices(state, input, true);
}
BENCHMARK(BM_SlicesDataTextLf);

void BM_SlicesDataBinary(benchmark::State& state) {
  static const std::string input = make_binary();
  encode_all_as_slices(state, input, true);
}
BENCHMARK(BM_SlicesDataBinary);

void BM_DotStufferTextCrlf(benchmark::State& state) {
  static const std::string input = make_text("\r\n");
  encode_all(state, input);
}
BENCHMARK(BM_DotStufferTextCrlf);

void BM_DotStufferTextLf(benchmark::State& state) {
  static const std::string input = make_text("\n");
  encode_all(state, input);
}
BENCHMARK(BM_DotStufferTextLf);

void BM_DotStufferBinary(benchmark::State& state) {
  static const std::string input = make_binary();
  encode_all(state, input);
}
BENCHMARK(BM_DotStufferBinary);

// Long lines without any line break: the memchr fast path at its best.
void BM_DotStufferNoLineBreaks(benchmark::State& state) {
  static const std::string input(kMessageSize, 'x');
  encode_all(state, input);
}
BENCHMARK(BM_DotStufferNoLineBreaks);

void parse_all(benchmark::State& state, const std::string& input, std::size_t expected,
               std::size_t feed_size) {
  for (auto _ : state) {
    smtpc::ReplyParser parser;
    std::size_t replies = 0;
    std::string_view rest = input;
    while (!rest.empty()) {
      const std::string_view piece = rest.substr(0, feed_size);
      rest.remove_prefix(piece.size());
      parser.feed(piece);
      while (auto reply = parser.next()) {
        benchmark::DoNotOptimize(reply->code);
        ++replies;
      }
    }
    if (replies != expected) state.SkipWithError("wrong number of replies");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(expected));
}

void BM_ReplyParserEhlo(benchmark::State& state) {
  static const std::string input =
      "250-mx.test.example Hello client.example [127.0.0.1]\r\n"
      "250-SIZE 52428800\r\n"
      "250-8BITMIME\r\n"
      "250-PIPELINING\r\n"
      "250-CHUNKING\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-SMTPUTF8\r\n"
      "250-DSN\r\n"
      "250-AUTH PLAIN LOGIN XOAUTH2\r\n"
      "250-STARTTLS\r\n"
      "250 HELP\r\n";
  parse_all(state, input, 1, input.size());
}
BENCHMARK(BM_ReplyParserEhlo);

std::string pipelined_replies() {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += "250 2.1.5 OK\r\n";
  return input;
}

// 1000 RCPT replies arriving at once, as after a pipelined group of RCPT commands.
void BM_ReplyParserPipelined1000(benchmark::State& state) {
  static const std::string input = pipelined_replies();
  parse_all(state, input, 1000, input.size());
}
BENCHMARK(BM_ReplyParserPipelined1000);

// The same replies arriving in 1460-byte TCP segments, so replies straddle reads.
void BM_ReplyParserPipelined1000Segments(benchmark::State& state) {
  static const std::string input = pipelined_replies();
  parse_all(state, input, 1000, 1460);
}
BENCHMARK(BM_ReplyParserPipelined1000Segments);

}  // namespace

BENCHMARK_MAIN();
