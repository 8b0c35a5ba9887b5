// -V/--version: the program, its libraries, protocols and features, as curl -V lists them.
#pragma once

#include <string>

namespace smtpc::cli {

/// The text -V prints. Loads the TLS library to name its version; when it cannot be
/// loaded, says so in its place (-V still works).
[[nodiscard]] std::string version_text();

}  // namespace smtpc::cli
