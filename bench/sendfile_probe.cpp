// Does sendfile pay for a BDAT body that is already CRLF (issue 22)? Sends FILE over a
// loopback TCP connection to a discarding thread in three ways and prints the sending
// thread's CPU (user + system, RUSAGE_THREAD), median of --runs:
//   copy:            read 128 KiB, scan it for line ends (as DotStuffer does), write it
//   check+sendfile:  a pass that proves the file is CRLF-only, then sendfile
//   sendfile:        sendfile alone (only correct if CRLF-only were known for free)
// Usage: sendfile_probe FILE [--runs N]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kChunk = 128 * 1024;

double thread_cpu_ms() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  const auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// A connected socket whose peer is a thread that reads and discards until the end.
struct Loopback {
  int sender = -1;
  std::thread sink;
  Loopback() {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (::bind(listener, generic, length) != 0 || ::getsockname(listener, generic, &length) != 0 ||
        ::listen(listener, 1) != 0) {
      std::perror("listen");
      std::exit(1);
    }
    sink = std::thread([listener] {
      const int peer = ::accept(listener, nullptr, nullptr);
      std::vector<char> buffer(1 << 20);
      while (::read(peer, buffer.data(), buffer.size()) > 0) {
      }
      ::close(peer);
      ::close(listener);
    });
    sender = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(sender, generic, length) != 0) {
      std::perror("connect");
      std::exit(1);
    }
  }
  ~Loopback() {
    ::close(sender);
    sink.join();
  }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;
};

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written <= 0) std::exit(1);
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

std::size_t count_line_ends(std::string_view chunk) {
  std::size_t count = 0;
  for (std::size_t at = chunk.find('\n'); at != std::string_view::npos;
       at = chunk.find('\n', at + 1)) {
    ++count;
  }
  return count;
}

void copy(int file, int socket, off_t /*size*/) {
  std::vector<char> buffer(kChunk);
  ssize_t got = 0;
  std::size_t lines = 0;
  while ((got = ::read(file, buffer.data(), buffer.size())) > 0) {
    lines += count_line_ends({buffer.data(), static_cast<std::size_t>(got)});
    write_all(socket, buffer.data(), static_cast<std::size_t>(got));
  }
  if (lines == 0) std::fputs("(no line ends)\n", stderr);
}

void send_whole_file(int file, int socket, off_t size) {
  off_t offset = 0;
  while (offset < size) {
    if (::sendfile(socket, file, &offset, static_cast<std::size_t>(size - offset)) <= 0) {
      std::exit(1);
    }
  }
}

// Every LF has a CR before it: the pass that would decide sendfile's eligibility.
bool crlf_only(int file) {
  std::vector<char> buffer(kChunk);
  char previous = '\0';
  ssize_t got = 0;
  while ((got = ::read(file, buffer.data(), buffer.size())) > 0) {
    const std::string_view chunk(buffer.data(), static_cast<std::size_t>(got));
    for (std::size_t at = chunk.find('\n'); at != std::string_view::npos;
         at = chunk.find('\n', at + 1)) {
      if ((at == 0 ? previous : chunk[at - 1]) != '\r') return false;
    }
    previous = chunk.back();
  }
  return true;
}

void check_then_sendfile(int file, int socket, off_t size) {
  if (!crlf_only(file)) std::fputs("(not CRLF-only)\n", stderr);
  send_whole_file(file, socket, size);
}

double median_cpu_ms(const char* path, int runs, const std::function<void(int, int, off_t)>& send) {
  std::vector<double> samples;
  for (int run = 0; run < runs; ++run) {
    const int file = ::open(path, O_RDONLY);
    struct stat status {};
    if (file < 0 || ::fstat(file, &status) != 0) {
      std::perror(path);
      std::exit(1);
    }
    Loopback loopback;
    const double before = thread_cpu_ms();
    send(file, loopback.sender, status.st_size);
    samples.push_back(thread_cpu_ms() - before);
    ::close(file);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: sendfile_probe FILE [--runs N]\n", stderr);
    return 2;
  }
  const int runs = argc >= 4 && std::string_view(argv[2]) == "--runs" ? std::atoi(argv[3]) : 9;
  std::printf("copy (read, scan, write): %.1f ms\n", median_cpu_ms(argv[1], runs, copy));
  std::printf("check pass + sendfile:    %.1f ms\n",
              median_cpu_ms(argv[1], runs, check_then_sendfile));
  std::printf("sendfile alone:           %.1f ms\n", median_cpu_ms(argv[1], runs, send_whole_file));
  return 0;
}
