// Clear-text credential policy: loopback detection and the peer x TLS x flag table.
#include "smtpc/smtp/auth_policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smtpc {
namespace {

TEST(IsLoopbackAddress, AcceptsLoopbackForms) {
  for (const std::string& address : std::vector<std::string>{
           "127.0.0.1", "127.0.0.0", "127.255.255.254", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1",
           "0000:0000:0000:0000:0000:0000:0000:0001", "[::1]", "::1%lo", "::ffff:127.0.0.1",
           "::FFFF:127.10.0.1", "::ffff:7f00:1", "[::ffff:127.0.0.1]"}) {
    EXPECT_TRUE(is_loopback_address(address)) << address;
  }
}

TEST(IsLoopbackAddress, RefusesEverythingElse) {
  for (const std::string& address : std::vector<std::string>{"",
                                                             "localhost",
                                                             "LOCALHOST",
                                                             "128.0.0.1",
                                                             "126.255.255.255",
                                                             "10.0.0.1",
                                                             "192.0.2.1",
                                                             "0.0.0.0",
                                                             "::",
                                                             "::2",
                                                             "::ffff:10.0.0.1",
                                                             "::ffff:128.0.0.1",
                                                             "::127.0.0.1",
                                                             "fe80::1",
                                                             "fe80::1%lo",
                                                             "64:ff9b::7f00:1",
                                                             "2001:db8::1",
                                                             "127.1",
                                                             "127.0.0.1 ",
                                                             " 127.0.0.1",
                                                             "127.0.0.1.",
                                                             "127.0.0.256",
                                                             "127.0.0.1:25",
                                                             "[127.0.0.1",
                                                             "::1]",
                                                             "1::1",
                                                             std::string("127.0.0.1\0x", 11),
                                                             std::string(100, '1')}) {
    EXPECT_FALSE(is_loopback_address(address)) << address;
  }
}

struct PolicyRow {
  const char* peer;
  bool tls_active;
  bool allow_plaintext_auth;
  CredentialDecision expected;
};

TEST(DecideCredentials, SecurityFollowsThePeerTlsFlagTable) {
  constexpr auto kSend = CredentialDecision::Send;
  constexpr auto kRefuse = CredentialDecision::RefusePlaintext;
  const std::vector<PolicyRow> table{
      // Remote peers: only TLS or the user's explicit permission.
      {"192.0.2.1", false, false, kRefuse},
      {"192.0.2.1", false, true, kSend},
      {"192.0.2.1", true, false, kSend},
      {"192.0.2.1", true, true, kSend},
      {"2001:db8::1", false, false, kRefuse},
      {"2001:db8::1", false, true, kSend},
      {"2001:db8::1", true, false, kSend},
      {"2001:db8::1", true, true, kSend},
      // An IPv4-mapped remote peer is still remote.
      {"::ffff:192.0.2.1", false, false, kRefuse},
      // Loopback peers never cross the network.
      {"127.0.0.1", false, false, kSend},
      {"127.0.0.1", false, true, kSend},
      {"127.0.0.1", true, false, kSend},
      {"127.0.0.1", true, true, kSend},
      {"::1", false, false, kSend},
      {"::1", true, true, kSend},
      {"::ffff:127.0.0.1", false, false, kSend},
      // A name is not a numeric peer address; an unknown peer is treated as remote.
      {"localhost", false, false, kRefuse},
      {"", false, false, kRefuse},
      {"", true, false, kSend},
      {"", false, true, kSend},
  };
  for (const auto& row : table) {
    EXPECT_EQ(decide_credentials(row.peer, row.tls_active, row.allow_plaintext_auth), row.expected)
        << row.peer << " tls=" << row.tls_active << " allow=" << row.allow_plaintext_auth;
  }
}

}  // namespace
}  // namespace smtpc
