// smtp_sink: a fast SMTP server on loopback that accepts every message and discards it,
// so benchmarks measure the client, not the server. RFC 5321 dialogue, PIPELINING
// (RFC 2920), CHUNKING/BDAT (RFC 3030), STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954,
// any credentials accepted). One thread per connection.
//
//   smtp_sink [--port N] [--port-file F] [--stats-file F] [--cert PEM --key PEM]
//             [--no-pipelining] [--no-chunking] [--max-seconds S]
//   smtp_sink --self-test MIB [--bdat]    push MIB MiB through a sink in this process
//
// SIGTERM/SIGINT write the statistics (to --stats-file, else stdout) and exit;
// SIGUSR1 writes them and continues. The sink exits by itself after --max-seconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::uint16_t port = 0;
  std::string port_file;
  std::string stats_file;
  std::string cert;
  std::string key;
  bool pipelining = true;
  bool chunking = true;
  long max_seconds = 1800;
  long self_test_mib = 0;
  bool self_test_bdat = false;
};

struct Stats {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> recipients{0};
  std::atomic<std::uint64_t> message_bytes{0};
  std::atomic<std::uint64_t> commands{0};
  std::atomic<std::uint64_t> tls_sessions{0};
};

Options g_options;
Stats g_stats;
SSL_CTX* g_ssl_ctx = nullptr;

constexpr std::size_t kBufferSize = 1024 * 1024;
constexpr std::size_t kMaxCommandLine = 64 * 1024;
constexpr int kIdleTimeoutSeconds = 120;

void write_stats() {
  const std::string text = "{\"connections\": " + std::to_string(g_stats.connections.load()) +
                           ", \"messages\": " + std::to_string(g_stats.messages.load()) +
                           ", \"recipients\": " + std::to_string(g_stats.recipients.load()) +
                           ", \"message_bytes\": " + std::to_string(g_stats.message_bytes.load()) +
                           ", \"commands\": " + std::to_string(g_stats.commands.load()) +
                           ", \"tls_sessions\": " + std::to_string(g_stats.tls_sessions.load()) +
                           "}\n";
  if (g_options.stats_file.empty()) {
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    return;
  }
  const std::string tmp = g_options.stats_file + ".tmp";
  if (FILE* f = std::fopen(tmp.c_str(), "w")) {
    std::fputs(text.c_str(), f);
    std::fclose(f);
    std::rename(tmp.c_str(), g_options.stats_file.c_str());
  }
}

bool starts_with_ci(std::string_view line, std::string_view word) {
  if (line.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = line[i];
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (upper != word[i]) return false;
  }
  return true;
}

