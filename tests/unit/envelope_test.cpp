// finalize_envelope: the one step after every source: checks, A-labels, SMTPUTF8, each once.
#include "smtpc/message/envelope.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

using Paths = std::vector<std::string>;

using testing::expect_error;

void expect_usage_error(const EnvelopeRequest& request, std::string_view part = {}) {
  expect_error(
      ExitCode::FailedInit, [&] { (void)finalize_envelope(request); }, part);
}

TEST(FinalizeEnvelope, AddressesAreNormalised) {
  const auto envelope = finalize_envelope(
      {"Me <me@example.com>", {"<a@example.com>", "Bee <b@example.com>", "root"}});
  EXPECT_EQ(envelope.reverse_path, "me@example.com");
  EXPECT_EQ(envelope.forward_paths, (Paths{"a@example.com", "b@example.com", "root"}));
  EXPECT_FALSE(envelope.smtputf8);
}

TEST(FinalizeEnvelope, NoSenderIsTheNullReversePath) {
  EXPECT_EQ(finalize_envelope({std::nullopt, {"a@x"}}).reverse_path, "");
  EXPECT_EQ(finalize_envelope({"", {"a@x"}}).reverse_path, "");
  EXPECT_EQ(finalize_envelope({"<>", {"a@x"}}).reverse_path, "");
}

TEST(FinalizeEnvelope, InternationalDomainsBecomeALabels) {
  const auto envelope =
      finalize_envelope({"me@b\xC3\xBC"
                         "cher.example",
                         {"anna@B\xC3\xBC"
                          "cher.example",
                          "u@[127.0.0.1]", "Bob@Example.COM"}});
  EXPECT_EQ(envelope.reverse_path, "me@xn--bcher-kva.example");
  // ASCII domains keep their case, address literals are left alone.
  EXPECT_EQ(envelope.forward_paths,
            (Paths{"anna@xn--bcher-kva.example", "u@[127.0.0.1]", "Bob@Example.COM"}));
  EXPECT_FALSE(envelope.smtputf8);  // every address is ASCII once in A-labels
}

TEST(FinalizeEnvelope, NonAsciiLocalPartAsksForSmtputf8) {
  EXPECT_TRUE(finalize_envelope({std::nullopt, {"a@x", "j\xC3\xB6rg@x"}}).smtputf8);
  EXPECT_TRUE(finalize_envelope({"j\xC3\xB6rg@x", {"a@x"}}).smtputf8);
}

TEST(FinalizeEnvelope, EachRecipientOnceWhereFirstNamed) {
  const auto envelope = finalize_envelope(
      {std::nullopt,
       {"a@example.com", "anna@xn--bcher-kva.example", "b@example.com", "A@EXAMPLE.com",
        "Anna <anna@b\xC3\xBC"
        "cher.example>"}});
  EXPECT_EQ(envelope.forward_paths,
            (Paths{"a@example.com", "anna@xn--bcher-kva.example", "b@example.com"}));
}

TEST(FinalizeEnvelope, OnlyAsciiLettersFoldWhenComparingRecipients) {
  // Case folds for A-Z only: a non-ASCII local part differing in case is another mailbox
  // (RFC 6531 leaves it to the server), and "<a@x>" written bare or bracketed is the same.
  const auto envelope = finalize_envelope(
      {std::nullopt,
       {"J\xC3\x96rg@x", "j\xC3\xB6rg@x", "J\xC3\x96RG@X", "<a@x>", "A@X", "a@x.", "a@x"}});
  EXPECT_EQ(envelope.forward_paths, (Paths{"J\xC3\x96rg@x", "j\xC3\xB6rg@x", "a@x", "a@x."}));
}

