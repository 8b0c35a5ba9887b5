// The one whole-file reader: config files, -K files, --variable and -w files, .netrc,
// aliases, header files, DKIM keys, queue state files, standard input and pipes. Callers
// word their own errors (each names its option and has its exit code); this reads.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <limits>
#include <string>

namespace smtpc {

/// What reading a whole file gave.
struct FileContent {
  std::string text;     // what was read, all of it when error is 0
  int error = 0;        // the errno that stopped it: opening, fstat or reading it
  bool opened = false;  // false: the error came from opening (or fstat'ing) it
  struct stat info {};  // the file as opened (owner, mode, type), when opened
  [[nodiscard]] bool ok() const noexcept { return error == 0; }
};

inline constexpr std::size_t kNoReadLimit = std::numeric_limits<std::size_t>::max() - 1;

/// Reads `fd` from where it stands to its end, EINTR retried. More than `limit` bytes is
/// EFBIG (text then holds limit + 1 bytes); a directory is EISDIR. Leaves `fd` open.
[[nodiscard]] FileContent read_all(int fd, std::size_t limit = kNoReadLimit);

/// The file at `path`, opened read-only (O_CLOEXEC, O_NOCTTY and `extra_flags`, such as
/// O_NOFOLLOW), fstat'ed into `info` and read whole as read_all reads.
[[nodiscard]] FileContent read_file(const std::string& path, std::size_t limit = kNoReadLimit,
                                    int extra_flags = 0);

/// read_file, except that "-" is standard input (curl's -K -, -w @-, --variable name@-).
[[nodiscard]] FileContent read_file_or_stdin(const std::string& path);

}  // namespace smtpc
