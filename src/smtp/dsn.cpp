// DSN request checks (RFC 3461 §4.1 NOTIFY, §4.3 RET, §4.4 ENVID).
#include "smtpc/smtp/dsn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

std::string normalise_notify(std::string_view text) {
  auto bad = [&](std::string_view why) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--dsn-notify \"{}\": {} (expected never, or a comma-separated list "
                            "of success, failure, delay)",
                            text, why));
  };
  const std::string value = ascii_upper(text);
  if (value == "NEVER") return value;
  constexpr std::array<std::string_view, 3> kKinds{"SUCCESS", "FAILURE", "DELAY"};
  std::vector<std::string> seen;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const std::string word = value.substr(start, comma - start);
    if (word == "NEVER") bad("never cannot be combined");
    if (std::find(kKinds.begin(), kKinds.end(), word) == kKinds.end()) {
      bad(word.empty() ? "empty item" : fmt::format("unknown item \"{}\"", word));
    }
    if (std::find(seen.begin(), seen.end(), word) != seen.end()) {
      bad(fmt::format("\"{}\" given twice", word));
    }
    seen.push_back(word);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return value;
}

}  // namespace

DsnRequest make_dsn_request(const std::optional<std::string>& notify,
                            const std::optional<std::string>& ret,
                            const std::optional<std::string>& envid, bool required) {
  DsnRequest dsn;
  if (notify) dsn.notify = normalise_notify(*notify);
  if (ret) {
    const std::string value = ascii_upper(*ret);
    if (value != "FULL" && value != "HDRS") {
      throw Error(ExitCode::FailedInit,
                  fmt::format("--dsn-return \"{}\": expected full or hdrs", *ret));
    }
    dsn.ret = value;
  }
  if (envid) {
    // RFC 3461 §4.4: printable US-ASCII, at most 100 characters.
    const bool printable = std::all_of(envid->begin(), envid->end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte >= 32 && byte <= 126;
    });
    if (envid->empty() || envid->size() > 100 || !printable) {
      throw Error(ExitCode::FailedInit,
                  "--dsn-envid: expected 1 to 100 printable ASCII characters (RFC 3461 §4.4)");
    }
    dsn.envid = *envid;
  }
  dsn.required = required;
  if (required && !dsn.requested()) {
    throw Error(ExitCode::FailedInit,
                "--dsn-required given without --dsn-notify, --dsn-return or --dsn-envid");
  }
  return dsn;
}

}  // namespace smtpc
