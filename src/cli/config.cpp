// Config files with named accounts (msmtp's idea, INI-like syntax) and their permission check.
#include "config.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <vector>

#include "command_line.hpp"
#include "config_keys.hpp"
#include "options.hpp"
#include "settings_options.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/sys/file.hpp"
#include "smtpc/sys/home.hpp"
#include "smtpc/sys/trusted_file.hpp"

namespace smtpc::cli {
namespace {

std::optional<bool> parse_bool(std::string_view value) {
  for (const auto yes : {"yes", "on", "true", "1"}) {
    if (value == yes) return true;
  }
  for (const auto no : {"no", "off", "false", "0"}) {
    if (value == no) return false;
  }
  return std::nullopt;
}

// The keys that make a login, left out for direct delivery.
constexpr std::string_view kLoginKeys[] = {
    "user", "password", "password-file", "password-command", "netrc", "netrc-file"};

// The login keys the option table does not fill: the user (with a password kept in the
// file) and netrc's three values.
void apply_login(const std::map<std::string, std::string>& keys, Options& options) {
  auto value = [&](std::string_view key) -> std::optional<std::string> {
    const auto it = keys.find(std::string(key));
    return it == keys.end() ? std::nullopt : std::optional(it->second);
  };
  const bool user_from_config = !options.user && value("user");
  if (!options.user) options.user = value("user");
  if (user_from_config && value("password"))
    options.user->append(1, ':').append(*value("password"));
  if (!options.password_command) options.password_command = value("password-command");
  if (auto netrc = value("netrc")) {
    if (*netrc == "optional") {
      options.netrc_optional = true;
    } else {
      options.netrc = options.netrc || parse_bool(*netrc).value_or(false);
    }
  }
}

bool is_login_key(std::string_view key) {
  return std::find(std::begin(kLoginKeys), std::end(kLoginKeys), key) != std::end(kLoginKeys);
}

// `value` of `key` applied as the command line applies its option (a yes/no key as the bare
// switch when yes), to options of the account's own.
void apply_through_option(const ConfigKey& key, const std::string& value, Options& account) {
  const OptionDef* option = find_long_option(key.option);
  if (option == nullptr || option->apply == nullptr) return;  // ManPages.* prevents it
  if (key.value == KeyValue::YesNo) {
    if (parse_bool(value).value_or(false)) option->apply(account, "", true);
    return;
  }
  std::string argument = value;
  if (key.option == "cert") {
    // --cert reads FILE[:PASSPHRASE]; the key names a file only, colons and all.
    argument.clear();
    for (const char c : value)
      argument += c == ':' || c == '\\' ? std::string{'\\', c} : std::string{c};
  }
  option->apply(account, argument, true);
}

// The keys that stand for an option, filled in through the option table where the command
// line left the setting unset. Direct delivery never takes the login (issue 19).
void apply_option_keys(const std::map<std::string, std::string>& keys, bool direct,
                       Options& options) {
  Options account;
  for (const auto& [name, value] : keys) {
    const ConfigKey* key = find_config_key(name);
    if (key == nullptr || key->option.empty() || (direct && is_login_key(name))) continue;
    apply_through_option(*key, value, account);
  }
  // The account's dkim-domain is not --dkim-domain given on the command line: its
  // alignment with From is still checked. Its selector goes with its key only.
  account.dkim.domain_on_command_line = false;
  if (!options.dkim.keys.empty() || account.dkim.keys.empty()) account.dkim.selectors.clear();
  fill_unset(options, account);
}

}  // namespace

ConfigFile parse_config(std::string_view text, const std::string& path) {
  ConfigFile config;
  config.path = path;
  std::map<std::string, std::size_t> account_lines;
  std::map<std::string, std::string>* current = nullptr;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++number;
    auto fail = [&](const std::string& what) {
      throw Error(ExitCode::FailedInit, fmt::format("{}:{}: {}", path, number, what));
    };
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') fail("expected [account-name]");
      const std::string name(trim(line.substr(1, line.size() - 2)));
      if (name.empty()) fail("empty account name");
      if (const auto seen = account_lines.find(name); seen != account_lines.end()) {
        fail(fmt::format("account [{}] was already defined on line {}", name, seen->second));
      }
      account_lines[name] = number;
      current = &config.accounts[name];
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) fail("expected key = value");
    const std::string key(trim(line.substr(0, equals)));
    std::string_view value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (current == nullptr) fail(fmt::format("\"{}\" comes before any [account]", key));
    const ConfigKey* known = find_config_key(key);
    if (known == nullptr) fail(fmt::format("unknown key \"{}\"", key));
    if (const std::string problem = config_value_problem(*known, value); !problem.empty()) {
      fail(fmt::format("{}: {}", key, problem));
    }
    if (!current->emplace(key, std::string(value)).second) {
      fail(fmt::format("\"{}\" is set twice in this account", key));
    }
    if (key == "password") config.has_password = true;
  }
  return config;
}

void check_config_permissions(const std::string& path, unsigned mode, bool has_password) {
  if (!has_password || (mode & 044U) == 0) return;
  throw ConfigPermissionError(
      ExitCode::FailedInit,
      fmt::format("config file {} holds a password but the group or others can read it (mode "
                  "{:04o}): run 'chmod 600 {}', or use password-file or password-command",
                  path, mode & 07777U, path));
}

