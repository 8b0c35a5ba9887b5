// -F messages: curl 7.88's part header fields, encoders and multipart layout, byte for byte
// (the expected texts are what curl sent for the same -F arguments, boundaries replaced).
#include "smtpc/compose/form.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

constexpr std::string_view kBase = "------------------------BOUNDARY";

std::string read_all(MessageSource& source, std::size_t chunk = 1000) {
  std::string out;
  std::vector<char> buffer(chunk);
  while (const std::size_t n = source.read(buffer)) out.append(buffer.data(), n);
  return out;
}

std::string build(const FormMessage& message, std::size_t chunk = 1000) {
  const auto source = form_message(message, kBase);
  return read_all(*source, chunk);
}

std::string encode(FormEncoder encoder, std::string_view input, std::size_t piece = 0) {
  FormEncoderStream stream(encoder, "test");
  std::string out;
  if (piece == 0) {
    stream.feed(input, out);
  } else {
    for (std::size_t i = 0; i < input.size(); i += piece) stream.feed(input.substr(i, piece), out);
  }
  stream.finish(out);
  return out;
}

FormPart data(std::string text) {
  FormPart part;
  part.data = std::move(text);
  return part;
}

FormPart file(std::string path, std::optional<std::string> filename = std::nullopt) {
  FormPart part;
  part.kind = FormPart::Kind::File;
  part.data = std::move(path);
  part.filename = std::move(filename);
  return part;
}

FormPart multipart() {
  FormPart part;
  part.kind = FormPart::Kind::Multipart;
  return part;
}

