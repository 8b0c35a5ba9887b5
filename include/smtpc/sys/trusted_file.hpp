// Whether a file may be trusted with what it will do to us (code smtpc loads): only its
// owner, root or the user running smtpc, can have put it there or changed it.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

namespace smtpc {

/// What is wrong with `info` (a stat of `path`) for a file or directory that only root or
/// the user `euid` may control: owned by someone else, or writable by group or others
/// (sticky or not). Empty when nothing is.
[[nodiscard]] std::string ownership_problem(const struct stat& info, uid_t euid,
                                            const std::string& path);

enum class FileTrust {
  Trusted,    ///< a regular file; it and its directory are root's or ours, writable by no one else
  Missing,    ///< the file is not there
  Untrusted,  ///< there, but `problem` says why it must not be used
};

struct TrustedFileCheck {
  FileTrust verdict = FileTrust::Missing;
  std::string problem;  ///< one line naming the path, when Untrusted
};

/// Checks absolute `path` and the directory holding it through descriptors (the file
/// opened with O_NOFOLLOW inside the opened directory, both fstat'ed): a symbolic link,
/// a relative path or anything but a regular file is Untrusted.
[[nodiscard]] TrustedFileCheck check_trusted_file(const std::string& path);

}  // namespace smtpc