void check_config_owner(const std::string& path, unsigned owner, unsigned mode, unsigned user) {
  if (S_ISCHR(mode)) return;  // /dev/null, a terminal: nothing anyone could have left in it
  struct stat info {};
  info.st_uid = owner;
  info.st_mode = mode;
  const std::string problem = ownership_problem(info, user, path);
  if (problem.empty()) return;
  const bool writable = (mode & 022U) != 0;
  throw ConfigPermissionError(
      ExitCode::FailedInit,
      fmt::format("config file {}: refused, as what it says runs as you{}", problem,
                  writable ? fmt::format("; run 'chmod go-w {}'", path) : std::string()));
}

std::optional<std::string> find_config_file(const std::function<const char*(const char*)>& get_env,
                                            const std::function<bool(const std::string&)>& exists) {
  auto env = [&](const char* name) -> std::optional<std::string> {
    const char* value = get_env(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
  if (auto explicit_path = env("SMTPC_CONFIG")) return explicit_path;
  std::vector<std::string> candidates;
  const auto home = env("HOME");
  if (auto xdg = env("XDG_CONFIG_HOME")) {
    candidates.push_back(*xdg + "/smtpc/config");
  } else if (home) {
    candidates.push_back(*home + "/.config/smtpc/config");
  }
  if (home) candidates.push_back(*home + "/.smtpcrc");
  candidates.emplace_back("/etc/smtpc.conf");
  for (const auto& candidate : candidates) {
    if (exists(candidate)) return candidate;
  }
  return std::nullopt;
}

std::optional<std::string> find_user_config_file() {
  // HOME as cron and PHP-FPM pass it may be another user's (cron's own /root): the user's
  // home comes from the password database then.
  const std::optional<std::string> home = home_directory(::geteuid());
  return find_config_file(
      [&home](const char* name) -> const char* {
        if (std::string_view(name) == "HOME") return home ? home->c_str() : nullptr;
        return std::getenv(name);
      },
      [](const std::string& p) { return ::access(p.c_str(), F_OK) == 0; });
}

std::optional<std::string> config_file_for(const std::optional<std::string>& given) {
  return given ? given : find_user_config_file();
}

std::optional<std::string> profile_config_file(const Options& options) {
  const ComposeOptions& c = options.compose;
  if (!c.config && !c.account && !options.url.empty()) return std::nullopt;  // plain curl
  return config_file_for(c.config);
}

ConfigFile load_config(const std::string& path) {
  // An account file is small: 1 MiB is far more than any, and a device never ends.
  const FileContent file = read_file(path, 1024 * 1024);
  if (!file.ok()) {
    throw Error(ExitCode::FailedInit,
                fmt::format("cannot read config file {}: {}", path, std::strerror(file.error)));
  }
  check_config_owner(path, file.info.st_uid, file.info.st_mode, ::geteuid());
  ConfigFile config = parse_config(file.text, path);
  check_config_permissions(path, static_cast<unsigned>(file.info.st_mode), config.has_password);
  return config;
}

std::optional<std::string> account_password(const ConfigFile& config,
                                            const std::optional<std::string>& account) {
  const auto found = config.accounts.find(account.value_or("default"));
  if (found == config.accounts.end()) return std::nullopt;
  const auto password = found->second.find("password");
  if (password == found->second.end()) return std::nullopt;
  return password->second;
}

void apply_account(const ConfigFile& config, const std::optional<std::string>& account,
                   Options& options) {
  const std::string name = account.value_or("default");
  const auto found = config.accounts.find(name);
  if (found == config.accounts.end()) {
    throw Error(
        ExitCode::FailedInit,
        account ? fmt::format("no account [{}] in {}", name, config.path)
                : fmt::format("no [default] account in {}: choose one with -a NAME", config.path));
  }
  const auto& keys = found->second;
  if (options.url.empty() && keys.contains("url")) options.url = keys.at("url");
  const bool direct = is_direct_delivery(options);
  if (direct) {
    // The account's login is for its relay, never for a recipient's MX (issue 19): its
    // password-command is not even run.
    if (std::any_of(std::begin(kLoginKeys), std::end(kLoginKeys),
                    [&](std::string_view key) { return keys.contains(std::string(key)); })) {
      options.unused_account_login = fmt::format("account [{}] in {}", name, config.path);
    }
  } else {
    apply_login(keys, options);
  }
  apply_option_keys(keys, direct, options);
  auto fill = [&](std::optional<std::string>& field, const char* key) {
    if (!field && keys.contains(key)) field = keys.at(key);
  };
  fill(options.compose.domain, "domain");
  fill(options.compose.aliases, "aliases");
}

void apply_config_profile(Options& options) {
  const ComposeOptions& c = options.compose;
  const std::optional<std::string> path = profile_config_file(options);
  if (!path) {
    if (c.account) {
      throw Error(ExitCode::FailedInit, "-a/--account given but no config file was found");
    }
    return;  // no URL and no config: make_job_spec reports the missing URL
  }
  apply_account(load_config(*path), c.account, options);
}

}  // namespace smtpc::cli
