// Credential sources and argv scrubbing.
#include "credentials.hpp"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "smtpc/core/error.hpp"
#include "smtpc/sys/netrc.hpp"

namespace smtpc::cli {
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

std::string run_password_command(const std::string& command) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw Error(ExitCode::FailedInit,
                fmt::format("password-command: cannot run it: {}", std::strerror(errno)));
  }
  std::string output;
  char buffer[512];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  const int status = ::pclose(pipe);
  if (status != 0) {
    throw Error(ExitCode::FailedInit,
                fmt::format("password-command failed (status {}): no password", status));
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

std::optional<Credentials> resolve_credentials(const Options& options, const SmtpUrl& url) {
  std::optional<std::string> user;
  std::optional<std::string> password;
  if (options.user) {
    const auto colon = options.user->find(':');
    user = options.user->substr(0, colon);
    if (colon != std::string::npos) password = options.user->substr(colon + 1);
  } else if (url.user) {
    user = url.user;
    password = url.password;
  }
  const bool use_netrc = options.netrc || options.netrc_optional || options.netrc_file;
  if (!user && !options.oauth2_bearer && !use_netrc) return std::nullopt;

  // A bearer token, or EXTERNAL as the only mechanism (the client certificate logs in),
  // needs no password.
  const auto& login_options = options.login_options ? options.login_options : url.login_options;
  const bool needs_password =
      !options.oauth2_bearer && !password && login_needs_password(login_options);
  if (needs_password && options.password_file)
    password = read_password_file(*options.password_file);
  if (needs_password && !password) {
    if (const char* env = std::getenv("SMTPC_PASSWORD"); env != nullptr) password = env;
  }
  if (needs_password && !password && options.password_command) {
    password = run_password_command(*options.password_command);
  }
  if ((needs_password && !password) || (use_netrc && !user)) {
    if (use_netrc) {
      const std::string path = options.netrc_file.value_or(default_netrc_path());
      const bool optional = options.netrc_optional && !options.netrc && !options.netrc_file;
      if (auto entry = netrc_lookup_file(path, url.host, user, optional)) {
        if (!user) user = entry->login;
        if (!password) password = entry->password;
      }
    }
  }
  if (!user) {
    if (options.oauth2_bearer) {
      throw Error(ExitCode::FailedInit, "--oauth2-bearer needs the user name: add -u USER");
    }
    if (options.netrc || options.netrc_file) {
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
  credentials.authzid = options.sasl_authzid;
  credentials.bearer_token = options.oauth2_bearer;
  credentials.host = url.host;
  credentials.port = url.port;
  return credentials;
}

void scrub_secrets(int argc, char** argv, std::span<const SecretSpan> secrets) {
  for (const auto& secret : secrets) {
    if (secret.index + 1 >= static_cast<std::size_t>(argc)) continue;
    char* arg = argv[secret.index + 1];
    if (std::strlen(arg) < secret.offset) continue;
    char* text = arg + secret.offset;
    if (secret.kind == Secret::All) {
      std::memset(text, '*', std::strlen(text));
    } else if (secret.kind == Secret::AfterColon) {
      if (char* colon = std::strchr(text, ':'); colon != nullptr) {
        std::memset(colon + 1, '*', std::strlen(colon + 1));
      }
    } else if (char* scheme = std::strstr(text, "://"); scheme != nullptr) {
      // smtp://user:password@host: blank the password.
      char* at = std::strchr(scheme + 3, '@');
      char* slash = std::strchr(scheme + 3, '/');
      if (at != nullptr && (slash == nullptr || at < slash)) {
        for (char* p = scheme + 3; p < at; ++p) {
          if (*p == ':') {
            std::memset(p + 1, '*', static_cast<std::size_t>(at - p - 1));
            break;
          }
        }
      }
    }
  }
}

}  // namespace smtpc::cli
