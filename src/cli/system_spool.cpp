// run_user_queues: root flushes the system spool's per-uid queues, each as its owner.
#include "system_spool.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "smtpc/queue/location.hpp"

namespace smtpc::cli {
namespace {

struct QueueOwner {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
};

// The owner of SPOOL/users/NAME when NAME is its uid, it is a real directory and the
// password database knows that user; nullopt otherwise (left alone).
std::optional<QueueOwner> owner_of(const std::string& users, const std::string& name) {
  if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos ||
      name.size() > 9) {
    return std::nullopt;
  }
  struct stat info {};
  if (::lstat((users + "/" + name).c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
      info.st_uid == 0 || std::to_string(info.st_uid) != name) {
    return std::nullopt;
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(info.st_uid, &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return std::nullopt;
  }
  return QueueOwner{.uid = found->pw_uid,
                    .gid = found->pw_gid,
                    .name = found->pw_name,
                    .home = found->pw_dir != nullptr ? found->pw_dir : "/"};
}

// In the child: become `owner` for good (groups, gid, uid; no way back to root).
bool become(const QueueOwner& owner) {
  if (::initgroups(owner.name.c_str(), owner.gid) != 0 || ::setgid(owner.gid) != 0 ||
      ::setuid(owner.uid) != 0) {
    return false;
  }
  if (::setuid(0) == 0) return false;  // still able to regain root: refuse to go on
  ::setenv("HOME", owner.home.c_str(), 1);
  ::setenv("USER", owner.name.c_str(), 1);
  ::setenv("LOGNAME", owner.name.c_str(), 1);
  return true;
}

int run_as(const QueueOwner& owner, const std::string& directory,
           const std::function<int(const std::string&)>& run_one) {
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) {
    int code = 70;  // EX_SOFTWARE
    if (!become(owner)) {
      fmt::print(stderr, "smtpc: {}: cannot run as {} (uid {})\n", directory, owner.name,
                 owner.uid);
    } else {
      try {
        code = run_one(directory);
      } catch (const std::exception& error) {
        fmt::print(stderr, "smtpc: {}: {}\n", directory, error.what());
      }
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

}  // namespace

int run_user_queues(const std::string& spool,
                    const std::function<int(const std::string&)>& run_one) {
  const std::string users = spool + "/" + queue::kUsersDirectory;
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(users.c_str()); dir != nullptr) {
    while (const dirent* entry = ::readdir(dir)) names.emplace_back(entry->d_name);
    ::closedir(dir);
  }
  int failed = 0;
  for (const auto& name : names) {
    if (const auto owner = owner_of(users, name)) {
      failed += run_as(*owner, users + "/" + name, run_one);
    }
  }
  return failed;
}

}  // namespace smtpc::cli
