#include "smtpc/sys/trusted_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smtpc/sys/fd.hpp"

namespace smtpc {

std::string ownership_problem(const struct stat& info, uid_t euid, const std::string& path) {
  if (info.st_uid != 0 && info.st_uid != euid) {
    return fmt::format("{} belongs to uid {}, neither root nor the user running smtpc", path,
                       info.st_uid);
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fmt::format("{} is writable by group or others (mode {:04o})", path,
                       info.st_mode & 07777U);
  }
  return {};
}

TrustedFileCheck check_trusted_file(const std::string& path) {
  auto untrusted = [](std::string problem) {
    return TrustedFileCheck{FileTrust::Untrusted, std::move(problem)};
  };
  const auto slash = path.rfind('/');
  if (!path.starts_with('/') || slash == std::string::npos || slash + 1 == path.size()) {
    return untrusted(fmt::format("{} is not an absolute path to a file", path));
  }
  const std::string directory = slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = path.substr(slash + 1);

  const Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) {
    if (errno == ENOENT) return {FileTrust::Missing, {}};
    return untrusted(fmt::format("{}: {}", directory, std::strerror(errno)));
  }
  const Fd file(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file.valid()) {
    if (errno == ENOENT) return {FileTrust::Missing, {}};
    if (errno == ELOOP) return untrusted(fmt::format("{} is a symbolic link", path));
    return untrusted(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  struct stat dir_info {};
  struct stat file_info {};
  if (::fstat(dir.get(), &dir_info) != 0 || ::fstat(file.get(), &file_info) != 0) {
    return untrusted(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(file_info.st_mode)) {
    return untrusted(fmt::format("{} is not a regular file", path));
  }
  const uid_t euid = ::geteuid();
  if (std::string problem = ownership_problem(dir_info, euid, directory); !problem.empty()) {
    return untrusted(std::move(problem));
  }
  if (std::string problem = ownership_problem(file_info, euid, path); !problem.empty()) {
    return untrusted(std::move(problem));
  }
  return {FileTrust::Trusted, {}};
}

}  // namespace smtpc
