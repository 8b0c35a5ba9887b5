// candidate_directories: where a queue may live, so that no user is left without one.
#include "smtpc/queue/location.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>

namespace smtpc::queue {

std::string system_user_queue(uid_t uid, const std::string& spool) {
  return fmt::format("{}/{}/{}", spool, kUsersDirectory, uid);
}

std::vector<std::string> candidate_directories(const LocationInputs& inputs) {
  auto env = [&inputs](const char* name) -> std::string {
    const char* value = inputs.get_env(name);
    return value == nullptr ? "" : value;
  };
  if (const std::string dir = env("SMTPC_QUEUE_DIR"); !dir.empty()) return {dir};
  std::vector<std::string> candidates;
  if (inputs.euid == 0) {
    candidates.push_back(inputs.spool);
  } else {
    if (const std::string state = env("XDG_STATE_HOME"); state.starts_with("/")) {
      candidates.push_back(state + "/smtpc/queue");
    }
    if (inputs.home) candidates.push_back(*inputs.home + "/.local/state/smtpc/queue");
    candidates.push_back(system_user_queue(inputs.euid, inputs.spool));
  }
  if (const std::string runtime = env("XDG_RUNTIME_DIR"); runtime.starts_with("/")) {
    candidates.push_back(runtime + "/smtpc/queue");
  }
  return candidates;
}

bool prepare_system_user_queue(const std::string& path, uid_t euid) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == euid &&
         (info.st_mode & 07777U) == 0700;
}

}  // namespace smtpc::queue
