// Integration-test helpers: child processes, temp dirs and the test servers' spool and logs.
#include "test_support.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

extern char** environ;

namespace smtpc::it {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

/// A file descriptor closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool open() const noexcept { return fd_ >= 0; }
  void reset() noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Pipe make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_errno("pipe2");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

/// posix_spawn_file_actions_t with RAII.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;

  void dup2(int fd, int target) { posix_spawn_file_actions_adddup2(&actions_, fd, target); }
  void open(int target, const std::string& path, int flags) {
    posix_spawn_file_actions_addopen(&actions_, target, path.c_str(), flags, 0644);
  }
  [[nodiscard]] const posix_spawn_file_actions_t* get() const noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

pid_t spawn(const std::vector<std::string>& argv, const FileActions& actions,
            const std::vector<std::string>& env = {}, bool own_process_group = false) {
  // The environment: ours, with each NAME=value of `env` replacing or adding NAME.
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto name = text.substr(0, text.find('=') + 1);
    const bool replaced = std::any_of(env.begin(), env.end(), [&](const std::string& e) {
      return e.compare(0, name.size(), name) == 0;
    });
    if (!replaced) entries.emplace_back(text);
  }
  entries.insert(entries.end(), env.begin(), env.end());
  std::vector<char*> environment;
  for (auto& entry : entries) environment.push_back(entry.data());
  environment.push_back(nullptr);
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (const auto& arg : argv) pointers.push_back(const_cast<char*>(arg.c_str()));
  pointers.push_back(nullptr);
  pid_t pid = -1;
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  if (own_process_group) {
    // A daemon that forks helpers (danted) is stopped with all of them, by its group.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
  }
  const int rc = posix_spawn(&pid, pointers[0], actions.get(), &attributes, pointers.data(),
                             environment.data());
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv[0]);
  }
  return pid;
}

/// Waits for `pid` until `deadline`; the exit status, or nullopt if it is still running.
std::optional<int> wait_until(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t rc = ::waitpid(pid, &status, WNOHANG);
    if (rc == pid) return status;
    if (rc < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::string shell_words(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& arg : args) {
    if (!text.empty()) text += ' ';
    text += '\'' + arg + '\'';
  }
  return text;
}

void ignore_sigpipe_once() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

// --- A minimal JSON reader for the envelope files smtp_server.py writes. ---

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  /// Reads an object whose values are strings or arrays of strings (others are skipped).
  std::map<std::string, std::vector<std::string>> object() {
    std::map<std::string, std::vector<std::string>> result;
    expect('{');
    if (peek() == '}') return ++pos_, result;
    for (;;) {
      std::string key = string();
      expect(':');
      result[key] = value();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return result;
    }
  }

 private:
  std::vector<std::string> value() {
    if (peek() == '"') return {string()};
    if (peek() == '[') {
      ++pos_;
      std::vector<std::string> items;
      if (peek() == ']') return ++pos_, items;
      for (;;) {
        items.push_back(string());
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(']');
        return items;
      }
    }
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}') ++pos_;
    return {};
  }

  std::string string() {
    expect('"');
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail();
      c = text_[pos_++];
      switch (c) {
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u':
          out += unicode_escape();
          break;
        default:
          out += c;
          break;  // \" \\ \/
      }
    }
    expect('"');
    return out;
  }

  std::string unicode_escape() {
    if (pos_ + 4 > text_.size()) fail();
    const auto code = std::stoul(std::string(text_.substr(pos_, 4)), nullptr, 16);
    pos_ += 4;
    std::string out;
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {  // surrogates (astral characters) are not expected in our envelopes
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
    return out;
  }

  char peek() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (pos_ >= text_.size()) fail();
    return text_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail();
    ++pos_;
  }
  [[noreturn]] void fail() const {
    throw std::runtime_error("bad envelope JSON at offset " + std::to_string(pos_) + ": " +
                             std::string(text_));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Envelope parse_envelope(std::string_view json) {
  auto fields = JsonReader(json).object();
  Envelope envelope;
  if (auto it = fields.find("mail_from"); it != fields.end() && !it->second.empty()) {
    envelope.mail_from = it->second.front();
  }
  envelope.rcpt_tos = fields["rcpt_tos"];
  envelope.mail_options = fields["mail_options"];
  envelope.rcpt_options = fields["rcpt_options"];
  envelope.dsn_mail = fields["dsn_mail"];
  envelope.dsn_rcpt = fields["dsn_rcpt"];
  if (const auto& cipher = fields["tls_cipher"]; !cipher.empty())
    envelope.tls_cipher = cipher.front();
  return envelope;
}

std::string loopback_url(std::string_view host, std::uint16_t port, std::string_view path) {
  const bool v6 = host.find(':') != std::string_view::npos;
  std::string url = "smtp://";
  if (v6) {
    url.append(1, '[').append(host).append(1, ']');
  } else {
    url.append(host);
  }
  url.append(1, ':').append(std::to_string(port)).append(1, '/');
  url += path;
  return url;
}

std::vector<std::string> smtp_server_args(const TempDir& dir, std::vector<std::string> options) {
  std::vector<std::string> args{"--spool", dir.path() + "/spool", "--log",
                                dir.path() + "/commands.log"};
  args.insert(args.end(), options.begin(), options.end());
  return args;
}

std::string host_option(const std::vector<std::string>& options) {
  const auto it = std::find(options.begin(), options.end(), "--host");
  return it != options.end() && std::next(it) != options.end() ? *std::next(it) : "127.0.0.1";
}

}  // namespace

