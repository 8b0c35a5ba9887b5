// SMTP reply values as text, for traces and error messages.
#include "smtpc/core/reply.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "smtpc/core/text.hpp"

namespace smtpc {

std::vector<std::string> Reply::to_string_lines() const {
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool last = i + 1 == lines.size();
    out.push_back(fmt::format("{}{}{}", code.value(), last ? ' ' : '-', lines[i]));
  }
  return out;
}

std::string Reply::to_string() const {
  return fmt::format("{}", fmt::join(to_string_lines(), "\n"));
}

std::string Reply::summary() const {
  std::string out = std::to_string(code.value());
  for (const auto& line : lines) {
    if (line.empty()) continue;
    out += ' ';
    out += escape_controls(line);  // shown and stored: a server's escapes stay inert
  }
  return out;
}

}  // namespace smtpc
