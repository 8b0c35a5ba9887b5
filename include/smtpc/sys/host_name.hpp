// The machine's name, for EHLO and for addresses and Message-IDs smtpc makes up.
#pragma once

#include <string>

namespace smtpc {

/// The machine's fully qualified name (gethostname, then the resolver's canonical name when
/// it has no dot); "localhost" when it has none. Never throws.
[[nodiscard]] std::string local_host_name();

}  // namespace smtpc
