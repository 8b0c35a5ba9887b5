// curl 8.3's --variable and --expand-OPTION, with curl's tests 448-455 as the reference.
#include "variables.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "command_line.hpp"
#include "parse_args.hpp"

namespace smtpc::cli {
namespace {

using testing::parse_args;

std::string expanded(const Variables& variables, std::string_view text) {
  std::vector<std::string> warnings;
  return variables.expand(text, warnings).value_or("(unchanged)");
}

Variables with(std::initializer_list<std::string_view> specs) {
  Variables variables;
  std::vector<std::string> warnings;
  for (const auto spec : specs) variables.set(spec, warnings);
  return variables;
}

TEST(Variables, ExpandIntoAnOptionsValue) {
  const auto o = parse_args({"--variable", "host=mx.example", "--expand-url",
                             "smtp://{{host}}:2525/{{host}}", "--mail-rcpt", "a@b"});
  EXPECT_EQ(o.url, "smtp://mx.example:2525/mx.example");
}

TEST(Variables, WithoutExpandTheBracesStay) {
  const auto o = parse_args({"--variable", "host=mx.example", "smtp://{{host}}/"});
  EXPECT_EQ(o.url, "smtp://{{host}}/");
}

// curl's test 451: a file with a NUL byte, encoded by json and url; an unset name is
// empty; the last --variable of a name wins.
TEST(Variables, CurlTest451FunctionsAndLastWins) {
  const std::string path = ::testing::TempDir() + "/variables_junk";
  std::ofstream(path, std::ios::binary) << std::string("\x01\x02\x03\x00\x04\x05\x06\n", 8);
  const auto variables = with({"what@" + path, "second=hello", "second=again"});
  EXPECT_EQ(expanded(variables, "--{{what:trim:json}}22{{none}}--{{second}}{{what:trim:url}}"),
            "--\\u0001\\u0002\\u0003\\u0000\\u0004\\u0005\\u000622--again%01%02%03%00%04%05%06");
}

TEST(Variables, CurlTest455Base64) {
  EXPECT_EQ(expanded(with({"moby=Call me Ishmael"}), "/{{moby:b64}}/"), "/Q2FsbCBtZSBJc2htYWVs/");
}

TEST(Variables, TrimJsonAndUrl) {
  const auto variables = with({"v= \t\"a b\"/\\ \r\n"});
  EXPECT_EQ(expanded(variables, "{{v:trim}}"), "\"a b\"/\\");
  EXPECT_EQ(expanded(variables, "{{v:trim:json}}"), "\\\"a b\\\"/\\\\");
  EXPECT_EQ(expanded(variables, "{{v:trim:url}}"), "%22a%20b%22%2F%5C");
  EXPECT_EQ(expanded(with({"u=a-b.c_d~e"}), "{{u:url}}"), "a-b.c_d~e");
}

// curl's tests 452 and 454: an unknown function, or functions separated by ',' -> exit 2.
TEST(Variables, UnknownFunctionIsUsageError) {
  for (const char* text : {"--{{what:nope}}", "--{{what:trim,url}}"}) {
    try {
      (void)parse_args({"--variable", "what=hello", "--expand-url", text});
      ADD_FAILURE() << text;
    } catch (const UsageError& error) {
      EXPECT_EQ(error.code(), ExitCode::FailedInit);
      EXPECT_NE(std::string(error.what()).find("unknown variable function"), std::string::npos);
    }
  }
}

// curl's test 453: a NUL byte that no function encoded cannot go into an option.
TEST(Variables, NulByteInTheResultIsUsageError) {
  const std::string path = ::testing::TempDir() + "/variables_nul";
  std::ofstream(path, std::ios::binary) << std::string("a\0b", 3);
  const auto variables = with({"v@" + path});
  std::vector<std::string> warnings;
  EXPECT_THROW((void)variables.expand("{{v}}", warnings), UsageError);
  EXPECT_EQ(expanded(variables, "{{v:url}}"), "a%00b");
}

TEST(Variables, EnvironmentImportWithAndWithoutDefault) {
  ::setenv("SMTPC_TEST_VARIABLE", "from-env", 1);
  ::unsetenv("SMTPC_TEST_UNSET");
  EXPECT_EQ(expanded(with({"%SMTPC_TEST_VARIABLE"}), "{{SMTPC_TEST_VARIABLE}}"), "from-env");
  EXPECT_EQ(expanded(with({"%SMTPC_TEST_VARIABLE=default"}), "{{SMTPC_TEST_VARIABLE}}"),
            "from-env");
  EXPECT_EQ(expanded(with({"%SMTPC_TEST_UNSET=default"}), "{{SMTPC_TEST_UNSET}}"), "default");
  try {
    (void)parse_args({"--variable", "%SMTPC_TEST_UNSET", "smtp://h"});
    ADD_FAILURE() << "an unset variable was imported";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(), "Variable 'SMTPC_TEST_UNSET' import fail, not set");
  }
  ::unsetenv("SMTPC_TEST_VARIABLE");
}

TEST(Variables, EscapedBracesAndBadNames) {
  const auto variables = with({"x=Y"});
  EXPECT_EQ(expanded(variables, "\\{{x}} {{x}}"), "{{x}} Y");
  EXPECT_EQ(expanded(variables, "\\{{x}}"), "(unchanged)");  // nothing replaced: as given
  std::vector<std::string> warnings;
  EXPECT_EQ(variables.expand("{{x-y}} {{x}}", warnings), std::optional<std::string>("{{x-y}} Y"));
  EXPECT_EQ(warnings.at(0), "bad variable name: x-y");
  warnings.clear();
  EXPECT_EQ(variables.expand("{{x}} {{x", warnings), std::optional<std::string>("Y {{x"));
  EXPECT_EQ(warnings.at(0), "missing close '}}' in '{{x}} {{x'");
}

TEST(Variables, BadSpecsAreSkippedWithAWarning) {
  Variables variables;
  std::vector<std::string> warnings;
  variables.set("=novalue", warnings);
  variables.set("name", warnings);
  EXPECT_EQ(warnings, (std::vector<std::string>{"Bad variable name length (0), skipping",
                                                "Bad --variable syntax, skipping: name"}));
}

TEST(Variables, ExpandVariableAndGlobalAcrossNext) {
  const CommandLine line = parse_command_line(std::vector<std::string>{
      "--variable", "name=mx", "--expand-variable", "host={{name}}.example", "smtp://a", "--next",
      "--expand-url", "smtp://{{host}}"});
  ASSERT_EQ(line.operations.size(), 2U);
  EXPECT_EQ(line.operations[1].urls.at(0), "smtp://mx.example");
}

}  // namespace
}  // namespace smtpc::cli
