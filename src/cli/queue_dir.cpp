// queue_directory: the first queue this user can keep mail in, so that no user (www-data,
// nobody, a cron job with the daemon's HOME) is left without one.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "queue_cli.hpp"
#include "smtpc/queue/location.hpp"
#include "smtpc/sys/home.hpp"

namespace smtpc::cli {

std::string queue_directory(const Options& options) {
  if (options.queue_dir) return *options.queue_dir;
  const uid_t euid = ::geteuid();
  const std::vector<std::string> candidates =
      queue::candidate_directories({.get_env = [](const char* name) { return std::getenv(name); },
                                    .euid = euid,
                                    .home = home_directory(euid)});
  if (candidates.size() == 1) return candidates.front();  // $SMTPC_QUEUE_DIR, root's spool
  std::string problems;
  for (const auto& dir : candidates) {
    if (dir == queue::system_user_queue(euid) && !queue::prepare_system_user_queue(dir, euid)) {
      problems += fmt::format("; {}: missing, or not a private directory of uid {}", dir, euid);
      continue;
    }
    try {
      const queue::Queue usable(dir);  // made (0700) when missing, checked when present
      return dir;
    } catch (const Error& error) {
      problems += fmt::format("; {}", error.what());
    }
  }
  throw Error(ExitCode::FailedInit,
              fmt::format("no usable queue directory{}: set queue-dir in the config file, or "
                          "SMTPC_QUEUE_DIR",
                          problems));
}

}  // namespace smtpc::cli
