// Configuration profiles: an INI-like file of named accounts (url, user, password source,
// from address, TLS settings) that fill in what the command line leaves out.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "smtpc/core/error.hpp"

namespace smtpc::cli {

struct Options;

/// A parsed config file: account name -> key -> value.
struct ConfigFile {
  std::string path;
  std::map<std::string, std::map<std::string, std::string>> accounts;
  bool has_password = false;  // some account holds a `password` key
};

/// The file holds a password but others can read it.
class ConfigPermissionError : public Error {
 public:
  using Error::Error;
};

/// Parses `text`: "[name]" starts an account, "key = value" sets a key (a value may be
/// double-quoted to keep blanks), "#" and ";" start comment lines. The keys and their values
/// are config_keys.hpp's. Throws Error(FailedInit) "PATH:LINE: problem" for
/// an unknown key, a key outside an account, a repeated account or key, a bad yes/no.
[[nodiscard]] ConfigFile parse_config(std::string_view text, const std::string& path);

/// Refuses (ConfigPermissionError, FailedInit) a file with a password whose mode lets the
/// group or others read it; the message says to run chmod 600.
void check_config_permissions(const std::string& path, unsigned mode, bool has_password);

/// Refuses (ConfigPermissionError, FailedInit) a config file, an account file, a -K file
/// or sendmail's -C file that someone other than the user could have written, as ssh's
/// StrictModes does: one owned by neither `user` nor root, or writable by the group or
/// others. Its password-command would run as the user. The message names the file, its
/// mode and owner.
void check_config_owner(const std::string& path, unsigned owner, unsigned mode, unsigned user);

/// The config file to read: $SMTPC_CONFIG, $XDG_CONFIG_HOME/smtpc/config (default
/// ~/.config/smtpc/config), ~/.smtpcrc, /etc/smtpc.conf; the first that exists.
[[nodiscard]] std::optional<std::string> find_config_file(
    const std::function<const char*(const char*)>& get_env,
    const std::function<bool(const std::string&)>& exists);

/// find_config_file() with this process's environment and the user's own home
/// (home_directory: $HOME only when it is the user's, else getpwuid's).
[[nodiscard]] std::optional<std::string> find_user_config_file();

/// The config file a run reads: `given` (--account-file, sendmail's -C) when there is one,
/// else the user's own (find_user_config_file); nullopt when there is neither.
[[nodiscard]] std::optional<std::string> config_file_for(const std::optional<std::string>& given);

/// Normal mode's config file: none for a plain curl command line (a URL, and neither
/// --account-file nor -a), else config_file_for(--account-file).
[[nodiscard]] std::optional<std::string> profile_config_file(const Options& options);

/// Reads, parses and permission-checks `path`. Throws Error(FailedInit).
[[nodiscard]] ConfigFile load_config(const std::string& path);

/// The `password` kept for `account` ("default" when none) in `config`, if any.
[[nodiscard]] std::optional<std::string> account_password(
    const ConfigFile& config, const std::optional<std::string>& account);

/// Fills what `options` leaves unset from `account` (or "default"). Throws
/// Error(FailedInit) when that account is not in the file.
void apply_account(const ConfigFile& config, const std::optional<std::string>& account,
                   Options& options);

/// Normal mode: with --account-file, -a, or no URL on the command line, reads the config file
/// and applies the account. Without those a curl command line is left untouched.
/// Throws Error(FailedInit).
void apply_config_profile(Options& options);

}  // namespace smtpc::cli
