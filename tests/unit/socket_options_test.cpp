// The options connect_tcp sets on each socket, read back with getsockopt: curl 7.88's
// defaults (TCP_NODELAY, SO_KEEPALIVE with 60 s idle and interval) and what
// --no-tcp-nodelay, --no-keepalive and --keepalive-time change (checked with strace on curl).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "smtpc/transport/trace.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {
namespace {

class SocketOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(fd_, 0); }
  void TearDown() override { ::close(fd_); }

  int get(int level, int name) const {
    int value = -1;
    socklen_t length = sizeof value;
    EXPECT_EQ(::getsockopt(fd_, level, name, &value, &length), 0);
    return value;
  }

  int fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  Tracer tracer_;
};

TEST_F(SocketOptionsTest, CurlDefaultsNodelayAndKeepaliveEverySixtySeconds) {
  apply_socket_options(fd_, SocketOptions{}, tracer_);
  EXPECT_NE(get(IPPROTO_TCP, TCP_NODELAY), 0);
  EXPECT_NE(get(SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPIDLE), 60);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPINTVL), 60);
}

TEST_F(SocketOptionsTest, NoNodelayAndNoKeepaliveLeaveTheSocketAsItWas) {
  const int idle = get(IPPROTO_TCP, TCP_KEEPIDLE);
  apply_socket_options(fd_, SocketOptions{.tcp_nodelay = false, .keepalive_seconds = {}}, tracer_);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_NODELAY), 0);
  EXPECT_EQ(get(SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPIDLE), idle);
}

TEST_F(SocketOptionsTest, KeepaliveTimeSetsIdleAndInterval) {
  apply_socket_options(fd_, SocketOptions{.tcp_nodelay = true, .keepalive_seconds = 7}, tracer_);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPIDLE), 7);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPINTVL), 7);
}

TEST_F(SocketOptionsTest, AValueTheKernelRefusesIsSkippedAsCurlDoes) {
  const int idle = get(IPPROTO_TCP, TCP_KEEPIDLE);  // the system's default
  apply_socket_options(fd_, SocketOptions{.tcp_nodelay = true, .keepalive_seconds = 2147483647},
                       tracer_);
  EXPECT_NE(get(SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(get(IPPROTO_TCP, TCP_KEEPIDLE), idle);
}

TEST(LoopbackAddress, OnlyAddressesOfThisHost) {
  for (const std::string address : {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_address(address)) << address;
  }
  for (const std::string address : {"128.0.0.1", "10.0.0.1", "192.0.2.1", "::2", "::ffff:10.0.0.1",
                                    "fe80::1", "localhost", ""}) {
    EXPECT_FALSE(is_loopback_address(address)) << address;
  }
}

// A connection to a loopback address gets a fixed send buffer (the kernel reports it
// doubled).
TEST(LoopbackAddress, ConnectTcpFixesTheSendBufferOfALoopbackConnection) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  ASSERT_EQ(::bind(listener, generic, length), 0);
  ASSERT_EQ(::getsockname(listener, generic, &length), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  Tracer tracer;
  ConnectRequest request;
  request.host = "127.0.0.1";
  request.port = ntohs(address.sin_port);
  request.deadline = Clock::now() + std::chrono::seconds(10);
  const auto transport = connect_tcp(request, tracer);
  int size = 0;
  socklen_t size_length = sizeof size;
  ASSERT_EQ(::getsockopt(transport->native_handle(), SOL_SOCKET, SO_SNDBUF, &size, &size_length),
            0);
  EXPECT_EQ(size, 2 * kLoopbackSendBuffer);
  ::close(listener);
}

}  // namespace
}  // namespace smtpc
