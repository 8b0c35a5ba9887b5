// DNS queries for direct delivery through the system resolver (glibc's res_n* API), with
// an optional list of servers that replaces /etc/resolv.conf's (curl's --dns-servers).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "smtpc/mx/mx.hpp"

namespace smtpc {

/// Sends one question at a time and returns the parsed answer. MX, A and AAAA questions all
/// go to the same servers, so --dns-servers decides every name smtpc resolves for --mx.
/// Each server gets at most 2 tries of at most 2 s (--dns-servers) or what resolv.conf says
/// capped at 3 tries of 3 s, so a dead server fails in seconds instead of hanging.
class DnsResolver {
 public:
  /// `servers` empty: the system configuration (/etc/resolv.conf).
  /// Throws Error(CouldntResolveHost) if the resolver cannot be initialised.
  explicit DnsResolver(const std::vector<DnsServerAddress>& servers);
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  /// Asks for `type` records of `name` (absolute: no search list is applied).
  /// NXDOMAIN, SERVFAIL and empty answers come back as the answer's rcode and records.
  /// Throws Error(CouldntResolveHost) when no server answered (naming the servers and why)
  /// or the answer is malformed.
  [[nodiscard]] DnsAnswer query(const std::string& name, DnsType type);

  /// The servers asked, for messages: "127.0.0.1:5353" or "the system resolver (...)".
  [[nodiscard]] const std::string& servers() const noexcept { return servers_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string servers_;
};

}  // namespace smtpc
