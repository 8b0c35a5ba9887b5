// Header sections: where they end, their fields, their recipients (RFC 5322 §2.2, §3.6).
#include "smtpc/compose/header_block.hpp"

#include <algorithm>

#include "smtpc/compose/address_list.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

// RFC 5322 §3.6.8: field-name = 1*ftext (printable ASCII except ':'), then ':'.
// Blanks before the colon are obsolete syntax (§4.5) that is still accepted.
bool is_field_line(std::string_view line) noexcept {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::size_t end = colon;
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0) return false;
  return std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(end), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127;
  });
}

}  // namespace

std::string HeaderField::value() const {
  std::string out;
  const auto colon = raw.find(':');
  for (std::size_t i = colon + 1; i < raw.size(); ++i) {
    if (raw[i] != '\r' && raw[i] != '\n') out += raw[i];
  }
  const auto first = out.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of(" \t") - first + 1);
}

bool HeaderField::is(std::string_view other) const noexcept {
  return equals_ignore_case(name, other);
}

std::optional<HeaderEnd> find_header_end(std::string_view data, bool at_end) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    const auto newline = data.find('\n', pos);
    if (newline == std::string_view::npos) {
      if (!at_end) return std::nullopt;  // the line may still grow
      const std::string_view line = data.substr(pos);
      if (line == "\r") return HeaderEnd{pos, data.size()};
      if (pos > 0 && (line.front() == ' ' || line.front() == '\t'))
        return HeaderEnd{data.size(), data.size()};
      if (is_field_line(line)) return HeaderEnd{data.size(), data.size()};
      return HeaderEnd{pos, pos};
    }
    std::string_view line = data.substr(pos, newline - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) return HeaderEnd{pos, newline + 1};
    const bool continuation = pos > 0 && (line.front() == ' ' || line.front() == '\t');
    if (!continuation && !is_field_line(line)) return HeaderEnd{pos, pos};
    pos = newline + 1;
  }
  if (at_end) return HeaderEnd{data.size(), data.size()};
  return std::nullopt;
}

std::vector<HeaderField> parse_header_fields(std::string_view header) {
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto newline = header.find('\n', pos);
    if (newline == std::string_view::npos) newline = header.size();
    std::string_view line = header.substr(pos, newline - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    pos = newline + 1;
    if (line.empty()) continue;
    if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
      fields.back().raw.append(line).append("\r\n");
      continue;
    }
    HeaderField field;
    auto name = line.substr(0, line.find(':'));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    field.name = std::string(name);
    field.raw = std::string(line) + "\r\n";
    fields.push_back(std::move(field));
  }
  return fields;
}

bool has_field(const std::vector<HeaderField>& fields, std::string_view name) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const HeaderField& f) { return f.is(name); });
}

void remove_fields(std::vector<HeaderField>& fields, const std::vector<std::string_view>& names) {
  std::erase_if(fields, [&](const HeaderField& field) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view name) { return field.is(name); });
  });
}

std::vector<std::string> header_recipients(const std::vector<HeaderField>& fields) {
  const bool resent = has_field(fields, "Resent-To") || has_field(fields, "Resent-Cc") ||
                      has_field(fields, "Resent-Bcc");
  const std::vector<std::string_view> names =
      resent ? std::vector<std::string_view>{"Resent-To", "Resent-Cc", "Resent-Bcc"}
             : std::vector<std::string_view>{"To", "Cc", "Bcc"};
  std::vector<std::string> out;
  for (const auto& field : fields) {
    if (std::none_of(names.begin(), names.end(), [&](std::string_view n) { return field.is(n); })) {
      continue;
    }
    for (auto& mailbox : parse_address_list(field.value())) {
      const bool seen = std::any_of(out.begin(), out.end(), [&](const std::string& address) {
        return equals_ignore_case(address, mailbox.address);
      });
      if (!seen) out.push_back(std::move(mailbox.address));
    }
  }
  return out;
}

void remove_bcc(std::vector<HeaderField>& fields) { remove_fields(fields, {"Bcc", "Resent-Bcc"}); }

std::optional<std::string> from_address(const std::vector<HeaderField>& fields) {
  for (const auto& field : fields) {
    if (!field.is("From")) continue;
    auto mailboxes = parse_address_list(field.value());
    if (!mailboxes.empty()) return std::move(mailboxes.front().address);
  }
  return std::nullopt;
}

std::string join_fields(const std::vector<HeaderField>& fields) {
  std::string out;
  for (const auto& field : fields) out += field.raw;
  return out;
}

}  // namespace smtpc
