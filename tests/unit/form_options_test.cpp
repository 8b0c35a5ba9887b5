// -F/--form-string parsing as curl 7.88's tool_formparse.c parses it.
#include "form_options.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

struct Parsed {
  std::vector<FormPart> parts;
  std::vector<std::string> warnings;
};

Parsed parse(const std::vector<FormArgument>& arguments,
             std::map<std::string, std::string> files = {}) {
  Parsed out;
  out.parts =
      parse_form(arguments, out.warnings,
                 [&](const std::string& path, std::string& error) -> std::optional<std::string> {
                   const auto found = files.find(path);
                   if (found == files.end()) {
                     error = "No such file or directory";
                     return std::nullopt;
                   }
                   return found->second;
                 });
  return out;
}

Parsed parse(std::initializer_list<const char*> forms) {
  std::vector<FormArgument> arguments;
  for (const char* form : forms) arguments.push_back({form, false});
  return parse(arguments);
}

TEST(FormParse, CurlsDocumentedExample) {
  const Parsed p =
      parse({"=(;type=multipart/alternative", "=This is plain;encoder=quoted-printable",
             "=<body.html;type=text/html", "=)", "=@dir/file.pdf;encoder=base64"});
  EXPECT_TRUE(p.warnings.empty());
  ASSERT_EQ(p.parts.size(), 2U);
  const FormPart& alt = p.parts[0];
  EXPECT_EQ(alt.kind, FormPart::Kind::Multipart);
  EXPECT_EQ(alt.type, "multipart/alternative");
  EXPECT_FALSE(alt.name);
  ASSERT_EQ(alt.parts.size(), 2U);
  EXPECT_EQ(alt.parts[0].kind, FormPart::Kind::Data);
  EXPECT_EQ(alt.parts[0].data, "This is plain");
  EXPECT_EQ(alt.parts[0].encoder, FormEncoder::QuotedPrintable);
  EXPECT_EQ(alt.parts[1].kind, FormPart::Kind::File);
  EXPECT_EQ(alt.parts[1].data, "body.html");
  EXPECT_FALSE(alt.parts[1].filename);  // "<" parts have no file name
  EXPECT_EQ(alt.parts[1].type, "text/html");
  const FormPart& file = p.parts[1];
  EXPECT_EQ(file.kind, FormPart::Kind::File);
  EXPECT_EQ(file.data, "dir/file.pdf");
  EXPECT_EQ(file.filename, "file.pdf");
  EXPECT_EQ(file.encoder, FormEncoder::Base64);
}

TEST(FormParse, QuotedValuesTypeParametersAndBlanks) {
  const Parsed p = parse({R"(="a;b\"c" ;type= text/html ; charset=x ;filename="q;\\f.txt")",
                          "=  spaced  ;encoder= base64 ", "=x;type=text/plain;"});
  ASSERT_EQ(p.parts.size(), 3U);
  EXPECT_EQ(p.parts[0].data, "a;b\"c");
  EXPECT_EQ(p.parts[0].type, "text/html ; charset=x");
  EXPECT_EQ(p.parts[0].filename, "q;\\f.txt");
  EXPECT_EQ(p.parts[1].data, "spaced");
  EXPECT_EQ(p.parts[1].encoder, FormEncoder::Base64);
  EXPECT_EQ(p.parts[2].type, "text/plain;");  // curl keeps the ';' it saw
}

TEST(FormParse, HeadersInlineAndFromAFile) {
  const Parsed p = parse({{R"(=hello;headers=X-One: 1;headers="X-Two: a;b")", false},
                          {"=@b.txt;headers=@hdrs.txt;type=text/x-foo", false}},
                         {{"hdrs.txt", "X-A: 1\n  cont\n# comment\nX-B: two  \r\n\n"}});
  ASSERT_EQ(p.parts.size(), 2U);
  EXPECT_EQ(p.parts[0].headers, (std::vector<std::string>{"X-One: 1", "X-Two: a;b"}));
  EXPECT_EQ(p.parts[1].headers, (std::vector<std::string>{"X-A: 1  cont", "X-B: two"}));
  EXPECT_EQ(p.parts[1].type, "text/x-foo");
}

