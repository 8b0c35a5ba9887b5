// BodySource: the upload file or standard input, read without loading it whole.
#include "smtpc/message/body_source.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smtpc/core/error.hpp"

namespace smtpc {

BodySource::BodySource(const std::string& path, std::string_view kind) {
  const std::string named =
      kind.empty() ? fmt::format("\"{}\"", path) : fmt::format("{} \"{}\"", kind, path);
  if (path == "-") {
    fd_ = STDIN_FILENO;
    name_ = "standard input";
  } else {
    name_ = path;
    opened_ = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!opened_.valid()) {
      throw Error(ExitCode::ReadError,
                  fmt::format("cannot open {}: {}", named, std::strerror(errno)));
    }
    fd_ = opened_.get();
  }
  struct stat info {};
  if (::fstat(fd_, &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      throw Error(ExitCode::ReadError, fmt::format("{} is a directory", named));
    }
    if (S_ISREG(info.st_mode)) {
      // From the current offset: "-T - < file" may have been read partly by a caller.
      const off_t offset = ::lseek(fd_, 0, SEEK_CUR);
      if (offset >= 0 && offset <= info.st_size) {
        start_ = static_cast<std::uint64_t>(offset);
        size_ = static_cast<std::uint64_t>(info.st_size - offset);
      }
    }
  }
}

std::size_t BodySource::read(std::span<char> buffer) {
  while (true) {
    const ssize_t got = ::read(fd_, buffer.data(), buffer.size());
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno == EINTR) continue;
    throw Error(ExitCode::ReadError,
                fmt::format("failed reading the upload from {}: {}", name_, std::strerror(errno)));
  }
}

}  // namespace smtpc
