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
  // How errors name the source (made only for an error: every -T file is opened here).
  const auto named = [&] {
    return kind.empty() ? fmt::format("\"{}\"", path) : fmt::format("{} \"{}\"", kind, path);
  };
  if (path == "-") {
    fd_ = STDIN_FILENO;
    name_ = "standard input";
  } else {
    name_ = path;
    opened_ = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!opened_.valid()) {
      throw Error(ExitCode::ReadError,
                  fmt::format("cannot open {}: {}", named(), std::strerror(errno)));
    }
    fd_ = opened_.get();
  }
  struct stat info {};
  if (::fstat(fd_, &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      throw Error(ExitCode::ReadError, fmt::format("{} is a directory", named()));
    }
    if (S_ISREG(info.st_mode)) {
      // From the current offset: "-T - < file" may have been read partly by a caller. A
      // file opened here starts at 0.
      const off_t offset = opened_.valid() ? 0 : ::lseek(fd_, 0, SEEK_CUR);
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

FileSpanReading::FileSpanReading(const MessageSource& of)
    : name_(of.name()), size_(of.size()), span_(of.file_span().value()) {}

std::size_t FileSpanReading::read(std::span<char> buffer) {
  if (ended_) return 0;
  while (true) {
    const ssize_t got =
        ::pread(span_.fd, buffer.data(), buffer.size(), static_cast<off_t>(span_.offset + read_));
    if (got >= 0) {
      read_ += static_cast<std::uint64_t>(got);
      // A regular file reads short only at its end: the next read need not ask again.
      ended_ = static_cast<std::size_t>(got) < buffer.size();
      return static_cast<std::size_t>(got);
    }
    if (errno == EINTR) continue;
    throw Error(ExitCode::ReadError,
                fmt::format("failed reading the upload from {}: {}", name_, std::strerror(errno)));
  }
}

}  // namespace smtpc
