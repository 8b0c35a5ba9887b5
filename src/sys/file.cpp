// The one whole-file reader (see file.hpp).
#include "smtpc/sys/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "smtpc/sys/fd.hpp"

namespace smtpc {

FileContent read_all(int fd, std::size_t limit) {
  FileContent content;
  content.opened = true;
  std::array<char, 64 * 1024> buffer{};
  while (true) {
    const std::size_t room = limit + 1 - content.text.size();
    const ssize_t got = ::read(fd, buffer.data(), std::min(buffer.size(), room));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      content.error = errno;
      return content;
    }
    if (got == 0) return content;
    content.text.append(buffer.data(), static_cast<std::size_t>(got));
    if (content.text.size() > limit) {
      content.error = EFBIG;
      return content;
    }
  }
}

FileContent read_file(const std::string& path, std::size_t limit, int extra_flags) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | extra_flags));
  struct stat info {};
  if (!fd.valid() || ::fstat(fd.get(), &info) != 0) {
    FileContent failed;
    failed.error = errno;
    return failed;
  }
  FileContent content = read_all(fd.get(), limit);
  content.info = info;
  return content;
}

FileContent read_file_or_stdin(const std::string& path) {
  return path == "-" ? read_all(STDIN_FILENO) : read_file(path);
}

}  // namespace smtpc
