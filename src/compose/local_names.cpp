// LocalNames: bare local names qualified with the mail domain, local recipients aliased.
#include "smtpc/compose/local_names.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "smtpc/compose/address_list.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

bool is_recipient_field(const HeaderField& field) {
  for (const char* name : {"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"}) {
    if (field.is(name)) return true;
  }
  return false;
}

bool is_sender_field(const HeaderField& field) {
  for (const char* name : {"From", "Sender", "Reply-To", "Resent-From", "Resent-Sender"}) {
    if (field.is(name)) return true;
  }
  return false;
}

// The text of the first comment in a one-mailbox field ("root (Cron Daemon)"): the old
// way of naming the sender, which the rewritten field keeps as its display name.
std::string comment_of(std::string_view value) {
  bool quoted = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\') {
      ++i;
    } else if (value[i] == '"') {
      quoted = !quoted;
    } else if (value[i] == '(' && !quoted) {
      const auto close = value.find(')', i);
      if (close == std::string_view::npos) return {};
      return std::string(trim(value.substr(i + 1, close - i - 1)));
    }
  }
  return {};
}

}  // namespace

AliasMap parse_aliases(std::string_view text, const std::string& path) {
  AliasMap aliases;
  std::string name;
  std::string list;
  std::size_t number = 0;
  std::size_t name_line = 0;
  auto finish = [&]() {
    if (name.empty()) return;
    std::vector<std::string> addresses;
    try {
      for (auto& mailbox : parse_address_list(list))
        addresses.push_back(std::move(mailbox.address));
    } catch (const Error& error) {
      throw Error(ExitCode::FailedInit, fmt::format("{}:{}: {}", path, name_line, error.what()));
    }
    if (addresses.empty()) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("{}:{}: no address for {}", path, name_line, name));
    }
    aliases[ascii_lower(name)] = std::move(addresses);
    name.clear();
    list.clear();
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (raw.front() == ' ' || raw.front() == '\t') {  // a folded continuation
      if (name.empty()) {
        throw Error(
            ExitCode::FailedInit,
            fmt::format("{}:{}: a continuation line without a name before it", path, number));
      }
      list.append(", ").append(line);
      continue;
    }
    finish();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)).empty()) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("{}:{}: expected \"name: address, ...\"", path, number));
    }
    name = std::string(trim(line.substr(0, colon)));
    list = std::string(trim(line.substr(colon + 1)));
    name_line = number;
  }
  finish();
  return aliases;
}

LocalNames::LocalNames(std::function<std::string()> domain, AliasMap aliases)
    : domain_source_(std::move(domain)), aliases_(std::move(aliases)) {}

const std::string& LocalNames::domain() const {
  if (domain_.empty()) domain_ = domain_source_();
  return domain_;
}

bool LocalNames::is_local(std::string_view address) {
  return !address.empty() && address.find('@') == std::string_view::npos;
}

std::string LocalNames::qualify(std::string_view address) const {
  if (!is_local(address)) return std::string(address);
  return fmt::format("{}@{}", address, domain());
}

std::vector<std::string> LocalNames::expand(std::string_view address) const {
  if (is_local(address)) {
    auto found = aliases_.find(ascii_lower(address));
    if (found == aliases_.end()) found = aliases_.find("default");
    if (found != aliases_.end()) {
      std::vector<std::string> out;
      for (const auto& target : found->second) out.push_back(qualify(target));
      return out;
    }
  }
  return {qualify(address)};
}

void LocalNames::rewrite(std::vector<HeaderField>& fields) const {
  for (auto& field : fields) {
    const bool recipients = is_recipient_field(field);
    if (!recipients && !is_sender_field(field)) continue;
    std::vector<Mailbox> mailboxes = parse_address_list(field.value());
    const bool has_local = std::any_of(mailboxes.begin(), mailboxes.end(),
                                       [](const Mailbox& m) { return is_local(m.address); });
    if (!has_local) continue;  // left as written
    if (mailboxes.size() == 1 && mailboxes[0].display_name.empty()) {
      mailboxes[0].display_name = comment_of(field.value());
    }
    std::vector<Mailbox> rewritten;
    for (auto& mailbox : mailboxes) {
      if (!is_local(mailbox.address)) {
        rewritten.push_back(std::move(mailbox));
        continue;
      }
      const auto addresses =
          recipients ? expand(mailbox.address) : std::vector{qualify(mailbox.address)};
      for (const auto& address : addresses) {
        rewritten.push_back(Mailbox{mailbox.display_name, address, mailbox.group});
      }
    }
    field.raw =
        fmt::format("{}: {}\r\n", field.name, format_address_list(rewritten, field.name.size()));
  }
}

}  // namespace smtpc
