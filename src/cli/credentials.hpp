// Where the login comes from: -u, the URL, a password file, the environment, netrc, a
// command, or the terminal; and scrubbing secrets out of the process's argv.
#pragma once

#include <optional>
#include <span>

#include "command_line.hpp"
#include "options.hpp"
#include "smtpc/auth/sasl.hpp"
#include "smtpc/core/url.hpp"

namespace smtpc::cli {

/// The credentials to log in with, or nullopt when no login was asked for.
/// A missing password is taken, in this order, from --password-file (first line),
/// $SMTPC_PASSWORD, the config's password-command, netrc (--netrc, --netrc-optional,
/// --netrc-file; it may supply the user too) and a no-echo prompt when stdin is a terminal.
/// Throws Error(FailedInit) when a password is needed and none can be had, Error(ReadError)
/// when --password-file or netrc cannot be read.
[[nodiscard]] std::optional<Credentials> resolve_credentials(const Options& options,
                                                             const SmtpUrl& url);

/// Overwrites passwords and tokens in argv (-u's password, a URL's password,
/// --oauth2-bearer, --pass) so that other users cannot read them in ps, as curl does.
/// `secrets` says where (command_line.hpp's parser records them).
void scrub_secrets(int argc, char** argv, std::span<const SecretSpan> secrets);

}  // namespace smtpc::cli
