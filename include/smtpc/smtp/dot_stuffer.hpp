// Streaming DATA encoder: CRLF line endings, dot-stuffing and the end-of-data mark
// (RFC 5321 §4.5.2, §2.3.8).
#pragma once

#include <string>
#include <string_view>

namespace smtpc {

/// Turns message bytes, fed in chunks of any size, into what goes on the wire
/// after DATA. Every bare LF and bare CR becomes CRLF, so the output can never
/// contain an SMTP-smuggling end-of-data sequence; a line starting with "." gets
/// another "."; finish() adds a final CRLF if missing and ".\r\n".
class DotStuffer {
 public:
  /// For BDAT (RFC 3030) there is no dot-stuffing and no end mark: `for_data` false keeps
  /// only the line-end normalisation and the final CRLF.
  explicit DotStuffer(bool for_data = true) : for_data_(for_data) {}

  /// Appends the encoding of `input` to `output`.
  void encode(std::string_view input, std::string& output);
  /// Appends what ends the body: any pending line end, a final CRLF if needed, ".\r\n".
  void finish(std::string& output);

 private:
  bool for_data_;
  bool at_line_start_ = true;
  bool pending_cr_ = false;
};

}  // namespace smtpc
