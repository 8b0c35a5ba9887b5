// The envelope (RFC 5321 §3.3): every source adds to one EnvelopeRequest, then one step,
// after all of them, checks and converts it. RFC 5321 §4.1.2 (paths), RFC 5890 (IDN
// A-labels), RFC 6531 (SMTPUTF8).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpc/smtp/command.hpp"

namespace smtpc {

/// The envelope as its sources name it, addresses as written ("Name <a@b>", "<a@b>", "a@b"),
/// each maybe followed by ESMTP parameters ("<a@b> NOTIFY=NEVER", curl 8.16's DSN form).
struct EnvelopeRequest {
  /// --mail-from (or a config account's `from`, sendmail's -f), else what the message
  /// policy chose (compose/: the From address). nullopt: nobody named one, the null
  /// reverse-path; "" names the null reverse-path on purpose.
  std::optional<std::string> sender;
  /// --mail-rcpt or sendmail's arguments, then the recipients -t found in the header.
  std::vector<std::string> recipients;
};

/// The envelope to send: checked, normalised, in A-labels.
struct Envelope {
  std::string reverse_path;                // "" is the null reverse-path
  std::vector<std::string> forward_paths;  // each once, in the order first named
  bool smtputf8 = false;                   // an address is not ASCII even with A-labels
  WrittenParameters parameters;            // written after the addresses, passed on
};

/// The one finalising step, run after every source has added to `request`: each address
/// split from the parameters written after it (split_written_address) and normalised
/// (normalize_mailbox), a non-ASCII domain turned into A-labels as curl does
/// (bücher.example -> xn--bcher-kva.example; address literals are left alone), SMTPUTF8
/// asked for when an address is still not ASCII (a non-ASCII local part), and a recipient
/// named more than once (compared case-insensitively) kept where it was first named, with
/// the parameters written there.
/// Throws Error(FailedInit) naming an invalid address or parameters, an empty recipient, or a
/// domain that is not a valid IDN.
[[nodiscard]] Envelope finalize_envelope(const EnvelopeRequest& request);

}  // namespace smtpc
