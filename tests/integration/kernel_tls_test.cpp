// Kernel TLS (docs/performance.md, "Kernel TLS"): smtpc asks OpenSSL for it only where the
// kernel lists the `tls` TCP upper-layer protocol, and sends a CRLF-only file with
// SSL_sendfile only when OpenSSL did hand the records to the kernel; everywhere else the
// records are made in user space as before. Each send runs in a mount namespace whose
// /proc/sys/net/ipv4/tcp_available_ulp says what the test wants, under strace (the TCP_ULP
// setsockopt OpenSSL makes to switch, and the sendfile calls), against aiosmtpd with
// CHUNKING, so that a 1.2 MB CRLF file is eligible for sendfile. On a kernel without the
// `tls` module (this project's machines) a "tls" listed by the test is refused by the
// kernel, which is the fallback from a failed switch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kWithoutTls = "espintcp mptcp\n";
constexpr std::string_view kWithTls = "espintcp mptcp tls\n";

class KernelTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: unshare -m";
  }

  struct Sent {
    StracedRun traced;
    std::string bytes;  // what the server received
  };

  // Sends text_ over STARTTLS (`implicit` false) or smtps, with -v, the kernel listing
  // `available_ulp`, tracing the system calls `trace`.
  Sent send(std::string_view available_ulp, bool implicit,
            std::string_view trace = "setsockopt,sendfile") {
    std::vector<std::string> server_options =
        server_tls(implicit ? "--implicit-tls" : "--starttls");
    server_options.insert(server_options.end(), {"--pipelining", "--chunking"});
    SmtpServer server(server_options);
    const std::string url = implicit ? smtps_url(server) : server.url("client.example");
    std::vector<std::string> options{"--cacert", test_cert("ca.pem"), "-v"};
    if (!implicit) options.emplace_back("--ssl-reqd");
    Sent sent;
    sent.traced = run_smtpc_with_available_ulp(
        available_ulp, trace,
        send_args({.url = url, .files = {dir_.write_file("m", text_)}, .options = options}), dir_);
    if (server.messages().size() == 1) sent.bytes = server.messages()[0].bytes;
    return sent;
  }

  const std::string text_ = crlf_message(1200 * 1000);
  TempDir dir_;
};

// Without "tls" listed, OpenSSL is not asked: no setsockopt(TCP_ULP) fails on every TLS
// connection, and the records are made here (no sendfile).
TEST_F(KernelTlsTest, NotListedByTheKernelItIsNotTriedAndTheFileIsEncryptedHere) {
  for (const bool implicit : {false, true}) {
    SCOPED_TRACE(implicit ? "smtps" : "STARTTLS");
    const Sent sent = send(kWithoutTls, implicit);
    ASSERT_EQ(sent.traced.run.exit_code, 0) << sent.traced.run.err;
    EXPECT_TRUE(sent.bytes == text_) << "the message differs";
    EXPECT_EQ(sent.traced.count("TCP_ULP"), 0U);
    EXPECT_EQ(sent.traced.count("sendfile("), 0U);
    EXPECT_THAT(sent.traced.run.err,
                HasSubstr("* kernel TLS: off: not offered by this kernel (no \"tls\" in "
                          "/proc/sys/net/ipv4/tcp_available_ulp)"));
  }
}

// Listed, OpenSSL is asked to switch after the handshake. Where the kernel takes it the
// file goes out with sendfile; where it refuses (no `tls` module after all, or a cipher it
// cannot do) the records are made here, and the message arrives the same either way.
TEST_F(KernelTlsTest, ListedByTheKernelItIsTriedAndTheFileArrivesByteExactEitherWay) {
  const bool real = host_kernel_offers_tls();
  for (const bool implicit : {false, true}) {
    SCOPED_TRACE(implicit ? "smtps" : "STARTTLS");
    const Sent sent = send(kWithTls, implicit);
    ASSERT_EQ(sent.traced.run.exit_code, 0) << sent.traced.run.err;
    EXPECT_TRUE(sent.bytes == text_) << "the message differs";
    EXPECT_GE(sent.traced.count("TCP_ULP"), 1U);
    if (real) {
      EXPECT_GE(sent.traced.count("sendfile("), 5U);  // 1.2 MB in 256 KiB chunks
      EXPECT_THAT(sent.traced.run.err, HasSubstr("* kernel TLS: on: the kernel encrypts"));
    } else {
      EXPECT_EQ(sent.traced.count("sendfile("), 0U);
      EXPECT_THAT(sent.traced.run.err, HasSubstr("* kernel TLS: off: the kernel did not take "));
    }
  }
}

// Made here, the records (16 KiB of data at most each) are gathered into writes of up to
// 72 KiB (RecordLink): with OpenSSL's socket BIO every write carried one record. Under
// backpressure a write may go out in part (and EAGAIN lines appear), so what is checked is
// that a write carried several records and that much of the upload went in such writes.
TEST_F(KernelTlsTest, RecordsMadeHereGoOutGatheredIntoLargerWrites) {
  constexpr long kOneRecord = 16 * 1024 + 2048;  // data and the most a record adds
  for (const bool implicit : {false, true}) {
    SCOPED_TRACE(implicit ? "smtps" : "STARTTLS");
    const Sent sent = send(kWithoutTls, implicit, "sendto,write");
    ASSERT_EQ(sent.traced.run.exit_code, 0) << sent.traced.run.err;
    EXPECT_TRUE(sent.bytes == text_) << "the message differs";
    long largest = 0;
    long total = 0;
    long in_gathered_writes = 0;
    for (const std::string& line : sent.traced.calls) {
      // The socket's writes: sendto, or write to a descriptor other than stderr (-v).
      const bool socket_write =
          line.find("sendto(") != std::string::npos ||
          (line.find("write(") != std::string::npos && line.find("write(2,") == std::string::npos);
      const auto equals = line.rfind(" = ");
      if (!socket_write || equals == std::string::npos) continue;
      const long bytes = std::atol(line.c_str() + equals + 3);
      if (bytes <= 0) continue;  // EAGAIN
      total += bytes;
      largest = std::max(largest, bytes);
      if (bytes > kOneRecord) in_gathered_writes += bytes;
    }
    EXPECT_GE(largest, 60000) << "no write carried more than one record";
    EXPECT_GE(in_gathered_writes * 4, total)
        << in_gathered_writes << " of " << total << " bytes in writes of several records";
  }
}

}  // namespace
}  // namespace smtpc::it
