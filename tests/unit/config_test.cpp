// Config files: syntax, line-numbered errors, account selection, precedence of the
// command line, the search order and the permission check.
#include "config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <set>

#include "command_line.hpp"
#include "config_keys.hpp"
#include "expect_error.hpp"
#include "options.hpp"
#include "settings_options.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

constexpr std::string_view kExample =
    "# accounts\n"
    "[default]\n"
    "url = smtps://smtp.example.com\n"
    "user = me@example.com\n"
    "password-command = pass show mail/example\n"
    "from = me@example.com\n"
    "\n"
    "; the lab relay\n"
    "[lab]\n"
    "url=smtp://127.0.0.1:2525\n"
    "from = \" cron@example.com \"\n"
    "ssl = no\n";

std::string error_of(std::string_view text) {
  return smtpc::testing::expect_error(ExitCode::FailedInit,
                                      [&] { (void)parse_config(text, "cfg"); });
}

TEST(Config, ParsesAccountsFromTheIssueExample) {
  const auto config = parse_config(kExample, "cfg");
  ASSERT_EQ(config.accounts.size(), 2U);
  EXPECT_EQ(config.accounts.at("default").at("password-command"), "pass show mail/example");
  EXPECT_EQ(config.accounts.at("lab").at("url"), "smtp://127.0.0.1:2525");
  EXPECT_EQ(config.accounts.at("lab").at("from"), " cron@example.com ");
  EXPECT_FALSE(config.has_password);
  EXPECT_TRUE(parse_config("[a]\npassword = secret\n", "cfg").has_password);
}

TEST(Config, ErrorsNameTheLine) {
  EXPECT_EQ(error_of("url = x\n"), "cfg:1: \"url\" comes before any [account]");
  EXPECT_EQ(error_of("[a]\n\nurl smtp://x\n"), "cfg:3: expected key = value");
  EXPECT_EQ(error_of("[a]\nport = 25\n"), "cfg:2: unknown key \"port\"");
  EXPECT_EQ(error_of("[a]\n[a]\n"), "cfg:2: account [a] was already defined on line 1");
  EXPECT_EQ(error_of("[a]\nssl = maybe\n"), "cfg:2: ssl: expected yes or no, got \"maybe\"");
  EXPECT_EQ(error_of("[a]\nurl = x\nurl = y\n"), "cfg:3: \"url\" is set twice in this account");
  EXPECT_EQ(error_of("[a\n"), "cfg:1: expected [account-name]");
  EXPECT_EQ(error_of("[a]\nqueue-dir = q\n"),
            "cfg:2: queue-dir: expected an absolute path, got \"q\"");
}

TEST(Config, AccountFillsOnlyWhatTheCommandLineLeftOut) {
  const auto config = parse_config(kExample, "cfg");
  Options options;
  options.mail_from = "override@example.com";
  apply_account(config, std::nullopt, options);
  EXPECT_EQ(options.url, "smtps://smtp.example.com");
  EXPECT_EQ(options.user, "me@example.com");
  EXPECT_EQ(options.password_command, "pass show mail/example");
  EXPECT_EQ(options.mail_from, "override@example.com");

  Options lab;
  lab.url = "smtp://given";
  apply_account(config, "lab", lab);
  EXPECT_EQ(lab.url, "smtp://given");
  EXPECT_FALSE(lab.ssl);
  EXPECT_THROW(apply_account(config, std::string("nope"), lab), Error);
}

// One table: a key that stands for an option fills exactly what that option fills when it
// is given on the command line (the account reader applies it through the option table).
TEST(Config, EachKeyFillsWhatItsOptionFillsOnTheCommandLine) {
  int checked = 0;
  for (const ConfigKey& key : config_keys()) {
    // An account's dkim-selector only goes with its dkim-key (the test below).
    if (key.option.empty() || key.name == "dkim-selector") continue;
    const bool yes_no = key.value == KeyValue::YesNo;
    const std::string value = key.value == KeyValue::AbsolutePath ? "/var/q" : "v@example.com";
    std::vector<std::string> argv{"--" + std::string(key.option)};
    if (!yes_no) argv.push_back(value);
    Options typed = parse_command_line(argv).operations.at(0);
    typed.dkim.domain_on_command_line = false;  // the one difference, on purpose
    Options from_account;
    from_account.url = "smtp://relay.example";
    typed.url = from_account.url;
    const std::string file =
        "[a]\n" + std::string(key.name) + " = " + (yes_no ? "yes" : value) + "\n";
    apply_account(parse_config(file, "cfg"), std::string("a"), from_account);
    EXPECT_EQ(groups_of(from_account), groups_of(typed)) << key.name;
    EXPECT_EQ(from_account.mail_from, typed.mail_from) << key.name;
    EXPECT_EQ(from_account.queue_dir, typed.queue_dir) << key.name;
    ++checked;
  }
  EXPECT_GT(checked, 15);
}

