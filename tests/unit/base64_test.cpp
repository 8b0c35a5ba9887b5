// Base64: RFC 4648 §10 test vectors, round trips and the strict decoder's refusals.
#include "smtpc/core/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace smtpc {
namespace {

const std::vector<std::pair<std::string, std::string>>& rfc4648_vectors() {
  static const std::vector<std::pair<std::string, std::string>> vectors{
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  return vectors;
}

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : rfc4648_vectors()) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
  }
}

TEST(Base64, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : rfc4648_vectors()) {
    EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(plain)) << encoded;
  }
}

TEST(Base64, EmptyInputDecodesToEmpty) {
  const auto decoded = base64_decode("");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(decoded->empty());
}

TEST(Base64, RoundTripsEveryByteValueAtEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t length = 0; length <= all.size(); ++length) {
    const std::string bytes = all.substr(all.size() - length);
    const std::string encoded = base64_encode(bytes);
    EXPECT_EQ(encoded.size() % 4, 0U);
    EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(bytes)) << length;
  }
}

TEST(Base64, UsesTheStandardAlphabetForHighBits) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("+/8="), std::optional<std::string>("\xfb\xff"));
}

TEST(Base64, RejectsInvalidInput) {
  const std::vector<std::string> invalid{
      "Zg",                            // padding missing
      "Zg=",                           // padding short
      "Zm9vY",                         // length not a multiple of 4
      "Zm9v\r\n",                      // line break
      " Zm9v",                         // whitespace
      "Zm9v YmFy",                     // whitespace inside
      "Zg==Zg==",                      // padding inside
      "Zm-v",                          // URL-safe alphabet (RFC 4648 §5) is not §4
      "Zm_v",                          //
      "Zm9*",                          // not in the alphabet
      "====",                          // only padding
      "A===",                          // three padding characters
      "Zg=a",                          // data after padding
      "Zh==",                          // non-zero bits before the padding (§3.5)
      "Zm9=",                          //
      std::string("Zm9v\0\0\0\0", 8),  // NUL bytes
      "Zm9\xc3\xa9",                   // non-ASCII
  };
  for (const auto& text : invalid) {
    EXPECT_FALSE(base64_decode(text).has_value()) << text;
  }
}

// Servers' SASL error reports may leave out the padding (curl's test 948).
TEST(Base64, UnpaddedDecodingAddsTheMissingPadding) {
  EXPECT_EQ(base64_decode_unpadded("Zg"), std::optional<std::string>("f"));
  EXPECT_EQ(base64_decode_unpadded("Zm8"), std::optional<std::string>("fo"));
  EXPECT_EQ(base64_decode_unpadded("Zm9v"), std::optional<std::string>("foo"));
  EXPECT_EQ(base64_decode_unpadded("Zm8="), std::optional<std::string>("fo"));
  EXPECT_EQ(base64_decode_unpadded(""), std::optional<std::string>(""));
  EXPECT_EQ(base64_decode_unpadded("Zg="), std::optional<std::string>("f"));  // short padding
  for (const std::string_view text : {"Z", "Zm9vY", "Zh", "Zm9*", "Zg==="}) {
    EXPECT_FALSE(base64_decode_unpadded(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace smtpc