class TempFile {
 public:
  TempFile(const std::string& name, std::string_view content)
      : path_((std::filesystem::temp_directory_path() / name).string()) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(FormBase64, LinesOf76WithNoCrlfAfterTheLast) {
  EXPECT_EQ(encode(FormEncoder::Base64, std::string(57, '\0')), std::string(76, 'A'));
  EXPECT_EQ(encode(FormEncoder::Base64, std::string(58, '\0')), std::string(76, 'A') + "\r\nAA==");
  EXPECT_EQ(encode(FormEncoder::Base64, ""), "");
  EXPECT_EQ(encode(FormEncoder::Base64, "hi"), "aGk=");
  std::string bytes;
  for (int i = 0; i < 100; ++i) bytes += static_cast<char>(i);
  const std::string expected =
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
      "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==";
  EXPECT_EQ(encode(FormEncoder::Base64, bytes), expected);
  for (std::size_t piece = 1; piece < 8; ++piece) {
    EXPECT_EQ(encode(FormEncoder::Base64, bytes, piece), expected) << piece;
  }
}

// curl 7.88: -F '=<qp.txt;encoder=quoted-printable' with this file.
TEST(FormQuotedPrintable, MatchesCurlsSoftBreaksAndEscapes) {
  std::string cafe;
  for (int i = 0; i < 20; ++i) cafe += "caf\xC3\xA9 ";
  const std::string input = std::string(80, 'A') + "\r\n" + cafe + " \r\n" + std::string(75, 'x') +
                            "\r\n" + std::string(74, 'y') + "=\r\n" + std::string(76, 'z') +
                            "tab\t\r\nbare\nlf\rcr end ";
  const std::string expected =
      std::string(75, 'A') +
      "=\r\n"
      "AAAAA\r\n"
      "caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=\r\n"
      "=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=\r\n"
      "=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 caf=C3=A9 =20\r\n" +
      std::string(75, 'x') + "\r\n" + std::string(74, 'y') + "=\r\n=3D\r\n" + std::string(75, 'z') +
      "=\r\nztab=09\r\nbare=0Alf=0Dcr end=20";
  EXPECT_EQ(encode(FormEncoder::QuotedPrintable, input), expected);
  for (std::size_t piece = 1; piece < 6; ++piece) {
    EXPECT_EQ(encode(FormEncoder::QuotedPrintable, input, piece), expected) << piece;
  }
}

TEST(FormQuotedPrintable, ALineOf76IsKeptBeforeCrlfOrTheEnd) {
  EXPECT_EQ(encode(FormEncoder::QuotedPrintable, std::string(76, 'a')), std::string(76, 'a'));
  EXPECT_EQ(encode(FormEncoder::QuotedPrintable, std::string(76, 'a') + "\r\n"),
            std::string(76, 'a') + "\r\n");
  EXPECT_EQ(encode(FormEncoder::QuotedPrintable, std::string(77, 'a')),
            std::string(75, 'a') + "=\r\naa");
}

TEST(FormSevenBit, RefusesEightBitBytesAsCurlDoes) {
  EXPECT_EQ(encode(FormEncoder::SevenBit, std::string("a\0b\x01\r\x7F\n", 7)),
            std::string("a\0b\x01\r\x7F\n", 7));
  testing::expect_error(
      ExitCode::ReadError, [] { (void)encode(FormEncoder::SevenBit, "h\xC3\xA9"); }, "7bit");
}

TEST(FormHeader, CurlsFieldsForEachKindOfPart) {
  EXPECT_EQ(form_part_header(data("hello"), {}, false), "");
  FormPart qp = data("x");
  qp.encoder = FormEncoder::QuotedPrintable;
  EXPECT_EQ(form_part_header(qp, {}, false), "Content-Transfer-Encoding: quoted-printable\r\n");
  FormPart html = data("x");
  html.type = "text/html";
  EXPECT_EQ(form_part_header(html, {}, false),
            "Content-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n");
  // @b.txt: text/plain from the name is dropped for mail.
  FormPart txt = file("dir/b.txt", "b.txt");
  EXPECT_EQ(form_part_header(txt, {}, false),
            "Content-Disposition: attachment; filename=\"b.txt\"\r\n");
  FormPart bin = file("rnd.bin", "rnd.bin");
  bin.encoder = FormEncoder::Base64;
  EXPECT_EQ(form_part_header(bin, {}, false),
            "Content-Disposition: attachment; filename=\"rnd.bin\"\r\n"
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n");
  // <c.pdf: the type from the path, no file name, no disposition.
  FormPart pdf = file("c.pdf");
  EXPECT_EQ(form_part_header(pdf, {}, false),
            "Content-Type: application/pdf\r\nContent-Transfer-Encoding: 8bit\r\n");
  FormPart named = data("hello");
  named.name = "nm";
  EXPECT_EQ(form_part_header(named, {}, false), "Content-Disposition: attachment; name=\"nm\"\r\n");
  FormPart quoted = file("b.txt", "x\"y\\z.txt");
  quoted.name = "f";
  EXPECT_EQ(form_part_header(quoted, {}, false),
            "Content-Disposition: attachment; name=\"f\"; filename=\"x\\\"y\\\\z.txt\"\r\n");
  FormPart alt = multipart();
  alt.type = "multipart/alternative";
  EXPECT_EQ(form_part_header(alt, "B", false),
            "Content-Type: multipart/alternative; boundary=B\r\n");
}

TEST(FormHeader, PartHeadersReplaceCurlsAndContentTypeMovesUp) {
  FormPart typed = data("hi");
  typed.headers = {"X-One: 1", "Content-Type: text/x-h"};
  EXPECT_EQ(form_part_header(typed, {}, false),
            "Content-Type: text/x-h\r\nContent-Transfer-Encoding: 8bit\r\nX-One: 1\r\n");
  FormPart own = data("hi");
  own.encoder = FormEncoder::Base64;
  own.headers = {"Content-Disposition: inline", "Content-Transfer-Encoding: 7bit"};
  EXPECT_EQ(form_part_header(own, {}, false),
            "Content-Disposition: inline\r\nContent-Transfer-Encoding: 7bit\r\n");
}

TEST(FormMessage, AlternativeTextAndHtmlThenAnAttachment) {
  std::string bytes;
  for (int i = 0; i < 100; ++i) bytes += static_cast<char>(i);
  const TempFile temp("smtpc-form-test.bin", bytes);
  FormMessage message;
  message.headers = {"Subject: x", "From: a@x.org", "To: b@y.org"};
  FormPart alternative = multipart();
  alternative.type = "multipart/alternative";
  FormPart plain = data("This is plain");
  plain.encoder = FormEncoder::QuotedPrintable;
  FormPart html = data("hello\r\n<b>x</b>\r\n");
  html.type = "text/html";
  alternative.parts = {plain, html};
  FormPart attachment = file(temp.path(), "smtpc-form-test.bin");
  attachment.encoder = FormEncoder::Base64;
  message.parts = {alternative, attachment};
  const std::string expected =
      "Content-Type: multipart/mixed; boundary=------------------------BOUNDARY0000\r\n"
      "Mime-Version: 1.0\r\n"
      "Subject: x\r\n"
      "From: a@x.org\r\n"
      "To: b@y.org\r\n"
      "\r\n"
      "--------------------------BOUNDARY0000\r\n"
      "Content-Type: multipart/alternative; boundary=------------------------BOUNDARY0001\r\n"
      "\r\n"
      "--------------------------BOUNDARY0001\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "This is plain\r\n"
      "--------------------------BOUNDARY0001\r\n"
      "Content-Type: text/html\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "hello\r\n<b>x</b>\r\n\r\n"
      "--------------------------BOUNDARY0001--\r\n"
      "\r\n"
      "--------------------------BOUNDARY0000\r\n"
      "Content-Disposition: attachment; filename=\"smtpc-form-test.bin\"\r\n"
      "Content-Type: application/octet-stream\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
      "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==\r\n"
      "--------------------------BOUNDARY0000--\r\n";
  EXPECT_EQ(build(message), expected);
  EXPECT_EQ(build(message, 3), expected);
  const MessageOrigin origin = form_origin(message, std::string(kBase));
  EXPECT_EQ(read_all(*origin.open()), expected);
  EXPECT_EQ(read_all(*origin.open()), expected);  // every reading the same
}

TEST(FormMessage, EmptyMultipartsAndTopLevelContentType) {
  FormMessage message;
  message.headers = {"Content-Type: multipart/related", "MIME-Version: 2.0", "X-Semi;"};
  FormPart empty = multipart();
  message.parts = {empty, data("a")};
  EXPECT_EQ(build(message),
            "Content-Type: multipart/related; boundary=------------------------BOUNDARY0000\r\n"
            "MIME-Version: 2.0\r\n"
            "X-Semi;\r\n"
            "\r\n"
            "--------------------------BOUNDARY0000\r\n"
            "Content-Type: multipart/mixed; boundary=------------------------BOUNDARY0001\r\n"
            "\r\n"
            "--------------------------BOUNDARY0001--\r\n"
            "\r\n"
            "--------------------------BOUNDARY0000\r\n"
            "\r\n"
            "a\r\n"
            "--------------------------BOUNDARY0000--\r\n");
  EXPECT_EQ(build(FormMessage{}),
            "Content-Type: multipart/mixed; boundary=------------------------BOUNDARY0000\r\n"
            "Mime-Version: 1.0\r\n\r\n--------------------------BOUNDARY0000--\r\n");
}

TEST(FormMessage, FormDataSubpartsGetFormDataDisposition) {
  FormMessage message;
  FormPart form = multipart();
  form.type = "multipart/form-data";
  form.parts = {data("v")};
  message.parts = {form};
  EXPECT_NE(build(message).find("\r\nContent-Disposition: form-data\r\n\r\nv\r\n"),
            std::string::npos);
}

TEST(FormOrigin, SecurityRefusesMissingFilesDirectoriesAndLineBreaks) {
  FormMessage missing;
  missing.parts = {file("/nonexistent/file")};
  testing::expect_error(
      ExitCode::ReadError, [&] { (void)form_origin(missing, "b"); }, "/nonexistent/file");
  FormMessage directory;
  directory.parts = {file("/tmp")};
  testing::expect_error(
      ExitCode::ReadError, [&] { (void)form_origin(directory, "b"); }, "directory");
  FormMessage injected;
  injected.headers = {"Subject: x\r\nBcc: evil@example.com"};
  testing::expect_error(
      ExitCode::FailedInit, [&] { (void)form_origin(injected, "b"); }, "-H");
  FormMessage bad_name;
  FormPart part = data("x");
  part.filename = "a\nb";
  bad_name.parts = {part};
  testing::expect_error(ExitCode::FailedInit, [&] { (void)form_origin(bad_name, "b"); });
}

TEST(FormOrigin, SevenBitFileWithEightBitDataFailsWhenRead) {
  const TempFile temp("smtpc-form-7bit.txt", "caf\xC3\xA9");
  FormMessage message;
  FormPart part = file(temp.path());
  part.encoder = FormEncoder::SevenBit;
  message.parts = {part};
  const MessageOrigin origin = form_origin(message, "b");
  testing::expect_error(
      ExitCode::ReadError, [&] { (void)read_all(*origin.open()); }, "7bit");
}

TEST(FormNames, TypesAndFileNamesAsCurlTakesThem) {
  EXPECT_EQ(form_type_for_name("a.PDF"), "application/pdf");
  EXPECT_EQ(form_type_for_name("x.jpeg"), "image/jpeg");
  EXPECT_EQ(form_type_for_name("x.bin"), std::nullopt);
  EXPECT_EQ(form_file_name("dir/sub/file.txt"), "file.txt");
  EXPECT_EQ(form_file_name("dir/"), "dir");
  EXPECT_EQ(form_file_name("/"), "/");
  EXPECT_EQ(form_file_name("plain"), "plain");
  EXPECT_EQ(parse_form_encoder("BASE64"), FormEncoder::Base64);
  EXPECT_EQ(parse_form_encoder("foo"), std::nullopt);
}

}  // namespace
}  // namespace smtpc