TEST(FormParse, FormStringIsLiteral) {
  const Parsed p =
      parse({{"=@b.txt;type=text/html", true}, {"n=<x", true}, {"=(", true}, {"=)", true}});
  ASSERT_EQ(p.parts.size(), 4U);
  EXPECT_EQ(p.parts[0].kind, FormPart::Kind::Data);
  EXPECT_EQ(p.parts[0].data, "@b.txt;type=text/html");
  EXPECT_EQ(p.parts[1].name, "n");
  EXPECT_EQ(p.parts[1].data, "<x");
  EXPECT_EQ(p.parts[2].data, "(");
  EXPECT_EQ(p.parts[3].data, ")");
}

TEST(FormParse, SeveralFilesMakeAMultipartNamedAsAWhole) {
  const Parsed p = parse({"f=@b.txt,c.pdf;type=application/x-y", "=@-"});
  ASSERT_EQ(p.parts.size(), 2U);
  const FormPart& group = p.parts[0];
  EXPECT_EQ(group.kind, FormPart::Kind::Multipart);
  EXPECT_EQ(group.name, "f");
  ASSERT_EQ(group.parts.size(), 2U);
  EXPECT_EQ(group.parts[0].filename, "b.txt");
  EXPECT_FALSE(group.parts[0].type);
  EXPECT_EQ(group.parts[1].type, "application/x-y");
  EXPECT_EQ(p.parts[1].kind, FormPart::Kind::StandardInput);
  EXPECT_EQ(p.parts[1].filename, "-");
}

TEST(FormParse, NestingAndUnclosedMultiparts) {
  const Parsed p = parse({"=(;type=multipart/alternative", "=(", "=)", "=a"});
  ASSERT_EQ(p.parts.size(), 1U);
  ASSERT_EQ(p.parts[0].parts.size(), 2U);
  EXPECT_EQ(p.parts[0].parts[0].kind, FormPart::Kind::Multipart);
  EXPECT_EQ(p.parts[0].parts[1].data, "a");
}

TEST(FormParse, WarningsInCurlsWords) {
  const Parsed p = parse({"=x;foo=bar", "=<b.txt;filename=z.txt", R"(="a"b;type=text/x)",
                          "=x;headers=@nonexist", "=(;encoder=base64"});
  EXPECT_EQ(p.warnings, (std::vector<std::string>{
                            "skip unknown form field: foo=bar",
                            "Field file name not allowed here: z.txt",
                            "Trailing data after quoted form parameter",
                            "Cannot read from nonexist: No such file or directory",
                            "Field encoder not allowed here: base64",
                        }));
  EXPECT_FALSE(p.parts[1].filename);
}

TEST(FormParse, ErrorsWithCurlsExitCodes) {
  testing::expect_error(
      ExitCode::FailedInit, [] { (void)parse({"abc"}); }, "badly used");
  testing::expect_error(
      ExitCode::FailedInit, [] { (void)parse({"=)"}); }, "no multipart");
  testing::expect_error(
      ExitCode::FailedInit, [] { (void)parse({"=x;type=texthtml"}); }, "content-type");
  testing::expect_error(
      ExitCode::BadFunctionArgument, [] { (void)parse({"=x;encoder=foo"}); }, "foo");
}

TEST(FormParse, HeaderFileFieldsAreCutAt998) {
  std::vector<std::string> warnings;
  const auto lines = parse_header_file("X: " + std::string(2000, 'a') + "\n", "h", warnings);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].size(), 998U);
  EXPECT_EQ(warnings, (std::vector<std::string>{"File h line 1: header too long (truncated)"}));
}

}  // namespace
}  // namespace smtpc::cli
