// Address lists: the RFC 5322 appendix A examples, obsolete forms and errors.
#include "smtpc/compose/address_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

std::vector<std::string> addresses(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& mailbox : parse_address_list(text)) out.push_back(mailbox.address);
  return out;
}

using Addresses = std::vector<std::string>;

TEST(AddressList, AppendixA11Simple) {
  const auto list = parse_address_list("John Doe <jdoe@machine.example>");
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].display_name, "John Doe");
  EXPECT_EQ(list[0].address, "jdoe@machine.example");
}

TEST(AddressList, AppendixA12QuotedDisplayNames) {
  const auto to = parse_address_list("\"Mary Smith: Personal Account\" <smith@home.example>");
  ASSERT_EQ(to.size(), 1U);
  EXPECT_EQ(to[0].display_name, "Mary Smith: Personal Account");
  EXPECT_EQ(to[0].address, "smith@home.example");
  const auto cc =
      parse_address_list("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>");
  ASSERT_EQ(cc.size(), 2U);
  EXPECT_EQ(cc[0].address, "boss@nil.test");
  EXPECT_EQ(cc[1].display_name, "Giant; \"Big\" Box");
  EXPECT_EQ(cc[1].address, "sysservices@example.net");
  EXPECT_EQ(addresses("\"Joe Q. Public\" <john.q.public@example.com>"),
            Addresses{"john.q.public@example.com"});
}

TEST(AddressList, AppendixA13Groups) {
  const auto to =
      parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;");
  ASSERT_EQ(to.size(), 3U);
  EXPECT_EQ(to[0].address, "c@a.test");
  EXPECT_EQ(to[1].address, "joe@where.test");
  EXPECT_EQ(to[2].address, "jdoe@one.test");
  EXPECT_EQ(to[2].display_name, "John");
  EXPECT_EQ(to[0].group, "A Group");
  EXPECT_TRUE(parse_address_list("Undisclosed recipients:;").empty());
}

TEST(AddressList, AppendixA5WhiteSpaceCommentsAndFolding) {
  EXPECT_EQ(addresses("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
            Addresses{"pete@silly.test"});
  EXPECT_EQ(addresses("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,"
                      "\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); "
                      "(the end of the group)"),
            (Addresses{"c@public.example", "joe@example.org", "jdoe@one.test"}));
  EXPECT_TRUE(parse_address_list("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;")
                  .empty());
}

TEST(AddressList, AppendixA6ObsoleteForms) {
  EXPECT_EQ(addresses("Joe Q. Public <john.q.public@example.com>"),
            Addresses{"john.q.public@example.com"});
  EXPECT_EQ(addresses("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"),
            (Addresses{"mary@example.net", "jdoe@test.example"}));
  EXPECT_EQ(addresses("John Doe <jdoe@machine(comment).  example>"),
            Addresses{"jdoe@machine.example"});
  EXPECT_EQ(addresses("Mary Smith\r\n  \r\n          <mary@example.net>"),
            Addresses{"mary@example.net"});
}

TEST(AddressList, QuotedLocalPartsDomainLiteralsAndBareLocalParts) {
  EXPECT_EQ(addresses("\"john q\"@example.com, x@[192.0.2.1]"),
            (Addresses{"\"john q\"@example.com", "x@[192.0.2.1]"}));
  EXPECT_EQ(addresses("\"plain\"@example.com"), Addresses{"plain@example.com"});
  EXPECT_EQ(addresses("root"), Addresses{"root"});
  EXPECT_EQ(addresses(""), Addresses{});
}

TEST(AddressList, ErrorsAreReported) {
  EXPECT_THROW((void)parse_address_list("\"unterminated <a@b>"), Error);
  EXPECT_THROW((void)parse_address_list("Name <a@b"), Error);
  EXPECT_THROW((void)parse_address_list("(comment"), Error);
  EXPECT_THROW((void)parse_address_list("a@"), Error);
  EXPECT_THROW((void)parse_address_list("a@b c@d"), Error);
}

TEST(AddressList, FormatsWithEncodedNamesAndFolding) {
  std::vector<Mailbox> list{{"J\xC3\xB8rn", "j@example.com", {}}, {"", "b@example.com", {}}};
  EXPECT_EQ(format_address_list(list, 2), "=?UTF-8?B?SsO4cm4=?= <j@example.com>, b@example.com");
  EXPECT_EQ(format_address_list({}, 2), "undisclosed-recipients:;");
  std::vector<Mailbox> many;
  for (int i = 0; i < 10; ++i)
    many.push_back({"", "user" + std::to_string(i) + "@example.com", {}});
  const std::string folded = format_address_list(many, 2);
  EXPECT_NE(folded.find(",\r\n "), std::string::npos);
  std::vector<std::string> back;
  for (const auto& m : parse_address_list(folded)) back.push_back(m.address);
  EXPECT_EQ(back.size(), 10U);
  std::vector<Mailbox> group{{"", "a@x", "Team"}, {"", "b@x", "Team"}, {"", "c@x", {}}};
  EXPECT_EQ(format_address_list(group, 2), "Team: a@x, b@x;, c@x");
}

}  // namespace
}  // namespace smtpc
