// -o and its companions, as curl 7.88 does them (tool_operate.c, tool_cb_wrt.c, tool_dirhie.c,
// tool_operhlp.c's get_url_file_name, tool_xattr.c).
#include "output_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::cli {

namespace {

// A URL cut as curl's URL parser cuts it: "scheme://", the authority, and the rest
// (path, query, fragment).
struct UrlPieces {
  std::string scheme;
  std::string authority;
  std::string rest;
};

UrlPieces cut_url(const std::string& url) {
  UrlPieces pieces;
  std::size_t start = 0;
  if (const auto colon = url.find("://"); colon != std::string::npos) {
    pieces.scheme = url.substr(0, colon);
    start = colon + 3;
  }
  const auto end = std::min(url.find_first_of("/?#", start), url.size());
  pieces.authority = url.substr(start, end - start);
  pieces.rest = url.substr(end);
  return pieces;
}

}  // namespace

std::string remote_file_name(const std::string& url) {
  const std::string rest = cut_url(url).rest;
  const std::string path = rest.substr(0, std::min(rest.find_first_of("?#"), rest.size()));
  const auto slash = path.rfind('/');
  std::string name = slash == std::string::npos ? std::string() : path.substr(slash + 1);
  if (const auto backslash = name.rfind('\\'); backslash != std::string::npos) {
    name = name.substr(backslash + 1);
  }
  if (name.empty()) throw Error(ExitCode::WriteError, "Remote file name has no length!");
  return name;
}

std::string url_without_credentials(const std::string& url) {
  UrlPieces pieces = cut_url(url);
  const std::string scheme = ascii_lower(pieces.scheme);
  std::string authority = pieces.authority;
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    const std::string login = authority.substr(0, at);
    // USER[:PASSWORD][;OPTIONS] or USER;OPTIONS:PASSWORD: only the options stay.
    std::string options;
    if (const auto semicolon = login.find(';'); semicolon != std::string::npos) {
      const auto colon = login.find(':', semicolon);
      options = login.substr(semicolon,
                             colon == std::string::npos ? std::string::npos : colon - semicolon);
    }
    authority = options.empty() ? authority.substr(at + 1) : options + authority.substr(at);
  }
  if (pieces.rest.empty() || pieces.rest.front() != '/') pieces.rest.insert(0, "/");
  return (scheme.empty() ? std::string() : scheme + "://") + authority + pieces.rest;
}

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
  // curl sets the attribute on a file its write callback opened: not on the empty one.
  if (path && settings.origin_url && !lines.empty() &&
      ::fsetxattr(::fileno(out), "user.xdg.origin.url", settings.origin_url->data(),
                  settings.origin_url->size(), 0) != 0) {
    fmt::print(stderr, "Warning: Error setting extended attributes on '{}': {}\n",
               written.value_or(*path), std::strerror(errno));
  }
  if (out != stdout) ok = std::fclose(out) == 0 && ok;
  if (!ok) throw Error(ExitCode::WriteError, "Failure writing output to destination");
}

}  // namespace smtpc::cli
