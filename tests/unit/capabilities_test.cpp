// Capabilities::from_ehlo: keywords, case, SIZE and AUTH parameters.
#include "smtpc/smtp/capabilities.hpp"

#include <gtest/gtest.h>

namespace smtpc {
namespace {

TEST(Capabilities, ParsesKeywordsCaseInsensitively) {
  const auto caps = Capabilities::from_ehlo(
      parse_reply("250-mx.example.com greets you\r\n250-size 52428800\r\n250-starttls\r\n"
                  "250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n"
                  "250-ENHANCEDSTATUSCODES\r\n250 AUTH login PLAIN CRAM-MD5\r\n"));
  EXPECT_TRUE(caps.esmtp);
  EXPECT_TRUE(caps.size);
  EXPECT_EQ(caps.size_limit, 52428800U);
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.eightbitmime);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.chunking);
  EXPECT_FALSE(caps.binarymime);
  EXPECT_TRUE(caps.enhanced_status_codes);
  EXPECT_EQ(caps.auth_mechanisms, (std::vector<std::string>{"LOGIN", "PLAIN", "CRAM-MD5"}));
}

TEST(Capabilities, GreetingLineIsNotAKeyword) {
  const auto caps = Capabilities::from_ehlo(parse_reply("250 STARTTLS\r\n"));
  EXPECT_FALSE(caps.starttls);
}

TEST(Capabilities, SizeWithoutLimit) {
  const auto caps = Capabilities::from_ehlo(parse_reply("250-mx\r\n250 SIZE\r\n"));
  EXPECT_TRUE(caps.size);
  EXPECT_FALSE(caps.size_limit.has_value());
}

TEST(Capabilities, OldAuthEqualsForm) {
  const auto caps =
      Capabilities::from_ehlo(parse_reply("250-mx\r\n250-AUTH=LOGIN PLAIN\r\n250 AUTH PLAIN\r\n"));
  EXPECT_EQ(caps.auth_mechanisms, (std::vector<std::string>{"LOGIN", "PLAIN"}));
}

}  // namespace
}  // namespace smtpc
