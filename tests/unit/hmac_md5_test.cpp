// OpenSSL's HMAC-MD5 for CRAM-MD5: RFC 2195's example and RFC 2202's key-length cases.
#include "smtpc/transport/hmac_md5.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtpc {
namespace {

std::string hex(const Md5Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char byte : digest) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

TEST(OpenSslHmacMd5, MatchesTheRfc2195Example) {
  EXPECT_EQ(hex(openssl_hmac_md5("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>")),
            "b913a602c7eda7a495b4e6e7334d3890");
  // The same through the mechanism, as smtpc sends it.
  Credentials tim;
  tim.user = "tim";
  tim.password = "tanstaaftanstaaf";
  SaslExchange exchange(Mechanism::CramMd5, tim, openssl_hmac_md5);
  EXPECT_EQ(exchange.respond("<1896.697170952@postoffice.reston.mci.net>"),
            "tim b913a602c7eda7a495b4e6e7334d3890");
}

TEST(OpenSslHmacMd5, HandlesEmptyAndLongerThanBlockKeys) {
  // RFC 2202 §2 test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(hex(openssl_hmac_md5(std::string(80, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  // An empty key is a key of zero bytes, not "keep the previous key".
  EXPECT_EQ(hex(openssl_hmac_md5("", "<1@x>")), "1f38caa9f91a66169c1c7cc6276d601c");
}

}  // namespace
}  // namespace smtpc
