// Whose home: $HOME only when it is the user's own, else the password database's entry.
// cron runs its mailer with the daemon's environment (HOME=/root for every user, or no HOME
// under systemd) and PHP-FPM with the pool's; files found through such a HOME are not the
// user's.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

namespace smtpc {

/// What home_directory needs to know about the system, given by the caller (tests fake it).
struct HomeLookup {
  std::function<const char*(const char*)> get_env;
  /// The owner of an existing directory at `path`, nullopt when there is none.
  std::function<std::optional<uid_t>(const std::string& path)> directory_owner;
  /// The home directory the password database gives `uid`, if any.
  std::function<std::optional<std::string>(uid_t uid)> passwd_home;
};

/// The home of `uid`: $HOME when it is absolute and names a directory `uid` owns, else the
/// password database's home (owned by `uid` or not: www-data's /var/www belongs to root).
[[nodiscard]] std::optional<std::string> home_directory(const HomeLookup& lookup, uid_t uid);

/// home_directory() with the real environment, stat and getpwuid_r.
[[nodiscard]] std::optional<std::string> home_directory(uid_t uid);

/// Whether `path` is an existing directory owned by `uid` (lstat: a symlink is not).
[[nodiscard]] bool is_own_directory(const std::string& path, uid_t uid);

/// The system's HomeLookup: getenv, stat and getpwuid_r.
[[nodiscard]] HomeLookup system_home_lookup();

}  // namespace smtpc
