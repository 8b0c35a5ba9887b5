// Where a login's password comes from (smtpc/delivery/credentials.hpp).
#include "smtpc/delivery/credentials.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "smtpc/core/error.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/sys/file.hpp"
#include "smtpc/sys/netrc.hpp"

namespace smtpc::delivery {
namespace {

std::string first_line(std::string text) {
  const auto end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  return text;
}

std::string read_password_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::ReadError,
                fmt::format("--password-file: cannot read \"{}\": {}", path, std::strerror(errno)));
  }
  std::string line;
  std::getline(in, line);
  return first_line(line);
}

// Runs `command` with /bin/sh. Its standard input is /dev/null, so that it cannot eat the
// message smtpc reads from its own (-T -), and it inherits no descriptor beyond 0-2: only
// its output, the password, comes back through a pipe (issue 19, item 4).
std::string run_password_command(const std::string& command) {
  auto fail = [](const char* what, int error) {
    return Error(ExitCode::FailedInit,
                 fmt::format("password-command: {}: {}", what, std::strerror(error)));
  };
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw fail("cannot make a pipe", errno);
  const Fd output_end(pipe_fds[0]);
  Fd command_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, command_end.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::string shell = "sh";
  std::string option = "-c";
  std::string script = command;
  char* argv[] = {shell.data(), option.data(), script.data(), nullptr};
  // smtpc ignores SIGPIPE; the command gets the default back, as from a shell.
  posix_spawnattr_t attributes;
  ::posix_spawnattr_init(&attributes);
  sigset_t default_signals;
  ::sigemptyset(&default_signals);
  ::sigaddset(&default_signals, SIGPIPE);
  ::posix_spawnattr_setsigdefault(&attributes, &default_signals);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);
  command_end.reset();  // the command holds the only writer: its end is the output's end
  if (spawned != 0) throw fail("cannot run it", spawned);
  const std::string output = read_all(output_end.get()).text;  // up to a read error
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    throw Error(ExitCode::FailedInit,
                fmt::format("password-command killed by signal {}: no password", WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) != 0) {
    throw Error(ExitCode::FailedInit, fmt::format("password-command failed (exit status {}): no "
                                                  "password",
                                                  WEXITSTATUS(status)));
  }
  return first_line(output);
}

// Asks on the terminal with echo off; nullopt when there is no terminal to ask.
std::optional<std::string> prompt_password(const std::string& user, const std::string& host) {
  if (::isatty(STDIN_FILENO) == 0) return std::nullopt;
  std::FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) return std::nullopt;
  const int fd = ::fileno(tty);
  termios saved{};
  const bool have_termios = ::tcgetattr(fd, &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  fmt::print(tty, "Enter host password for user '{}' at {}:", user, host);
  std::fflush(tty);
  std::string line;
  int c = 0;
  while ((c = std::fgetc(tty)) != EOF && c != '\n') line += static_cast<char>(c);
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &saved);
  fmt::print(tty, "\n");
  std::fclose(tty);
  return first_line(line);
}

}  // namespace

std::optional<Credentials> resolve_credentials(const settings::AuthSources& auth,
                                               const std::optional<std::string>& user_spec,
                                               const std::optional<std::string>& oauth2_bearer,
                                               const SmtpUrl& url) {
  std::optional<std::string> user;
  std::optional<std::string> password;
  if (user_spec) {
    const auto colon = user_spec->find(':');
    user = user_spec->substr(0, colon);
    if (colon != std::string::npos) password = user_spec->substr(colon + 1);
  } else if (url.user) {
    user = url.user;
    password = url.password;
  }
  const bool use_netrc = auth.netrc || auth.netrc_optional || auth.netrc_file;
  if (!user && !oauth2_bearer && !use_netrc) return std::nullopt;

  // A bearer token, or EXTERNAL as the only mechanism (the client certificate logs in),
  // needs no password.
  const auto& login_options = auth.login_options ? auth.login_options : url.login_options;
  const bool needs_password = !oauth2_bearer && !password && login_needs_password(login_options);
  if (needs_password && auth.password_file) password = read_password_file(*auth.password_file);
  if (needs_password && !password) {
    if (const char* env = std::getenv("SMTPC_PASSWORD"); env != nullptr) password = env;
  }
  if (needs_password && !password && auth.password_command) {
    password = run_password_command(*auth.password_command);
  }
  if ((needs_password && !password) || (use_netrc && !user)) {
    if (use_netrc) {
      const std::string path = auth.netrc_file.value_or(default_netrc_path());
      const bool optional = auth.netrc_optional && !auth.netrc && !auth.netrc_file;
      if (auto entry = netrc_lookup_file(path, url.host, user, optional)) {
        if (!user) user = entry->login;
        if (!password) password = entry->password;
      }
    }
  }
  if (!user) {
    if (oauth2_bearer) {
      throw Error(ExitCode::FailedInit, "--oauth2-bearer needs the user name: add -u USER");
    }
    if (auth.netrc || auth.netrc_file) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("--netrc: no login for {} in the netrc file", url.host));
    }
    return std::nullopt;  // --netrc-optional and nothing found: no login
  }
  if (needs_password && !password) password = prompt_password(*user, url.host);
  if (needs_password && !password) {
    throw Error(ExitCode::FailedInit,
                fmt::format("no password for user \"{}\": give it with -u USER:PASSWORD, "
                            "--password-file, SMTPC_PASSWORD or --netrc",
                            *user));
  }

  Credentials credentials;
  credentials.user = *user;
  credentials.password = password.value_or("");
  credentials.authzid = auth.sasl_authzid;
  credentials.bearer_token = oauth2_bearer;
  credentials.host = url.host;
  credentials.port = url.port;
  return credentials;
}

}  // namespace smtpc::delivery
