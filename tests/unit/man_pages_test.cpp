// smtpc(1) and smtpc.conf(5) are generated from the option table and the account keys:
// every option the parser acts on and every key the account reader accepts is on its page.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "command_line.hpp"
#include "config.hpp"
#include "config_keys.hpp"
#include "option_docs.hpp"
#include "option_table.hpp"

namespace smtpc::cli {
namespace {

// A value the account reader accepts for `key`.
std::string good_value(const ConfigKey& key) {
  switch (key.value) {
    case KeyValue::YesNo:
    case KeyValue::YesNoOptional:
      return "yes";
    case KeyValue::AbsolutePath:
      return "/etc/smtpc/file";
    case KeyValue::Domain:
      return "example.com";
    case KeyValue::Text:
      break;
  }
  return "value";
}

// The names after ".TP\n.B " in `section` of a page, roff's minus signs read back.
std::set<std::string> tagged_names(const std::string& page, const std::string& section) {
  const auto start = page.find(".SH " + section + "\n");
  const auto end = page.find("\n.SH ", start + 1);
  const std::string text = page.substr(start, end - start);
  std::set<std::string> names;
  const std::regex tag(R"(\.TP\n\.B ([^\n]+)\n)");
  for (std::sregex_iterator it(text.begin(), text.end(), tag), stop; it != stop; ++it) {
    names.insert(std::regex_replace((*it)[1].str(), std::regex(R"(\\-)"), "-"));
  }
  return names;
}

TEST(ManPages, SmtpcOneListsEveryOptionTheParserActsOn) {
  const std::string page = render_man(describe_options(), "1", "2026-01-01");
  for (const auto& option : option_table()) {
    if (option.support != Support::Implemented && option.support != Support::Extension) continue;
    const std::string tag = "\\fB" + roff("--" + std::string(option.long_name)) + "\\fR";
    EXPECT_NE(page.find(tag), std::string::npos) << option.long_name;
  }
}

TEST(ManPages, SmtpcConfFiveListsEveryKeyTheAccountReaderAcceptsAndNoOther) {
  const std::string page = render_config_man("1", "2026-01-01");
  const std::set<std::string> listed = tagged_names(page, "KEYS");
  std::set<std::string> accepted;
  for (const ConfigKey& key : config_keys()) {
    const std::string name(key.name);
    const std::string file = "[a]\n" + name + " = " + good_value(key) + "\n";
    EXPECT_NO_THROW((void)parse_config(file, "test")) << name;
    accepted.insert(name);
  }
  EXPECT_EQ(listed, accepted);
  EXPECT_GT(accepted.size(), 25U);
  // Keys that were missing from the hand-written page.
  for (const char* key : {"dkim-key", "dkim-selector", "dkim-domain", "allow-plaintext-auth"}) {
    EXPECT_TRUE(listed.contains(key)) << key;
  }
}

TEST(ManPages, EachKeyThatStandsForAnOptionNamesOneTheParserKnows) {
  for (const ConfigKey& key : config_keys()) {
    if (key.option.empty()) continue;
    const OptionDef* option = find_long_option(key.option);
    ASSERT_NE(option, nullptr) << key.name;
    EXPECT_EQ(option->long_name, key.option) << key.name;
  }
}

TEST(ManPages, AnUnknownKeyIsRefusedByTheReader) {
  EXPECT_THROW((void)parse_config("[a]\nconfig = /x\n", "test"), Error);
}

TEST(ManPages, SmtpcConfFiveDescribesAccountsWithAccountFileNotConfig) {
  const std::string page = render_config_man("1", "2026-01-01");
  EXPECT_NE(page.find(".B \\-\\-account\\-file\n\\fIFILE\\fR"), std::string::npos);
  // --config is curl's -K: named once, to say it is another file.
  EXPECT_NE(page.find("This is not the file of curl's\n.B \\-K\n(\\fB\\-\\-config\\fR)"),
            std::string::npos);
  EXPECT_EQ(page.find("\\-\\-config\\fR \\fIFILE"), std::string::npos);
  EXPECT_EQ(page.find("\\-\\-config \\fIFILE"), std::string::npos);
}

}  // namespace
}  // namespace smtpc::cli
