// local_host_name: the machine's fully qualified name, as MTAs find it; local_mail_domain:
// the domain for addresses smtpc makes up, from Debian's /etc/mailname first.
#include "smtpc/sys/host_name.hpp"

#include <netdb.h>
#include <unistd.h>

#include <array>
#include <fstream>

namespace smtpc {

std::string qualify_host_name(const std::string& host, const CanonicalNameLookup& lookup) {
  if (host.empty()) return "localhost";
  if (host.find('.') != std::string::npos) return host;
  if (const auto canonical = lookup(host); canonical && canonical->find('.') != std::string::npos) {
    return *canonical;
  }
  return host;
}

std::string local_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "localhost";
  // Ask the resolver for the fully qualified name, as MTAs and `hostname -f` do.
  return qualify_host_name(name.data(), [](const std::string& host) {
    std::optional<std::string> canonical;
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0 && found != nullptr) {
      if (found->ai_canonname != nullptr && *found->ai_canonname != '\0') {
        canonical = found->ai_canonname;
      }
      ::freeaddrinfo(found);
    }
    return canonical;
  });
}

std::string mail_domain(const std::optional<std::string>& mailname,
                        const std::function<std::string()>& host_name) {
  if (mailname) {
    std::string line = mailname->substr(0, mailname->find('\n'));
    const auto last = line.find_last_not_of(" \t\r");
    line.erase(last == std::string::npos ? 0 : last + 1);
    line.erase(0, line.find_first_not_of(" \t"));
    // One domain name, nothing that could end up as more than an address's domain.
    if (!line.empty() && line.find_first_of(" \t<>@,;\"") == std::string::npos) return line;
  }
  return host_name();
}

std::string local_mail_domain() {
  std::optional<std::string> mailname;
  if (std::ifstream file("/etc/mailname"); file) {
    std::string line;
    if (std::getline(file, line)) mailname = line;
  }
  return mail_domain(mailname, local_host_name);
}

}  // namespace smtpc