TEST(FinalizeEnvelope, ManyRecipientsKeepTheirOrderAndLoseOnlyRepeats) {
  EnvelopeRequest request;
  Paths expected;
  for (int i = 0; i < 20000; ++i) {
    const std::string address =
        std::string(1, 'r').append(std::to_string(i)).append("@example.com");
    request.recipients.push_back(address);
    expected.push_back(address);
  }
  for (int i = 19999; i >= 0; i -= 3) {
    request.recipients.push_back(
        std::string(1, 'R').append(std::to_string(i)).append("@EXAMPLE.COM"));
  }
  EXPECT_EQ(finalize_envelope(request).forward_paths, expected);
}

// Repeats found by hashing agree with the rule itself, applied pair by pair: random short
// addresses over a few letters in both cases (many repeats and many near misses that share
// a probe sequence), with a non-ASCII letter in the local part that must not fold.
TEST(FinalizeEnvelope, RepeatsAreThoseAPairwiseCompareFinds) {
  const std::vector<std::string> local_letters{"a", "A", "b", "B", "\xC3\xB6", "\xC3\x96"};
  const std::vector<std::string> domain_letters{"x", "X", "y", "Y"};
  std::mt19937 random(22);
  auto word = [&](const std::vector<std::string>& letters, int most) {
    std::string out;
    const int length = std::uniform_int_distribution<int>(1, most)(random);
    for (int i = 0; i < length; ++i) {
      out += letters[std::uniform_int_distribution<std::size_t>(0, letters.size() - 1)(random)];
    }
    return out;
  };
  EnvelopeRequest request;
  Paths expected;
  for (int i = 0; i < 4000; ++i) {
    const std::string address = word(local_letters, 4) + "@" + word(domain_letters, 2);
    request.recipients.push_back(address);
    const bool repeat = std::any_of(expected.begin(), expected.end(), [&](const std::string& kept) {
      return equals_ignore_case(kept, address);
    });
    if (!repeat) expected.push_back(address);
  }
  ASSERT_GT(expected.size(), 500U);
  ASSERT_LT(expected.size(), 3000U);
  EXPECT_EQ(finalize_envelope(request).forward_paths, expected);
}

TEST(FinalizeEnvelope, BadAddressesAreUsageErrors) {
  expect_usage_error({std::nullopt, {""}}, "empty recipient address");
  expect_usage_error({std::nullopt, {"<>"}}, "empty recipient address");
  expect_usage_error({std::nullopt, {"<a@x"}});
  expect_usage_error({"a\r\nRSET", {"b@x"}});
  expect_usage_error({std::nullopt, {"a@bad\xFF.example"}}, "cannot convert the domain");
}

TEST(FinalizeEnvelope, ParametersWrittenAfterAddressesAreKeptApart) {
  const auto envelope =
      finalize_envelope({"<me@example.com> RET=HDRS ENVID=X",
                         {"<a@example.com> NOTIFY=SUCCESS,FAILURE", "b@example.com NOTIFY=NEVER",
                          "c@example.com", "A@EXAMPLE.COM NOTIFY=DELAY"}});
  EXPECT_EQ(envelope.reverse_path, "me@example.com");
  EXPECT_EQ(envelope.forward_paths, (Paths{"a@example.com", "b@example.com", "c@example.com"}));
  EXPECT_EQ(envelope.parameters.reverse_path, "RET=HDRS ENVID=X");
  // A recipient named twice keeps what was written where it was first named.
  EXPECT_EQ(envelope.parameters.of("a@example.com"), "NOTIFY=SUCCESS,FAILURE");
  EXPECT_EQ(envelope.parameters.of("b@example.com"), "NOTIFY=NEVER");
  EXPECT_EQ(envelope.parameters.of("c@example.com"), "");
  EXPECT_EQ(envelope.parameters.forward_paths.size(), 2U);
}

TEST(FinalizeEnvelope, RefusesControlCharactersInParameters) {
  expect_usage_error({"me@example.com", {"<a@example.com> NOTIFY=NEVER\r\nDATA"}}, "line break");
  expect_usage_error({"<me@example.com> RET=\x1b", {"a@example.com"}}, "control character");
}

}  // namespace
}  // namespace smtpc
