// Where a user's queue lives, and the system spool that gives system users one
// (docs/queue.md, "Where the queue lives").
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace smtpc::queue {

/// The system spool: root's queue, made by the package with mode 0711 so that its users/
/// directory (1733, root's) can hold one private queue per uid for users without a
/// writable home (www-data, nobody, daemons).
inline constexpr const char* kSystemSpool = "/var/spool/smtpc";
/// kSystemSpool/users: never an entry of root's queue.
inline constexpr const char* kUsersDirectory = "users";

/// The per-uid queue of the system spool: /var/spool/smtpc/users/UID.
[[nodiscard]] std::string system_user_queue(uid_t uid, const std::string& spool = kSystemSpool);

/// What decides where a queue lives.
struct LocationInputs {
  std::function<const char*(const char*)> get_env;
  uid_t euid = 0;
  /// The user's home (sys/home.hpp: $HOME when it is the user's, else the password
  /// database's), nullopt when there is none.
  std::optional<std::string> home;
  std::string spool = kSystemSpool;
};

/// The queue directories to try, best first: $SMTPC_QUEUE_DIR alone when set; for root
/// the system spool; else $XDG_STATE_HOME/smtpc/queue (absolute only), HOME/.local/state/
/// smtpc/queue, the system spool's per-uid queue, $XDG_RUNTIME_DIR/smtpc/queue.
[[nodiscard]] std::vector<std::string> candidate_directories(const LocationInputs& inputs);

/// Makes `path` (a per-uid queue of the system spool) when it is missing, and says whether
/// it is now a real directory (not a symlink) owned by `euid` with mode 0700. The sticky
/// users/ directory keeps others from replacing it afterwards.
[[nodiscard]] bool prepare_system_user_queue(const std::string& path, uid_t euid);

}  // namespace smtpc::queue
