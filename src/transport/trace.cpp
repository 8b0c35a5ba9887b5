// curl's trace formats: -v ("* ", "> ", "< ", "} [N bytes data]") and --trace-ascii dumps.
#include "smtpc/transport/trace.hpp"

#include <fmt/format.h>
#include <sys/time.h>

#include <ctime>

#include "smtpc/core/text.hpp"

namespace smtpc {

void Tracer::prefix_time(std::FILE* stream) const {
  if (options_.with_time) print_time(stream);
  if (options_.ids) fmt::print(stream, "[{0}-{0}] ", *options_.ids);
}

void Tracer::print_time(std::FILE* stream) {
  timeval now{};
  ::gettimeofday(&now, nullptr);
  std::tm local{};
  ::localtime_r(&now.tv_sec, &local);
  fmt::print(stream, "{:02}:{:02}:{:02}.{:06} ", local.tm_hour, local.tm_min, local.tm_sec,
             now.tv_usec);
}

void Tracer::info(std::string_view text) {
  if (verbose()) {
    prefix_time(options_.verbose_stream);
    fmt::print(options_.verbose_stream, "* {}\n", escape_controls(text));
  }
  if (options_.ascii_stream != nullptr) {
    prefix_time(options_.ascii_stream);
    fmt::print(options_.ascii_stream, "== Info: {}\n", escape_controls(text));
  }
}

void Tracer::debug(std::string_view text) {
  if (options_.verbosity > 1) info(text);
}

void Tracer::command_sent(const Command& command) {
  const std::string_view shown = command.shown();
  if (verbose()) {
    prefix_time(options_.verbose_stream);
    fmt::print(options_.verbose_stream, "> {}\n", escape_controls(shown));
  }
  if (options_.ascii_stream != nullptr) {
    ascii_dump("=> Send header", fmt::format("{}\r\n", shown), false);
  }
}

void Tracer::reply_line_received(std::string_view line) {
  if (verbose()) {
    prefix_time(options_.verbose_stream);
    fmt::print(options_.verbose_stream, "< {}\n", escape_controls(line));
  }
  if (options_.ascii_stream != nullptr) {
    ascii_dump("<= Recv header", fmt::format("{}\r\n", line), false);
  }
}

void Tracer::data_sent(std::string_view data) {
  if (options_.ascii_stream != nullptr) ascii_dump("=> Send data", data, true);
}

void Tracer::data_summary(std::size_t bytes) {
  if (!verbose()) return;
  prefix_time(options_.verbose_stream);
  fmt::print(options_.verbose_stream, "}} [{} bytes data]\n", bytes);
}

void Tracer::reply_latency(std::chrono::microseconds waited) {
  if (options_.verbosity < 2) return;
  info(fmt::format("reply after {}.{:03} ms", waited.count() / 1000, waited.count() % 1000));
}

void Tracer::ascii_dump(std::string_view heading, std::string_view data, bool /*data_block*/) {
  std::FILE* out = options_.ascii_stream;
  prefix_time(out);
  fmt::print(out, "{}, {} bytes (0x{:x})\n", heading, data.size(), data.size());
  // 64 characters a row; a CRLF ends the row early, as curl's --trace-ascii does.
  constexpr std::size_t kWidth = 0x40;
  std::size_t offset = 0;
  std::string row;
  while (offset < data.size()) {
    row.clear();
    const std::size_t start = offset;
    while (offset < data.size() && offset - start < kWidth) {
      if (data[offset] == '\r' && offset + 1 < data.size() && data[offset + 1] == '\n') {
        offset += 2;
        break;
      }
      const auto c = static_cast<unsigned char>(data[offset]);
      row += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
      ++offset;
    }
    fmt::print(out, "{:04x}: {}\n", start, row);
  }
}

}  // namespace smtpc