// One client connection: socket, optional TLS, a read buffer and the pending replies.
class Session {
 public:
  explicit Session(int fd) : fd_(fd), buffer_(kBufferSize) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
    ::close(fd_);
  }

  void run() {
    reply("220 sink.test ESMTP smtp_sink ready\r\n");
    while (step()) {
    }
    flush();
  }

 private:
  enum class Mode { Command, Data, Bdat, AuthPlain, AuthLoginUser, AuthLoginPass, Quit };

  // Handles what is buffered; reads more only when nothing complete is left, after
  // sending every reply owed so far (pipelined commands get all answers in one write).
  bool step() {
    switch (mode_) {
      case Mode::Quit:
        return false;
      case Mode::Data:
        return step_data();
      case Mode::Bdat:
        return step_bdat();
      default:
        return step_command();
    }
  }

  bool step_command() {
    const char* begin = buffer_.data() + rpos_;
    const void* lf = std::memchr(begin, '\n', wpos_ - rpos_);
    if (lf == nullptr) {
      if (wpos_ - rpos_ > kMaxCommandLine) return false;
      return fill();
    }
    const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - buffer_.data());
    std::string_view line(begin, end - rpos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    rpos_ = end + 1;
    ++g_stats.commands;
    return handle_line(line);
  }

  bool handle_line(std::string_view line) {
    switch (mode_) {
      case Mode::AuthPlain:
      case Mode::AuthLoginPass:
        mode_ = Mode::Command;
        reply("235 2.7.0 Authentication successful\r\n");
        return true;
      case Mode::AuthLoginUser:
        mode_ = Mode::AuthLoginPass;
        reply("334 UGFzc3dvcmQ6\r\n");
        return true;
      default:
        break;
    }
    if (starts_with_ci(line, "EHLO")) {
      std::string r = "250-sink.test greets you\r\n";
      if (g_options.pipelining) r += "250-PIPELINING\r\n";
      r += "250-SIZE 0\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n";
      if (g_options.chunking) r += "250-CHUNKING\r\n";
      if (g_ssl_ctx != nullptr && ssl_ == nullptr) r += "250-STARTTLS\r\n";
      r += "250 AUTH PLAIN LOGIN\r\n";
      reply(r);
    } else if (starts_with_ci(line, "HELO")) {
      reply("250 sink.test\r\n");
    } else if (starts_with_ci(line, "MAIL")) {
      reply("250 2.1.0 OK\r\n");
    } else if (starts_with_ci(line, "RCPT")) {
      ++g_stats.recipients;
      reply("250 2.1.5 OK\r\n");
    } else if (starts_with_ci(line, "DATA")) {
      reply("354 End data with <CR><LF>.<CR><LF>\r\n");
      // Scanning starts at the command's own line end, so an empty body (".\r\n" right
      // after DATA) is found by the same search for CRLF "." CRLF.
      rpos_ -= 2;
      buffer_[rpos_] = '\r';
      buffer_[rpos_ + 1] = '\n';
      data_bytes_ = 0;
      mode_ = Mode::Data;
    } else if (starts_with_ci(line, "BDAT")) {
      return start_bdat(line);
    } else if (starts_with_ci(line, "RSET") || starts_with_ci(line, "NOOP")) {
      reply("250 2.0.0 OK\r\n");
    } else if (starts_with_ci(line, "VRFY")) {
      reply("252 2.1.5 Cannot VRFY user\r\n");
    } else if (starts_with_ci(line, "HELP")) {
      reply("214 2.0.0 smtp_sink discards everything\r\n");
    } else if (starts_with_ci(line, "AUTH PLAIN")) {
      if (line.size() > 11) {
        reply("235 2.7.0 Authentication successful\r\n");
      } else {
        mode_ = Mode::AuthPlain;
        reply("334 \r\n");
      }
    } else if (starts_with_ci(line, "AUTH LOGIN")) {
      mode_ = line.size() > 11 ? Mode::AuthLoginPass : Mode::AuthLoginUser;
      reply(line.size() > 11 ? "334 UGFzc3dvcmQ6\r\n" : "334 VXNlcm5hbWU6\r\n");
    } else if (starts_with_ci(line, "STARTTLS") && g_ssl_ctx != nullptr && ssl_ == nullptr) {
      reply("220 2.0.0 Ready to start TLS\r\n");
      return start_tls();
    } else if (starts_with_ci(line, "QUIT")) {
      reply("221 2.0.0 Bye\r\n");
      mode_ = Mode::Quit;
    } else {
      reply("500 5.5.2 Command not recognized\r\n");
    }
    return true;
  }

  bool step_data() {
    static constexpr std::string_view kEnd = "\r\n.\r\n";
    const std::size_t available = wpos_ - rpos_;
    const void* hit = ::memmem(buffer_.data() + rpos_, available, kEnd.data(), kEnd.size());
    if (hit != nullptr) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - buffer_.data());
      data_bytes_ += at - rpos_;
      rpos_ = at + kEnd.size();
      finish_message(data_bytes_);
      mode_ = Mode::Command;
      return true;
    }
    // Keep the last 4 bytes: the end mark may straddle this read and the next.
    if (available > kEnd.size() - 1) {
      const std::size_t keep = kEnd.size() - 1;
      data_bytes_ += available - keep;
      rpos_ = wpos_ - keep;
    }
    return fill();
  }

  bool start_bdat(std::string_view line) {
    std::string_view rest = line.substr(4);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      size = size * 10 + static_cast<std::uint64_t>(rest[digits] - '0');
      ++digits;
    }
    if (digits == 0) {
      reply("501 5.5.4 BDAT needs a size\r\n");
      return true;
    }
    rest.remove_prefix(digits);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    bdat_last_ = starts_with_ci(rest, "LAST");
    bdat_left_ = size;
    bdat_size_ = size;
    mode_ = Mode::Bdat;
    return true;
  }

  bool step_bdat() {
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(bdat_left_, wpos_ - rpos_));
    rpos_ += take;
    bdat_left_ -= take;
    data_bytes_ += take;
    if (bdat_left_ > 0) return fill();
    mode_ = Mode::Command;
    if (bdat_last_) {
      finish_message(data_bytes_);
      data_bytes_ = 0;
    } else {
      reply("250 2.0.0 " + std::to_string(bdat_size_) + " octets received\r\n");
    }
    return true;
  }

  void finish_message(std::uint64_t bytes) {
    ++g_stats.messages;
    g_stats.message_bytes += bytes;
    reply("250 2.0.0 OK: queued as sink\r\n");
  }

  bool start_tls() {
    if (!flush()) return false;
    rpos_ = wpos_ = 0;  // RFC 3207: anything sent before the handshake is discarded.
    ssl_ = SSL_new(g_ssl_ctx);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1 || SSL_accept(ssl_) != 1) {
      ERR_clear_error();
      return false;
    }
    ++g_stats.tls_sessions;
    return true;
  }

  void reply(std::string_view text) { out_.append(text); }

  bool flush() {
    std::size_t done = 0;
    while (done < out_.size()) {
      const std::size_t left = out_.size() - done;
      if (ssl_ != nullptr) {
        const int n = SSL_write(ssl_, out_.data() + done, static_cast<int>(left));
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
      } else {
        const ssize_t n = ::send(fd_, out_.data() + done, left, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
      }
    }
    out_.clear();
    return true;
  }

  // Sends the replies owed, then reads more input. False on EOF, error or idle timeout.
  bool fill() {
    if (!out_.empty() && !flush()) return false;
    if (rpos_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + rpos_, wpos_ - rpos_);
      wpos_ -= rpos_;
      rpos_ = 0;
    }
    const std::size_t room = buffer_.size() - wpos_;
    if (room == 0) return false;
    if (ssl_ != nullptr) {
      const int n = SSL_read(ssl_, buffer_.data() + wpos_, static_cast<int>(room));
      if (n <= 0) return false;
      wpos_ += static_cast<std::size_t>(n);
      return true;
    }
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer_.data() + wpos_, room, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      wpos_ += static_cast<std::size_t>(n);
      return true;
    }
  }

  int fd_;
  SSL* ssl_ = nullptr;
  std::vector<char> buffer_;
  std::size_t rpos_ = 0;
  std::size_t wpos_ = 0;
  std::string out_;
  Mode mode_ = Mode::Command;
  std::uint64_t data_bytes_ = 0;
  std::uint64_t bdat_left_ = 0;
  std::uint64_t bdat_size_ = 0;
  bool bdat_last_ = false;
};

