// domain_to_ascii: IDN U-labels to A-labels with libidn2.
#include "smtpc/sys/idn.hpp"

#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

TEST(DomainToAscii, AsciiNamesAreOnlyLowerCased) {
  EXPECT_EQ(domain_to_ascii("Example.COM"), "example.com");
  EXPECT_EQ(domain_to_ascii("xn--bcher-kva.example"), "xn--bcher-kva.example");
}

TEST(DomainToAscii, UnicodeLabelsBecomeALabels) {
  EXPECT_EQ(domain_to_ascii("b\xC3\xBC"
                            "cher.example"),
            "xn--bcher-kva.example");
  // Upper case is mapped (UTS #46) before conversion.
  EXPECT_EQ(domain_to_ascii("B\xC3\x9C"
                            "CHER.Example"),
            "xn--bcher-kva.example");
  EXPECT_EQ(domain_to_ascii("\xE4\xBE\x8B\xE3\x81\x88.\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"),
            "xn--r8jz45g.xn--zckzah");
}

TEST(DomainToAscii, InvalidNamesAreUsageErrors) {
  const std::string invalid_utf8 = std::string("bad\xFF") + "utf8.example";
  testing::expect_error(
      ExitCode::FailedInit, [&] { (void)domain_to_ascii(invalid_utf8); },
      "cannot convert the domain");
}

}  // namespace
}  // namespace smtpc
