// Integration-test helpers for --mx: dnsmasq as the test DNS server, and a silent UDP port.
#include "mx_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace smtpc::it {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

/// Binds a socket of `type` to 127.0.0.1:port; the bound port, or 0 if it was taken.
std::uint16_t bind_loopback(int fd, std::uint16_t port) {
  sockaddr_in address = loopback(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 0;
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

/// Whether a DNS server answers a query (any answer) on 127.0.0.1:port within `wait`.
bool answers(std::uint16_t port, milliseconds wait) {
  // ID 0x1234, RD, one question: ready.test A IN.
  static constexpr std::array<unsigned char, 28> kQuery{
      0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 'r',
      'e',  'a',  'd',  'y',  0x04, 't',  'e',  's',  't',  0x00, 0x00, 0x01, 0x00, 0x01};
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address = loopback(port);
  bool ok = false;
  if (::sendto(fd, kQuery.data(), kQuery.size(), 0, reinterpret_cast<sockaddr*>(&address),
               sizeof address) == static_cast<ssize_t>(kQuery.size())) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(wait.count())) == 1) {
      std::array<unsigned char, 512> reply{};
      ok = ::recv(fd, reply.data(), reply.size(), 0) >= 12 && reply[0] == 0x12 && reply[1] == 0x34;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t free_dns_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const std::uint16_t port = bind_loopback(udp, 0);
    const bool tcp_free = port != 0 && bind_loopback(tcp, port) == port;
    ::close(udp);
    ::close(tcp);
    if (tcp_free) return port;
  }
  throw std::runtime_error("no free port for the test DNS server");
}

DnsServer::DnsServer(std::vector<std::string> records) {
  if (!std::filesystem::exists(DNSMASQ_EXECUTABLE)) {
    throw std::runtime_error(std::string(DNSMASQ_EXECUTABLE) +
                             " not found: run scripts/setup (Debian package dnsmasq-base)");
  }
  // Another process may take the port between our probe and dnsmasq's bind: try again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (start(records)) return;
  }
  throw std::runtime_error("dnsmasq did not start; its log:\n" + log());
}

DnsServer::~DnsServer() { stop(); }

std::string DnsServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::string DnsServer::log() const {
  try {
    return read_file(dir_.path() + "/dnsmasq.log");
  } catch (const std::exception&) {
    return {};
  }
}

bool DnsServer::start(const std::vector<std::string>& records) {
  port_ = free_dns_port();
  std::vector<std::string> argv{DNSMASQ_EXECUTABLE,
                                "--keep-in-foreground",
                                "--conf-file=/dev/null",
                                "--no-resolv",
                                "--no-hosts",
                                "--no-poll",
                                "--pid-file=",
                                "--listen-address=127.0.0.1",
                                "--bind-interfaces",
                                "--port=" + std::to_string(port_),
                                "--local=/test/",
                                "--log-queries",
                                "--log-facility=-",
                                "--cache-size=0"};
  // As root, dnsmasq would switch to "nobody"; staying root keeps the test self-contained.
  if (::geteuid() == 0) argv.emplace_back("--user=root");
  argv.insert(argv.end(), records.begin(), records.end());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log_path = dir_.path() + "/dnsmasq.log";
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> pointers;
  for (auto& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  const int rc = posix_spawn(&pid_, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "posix_spawn dnsmasq");

  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was taken, or worse
      pid_ = -1;
      return false;
    }
    if (answers(port_, milliseconds(100))) return true;
  }
  stop();
  return false;
}

void DnsServer::stop() {
  if (pid_ < 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

SilentUdpPort::SilentUdpPort() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  port_ = bind_loopback(fd_, 0);
  if (port_ == 0) throw std::runtime_error("cannot bind a UDP socket on 127.0.0.1");
}

SilentUdpPort::~SilentUdpPort() { ::close(fd_); }

}  // namespace smtpc::it
