// The one codec that stores DeliverySettings (in a queue entry): one "NAME VALUE" line per
// value, NAME the codec's own field name ("tls.cacert", "connect.ip_family"), not an option's
// spelling, so that renaming an option never changes what a stored entry means. Format 1
// (the option spellings, "set KEY VALUE" before this codec) is still read.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtpc/settings/delivery_settings.hpp"

namespace smtpc::settings {

/// The format this codec writes. Format 1 was the queue's "set OPTION VALUE" lines.
inline constexpr int kSettingsFormat = 2;

/// Stored settings: (name, value) in order; a list repeats its name.
using SettingLines = std::vector<std::pair<std::string, std::string>>;

/// The stored groups of `settings` (destination, connect, proxy, tls, auth, envelope,
/// dkim, mx): every set value, each on one line. Not stored: dsn (a queued envelope keeps the
/// parameters it made), output and retry (a queue run has its own). Throws Error(FailedInit)
/// for a value holding a line break.
[[nodiscard]] SettingLines encode(const DeliverySettings& settings);

/// What encode() wrote, read back. Throws Error(FailedInit) naming the line for a name this
/// codec does not know (a newer smtpc's: its meaning is unknown, so the entry must not be
/// sent with a setting left out) or a value it cannot read.
[[nodiscard]] DeliverySettings decode(const SettingLines& lines);

/// Format 1: the queue's "set KEY VALUE" lines, KEY an option's spelling. Keys it did not
/// know were ignored by format 1's reader, and are here too.
[[nodiscard]] DeliverySettings decode_format1(const SettingLines& lines);

/// Every path setting (certificates, keys, password and netrc files, DKIM keys, the account
/// file, a Unix socket that is not abstract) made absolute against the current directory:
/// a queue run works from another directory and must not trust what lies there under the
/// same relative name.
void make_paths_absolute(DeliverySettings& settings);

/// Takes from `from` each stored field that `settings` leaves at its default (an empty
/// optional or list, false...): what an account adds to what the command line said.
void fill_unset(DeliverySettings& settings, const DeliverySettings& from);

/// The codec's field names, in the order encode() writes them (for documentation and tests).
[[nodiscard]] std::vector<std::string_view> field_names();

}  // namespace smtpc::settings