// --- run_smtpc ---

RunResult run_smtpc(std::vector<std::string> args, std::string stdin_data,
                    std::chrono::seconds timeout) {
  args.insert(args.begin(), SMTPC_BINARY);
  return run_program(std::move(args), std::move(stdin_data), {}, timeout);
}

RunResult run_program(std::vector<std::string> args, std::string stdin_data,
                      std::vector<std::string> env, std::chrono::seconds timeout) {
  ignore_sigpipe_once();
  Pipe in = make_pipe();
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  FileActions actions;
  actions.dup2(in.read.get(), STDIN_FILENO);
  actions.dup2(out.write.get(), STDOUT_FILENO);
  actions.dup2(err.write.get(), STDERR_FILENO);

  const auto start = Clock::now();
  const auto deadline = start + timeout;
  const pid_t pid = spawn(args, actions, env);
  in.read.reset();
  out.write.reset();
  err.write.reset();
  if (::fcntl(in.write.get(), F_SETFL, O_NONBLOCK) != 0) throw_errno("fcntl");

  RunResult result;
  std::size_t written = 0;
  if (stdin_data.empty()) in.write.reset();
  std::array<char, 65536> buffer{};
  while (out.read.open() || err.read.open()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    std::array<pollfd, 3> fds{
        {{in.write.get(), POLLOUT, 0}, {out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 1000))) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (in.write.open() && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t n =
          ::write(in.write.get(), stdin_data.data() + written, stdin_data.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) {
        in.write.reset();  // all written, or the child stopped reading (EPIPE)
      }
    }
    for (auto [fd, sink] : {std::pair{&out.read, &result.out}, std::pair{&err.read, &result.err}}) {
      const auto& poll_entry = fd == &out.read ? fds[1] : fds[2];
      if (!fd->open() || (poll_entry.revents & (POLLIN | POLLERR | POLLHUP)) == 0) continue;
      const ssize_t n = ::read(fd->get(), buffer.data(), buffer.size());
      if (n > 0) {
        sink->append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        fd->reset();
      }
    }
  }
  in.write.reset();

  std::optional<int> status;
  if (!result.timed_out) {
    status = wait_until(pid, deadline);
    result.timed_out = !status.has_value();
  }
  if (result.timed_out) {
    ::kill(pid, SIGKILL);
    int ignored = 0;
    ::waitpid(pid, &ignored, 0);
    ADD_FAILURE() << args[0] << " did not finish within " << timeout.count()
                  << " s and was killed: " << shell_words(args) << "\nstderr so far:\n"
                  << result.err;
  } else {
    result.exit_code = exit_code_of(*status);
  }
  result.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return result;
}

// --- files ---

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/smtpc-it-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write_file(std::string_view name, std::string_view content) const {
  std::string file = path_ + "/" + std::string(name);
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  stream.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!stream.flush()) throw std::runtime_error("cannot write " + file);
  // The same mode under any umask: smtpc refuses config files the group could write.
  if (::chmod(file.c_str(), 0644) != 0) throw_errno("chmod " + file);
  return file;
}

std::string read_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << stream.rdbuf();
  return std::move(content).str();
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (end != std::string_view::npos && !line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    lines.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::uint16_t closed_port() {
  Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock.open()) throw_errno("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw_errno("bind");
  }
  socklen_t length = sizeof address;
  if (::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw_errno("getsockname");
  }
  return ntohs(address.sin_port);  // closed when `sock` goes out of scope
}

// --- ServerProcess ---

