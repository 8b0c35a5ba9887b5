// Where a login comes from: -u (or a queued entry's user, with a password kept in its
// account file), the URL, a password file, the environment, a command, netrc, or the
// terminal.
#pragma once

#include <optional>
#include <string>

#include "smtpc/auth/sasl.hpp"
#include "smtpc/core/url.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::delivery {

/// The credentials to log in with, or nullopt when no login was asked for. `user_spec` is
/// -u's USER[:PASSWORD]; without it the URL's user and password. A missing password is
/// taken, in this order, from --password-file (first line), $SMTPC_PASSWORD, the config's
/// password-command, netrc (--netrc, --netrc-optional, --netrc-file; it may supply the user
/// too) and a no-echo prompt when standard input is a terminal.
/// Throws Error(FailedInit) when a password is needed and none can be had, Error(ReadError)
/// when --password-file or netrc cannot be read.
[[nodiscard]] std::optional<Credentials> resolve_credentials(
    const settings::AuthSources& auth, const std::optional<std::string>& user_spec,
    const std::optional<std::string>& oauth2_bearer, const SmtpUrl& url);

}  // namespace smtpc::delivery
