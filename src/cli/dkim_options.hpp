// --dkim-*: the options that sign mail (docs/dkim.md), and the request they make.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpc/dkim/signer.hpp"

namespace smtpc::cli {

struct DkimOptions {
  std::vector<std::string> keys;                // --dkim-key FILE, repeatable; config: dkim-key
  std::vector<std::string> selectors;           // --dkim-selector SEL, the k-th for the k-th key
  std::optional<std::string> domain;            // --dkim-domain; config: dkim-domain
  bool domain_on_command_line = false;          // --dkim-domain itself: no alignment check
  std::optional<std::string> canonicalization;  // --dkim-canon relaxed|simple[/relaxed|simple]
  std::optional<std::string> headers;           // --dkim-headers From:To:...
  bool keygen = false;                          // --dkim-keygen
  std::optional<std::string> algorithm;         // --dkim-algorithm ed25519|rsa
  bool check = false;                           // --dkim-check
};

/// What the options ask to sign with, the keys read and checked; nullopt without
/// --dkim-key. Throws Error(FailedInit) for a selector missing or not paired with a key, a
/// bad selector, domain, canonicalization or header list, or a key that cannot be used
/// (load_signing_key), Error(ReadError) for a key file that cannot be read.
[[nodiscard]] std::optional<dkim::SigningRequest> make_signing_request(const DkimOptions& options);

}  // namespace smtpc::cli
