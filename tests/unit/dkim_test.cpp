// DKIM: canonicalization against the RFC's examples and a reference, the signer's pieces,
// and a known-answer body hash (RFC 6376 Appendix A).
#include <gtest/gtest.h>

#include <string>

#include "dkim_reference.hpp"
#include "expect_error.hpp"
#include "smtpc/core/base64.hpp"
#include "smtpc/dkim/canonicalization.hpp"
#include "smtpc/dkim/signer.hpp"
#include "smtpc/transport/crypto.hpp"

namespace smtpc::dkim {
namespace {

using smtpc::testing::expect_error;

constexpr auto kSimple = Canonicalization::Simple;
constexpr auto kRelaxed = Canonicalization::Relaxed;

// The whole body fed `chunk` bytes at a time.
std::string streamed(Canonicalization canonicalization, std::string_view body, std::size_t chunk) {
  BodyCanonicalizer canonicalizer(canonicalization);
  std::string out;
  for (std::size_t i = 0; i < body.size(); i += chunk) {
    canonicalizer.update(body.substr(i, chunk), out);
  }
  canonicalizer.finish(out);
  return out;
}

// RFC 6376 §3.4.5.
TEST(DkimCanonicalization, RfcExampleHeaders) {
  EXPECT_EQ(canonicalize_header(kRelaxed, "A: X\r\n"), "a:X\r\n");
  EXPECT_EQ(canonicalize_header(kRelaxed, "B : Y\t\r\n\tZ  \r\n"), "b:Y Z\r\n");
  EXPECT_EQ(canonicalize_header(kSimple, "B : Y\t\r\n\tZ  \r\n"), "B : Y\t\r\n\tZ  \r\n");
}

TEST(DkimCanonicalization, RfcExampleBody) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(streamed(kRelaxed, body, body.size()), " C\r\nD E\r\n");
  EXPECT_EQ(streamed(kSimple, body, body.size()), " C \r\nD \t E\r\n");
}

TEST(DkimCanonicalization, EmptyBodies) {
  EXPECT_EQ(streamed(kSimple, "", 1), "\r\n");
  EXPECT_EQ(streamed(kRelaxed, "", 1), "");
  EXPECT_EQ(streamed(kSimple, "\r\n\r\n", 1), "\r\n");
  EXPECT_EQ(streamed(kRelaxed, " \t\r\n\r\n  ", 1), "");
}

TEST(DkimCanonicalization, LastLineWithoutCrlfGetsOne) {
  EXPECT_EQ(streamed(kSimple, "a\r\nb", 1), "a\r\nb\r\n");
  EXPECT_EQ(streamed(kRelaxed, "a\r\nb  ", 1), "a\r\nb\r\n");
  EXPECT_EQ(streamed(kSimple, "a\r", 1), "a\r\r\n");  // a lone CR is content
}

TEST(DkimCanonicalization, BlankLinesInsideTheBodyStay) {
  EXPECT_EQ(streamed(kSimple, "a\r\n\r\n\r\nb\r\n\r\n", 1), "a\r\n\r\n\r\nb\r\n");
  EXPECT_EQ(streamed(kRelaxed, "a\r\n \r\n\t\r\nb\r\n \r\n", 1), "a\r\n\r\n\r\nb\r\n");
}

// Every chunk size, including the ones that split CRLF and runs of blanks, gives what the
// reference gives for the whole body.
TEST(DkimCanonicalization, AnyChunkingMatchesTheReference) {
  const std::string bodies[] = {
      "first  line \t\r\n.dot\r\n\r\n  \r\n\tlast\r\n\r\n\r\n",
      "no final newline \t ",
      "\r\r\n\n\r\n \r \n \r\n",
      "x\r\n\r\n\r\n\r\n\r\ny",
  };
  for (const auto& body : bodies) {
    for (const auto canonicalization : {kSimple, kRelaxed}) {
      const std::string expected = reference::body(canonicalization, body);
      for (std::size_t chunk = 1; chunk <= body.size(); ++chunk) {
        EXPECT_EQ(streamed(canonicalization, body, chunk), expected)
            << canonicalization_name(canonicalization) << " chunk " << chunk;
      }
    }
  }
}

TEST(DkimCanonicalization, ParsesItsNames) {
  EXPECT_EQ(parse_canonicalization("Relaxed"), kRelaxed);
  EXPECT_EQ(parse_canonicalization("simple"), kSimple);
  EXPECT_EQ(parse_canonicalization("nofws"), std::nullopt);
}

// RFC 6376 Appendix A.2's message: its body hash with simple canonicalization.
TEST(DkimSigner, BodyHashOfTheRfcExample) {
  const std::string body = "Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n";
  auto hash = make_sha256();
  hash->update(streamed(kSimple, body, 7));
  EXPECT_EQ(base64_encode(hash->finish()), "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

TEST(DkimSigner, DefaultHeadersOverSignFrom) {
  EXPECT_EQ(default_signed_headers(
                {"Received", "From", "To", "Subject", "X-Mailer", "To", "List-Id", "Date"}),
            (std::vector<std::string>{"From", "Subject", "Date", "To", "To", "List-Id", "From"}));
}

TEST(DkimSigner, HeaderListNeedsFromAndFieldNames) {
  EXPECT_EQ(parse_header_list("from: To :subject"),
            (std::vector<std::string>{"from", "To", "subject"}));
  expect_error(
      ExitCode::FailedInit, [] { (void)parse_header_list("To:Subject"); }, "must include From");
  expect_error(
      ExitCode::FailedInit, [] { (void)parse_header_list("From::To"); },
      "not a list of field names");
}

TEST(DkimSigner, DnsNamesAreChecked) {
  check_dns_name("selector", "sel-2026.mail");
  for (const std::string_view bad : {"", "a..b", "-a", "a-", "a_b", "ä.example", "a b", "a."}) {
    expect_error(
        ExitCode::FailedInit, [&] { check_dns_name("selector", bad); }, "is not a domain name");
  }
}

TEST(DkimSigner, ShortenedSignatureIsOneLine) {
  const std::string field =
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel;\r\n\tt=1; h=from:to;\r\n"
      "\tbh=abc=;\r\n\tb=0123456789abcdefghijklmnopqrstuvwxyz\r\n\t0123456789\r\n";
  EXPECT_EQ(shortened_signature(field),
            "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; t=1; h=from:to; bh=abc=; "
            "b=0123456789abcdef...");
}

}  // namespace
}  // namespace smtpc::dkim
