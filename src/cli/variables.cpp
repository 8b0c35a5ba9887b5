// --variable and --expand-OPTION as curl 8.3 has them (src/var.c): names of A-Z, a-z, 0-9
// and _, shorter than 128; contents from text, a file, standard input or the environment.
#include "variables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "command_line.hpp"
#include "json.hpp"
#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc::cli {
namespace {

constexpr std::size_t kMaxNameLength = 128;  // curl's MAX_VAR_LEN, the NUL included

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string read_all(const std::string& path) {
  FileContent file = read_file_or_stdin(path);
  if (!file.ok()) {
    throw Error(ExitCode::ReadError, fmt::format("--variable: {} {}: {}",
                                                 file.opened ? "error reading" : "Failed to open",
                                                 path, std::strerror(file.error)));
  }
  return std::move(file.text);
}

std::string trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

// Percent-encoding of all but RFC 3986's unreserved characters (curl_easy_escape).
std::string url(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (is_name_char(c) || c == '-' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

// `functions` is ":f1:f2" (from the colon after the name to before "}}").
std::string apply_functions(std::string value, std::string_view functions) {
  std::string_view rest = functions;
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the ':'
    const std::string_view name = rest.substr(0, rest.find(':'));
    rest.remove_prefix(name.size());
    if (name == "trim") {
      value = trim(value);
    } else if (name == "json") {
      value = json_escape(value);
    } else if (name == "url") {
      value = url(value);
    } else if (name == "b64") {
      value = base64_encode(value);
    } else {
      throw UsageError(fmt::format("unknown variable function in '{}'", functions));
    }
  }
  return value;
}

}  // namespace

void Variables::set(std::string_view spec, std::vector<std::string>& warnings) {
  std::string_view line = spec;
  const bool import = line.starts_with('%');
  if (import) line.remove_prefix(1);
  std::size_t length = 0;
  while (length < line.size() && is_name_char(line[length])) ++length;
  if (length == 0 || length >= kMaxNameLength) {
    warnings.push_back(fmt::format("Bad variable name length ({}), skipping", length));
    return;
  }
  const std::string name(line.substr(0, length));
  line.remove_prefix(length);
  if (import) {
    // getenv, not a check for emptiness: a set but empty variable is imported as "".
    if (const char* value = std::getenv(name.c_str()); value != nullptr) {
      values_[name] = value;
      return;
    }
    if (line.empty()) {
      throw UsageError(fmt::format("Variable '{}' import fail, not set", name));
    }
  }
  if (line.starts_with('@')) {
    values_[name] = read_all(std::string(line.substr(1)));
  } else if (line.starts_with('=')) {
    values_[name] = std::string(line.substr(1));
  } else {
    warnings.push_back(fmt::format("Bad --variable syntax, skipping: {}", spec));
  }
}

std::optional<std::string> Variables::expand(std::string_view text,
                                             std::vector<std::string>& warnings) const {
  std::string out;
  bool replaced = false;
  std::string_view line = text;
  while (true) {
    const std::size_t open = line.find("{{");
    if (open == std::string_view::npos) break;
    if (open > 0 && line[open - 1] == '\\') {
      // "\{{": the braces themselves, without the backslash.
      out.append(line.substr(0, open - 1)).append("{{");
      line.remove_prefix(open + 2);
      continue;
    }
    const std::size_t close = line.find("}}", open);
    if (close == std::string_view::npos) {
      warnings.push_back(fmt::format("missing close '}}}}' in '{}'", text));
      break;
    }
    const std::string_view inside = line.substr(open + 2, close - open - 2);
    const std::size_t colon = inside.find(':');
    const std::string_view name = inside.substr(0, colon);
    if (name.empty() || name.size() >= kMaxNameLength) {
      warnings.push_back(fmt::format("bad variable name length '{}'", text));
      out.append(line.substr(0, close + 2));
    } else if (std::find_if_not(name.begin(), name.end(), is_name_char) != name.end()) {
      warnings.push_back(fmt::format("bad variable name: {}", name));
      out.append(line.substr(0, close + 2));
    } else {
      const auto found = values_.find(name);
      std::string value = found == values_.end() ? std::string() : found->second;
      if (colon != std::string_view::npos) value = apply_functions(value, inside.substr(colon));
      if (value.find('\0') != std::string::npos) {
        throw UsageError("variable contains null byte");
      }
      out.append(line.substr(0, open)).append(value);
      replaced = true;
    }
    line.remove_prefix(close + 2);
  }
  if (!replaced) return std::nullopt;
  out.append(line);
  return out;
}

}  // namespace smtpc::cli
