// The encoding of a body for the wire as RFC 5321 and smtpc's DotStuffer define it, one
// byte at a time over the whole body: the reference the encoder (which skips whole clean
// lines many bytes at a time) is checked against, by its unit test and its fuzz target.
#pragma once

#include <string>
#include <string_view>

namespace smtpc::reference {

/// Every CR, LF and CRLF becomes CRLF, a "." starting a line gets another (DATA), the last
/// line is ended, and DATA ends with ".\r\n".
inline std::string reference_encoding(std::string_view body, bool for_data) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') ++i;
      out += "\r\n";
      line_start = true;
      continue;
    }
    if (line_start && for_data && c == '.') out += '.';
    out += c;
    line_start = false;
  }
  if (!line_start) out += "\r\n";
  if (for_data) out += ".\r\n";
  return out;
}

}  // namespace smtpc::reference
