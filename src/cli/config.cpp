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

#include "config_keys.hpp"
#include "options.hpp"
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

// Fills what the command line left out of the login from an account's keys.
void apply_login(const std::map<std::string, std::string>& keys, Options& options) {
  auto value = [&](std::string_view key) -> std::optional<std::string> {
    const auto it = keys.find(std::string(key));
    return it == keys.end() ? std::nullopt : std::optional(it->second);
  };
  auto fill = [&](std::optional<std::string>& field, std::string_view key) {
    if (!field) field = value(key);
  };
  const bool user_from_config = !options.user && value("user");
  fill(options.user, "user");
  if (user_from_config && value("password"))
    options.user->append(1, ':').append(*value("password"));
  fill(options.password_file, "password-file");
  fill(options.password_command, "password-command");
  if (auto netrc = value("netrc")) {
    if (*netrc == "optional") {
      options.netrc_optional = true;
    } else {
      options.netrc = options.netrc || parse_bool(*netrc).value_or(false);
    }
  }
  fill(options.netrc_file, "netrc-file");
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
  auto value = [&](std::string_view key) -> std::optional<std::string> {
    const auto it = keys.find(std::string(key));
    return it == keys.end() ? std::nullopt : std::optional(it->second);
  };
  auto fill = [&](std::optional<std::string>& field, std::string_view key) {
    if (!field) field = value(key);
  };
  auto flag = [&](bool& field, std::string_view key) {
    if (auto v = value(key)) field = field || parse_bool(*v).value_or(false);
  };
  if (options.url.empty()) options.url = value("url").value_or("");
  if (is_direct_delivery(options)) {
    // The account's login is for its relay, never for a recipient's MX (issue 19): its
    // password-command is not even run.
    const bool has_login =
        std::any_of(std::begin(kLoginKeys), std::end(kLoginKeys),
                    [&](std::string_view key) { return value(key).has_value(); });
    if (has_login)
      options.unused_account_login = fmt::format("account [{}] in {}", name, config.path);
  } else {
    apply_login(keys, options);
  }
  fill(options.mail_from, "from");
  flag(options.ssl, "ssl");
  flag(options.ssl_reqd, "ssl-reqd");
  flag(options.insecure, "insecure");
  flag(options.allow_plaintext_auth, "allow-plaintext-auth");
  fill(options.cacert, "cacert");
  fill(options.capath, "capath");
  fill(options.cert, "cert");
  fill(options.key, "key");
  fill(options.tls_max, "tls-max");
  fill(options.pinnedpubkey, "pinnedpubkey");
  fill(options.login_options, "login-options");
  fill(options.sasl_authzid, "sasl-authzid");
  fill(options.queue_dir, "queue-dir");
  fill(options.compose.domain, "domain");
  fill(options.compose.aliases, "aliases");
  // An account's key signs its mail unless the command line names keys of its own.
  if (options.dkim.keys.empty() && value("dkim-key")) {
    options.dkim.keys.push_back(*value("dkim-key"));
    if (options.dkim.selectors.empty() && value("dkim-selector")) {
      options.dkim.selectors.push_back(*value("dkim-selector"));
    }
  }
  fill(options.dkim.domain, "dkim-domain");
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
