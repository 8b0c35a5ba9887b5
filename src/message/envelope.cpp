// finalize_envelope: the one step that checks and converts the envelope, after every source.
#include "smtpc/message/envelope.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

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

// The forward paths kept so far, each once, compared as equals_ignore_case compares them
// (ASCII letters only). Hashing keeps this linear (comparing every pair made 40 000
// recipients take seconds); an open-addressing table of indices into the paths, with each
// one's hash, needs no copy and no allocation per recipient, and a probe reads a path only
// when the hashes agree.
class KeptPaths {
 public:
  explicit KeptPaths(std::size_t most)
      : slots_(std::bit_ceil(std::max<std::size_t>(16, most * 2))) {}

  /// Keeps paths[index] unless an equal path is kept already; returns whether it kept it.
  bool keep(const std::vector<std::string>& paths, std::size_t index) {
    const std::string_view path = paths[index];
    const auto hash = static_cast<std::uint32_t>(hash_ignore_case(path));
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t at = hash & mask;; at = (at + 1) & mask) {
      Slot& slot = slots_[at];
      if (slot.index_plus_one == 0) {
        slot = Slot{hash, static_cast<std::uint32_t>(index + 1)};
        return true;
      }
      if (slot.hash == hash && equals_ignore_case(paths[slot.index_plus_one - 1], path)) {
        return false;
      }
    }
  }

 private:
  // 8 bytes a slot: 2 MiB for 100 000 recipients. (An argv holds far fewer than 2^32.)
  struct Slot {
    std::uint32_t hash = 0;
    std::uint32_t index_plus_one = 0;  // 0: empty
  };
  std::vector<Slot> slots_;  // at most half full
};

}  // namespace

Envelope finalize_envelope(const EnvelopeRequest& request) {
  Envelope envelope;
  const std::string sender_written = request.sender.value_or("");
  WrittenAddress sender = split_written_address(sender_written);
  envelope.reverse_path = to_path(sender.address);
  envelope.parameters.reverse_path = std::move(sender.parameters);
  std::vector<std::string>& paths = envelope.forward_paths;
  paths.reserve(request.recipients.size());
  KeptPaths kept(request.recipients.size());
  for (const auto& recipient : request.recipients) {
    WrittenAddress written = split_written_address(recipient);
    std::string path = to_path(written.address);
    if (path.empty()) {
      throw Error(
          ExitCode::FailedInit,
          fmt::format("empty recipient address \"{}\": a forward-path needs a mailbox", recipient));
    }
    paths.push_back(std::move(path));
    if (!kept.keep(paths, paths.size() - 1)) {
      paths.pop_back();  // named before: the first one stands, with its parameters
      continue;
    }
    if (!written.parameters.empty()) {
      envelope.parameters.forward_paths.emplace(paths.back(), std::move(written.parameters));
    }
  }
  // RFC 6531: an address still not ASCII (its local part) needs the server's SMTPUTF8.
  envelope.smtputf8 = !is_ascii(envelope.reverse_path) ||
                      std::any_of(paths.begin(), paths.end(),
                                  [](const std::string& path) { return !is_ascii(path); });
  return envelope;
}

}  // namespace smtpc