void serve(int fd) {
  ++g_stats.connections;
  timeval timeout{};
  timeout.tv_sec = kIdleTimeoutSeconds;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  Session session(fd);
  session.run();
}

int listen_loopback(std::uint16_t port, std::uint16_t& chosen) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  auto* generic = reinterpret_cast<sockaddr*>(&addr);
  if (::bind(fd, generic, len) != 0 || ::listen(fd, 128) != 0 ||
      ::getsockname(fd, generic, &len) != 0) {
    ::close(fd);
    return -1;
  }
  chosen = ntohs(addr.sin_port);
  return fd;
}

// Accepts connections until the deadline; each gets its own detached thread.
void accept_loop(int listener, std::chrono::steady_clock::time_point deadline) {
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::thread(serve, fd).detach();
  }
}

bool init_tls() {
  if (g_options.cert.empty()) return true;
  g_ssl_ctx = SSL_CTX_new(TLS_server_method());
  if (g_ssl_ctx == nullptr) return false;
  SSL_CTX_set_min_proto_version(g_ssl_ctx, TLS1_2_VERSION);
  return SSL_CTX_use_certificate_chain_file(g_ssl_ctx, g_options.cert.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(g_ssl_ctx, g_options.key.c_str(), SSL_FILETYPE_PEM) == 1;
}

// --- self-test client: a plain loopback client pushing a large message ---

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads until `count` final reply lines ("NNN " at a line start) have arrived.
bool read_replies(int fd, int count, std::string& last) {
  std::string pending;
  char buf[4096];
  while (count > 0) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t lf;
    while ((lf = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, lf + 1);
      pending.erase(0, lf + 1);
      if (line.size() >= 4 && line[3] == ' ') {
        --count;
        last = line;
      }
    }
  }
  return true;
}

