// Options for debugging a server: --serverinfo, --quit-after, and the DSN requests
// (--dsn-notify, --dsn-return, --dsn-envid, --dsn-required). docs/debugging.md.
#pragma once

#include <optional>
#include <string>

#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::cli {

// The DSN requests are a group of DeliverySettings.
struct DebugOptions : settings::DsnSettings {
  bool serverinfo = false;                // --serverinfo: report, send nothing
  bool serverinfo_json = false;           // --serverinfo-json: the same report as JSON
  std::optional<std::string> quit_after;  // --quit-after STAGE
};

}  // namespace smtpc::cli
