// -o and its companions, as curl 7.88 does them (tool_operate.c, tool_cb_wrt.c, tool_dirhie.c).
#include "output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smtpc/core/error.hpp"

namespace smtpc::cli {

std::optional<std::string> output_path(const OutputSettings& settings) {
  if (!settings.output || *settings.output == "-") return std::nullopt;
  if (settings.output_dir && !settings.output_dir->empty()) {
    return fmt::format("{}/{}", *settings.output_dir, *settings.output);
  }
  return *settings.output;
}

void create_parent_dirs(const std::string& path) {
  // curl's create_dir_hierarchy: each leading component in turn, mode 0750; one that
  // exists already is fine.
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (dir.empty() || dir.back() == '/') continue;
    struct stat info {};
    if (::stat(dir.c_str(), &info) == 0) continue;
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
      throw Error(ExitCode::WriteError,
                  fmt::format("Error creating directory {}: {}", dir, std::strerror(errno)));
    }
  }
}

OpenedOutput open_output_file(const std::string& path, bool clobber) {
  constexpr mode_t kMode = 0666;  // less the umask, as curl's OPENMODE
  const int flags = O_CREAT | O_WRONLY | O_CLOEXEC | (clobber ? O_TRUNC : O_EXCL);
  const auto open_named = [flags](const std::string& name) {
    int fd = -1;
    do {
      fd = ::open(name.c_str(), flags, kMode);
    } while (fd == -1 && errno == EINTR);
    return fd;
  };
  std::string name = path;
  int fd = open_named(name);
  // --no-clobber: FILE.1 up to FILE.99, while the names are taken (curl's retry limit).
  for (int next = 1; fd == -1 && !clobber && (errno == EEXIST || errno == EISDIR) && next < 100;
       ++next) {
    name = fmt::format("{}.{}", path, next);
    fd = open_named(name);
  }
  std::FILE* file = fd == -1 ? nullptr : ::fdopen(fd, "wb");
  if (file == nullptr) {
    const int error = errno;
    if (fd != -1) ::close(fd);
    throw Error(ExitCode::WriteError,
                fmt::format("Failed to open the file {}: {}", name, std::strerror(error)));
  }
  return OpenedOutput{file, name};
}

void write_output(const OutputSettings& settings, const std::vector<std::string>& lines,
                  std::optional<std::string>& written) {
  const auto path = output_path(settings);
  std::FILE* out = stdout;
  if (path) {
    OpenedOutput opened = open_output_file(*path, settings.clobber);
    out = opened.file;
    written = std::move(opened.path);
  }
  bool ok = true;
  // As curl writes the server's text: every line with its code, CRLF-terminated.
  for (const auto& line : lines) {
    const std::string text = line + "\r\n";
    ok = std::fwrite(text.data(), 1, text.size(), out) == text.size() && ok;
  }
  ok = std::fflush(out) == 0 && ok;
  if (out != stdout) ok = std::fclose(out) == 0 && ok;
  if (!ok) throw Error(ExitCode::WriteError, "Failure writing output to destination");
}

}  // namespace smtpc::cli