ServerProcess::ServerProcess(const std::string& script, std::vector<std::string> args,
                             const TempDir& dir)
    : output_path_(dir.path() + "/server-output.txt") {
  const std::string port_file = dir.path() + "/port";
  std::vector<std::string> argv{PYTHON_EXECUTABLE, script, "--port-file", port_file};
  argv.insert(argv.end(), args.begin(), args.end());
  FileActions actions;
  actions.open(STDIN_FILENO, "/dev/null", O_RDONLY);
  actions.open(STDOUT_FILENO, output_path_, O_WRONLY | O_CREAT | O_TRUNC);
  actions.dup2(STDOUT_FILENO, STDERR_FILENO);
  pid_ = spawn(argv, actions);

  const auto deadline = Clock::now() + std::chrono::seconds(15);
  for (;;) {
    std::ifstream stream(port_file);
    unsigned port = 0;
    // 0: a server on a Unix socket (smtp_server.py --unix); the file is written atomically.
    if (stream >> port && port < 65536) {
      port_ = static_cast<std::uint16_t>(port);
      return;
    }
    const bool exited = wait_exit(milliseconds(20));
    if (exited || Clock::now() >= deadline) {
      stop();
      throw std::runtime_error("test server " + shell_words(argv) +
                               (exited ? " exited" : " did not start listening") +
                               "; its output:\n" + output());
    }
  }
}

ServerProcess::~ServerProcess() { stop(); }

bool ServerProcess::wait_exit(milliseconds timeout) {
  if (pid_ < 0) return true;
  if (wait_until(pid_, Clock::now() + timeout).has_value()) {
    pid_ = -1;
    return true;
  }
  return false;
}

void ServerProcess::stop() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGTERM);
  if (!wait_exit(std::chrono::seconds(5))) {
    ::kill(pid_, SIGKILL);
    int ignored = 0;
    ::waitpid(pid_, &ignored, 0);
    pid_ = -1;
  }
}

std::string ServerProcess::output() const {
  try {
    return read_file(output_path_);
  } catch (const std::exception&) {
    return {};
  }
}

// --- SmtpServer ---

SmtpServer::SmtpServer(std::vector<std::string> options)
    : host_(host_option(options)),
      process_(SMTP_SERVER_SCRIPT, smtp_server_args(dir_, std::move(options)), dir_) {}

std::string SmtpServer::url(std::string_view path) const {
  return loopback_url(host_, port(), path);
}

std::vector<Message> SmtpServer::messages() const {
  std::vector<std::filesystem::path> envelopes;
  const std::filesystem::path spool = dir_.path() + "/spool";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(spool, error)) {
    if (entry.path().extension() == ".json") envelopes.push_back(entry.path());
  }
  std::sort(envelopes.begin(), envelopes.end());
  std::vector<Message> messages;
  for (const auto& json : envelopes) {
    auto eml = json;
    eml.replace_extension(".eml");
    messages.push_back(Message{read_file(eml.string()), parse_envelope(read_file(json.string()))});
  }
  return messages;
}

std::vector<std::string> SmtpServer::log_lines() const {
  const std::string log = dir_.path() + "/commands.log";
  if (!std::filesystem::exists(log)) return {};
  return split_lines(read_file(log));
}

std::vector<std::string> SmtpServer::commands(std::string_view verb) const {
  std::vector<std::string> matching;
  for (auto& line : log_lines()) {
    if (line.size() < verb.size()) continue;
    const bool same_verb = std::equal(verb.begin(), verb.end(), line.begin(), [](char a, char b) {
      return std::toupper(static_cast<unsigned char>(a)) ==
             std::toupper(static_cast<unsigned char>(b));
    });
    if (same_verb && (line.size() == verb.size() || line[verb.size()] == ' ')) {
      matching.push_back(std::move(line));
    }
  }
  return matching;
}

// --- ScriptedServer ---

namespace {
std::vector<std::string> scripted_server_args(const TempDir& dir, std::string_view script,
                                              std::vector<std::string> options) {
  std::vector<std::string> args{"--script", dir.write_file("script.txt", script), "--log",
                                dir.path() + "/received.bin"};
  args.insert(args.end(), options.begin(), options.end());
  return args;
}
}  // namespace

ScriptedServer::ScriptedServer(std::string_view script, std::vector<std::string> options)
    : process_(SCRIPTED_SERVER_SCRIPT, scripted_server_args(dir_, script, std::move(options)),
               dir_) {}

std::string ScriptedServer::url(std::string_view path) const {
  return loopback_url("127.0.0.1", port(), path);
}

std::string ScriptedServer::received() {
  process_.wait_exit(std::chrono::seconds(5));
  const std::string log = dir_.path() + "/received.bin";
  return std::filesystem::exists(log) ? read_file(log) : std::string{};
}

