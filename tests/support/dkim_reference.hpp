// A reference for DKIM canonicalization (RFC 6376 §3.4), written as directly from the RFC
// as possible on whole strings, for the unit and fuzz tests of the streaming
// implementation (src/dkim/canonicalization.cpp). A line ends with CRLF; other CR and LF
// bytes are content.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "smtpc/core/text.hpp"
#include "smtpc/dkim/canonicalization.hpp"

namespace smtpc::dkim::reference {

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// Each run of blanks one space (§3.4.2 and §3.4.4, "reduce all sequences of WSP").
inline std::string squeeze_blanks(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_blank(text[i])) {
      out += ' ';
      while (i + 1 < text.size() && is_blank(text[i + 1])) ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

inline std::string trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return std::string(text);
}

/// The text with every CRLF removed, left to right in one pass.
inline std::string without_crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

inline std::string header(Canonicalization canonicalization, std::string_view field) {
  if (canonicalization == Canonicalization::Simple) return std::string(field);
  const auto colon = field.find(':');
  std::string name(field.substr(0, colon));
  while (!name.empty() && is_blank(name.back())) name.pop_back();
  if (colon == std::string_view::npos) return ascii_lower(name);
  return ascii_lower(name) + ":" +
         trim_blanks(squeeze_blanks(without_crlf(field.substr(colon + 1)))) + "\r\n";
}

inline std::string body(Canonicalization canonicalization, std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find("\r\n", start);
    if (end == std::string_view::npos) break;
    lines.emplace_back(text.substr(start, end - start));
    start = end + 2;
  }
  // §3.4.3/§3.4.4: a last line without CRLF gets one.
  if (start < text.size()) lines.emplace_back(text.substr(start));
  if (canonicalization == Canonicalization::Relaxed) {
    for (auto& line : lines) {
      line = squeeze_blanks(line);
      while (!line.empty() && line.back() == ' ') line.pop_back();
    }
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const auto& line : lines) out += line + "\r\n";
  if (out.empty() && canonicalization == Canonicalization::Simple) out = "\r\n";
  return out;
}

}  // namespace smtpc::dkim::reference
