// Does sendfile pay for a BDAT body that is already CRLF (issue 22)? Sends FILE over a
// loopback TCP connection to a discarding thread in three ways and prints the sending
// thread's CPU (user + system, RUSAGE_THREAD), median of --runs:
//   copy:            read 128 KiB, scan it for line ends (as DotStuffer does), write it
//   check+sendfile:  a pass that proves the file is CRLF-only, then sendfile
//   sendfile:        sendfile alone (only correct if CRLF-only were known for free)
//   read+check+sendfile: each chunk read and checked (CR iff LF follows, 16 bytes at a
//                    time), then the same range sent with sendfile: the proof is never a
//                    separate pass over cold memory
//   mmap+check+sendfile: the same with the file mapped instead of read (no copy; a file
//                    truncated meanwhile would raise SIGBUS here, which this probe ignores)
//   read, pair check, write: what smtpc does since the fourth pass
// --sndbuf BYTES sets the sending socket's SO_SNDBUF (smtpc: 262144 to a loopback peer).
// Usage: sendfile_probe FILE [--runs N] [--sndbuf BYTES]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {

constexpr std::size_t kChunk = 128 * 1024;
int send_buffer = 0;  // --sndbuf: SO_SNDBUF of the sending socket (0: autotuning)

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
    if (send_buffer > 0)
      ::setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
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

// Whether every CR in data[0, size) is followed by LF and every LF after the first byte
// preceded by CR (the chunk's edges aside): the check the encoder makes, 16 pairs at a time.
bool crlf_pairs(const char* data, std::size_t size) {
  std::size_t at = 0;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  __m128i bad = _mm_setzero_si128();
  for (; at + 17 <= size; at += 16) {
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at + 1));
    bad = _mm_or_si128(bad, _mm_xor_si128(_mm_cmpeq_epi8(here, cr), _mm_cmpeq_epi8(next, lf)));
  }
  if (_mm_movemask_epi8(bad) != 0) return false;
#endif
  for (; at + 1 < size; ++at) {
    if ((data[at] == '\r') != (data[at + 1] == '\n')) return false;
  }
  return true;
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

// What smtpc does since the fourth pass: read, the pair check, write.
void copy_checked(int file, int socket, off_t /*size*/) {
  std::vector<char> buffer(kChunk);
  bool clean = true;
  ssize_t got = 0;
  while ((got = ::read(file, buffer.data(), buffer.size())) > 0) {
    clean = crlf_pairs(buffer.data(), static_cast<std::size_t>(got)) && clean;
    write_all(socket, buffer.data(), static_cast<std::size_t>(got));
  }
  if (!clean) std::fputs("(not CRLF-only)\n", stderr);
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

void send_range(int file, int socket, off_t offset, std::size_t count) {
  while (count > 0) {
    const ssize_t sent = ::sendfile(socket, file, &offset, count);
    if (sent <= 0) std::exit(1);
    count -= static_cast<std::size_t>(sent);
  }
}

void read_check_sendfile(int file, int socket, off_t /*size*/) {
  std::vector<char> buffer(kChunk);
  off_t offset = 0;
  bool clean = true;
  ssize_t got = 0;
  while ((got = ::pread(file, buffer.data(), buffer.size(), offset)) > 0) {
    clean = crlf_pairs(buffer.data(), static_cast<std::size_t>(got)) && clean;
    send_range(file, socket, offset, static_cast<std::size_t>(got));
    offset += got;
  }
  if (!clean) std::fputs("(not CRLF-only)\n", stderr);
}

void mmap_check_sendfile(int file, int socket, off_t size) {
  void* mapped = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, file, 0);
  if (mapped == MAP_FAILED) std::exit(1);
  ::madvise(mapped, static_cast<std::size_t>(size), MADV_SEQUENTIAL);
  const auto* data = static_cast<const char*>(mapped);
  bool clean = true;
  for (off_t offset = 0; offset < size; offset += static_cast<off_t>(kChunk)) {
    const auto count = static_cast<std::size_t>(std::min<off_t>(kChunk, size - offset));
    clean = crlf_pairs(data + offset, count) && clean;
    send_range(file, socket, offset, count);
  }
  ::munmap(mapped, static_cast<std::size_t>(size));
  if (!clean) std::fputs("(not CRLF-only)\n", stderr);
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
    std::fputs("usage: sendfile_probe FILE [--runs N] [--sndbuf BYTES]\n", stderr);
    return 2;
  }
  int runs = 9;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view option = argv[i];
    if (option == "--runs") runs = std::atoi(argv[i + 1]);
    if (option == "--sndbuf") send_buffer = std::atoi(argv[i + 1]);
  }
  std::printf("copy (read, memchr scan, write): %.1f ms\n", median_cpu_ms(argv[1], runs, copy));
  std::printf("read, pair check, write:         %.1f ms\n",
              median_cpu_ms(argv[1], runs, copy_checked));
  std::printf("check pass + sendfile:           %.1f ms\n",
              median_cpu_ms(argv[1], runs, check_then_sendfile));
  std::printf("sendfile alone:                  %.1f ms\n",
              median_cpu_ms(argv[1], runs, send_whole_file));
  std::printf("read, pair check, sendfile:      %.1f ms\n",
              median_cpu_ms(argv[1], runs, read_check_sendfile));
  std::printf("mmap, pair check, sendfile:      %.1f ms\n",
              median_cpu_ms(argv[1], runs, mmap_check_sendfile));
  return 0;
}
