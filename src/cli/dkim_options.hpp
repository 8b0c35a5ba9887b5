// --dkim-*: the options that sign mail (docs/dkim.md), and the request they make.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpc/dkim/signer.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::cli {

// What signs is a group of DeliverySettings; key generation and checking are this run's.
struct DkimOptions : settings::DkimSettings {
  bool keygen = false;                   // --dkim-keygen
  std::optional<std::string> algorithm;  // --dkim-algorithm ed25519|rsa
  bool check = false;                    // --dkim-check
};

/// What the options ask to sign with, the keys read and checked; nullopt without
/// --dkim-key. Throws Error(FailedInit) for a selector missing or not paired with a key, a
/// bad selector, domain, canonicalization or header list, or a key that cannot be used
/// (load_signing_key), Error(ReadError) for a key file that cannot be read.
[[nodiscard]] std::optional<dkim::SigningRequest> make_signing_request(const DkimOptions& options);

}  // namespace smtpc::cli
