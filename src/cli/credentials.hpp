// Scrubbing secrets out of the process's argv (where a login comes from:
// smtpc/delivery/credentials.hpp).
#pragma once

#include <span>

#include "command_line.hpp"

namespace smtpc::cli {

/// Overwrites passwords and tokens in argv (-u's password, a URL's password,
/// --oauth2-bearer, --pass) so that other users cannot read them in ps, as curl does.
/// `secrets` says where (command_line.hpp's parser records them).
void scrub_secrets(int argc, char** argv, std::span<const SecretSpan> secrets);

}  // namespace smtpc::cli