TEST(Config, AnAccountsCertificateMayHoldAColonAndItsSelectorGoesWithItsKeyOnly) {
  Options options;
  apply_account(parse_config("[a]\ncert = /c:1.pem\ndkim-key = /k.pem\ndkim-selector = s\n", "cfg"),
                std::string("a"), options);
  EXPECT_EQ(options.cert, "/c:1.pem");
  EXPECT_FALSE(options.pass);
  EXPECT_EQ(options.dkim.selectors, std::vector<std::string>{"s"});
  Options own_key;
  own_key.dkim.keys = {"/mine.pem"};
  apply_account(parse_config("[a]\ndkim-key = /k.pem\ndkim-selector = s\n", "cfg"),
                std::string("a"), own_key);
  EXPECT_EQ(own_key.dkim.keys, std::vector<std::string>{"/mine.pem"});
  EXPECT_TRUE(own_key.dkim.selectors.empty());
}

TEST(Config, InlinePasswordJoinsTheUser) {
  Options options;
  apply_account(parse_config("[default]\nuser = u\npassword = p:w\nnetrc = optional\n", "c"),
                std::nullopt, options);
  EXPECT_EQ(options.user, "u:p:w");
  EXPECT_TRUE(options.netrc_optional);
}

TEST(Config, SecurityPermissionCheckOnlyForPasswords) {
  EXPECT_NO_THROW(check_config_permissions("c", 0100644, false));
  EXPECT_NO_THROW(check_config_permissions("c", 0100600, true));
  EXPECT_THROW(check_config_permissions("c", 0100640, true), ConfigPermissionError);
  try {
    check_config_permissions("/home/me/.smtpcrc", 0100604, true);
    FAIL();
  } catch (const ConfigPermissionError& error) {
    EXPECT_NE(std::string(error.what()).find("chmod 600 /home/me/.smtpcrc"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("0604"), std::string::npos);
  }
}

// Issue 19, item 7: ssh's StrictModes for config files.
TEST(SecurityConfigOwner, OnlyTheUserOrRootMayOwnItAndNoOneElseWrite) {
  const unsigned file = S_IFREG;
  EXPECT_NO_THROW(check_config_owner("/c", 1000, file | 0644, 1000));
  EXPECT_NO_THROW(check_config_owner("/c", 0, file | 0640, 1000));
  EXPECT_NO_THROW(check_config_owner("/dev/null", 0, S_IFCHR | 0666, 1000));
  EXPECT_THROW(check_config_owner("/c", 1001, file | 0600, 1000), ConfigPermissionError);
  EXPECT_THROW(check_config_owner("/c", 1000, file | 0660, 1000), ConfigPermissionError);
  EXPECT_THROW(check_config_owner("/c", 0, file | 0602, 1000), ConfigPermissionError);
  try {
    check_config_owner("/home/u/.smtpcrc", 1000, file | 0664, 1000);
    FAIL() << "not refused";
  } catch (const ConfigPermissionError& error) {
    EXPECT_EQ(error.code(), ExitCode::FailedInit);
    EXPECT_STREQ(error.what(),
                 "config file /home/u/.smtpcrc is writable by group or others (mode 0664): "
                 "refused, as what it says runs as you; run 'chmod go-w /home/u/.smtpcrc'");
  }
}

TEST(Config, SearchOrder) {
  std::map<std::string, std::string> env{{"HOME", "/h"}};
  std::set<std::string> files{"/h/.config/smtpc/config", "/h/.smtpcrc", "/etc/smtpc.conf"};
  auto get_env = [&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto exists = [&](const std::string& path) { return files.count(path) > 0; };
  EXPECT_EQ(find_config_file(get_env, exists), "/h/.config/smtpc/config");
  env["XDG_CONFIG_HOME"] = "/x";
  EXPECT_EQ(find_config_file(get_env, exists), "/h/.smtpcrc");
  files.insert("/x/smtpc/config");
  EXPECT_EQ(find_config_file(get_env, exists), "/x/smtpc/config");
  env["SMTPC_CONFIG"] = "/given";
  EXPECT_EQ(find_config_file(get_env, exists), "/given");
  env.clear();
  files = {"/etc/smtpc.conf"};
  EXPECT_EQ(find_config_file(get_env, exists), "/etc/smtpc.conf");
  files.clear();
  EXPECT_EQ(find_config_file(get_env, exists), std::nullopt);
}

// Which config file a run reads is decided in one place: a plain curl command line reads
// none; --account-file (sendmail's -C) comes before the user's own.
TEST(Config, OneLookupForEveryMode) {
  const char* before = std::getenv("SMTPC_CONFIG");
  const std::optional<std::string> saved =
      before ? std::optional<std::string>(before) : std::nullopt;
  ::setenv("SMTPC_CONFIG", "/users/own", 1);
  Options plain;
  plain.url = "smtp://h";
  EXPECT_EQ(profile_config_file(plain), std::nullopt);
  Options account = plain;
  account.compose.account = "work";
  EXPECT_EQ(profile_config_file(account), "/users/own");
  EXPECT_EQ(profile_config_file(Options{}), "/users/own");  // no URL: the config gives it
  Options given = plain;
  given.compose.config = "/given";
  EXPECT_EQ(profile_config_file(given), "/given");
  EXPECT_EQ(config_file_for(std::nullopt), "/users/own");
  EXPECT_EQ(config_file_for("/dash-C"), "/dash-C");
  if (saved) {
    ::setenv("SMTPC_CONFIG", saved->c_str(), 1);
  } else {
    ::unsetenv("SMTPC_CONFIG");
  }
}

}  // namespace
}  // namespace smtpc::cli
