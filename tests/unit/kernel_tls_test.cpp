// Whether the kernel offers kernel TLS: the text of /proc/sys/net/ipv4/tcp_available_ulp.
#include "smtpc/transport/kernel_tls.hpp"

#include <gtest/gtest.h>

namespace smtpc {
namespace {

TEST(KernelTls, TheTlsUpperLayerProtocolIsFoundAmongTheOthers) {
  for (const std::string_view listed : {"tls\n", "tls", "mptcp tls\n", "tls mptcp\n",
                                        "espintcp tls mptcp\n", "  tls  \n", "mptcp\ttls"}) {
    EXPECT_TRUE(lists_tls_ulp(listed)) << listed;
  }
}

TEST(KernelTls, OnlyTheWholeNameTlsCounts) {
  for (const std::string_view listed : {"", "\n", "mptcp\n", "espintcp mptcp\n", "tlsx\n", "ktls\n",
                                        "mptcp tls_hw\n", "TLS\n", "mptcptls\n"}) {
    EXPECT_FALSE(lists_tls_ulp(listed)) << listed;
  }
}

}  // namespace
}  // namespace smtpc
