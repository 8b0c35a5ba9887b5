// Root's `sendmail -q` and the system spool's per-uid queues (docs/queue.md).
#pragma once

#include <functional>
#include <string>

namespace smtpc::cli {

/// Delivers each per-uid queue of the system spool (SPOOL/users/UID, a real directory owned
/// by UID, never root's) in a child process that runs as that user, as cron runs a user's
/// job: an entry is sent with its owner's rights, settings and files, never root's.
/// `run_one(directory)` runs in the child after the switch. Returns how many queues failed
/// to run (a child that could not become its user counts).
int run_user_queues(const std::string& spool,
                    const std::function<int(const std::string&)>& run_one);

}  // namespace smtpc::cli
