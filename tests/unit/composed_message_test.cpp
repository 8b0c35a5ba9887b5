// Composed messages: MIME structure, streamed attachments, edited uploads.
#include "smtpc/compose/composed_message.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "smtpc/compose/mime.hpp"
#include "smtpc/compose/mime_stream.hpp"
#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "string_source.hpp"

namespace smtpc {
namespace {

using testing_support::StringSource;

std::string read_all(MessageSource& source, std::size_t chunk = 1000) {
  std::string out;
  std::vector<char> buffer(chunk);
  while (const std::size_t n = source.read(buffer)) out.append(buffer.data(), n);
  return out;
}

class ComposedMessageTest : public ::testing::Test {
 protected:
  ComposedMessageTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("smtpc-compose-" + std::to_string(::getpid()) + "-" + random_hex(4));
    std::filesystem::create_directories(dir_);
  }
  ~ComposedMessageTest() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& content) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ComposedMessageTest, PlainTextOnlyIsOnePart) {
  MessageDraft draft;
  draft.header_fields = {"From: a@example.com\r\n", "Subject: hi\r\n"};
  draft.text = "hello\nworld";
  const auto message = composed_message(draft, "B");
  EXPECT_EQ(read_all(*message),
            "From: a@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
            "hello\r\nworld\r\n");
}

TEST_F(ComposedMessageTest, NonAsciiTextIsQuotedPrintable) {
  MessageDraft draft;
  draft.text = "caf\xC3\xA9\n";
  const auto message = composed_message(draft, "B");
  const std::string out = read_all(*message);
  EXPECT_NE(out.find("Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9\r\n"),
            std::string::npos)
      << out;
}

TEST_F(ComposedMessageTest, TextAndHtmlWithAttachmentsNestAlternativeInMixed) {
  std::string binary;
  for (int i = 0; i < 256 * 300; ++i) binary += static_cast<char>(i % 256);
  MessageDraft draft;
  draft.text = "plain";
  draft.html = "<p>html</p>";
  draft.attachments = {{file("data.bin", binary), "application/octet-stream", {}},
                       {file("notes.txt", "notes\n"), "text/plain", "r\xC3\xA9sum\xC3\xA9.txt"}};
  const auto message = composed_message(draft, "XYZ");
  const std::string out = read_all(*message, 333);  // small reads: chunking must not matter

  EXPECT_NE(out.find("Content-Type: multipart/mixed;\r\n boundary=\"XYZ\"\r\n\r\n--XYZ\r\n"
                     "Content-Type: multipart/alternative;\r\n boundary=\"XYZ_alt\"\r\n"),
            std::string::npos)
      << out.substr(0, 400);
  EXPECT_NE(out.find("--XYZ_alt\r\nContent-Type: text/plain; charset=utf-8\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("--XYZ_alt\r\nContent-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(out.find("--XYZ_alt--\r\n"), std::string::npos);
  EXPECT_NE(out.find("filename=\"data.bin\""), std::string::npos);
  EXPECT_NE(out.find("filename*=UTF-8''r%C3%A9sum%C3%A9.txt"), std::string::npos);
  EXPECT_TRUE(out.ends_with("\r\n--XYZ--\r\n"));

  // The first attachment's base64 lines decode back to the exact bytes.
  const auto start = out.find("\r\n\r\n", out.find("filename=\"data.bin\"")) + 4;
  const auto end = out.find("\r\n\r\n--XYZ", start);
  std::string joined;
  std::size_t pos = start;
  while (pos < end) {
    const auto eol = out.find("\r\n", pos);
    EXPECT_LE(eol - pos, 76U);
    joined.append(out, pos, eol - pos);
    pos = eol + 2;
  }
  EXPECT_EQ(base64_decode(joined), binary);
  std::size_t line_start = 0;
  while (line_start < out.size()) {
    const auto eol = out.find("\r\n", line_start);
    ASSERT_NE(eol, std::string::npos);
    EXPECT_LE(eol - line_start, 998U);
    line_start = eol + 2;
  }
}

// Attachments are read in pieces of any size; the lines are the same as in one piece.
TEST(Base64LinesEncoder, AnyPiecesGiveTheLinesOfTheWhole) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i * 7 % 256);
  for (const std::size_t piece : {1UL, 2UL, 56UL, 57UL, 58UL, 100UL, 1000UL}) {
    for (const std::size_t size : {0UL, 1UL, 56UL, 57UL, 58UL, 114UL, 1000UL}) {
      const std::string_view input = std::string_view(bytes).substr(0, size);
      Base64LinesEncoder encoder;
      std::string out;
      for (std::size_t i = 0; i < input.size(); i += piece)
        encoder.feed(input.substr(i, piece), out);
      encoder.finish(out);
      EXPECT_EQ(out, mime::base64_lines(input)) << piece << " " << size;
    }
  }
}

TEST_F(ComposedMessageTest, MissingAttachmentFailsAtConstruction) {
  MessageDraft draft;
  draft.attachments = {{(dir_ / "missing.bin").string(), {}, {}}};
  testing::expect_error(
      ExitCode::ReadError, [&] { (void)composed_message(draft, "B"); }, "missing.bin");
}

TEST_F(ComposedMessageTest, DetectsContentTypesWithLibmagic) {
  EXPECT_EQ(detect_content_type(file(
                "x.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(32, '\0'))),
            "image/png");
  EXPECT_EQ(detect_content_type(file("t.txt", "just some text\n")).rfind("text/plain", 0), 0U);
  EXPECT_EQ(detect_content_type((dir_ / "none").string()), "application/octet-stream");
}

TEST(Identifiers, BoundariesAndMessageIdsAreUnique) {
  EXPECT_NE(new_boundary(), new_boundary());
  EXPECT_EQ(new_boundary().rfind("=_smtpc_", 0), 0U);
  const std::string id = new_message_id("example.com");
  EXPECT_EQ(id.front(), '<');
  EXPECT_TRUE(id.ends_with("@example.com>"));
  EXPECT_NE(id, new_message_id("example.com"));
}

TEST(EditedUpload, HeadersEditableBodyStreamedUnchanged) {
  auto upload = EditedUpload(
      std::make_unique<StringSource>("To: a@b\nBcc: secret@x\nSubject: s\n\nbody line\n.dot\n", 7));
  remove_bcc(upload.fields());
  upload.fields().push_back({"X-Extra", "X-Extra: 1\r\n"});
  EXPECT_EQ(read_all(upload, 5), "To: a@b\r\nSubject: s\r\nX-Extra: 1\r\n\r\nbody line\n.dot\n");
}

TEST(EditedUpload, RefusesAnEndlessHeaderSection) {
  std::string endless;
  while (endless.size() <= EditedUpload::kMaxHeaderBytes) endless += "X-Filler: 0123456789\n";
  testing::expect_error(ExitCode::ReadError, [&] {
    EditedUpload upload(std::make_unique<StringSource>(endless, 65536));
  });
}

TEST(DotTerminatedSource, CutsAtTheLoneDot) {
  DotTerminatedSource source(std::make_unique<StringSource>("Subject: x\n\nhi\n.\nignored\n", 7));
  EXPECT_EQ(read_all(source, 3), "Subject: x\n\nhi\n");
}

}  // namespace
}  // namespace smtpc
