// --dkim-*: the options that sign mail (docs/dkim.md), and the request they make.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::cli {

// What signs is a group of DeliverySettings; key generation and checking are this run's.
struct DkimOptions : settings::DkimSettings {
  bool keygen = false;                   // --dkim-keygen
  std::optional<std::string> algorithm;  // --dkim-algorithm ed25519|rsa
  bool check = false;                    // --dkim-check
};

}  // namespace smtpc::cli
