// The machine's name for EHLO, and the domain sendmail mode gives the addresses and
// Message-IDs it makes up, with the resolver's answer and /etc/mailname injected.
#include "smtpc/sys/host_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtpc {
namespace {

CanonicalNameLookup answering(std::optional<std::string> canonical, int* calls = nullptr) {
  return [canonical, calls](const std::string&) {
    if (calls != nullptr) ++*calls;
    return canonical;
  };
}

TEST(QualifyHostName, AnUnqualifiedNameTakesTheResolversCanonicalName) {
  EXPECT_EQ(qualify_host_name("vm", answering("vm.example.org")), "vm.example.org");
}

TEST(QualifyHostName, AQualifiedNameIsNotLookedUp) {
  int calls = 0;
  EXPECT_EQ(qualify_host_name("vm.example.org", answering("other.example", &calls)),
            "vm.example.org");
  EXPECT_EQ(calls, 0);
}

TEST(QualifyHostName, WithoutADomainFromTheResolverThePlainNameStays) {
  EXPECT_EQ(qualify_host_name("vm", answering(std::nullopt)), "vm");  // lookup failed
  EXPECT_EQ(qualify_host_name("vm", answering("vm")), "vm");          // /etc/hosts: "vm" only
  EXPECT_EQ(qualify_host_name("vm", answering("")), "vm");
}

TEST(QualifyHostName, NoNameIsLocalhost) {
  EXPECT_EQ(qualify_host_name("", answering("x.example")), "localhost");
}

TEST(MailDomain, EtcMailnameComesFirst) {
  int calls = 0;
  const auto host = [&calls] {
    ++calls;
    return std::string("vm.example.org");
  };
  EXPECT_EQ(mail_domain(std::string("example.org"), host), "example.org");
  EXPECT_EQ(mail_domain(std::string("  example.org \r\nignored\n"), host), "example.org");
  EXPECT_EQ(calls, 0);
}

TEST(MailDomain, WithoutAUsableMailnameTheHostsName) {
  const auto host = [] { return std::string("vm.example.org"); };
  EXPECT_EQ(mail_domain(std::nullopt, host), "vm.example.org");
  EXPECT_EQ(mail_domain(std::string(""), host), "vm.example.org");
  EXPECT_EQ(mail_domain(std::string("two words"), host), "vm.example.org");
  EXPECT_EQ(mail_domain(std::string("a@b"), host), "vm.example.org");
}

TEST(LocalHostName, IsNeverEmpty) { EXPECT_FALSE(local_host_name().empty()); }

}  // namespace
}  // namespace smtpc
