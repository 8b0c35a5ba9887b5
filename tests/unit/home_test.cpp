// home_directory: $HOME only when it is the user's own, else the password database's.
#include "smtpc/sys/home.hpp"

#include <gtest/gtest.h>

#include <map>

namespace smtpc {
namespace {

HomeLookup fake(std::map<std::string, std::string> env, std::map<std::string, uid_t> owners,
                std::optional<std::string> passwd_home) {
  return HomeLookup{.get_env = [env = std::move(env)](const char* name) -> const char* {
                      const auto found = env.find(name);
                      return found == env.end() ? nullptr : found->second.c_str();
                    },
                    .directory_owner = [owners = std::move(owners)](
                                           const std::string& path) -> std::optional<uid_t> {
                      const auto found = owners.find(path);
                      if (found == owners.end()) return std::nullopt;
                      return found->second;
                    },
                    .passwd_home = [passwd_home](uid_t) { return passwd_home; }};
}

TEST(HomeDirectory, HomeWhenItIsTheUsersOwn) {
  EXPECT_EQ(home_directory(fake({{"HOME", "/tmp/h"}}, {{"/tmp/h", 1000}}, "/home/a"), 1000),
            "/tmp/h");
}

TEST(HomeDirectory, ThePasswordDatabaseWhenHomeIsAnotherUsers) {
  // cron's mailer for a user crontab: the daemon's HOME=/root.
  EXPECT_EQ(home_directory(fake({{"HOME", "/root"}}, {{"/root", 0}}, "/home/a"), 1000), "/home/a");
  // Missing, relative, or not there at all.
  EXPECT_EQ(home_directory(fake({}, {}, "/home/a"), 1000), "/home/a");
  EXPECT_EQ(home_directory(fake({{"HOME", "h"}}, {{"h", 1000}}, "/home/a"), 1000), "/home/a");
  EXPECT_EQ(home_directory(fake({{"HOME", "/gone"}}, {}, "/home/a"), 1000), "/home/a");
  // www-data's /var/www belongs to root and is still its home (for finding files).
  EXPECT_EQ(home_directory(fake({}, {{"/var/www", 0}}, "/var/www"), 33), "/var/www");
  EXPECT_EQ(home_directory(fake({}, {}, std::nullopt), 33), std::nullopt);
}

}  // namespace
}  // namespace smtpc
