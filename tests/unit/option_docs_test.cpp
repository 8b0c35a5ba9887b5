// The generated --help all and smtpc(1): a switch is described by what its own (positive)
// name does, as curl's man page describes it; its --no- form is the exception noted after.
#include "option_docs.hpp"

#include <gtest/gtest.h>

#include <array>
#include <regex>
#include <string>
#include <vector>

#include "option_table.hpp"

namespace smtpc::cli {
namespace {

// "Disable TCP keepalive" under --keepalive says what --no-keepalive does.
bool starts_negative(const std::string& text) {
  static constexpr std::array<std::string_view, 6> kNegative{"Disable",  "Do not", "Don't",
                                                             "Turn off", "Never",  "Prevent"};
  for (const auto verb : kNegative) {
    if (text.starts_with(verb)) return true;
  }
  return false;
}

// A switch whose own name is negative ("--disable", "--no-...") may say so.
bool negative_name(const std::string& name) {
  return name.starts_with("--no-") || name.starts_with("--disable");
}

// (name, help) for each switch (no value) line of the text, found by `line_pattern`.
std::vector<std::pair<std::string, std::string>> switches(const std::string& text,
                                                          const std::regex& line_pattern) {
  std::vector<std::pair<std::string, std::string>> found;
  for (std::sregex_iterator it(text.begin(), text.end(), line_pattern), end; it != end; ++it) {
    found.emplace_back((*it)[1].str(), (*it)[2].str());
  }
  return found;
}

void expect_positive_descriptions(const std::vector<std::pair<std::string, std::string>>& lines) {
  ASSERT_GT(lines.size(), 20U);  // the pattern found the switches
  for (const auto& [name, help] : lines) {
    if (negative_name(name)) continue;
    EXPECT_FALSE(starts_negative(help)) << name << " is described by its --no- form: " << help;
  }
}

TEST(OptionDocs, HelpAllDescribesEachSwitchByItsOwnName) {
  const auto text = render_help(describe_options(), "all", "smtpc");
  // " -v, --verbose                  Make the operation more talkative"
  const std::regex line(R"(\n (?:-\w, |    )(--[a-z0-9-]+) +([^\n]+))");
  expect_positive_descriptions(switches(text, line));
}

TEST(OptionDocs, ManPageDescribesEachSwitchByItsOwnName) {
  const auto text = render_man(describe_options(), "1", "2026-01-01");
  // ".TP\n\fB\-\-keepalive\fR\nUse TCP keepalive ..."
  const std::regex line(R"(\.TP\n(?:\\fB\\-\w\\fR, )?\\fB(\\-\\-[a-z0-9\\-]+)\\fR\n([^\n]+))");
  auto lines = switches(text, line);
  for (auto& [name, help] : lines) name = std::regex_replace(name, std::regex(R"(\\-)"), "-");
  expect_positive_descriptions(lines);
}

TEST(OptionDocs, TheThreeOnByDefaultSwitchesSayWhatTheyTurnOn) {
  const auto text = render_help(describe_options(), "all", "smtpc");
  EXPECT_NE(text.find("--keepalive                Use TCP keepalive"), std::string::npos);
  EXPECT_NE(text.find("--clobber                  Overwrite"), std::string::npos);
  EXPECT_NE(text.find("--progress-meter           Show the progress meter"), std::string::npos);
}

}  // namespace
}  // namespace smtpc::cli