int self_test() {
  std::uint16_t port = 0;
  const int listener = listen_loopback(0, port);
  if (listener < 0) return 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::thread(accept_loop, listener, deadline).detach();

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 1;
  std::string last;
  if (!read_replies(fd, 1, last)) return 1;
  if (!send_all(fd, "EHLO selftest\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n") ||
      !read_replies(fd, 3, last)) {
    return 1;
  }

  // 1 MiB of 78-character CRLF lines, already dot-stuffed (no line starts with '.').
  std::string block;
  while (block.size() < 1024 * 1024) {
    block.append(78, static_cast<char>('a' + block.size() % 26));
    block += "\r\n";
  }
  block.resize(1024 * 1024 - 2);
  block += "\r\n";
  const auto total = static_cast<std::uint64_t>(g_options.self_test_mib) * block.size();

  const auto start = std::chrono::steady_clock::now();
  if (g_options.self_test_bdat) {
    for (long i = 0; i < g_options.self_test_mib; ++i) {
      const bool last_chunk = i + 1 == g_options.self_test_mib;
      const std::string cmd =
          "BDAT " + std::to_string(block.size()) + (last_chunk ? " LAST\r\n" : "\r\n");
      if (!send_all(fd, cmd) || !send_all(fd, block)) return 1;
    }
    if (!read_replies(fd, static_cast<int>(g_options.self_test_mib), last)) return 1;
  } else {
    if (!send_all(fd, "DATA\r\n") || !read_replies(fd, 1, last)) return 1;
    for (long i = 0; i < g_options.self_test_mib; ++i) {
      if (!send_all(fd, block)) return 1;
    }
    if (!send_all(fd, ".\r\n") || !read_replies(fd, 1, last)) return 1;
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  send_all(fd, "QUIT\r\n");
  read_replies(fd, 1, last);
  ::close(fd);

  const double seconds = took.count();
  const double bytes = static_cast<double>(total);
  std::printf(
      "smtp_sink self-test (%s, plain, loopback): %.0f MiB in %.3f s = %.2f GB/s (%.2f GiB/s); "
      "sink counted %llu message bytes in %llu message(s)\n",
      g_options.self_test_bdat ? "BDAT" : "DATA", bytes / 1048576.0, seconds, bytes / seconds / 1e9,
      bytes / seconds / 1073741824.0, static_cast<unsigned long long>(g_stats.message_bytes.load()),
      static_cast<unsigned long long>(g_stats.messages.load()));
  return g_stats.messages.load() == 1 ? 0 : 1;
}

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--port N] [--port-file F] [--stats-file F] [--cert PEM --key PEM]\n"
               "          [--no-pipelining] [--no-chunking] [--max-seconds S]\n"
               "       %s --self-test MIB [--bdat]\n",
               argv0, argv0);
  std::exit(2);
}

void parse_options(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (arg == "--port") {
      g_options.port = static_cast<std::uint16_t>(std::stoul(value()));
    } else if (arg == "--port-file") {
      g_options.port_file = value();
    } else if (arg == "--stats-file") {
      g_options.stats_file = value();
    } else if (arg == "--cert") {
      g_options.cert = value();
    } else if (arg == "--key") {
      g_options.key = value();
    } else if (arg == "--no-pipelining") {
      g_options.pipelining = false;
    } else if (arg == "--no-chunking") {
      g_options.chunking = false;
    } else if (arg == "--max-seconds") {
      g_options.max_seconds = std::stol(value());
    } else if (arg == "--self-test") {
      g_options.self_test_mib = std::stol(value());
    } else if (arg == "--bdat") {
      g_options.self_test_bdat = true;
    } else {
      usage(argv[0]);
    }
  }
  if (g_options.cert.empty() != g_options.key.empty()) usage(argv[0]);
}

}  // namespace

int main(int argc, char** argv) {
  parse_options(argc, argv);
  if (g_options.self_test_mib > 0) return self_test();
  if (!init_tls()) {
    std::fprintf(stderr, "smtp_sink: cannot load --cert/--key\n");
    return 1;
  }

  // Signals go to one thread that waits for them; connection threads never see them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([signals] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      write_stats();
      if (sig != SIGUSR1) std::_Exit(0);
    }
  }).detach();

  std::uint16_t port = 0;
  const int listener = listen_loopback(g_options.port, port);
  if (listener < 0) {
    std::fprintf(stderr, "smtp_sink: cannot listen on 127.0.0.1:%u: %s\n", g_options.port,
                 std::strerror(errno));
    return 1;
  }
  if (!g_options.port_file.empty()) {
    const std::string tmp = g_options.port_file + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) return 1;
    std::fprintf(f, "%u\n", port);
    std::fclose(f);
    std::rename(tmp.c_str(), g_options.port_file.c_str());
  } else {
    std::printf("%u\n", port);
    std::fflush(stdout);
  }
  accept_loop(listener,
              std::chrono::steady_clock::now() + std::chrono::seconds(g_options.max_seconds));
  write_stats();
  return 0;
}
