// Integration-test helpers for --mx: a real DNS server (Debian's dnsmasq) on 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {

/// dnsmasq on 127.0.0.1 at a free port, serving only what `records` say, e.g.
/// {"--mx-host=one.test,mx1.one.test,10", "--host-record=mx1.one.test,127.0.0.1"}.
/// Every other name under .test is NXDOMAIN (--local=/test/); nothing is forwarded
/// (--no-resolv) and /etc/hosts is not read. Stopped (SIGTERM) when destroyed.
class DnsServer {
 public:
  explicit DnsServer(std::vector<std::string> records);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// "127.0.0.1:PORT", for --dns-servers.
  [[nodiscard]] std::string address() const;
  /// dnsmasq's log (queries and answers), for diagnostics.
  [[nodiscard]] std::string log() const;

 private:
  bool start(const std::vector<std::string>& records);
  void stop();
  TempDir dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

/// A UDP socket on 127.0.0.1 that never answers: a DNS server that is down but not refusing.
class SilentUdpPort {
 public:
  SilentUdpPort();
  ~SilentUdpPort();
  SilentUdpPort(const SilentUdpPort&) = delete;
  SilentUdpPort& operator=(const SilentUdpPort&) = delete;
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// A UDP and TCP port on 127.0.0.1 on which nothing listens now.
[[nodiscard]] std::uint16_t free_dns_port();

}  // namespace smtpc::it
