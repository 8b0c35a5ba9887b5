// The HMAC-MD5 smtpc gives CRAM-MD5 (transport/tls.hpp, OpenSSL): RFC 2195's example and
// RFC 2202's key-length cases.
#include <gtest/gtest.h>

#include <string>

#include "smtpc/auth/sasl.hpp"
#include "smtpc/transport/tls.hpp"

namespace smtpc {
namespace {

TEST(HmacMd5Hex, MatchesTheRfc2195Example) {
  EXPECT_EQ(hmac_md5_hex("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>"),
            "b913a602c7eda7a495b4e6e7334d3890");
  // The same through the mechanism, as smtpc sends it.
  Credentials tim;
  tim.user = "tim";
  tim.password = "tanstaaftanstaaf";
  SaslExchange exchange(Mechanism::CramMd5, tim, hmac_md5_hex);
  EXPECT_EQ(exchange.respond("<1896.697170952@postoffice.reston.mci.net>"),
            "tim b913a602c7eda7a495b4e6e7334d3890");
}

TEST(HmacMd5Hex, HandlesEmptyAndLongerThanBlockKeys) {
  // RFC 2202 §2 test case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(hmac_md5_hex(std::string(80, '\xaa'),
                         "Test Using Larger Than Block-Size Key - Hash Key First"),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  // An empty key is a key of zero bytes, not "keep the previous key".
  EXPECT_EQ(hmac_md5_hex("", "<1@x>"), "1f38caa9f91a66169c1c7cc6276d601c");
}

}  // namespace
}  // namespace smtpc