std::vector<std::string> send_args(const Send& send) {
  std::vector<std::string> args{send.url};
  if (!send.sender.empty()) args.insert(args.end(), {"--mail-from", send.sender});
  for (const auto& recipient : send.recipients) args.insert(args.end(), {"--mail-rcpt", recipient});
  for (const auto& file : send.files) args.insert(args.end(), {"-T", file});
  args.insert(args.end(), send.options.begin(), send.options.end());
  return args;
}

std::string numbered(std::string_view prefix, int number) {
  return std::string(prefix).append(std::to_string(number));
}

std::string test_cert(std::string_view name) { return TEST_CERTS_DIR "/" + std::string(name); }

std::vector<std::string> server_tls(std::string_view mode, std::string_view name) {
  return {std::string(mode), "--tls-cert", test_cert(std::string(name) + ".pem"), "--tls-key",
          test_cert(std::string(name) + ".key")};
}

std::string smtps_url(const SmtpServer& server, std::string_view host) {
  return "smtps://" + std::string(host) + ":" + std::to_string(server.port()) + "/client.example";
}

std::string error_prefix(int code) { return "smtpc: (" + std::to_string(code) + ")"; }

std::string crlf_normalised(std::string_view input) {
  std::string out;
  out.reserve(input.size() + input.size() / 32);
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < input.size() && input[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

std::string crlf_message(std::size_t size) {
  std::string text = "Subject: sendfile\r\n\r\n";
  for (int i = 0; text.size() < size; ++i) {
    text += (i % 7 == 0 ? ".a dot line " : "line ") + std::to_string(i) + "\r\n";
  }
  return text;
}

std::size_t StracedRun::count(std::string_view text) const {
  return static_cast<std::size_t>(std::count_if(
      calls.begin(), calls.end(),
      [text](const std::string& line) { return line.find(text) != std::string::npos; }));
}

StracedRun run_smtpc_with_available_ulp(std::string_view available_ulp, std::string_view trace,
                                        const std::vector<std::string>& args, const TempDir& dir) {
  const std::string ulp_file = dir.write_file("tcp_available_ulp", available_ulp);
  const std::string trace_file = dir.path() + "/strace.out";
  std::vector<std::string> argv{"/usr/bin/unshare",
                                "-m",
                                "--propagation",
                                "private",
                                "/bin/sh",
                                "-c",
                                "set -e; mount --bind \"$1\" /proc/sys/net/ipv4/tcp_available_ulp; "
                                "shift; exec \"$@\"",
                                "sh",
                                ulp_file,
                                "/usr/bin/strace",
                                "-f",
                                "-e",
                                "trace=" + std::string(trace),
                                "-o",
                                trace_file,
                                SMTPC_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  StracedRun traced;
  // LeakSanitizer cannot stop a process that strace traces: off for this run (ASan build).
  traced.run = run_program(argv, "", {"ASAN_OPTIONS=detect_leaks=0"});
  if (std::filesystem::exists(trace_file)) traced.calls = split_lines(read_file(trace_file));
  return traced;
}

bool host_kernel_offers_tls() {
  std::ifstream file("/proc/sys/net/ipv4/tcp_available_ulp");
  std::string name;
  while (file >> name) {
    if (name == "tls") return true;
  }
  return false;
}

}  // namespace smtpc::it

namespace smtpc::it {

// --- DaemonProcess ---

DaemonProcess::DaemonProcess(std::vector<std::string> argv, std::uint16_t port,
                             const std::string& output_path)
    : port_(port), output_path_(output_path) {
  FileActions actions;
  actions.open(STDIN_FILENO, "/dev/null", O_RDONLY);
  actions.open(STDOUT_FILENO, output_path_, O_WRONLY | O_CREAT | O_TRUNC);
  actions.dup2(STDOUT_FILENO, STDERR_FILENO);
  pid_ = spawn(argv, actions, {}, true);
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return;
    if (wait_until(pid_, Clock::now() + milliseconds(20)).has_value()) break;
  }
  const std::string text = shell_words(argv);
  stop();
  throw std::runtime_error("daemon " + text + " did not listen on its port; its output:\n" +
                           read_output());
}

DaemonProcess::~DaemonProcess() { stop(); }

void DaemonProcess::stop() {
  if (pid_ < 0) return;
  ::kill(-pid_, SIGTERM);
  if (!wait_until(pid_, Clock::now() + std::chrono::seconds(5)).has_value()) {
    ::kill(-pid_, SIGKILL);
    int ignored = 0;
    ::waitpid(pid_, &ignored, 0);
  }
  ::kill(-pid_, SIGKILL);  // helpers it forked, if any outlived it
  pid_ = -1;
}

std::string DaemonProcess::read_output() const {
  try {
    return read_file(output_path_);
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace smtpc::it
