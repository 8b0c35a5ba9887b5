// The command line's Options as DeliverySettings: what a queued entry keeps (a queue run
// makes its job from them below cli/: delivery/queue_run.cpp). Options is made of
// DeliverySettings' groups, so each group passes whole; only the secrets are left behind.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::cli {

/// The config file an account was read from for these options, if any (a queue run reads
/// a password kept there again, and nothing else from it).
struct AccountInUse {
  std::optional<std::string> file;
  std::optional<std::string> account;
};

/// `options` without any secret: the URLs without passwords, -u and -U as user names, no
/// --pass or --oauth2-bearer; paths absolute. Adds to `warnings` each secret a queue run
/// will not have (a password on the command line, a token, a pass phrase, a proxy's
/// password). Throws Error for a URL that does not parse.
[[nodiscard]] settings::DeliverySettings delivery_settings(const Options& options,
                                                           const AccountInUse& account,
                                                           std::vector<std::string>& warnings);

/// The DeliverySettings groups of `options` as they are (no destination, nothing made
/// absolute), and back into `options`.
[[nodiscard]] settings::DeliverySettings groups_of(const Options& options);
void put_groups(const settings::DeliverySettings& settings, Options& options);

/// Takes from `from` (an account's options) each setting `options` (the command line's)
/// leaves unset: every stored DeliverySettings field (settings::fill_unset), the sender and
/// the queue directory.
void fill_unset(Options& options, const Options& from);

}  // namespace smtpc::cli
