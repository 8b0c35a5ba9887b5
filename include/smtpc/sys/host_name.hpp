// The machine's name, for EHLO and for addresses and Message-IDs smtpc makes up.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace smtpc {

/// The resolver's canonical name for a host name (getaddrinfo with AI_CANONNAME), if any.
using CanonicalNameLookup = std::function<std::optional<std::string>(const std::string& host)>;

/// `host` (gethostname's answer) made fully qualified: itself when it has a dot, else the
/// canonical name `lookup` finds when that has a dot, else `host` as it is (a machine
/// whose resolver knows no domain for it); "localhost" when `host` is empty.
[[nodiscard]] std::string qualify_host_name(const std::string& host,
                                            const CanonicalNameLookup& lookup);

/// The machine's fully qualified name: gethostname, qualified by the system resolver
/// (/etc/hosts, DNS) as qualify_host_name says. Never throws.
[[nodiscard]] std::string local_host_name();

/// The domain for addresses and Message-IDs smtpc makes up (sendmail mode's default
/// sender login@domain): the first line of `mailname` (Debian's /etc/mailname, which its
/// MTAs use for the same purpose, Debian Policy §11.6) when it names one, else
/// `host_name()`.
[[nodiscard]] std::string mail_domain(const std::optional<std::string>& mailname,
                                      const std::function<std::string()>& host_name);

/// mail_domain() with /etc/mailname and local_host_name(). Never throws.
[[nodiscard]] std::string local_mail_domain();

}  // namespace smtpc
