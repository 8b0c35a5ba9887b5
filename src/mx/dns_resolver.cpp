// The system resolver (glibc's res_ninit, res_nmkquery, res_nsend) asked for one record type
// at a time. Chosen over c-ares: it is part of libc, reads the same resolv.conf as the rest
// of the system, is synchronous like the rest of smtpc, and its public res_state lets us
// replace the servers (nsaddr_list) for --dns-servers.
#include "smtpc/mx/dns_resolver.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

// Bounds for the resolver's retransmissions, so that a dead server fails within seconds.
constexpr int kOverrideTimeoutSeconds = 2;
constexpr int kOverrideAttempts = 2;
constexpr int kMaxTimeoutSeconds = 3;
constexpr int kMaxAttempts = 3;
constexpr std::size_t kMaxAnswer = 65535;

std::string describe_system_servers(const res_state state) {
  std::vector<std::string> names;
  for (int i = 0; i < state->nscount && i < MAXNS; ++i) {
    const auto& server = state->nsaddr_list[i];
    if (server.sin_family != AF_INET) {
      names.emplace_back("an IPv6 server");
      continue;
    }
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &server.sin_addr, text, sizeof text);
    names.push_back(fmt::format("{}:{}", text, ntohs(server.sin_port)));
  }
  return fmt::format("the system resolver ({})", names.empty()
                                                     ? std::string("no servers configured")
                                                     : fmt::format("{}", fmt::join(names, ", ")));
}

}  // namespace

struct DnsResolver::State {
  struct __res_state res {};
};

DnsResolver::DnsResolver(const std::vector<DnsServerAddress>& servers)
    : state_(std::make_unique<State>()) {
  res_state res = &state_->res;
  if (::res_ninit(res) != 0) {
    throw Error(ExitCode::CouldntResolveHost, "cannot initialise the DNS resolver");
  }
  if (servers.empty()) {
    res->retrans = std::min(res->retrans, kMaxTimeoutSeconds);
    res->retry = std::min(res->retry, kMaxAttempts);
    servers_ = describe_system_servers(res);
    return;
  }
  std::vector<std::string> names;
  res->nscount = 0;
  for (const auto& server : servers) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.port);
    if (::inet_pton(AF_INET, server.address.c_str(), &address.sin_addr) != 1) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("--dns-servers: {} is not an IPv4 address", server.address));
    }
    // A set sin_family makes glibc use this entry rather than an IPv6 one from resolv.conf.
    res->nsaddr_list[res->nscount++] = address;
    names.push_back(fmt::format("{}:{}", server.address, server.port));
  }
  res->retrans = kOverrideTimeoutSeconds;
  res->retry = kOverrideAttempts;
  servers_ = fmt::format("{}", fmt::join(names, ", "));
}

DnsResolver::~DnsResolver() { ::res_nclose(&state_->res); }

DnsAnswer DnsResolver::query(const std::string& name, DnsType type) {
  std::vector<unsigned char> question(NS_PACKETSZ);
  const int question_length =
      ::res_nmkquery(&state_->res, ns_o_query, name.c_str(), ns_c_in, static_cast<int>(type),
                     nullptr, 0, nullptr, question.data(), static_cast<int>(question.size()));
  if (question_length < 0) {
    throw Error(ExitCode::CouldntResolveHost,
                fmt::format("Could not resolve {}: not a valid domain name", name));
  }
  const int id = (question[0] << 8) | question[1];
  std::vector<unsigned char> answer(kMaxAnswer);
  errno = 0;
  const int answer_length = ::res_nsend(&state_->res, question.data(), question_length,
                                        answer.data(), static_cast<int>(answer.size()));
  if (answer_length < 0) {
    const int why = errno;
    throw Error(
        ExitCode::CouldntResolveHost,
        fmt::format("Could not resolve {}: no answer from the DNS server {} ({})", name, servers_,
                    why == ETIMEDOUT || why == 0 ? std::string("timed out")
                                                 : std::string(std::strerror(why))));
  }
  const auto size = std::min(static_cast<std::size_t>(answer_length), answer.size());
  return parse_dns_response(std::span(answer.data(), size), type, id);
}

}  // namespace smtpc
