// finalize_envelope: the one step that checks and converts the envelope, after every source.
#include "smtpc/message/envelope.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/sys/idn.hpp"

namespace smtpc {
namespace {

// The path as it goes out: the domain in A-labels (RFC 5890), as curl sends it.
std::string to_path(std::string_view address) {
  std::string mailbox = normalize_mailbox(address);
  const auto at = mailbox.rfind('@');
  if (at != std::string::npos && mailbox.back() != ']' &&
      !is_ascii(std::string_view(mailbox).substr(at + 1))) {
    mailbox = mailbox.substr(0, at + 1) + domain_to_ascii(mailbox.substr(at + 1));
  }
  return mailbox;
}

}  // namespace

Envelope finalize_envelope(const EnvelopeRequest& request) {
  Envelope envelope;
  WrittenAddress sender = split_written_address(request.sender.value_or(""));
  envelope.reverse_path = to_path(sender.address);
  envelope.parameters.reverse_path = std::move(sender.parameters);
  // Each path once, compared case-insensitively (ASCII letters only, as equals_ignore_case):
  // hashing the lowered path keeps this linear; comparing every pair made 40 000
  // recipients take seconds.
  std::unordered_set<std::string> named;
  named.reserve(request.recipients.size());
  for (const auto& recipient : request.recipients) {
    WrittenAddress written = split_written_address(recipient);
    std::string path = to_path(written.address);
    if (path.empty()) {
      throw Error(
          ExitCode::FailedInit,
          fmt::format("empty recipient address \"{}\": a forward-path needs a mailbox", recipient));
    }
    if (!named.insert(ascii_lower(path)).second) continue;
    if (!written.parameters.empty()) {
      envelope.parameters.forward_paths.emplace(path, std::move(written.parameters));
    }
    envelope.forward_paths.push_back(std::move(path));
  }
  // RFC 6531: an address still not ASCII (its local part) needs the server's SMTPUTF8.
  envelope.smtputf8 = !is_ascii(envelope.reverse_path) ||
                      std::any_of(envelope.forward_paths.begin(), envelope.forward_paths.end(),
                                  [](const std::string& path) { return !is_ascii(path); });
  return envelope;
}

}  // namespace smtpc
