// The one tracer: curl's -v lines ("* ", "> ", "< ") and --trace-ascii dumps.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "smtpc/smtp/command.hpp"

namespace smtpc {

struct TraceOptions {
  int verbosity = 0;  // -v count
  std::FILE* verbose_stream = stderr;
  std::FILE* ascii_stream = nullptr;  // --trace-ascii target, or null
  bool with_time = false;             // --trace-time
  /// --trace-ids: "[transfer-connection] " after the time, as curl 8.2 (one connection per
  /// transfer here, so both numbers are the transfer's).
  std::optional<std::size_t> ids = std::nullopt;
};

/// Called only at the transport boundary (Connection) and by the job for info lines. It
/// only traces: what the user must see without -v is the CLI's report (cli/report.hpp).
/// Secret commands are printed as their redacted form; nothing else can print them. What
/// the server sent is hostile: -v shows its control bytes as "\xHH" (escape_controls),
/// --trace-ascii as '.', as curl's does.
class Tracer {
 public:
  Tracer() = default;
  explicit Tracer(TraceOptions options) : options_(options) {}

  /// "* text": connection progress and decisions.
  void info(std::string_view text);
  /// "* text" with -vv only: state changes.
  void debug(std::string_view text);
  /// "> COMMAND" for a command line sent.
  void command_sent(const Command& command);
  /// "< line" for one reply line received (without its line end).
  void reply_line_received(std::string_view line);
  /// Body bytes written: dumped in --trace-ascii.
  void data_sent(std::string_view data);
  /// "} [N bytes data]" once the body is written.
  void data_summary(std::size_t bytes);
  /// With -vv: "* reply after 12.345 ms", the wait from the last write (or from the start
  /// of the connection, for the greeting) to the end of a reply: a slow greeting or a
  /// tar-pitting server shows here.
  void reply_latency(std::chrono::microseconds waited);

  [[nodiscard]] bool verbose() const noexcept { return options_.verbosity > 0; }
  /// Whether data_sent() shows the bytes (--trace-ascii): a caller that holds them in
  /// pieces joins them only then.
  [[nodiscard]] bool dumps_data() const noexcept { return options_.ascii_stream != nullptr; }

 private:
  /// --trace-time's time and --trace-ids' numbers, before each line.
  void prefix_time(std::FILE* stream) const;
  static void print_time(std::FILE* stream);
  void ascii_dump(std::string_view heading, std::string_view data, bool data_block);
  TraceOptions options_;
};

}  // namespace smtpc
