// home_directory: $HOME when it is the user's, else getpwuid's answer, as ssh and git do.
#include "smtpc/sys/home.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace smtpc {

std::optional<std::string> home_directory(const HomeLookup& lookup, uid_t uid) {
  if (const char* home = lookup.get_env("HOME"); home != nullptr && home[0] == '/') {
    if (lookup.directory_owner(home) == uid) return std::string(home);
  }
  return lookup.passwd_home(uid);
}

bool is_own_directory(const std::string& path, uid_t uid) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == uid;
}

HomeLookup system_home_lookup() {
  return HomeLookup{
      .get_env = [](const char* name) { return std::getenv(name); },
      .directory_owner = [](const std::string& path) -> std::optional<uid_t> {
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return std::nullopt;
        return info.st_uid;
      },
      .passwd_home = [](uid_t uid) -> std::optional<std::string> {
        std::vector<char> buffer(16384);
        passwd entry{};
        passwd* result = nullptr;
        if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) != 0 ||
            result == nullptr || result->pw_dir == nullptr || result->pw_dir[0] != '/') {
          return std::nullopt;
        }
        return std::string(result->pw_dir);
      },
  };
}

std::optional<std::string> home_directory(uid_t uid) {
  return home_directory(system_home_lookup(), uid);
}

}  // namespace smtpc
