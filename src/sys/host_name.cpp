// local_host_name: the machine's fully qualified name, as MTAs find it.
#include "smtpc/sys/host_name.hpp"

#include <netdb.h>
#include <unistd.h>

#include <array>

namespace smtpc {

std::string local_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  std::string host(name.data());
  if (host.find('.') != std::string::npos) return host;
  // Ask the resolver for the fully qualified name, as MTAs do.
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0 && found != nullptr) {
    if (found->ai_canonname != nullptr && *found->ai_canonname != '\0') {
      host = found->ai_canonname;
    }
    ::freeaddrinfo(found);
  }
  return host;
}

}  // namespace smtpc
