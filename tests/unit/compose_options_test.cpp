// Composition options -> JobSpec: --attach and -H syntax, envelope from headers with -t.
#include "compose_options.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "options.hpp"
#include "parse_args.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

std::string read_all(MessageSource& source) {
  std::string out;
  std::vector<char> buffer(4096);
  while (const std::size_t n = source.read(buffer)) out.append(buffer.data(), n);
  return out;
}

JobSpec spec_for(const std::vector<std::string>& args) {
  return make_job_spec(testing::parse_args(args));
}

TEST(ParseAttach, FileTypeAndName) {
  const auto plain = parse_attach("build.log");
  EXPECT_EQ(plain.path, "build.log");
  EXPECT_FALSE(plain.content_type);
  const auto full = parse_attach("a;b.bin;type=image/png;filename=pic.png");
  EXPECT_EQ(full.path, "a;b.bin");
  EXPECT_EQ(full.content_type, "image/png");
  EXPECT_EQ(full.filename, "pic.png");
  EXPECT_THROW((void)parse_attach(""), Error);
  EXPECT_THROW((void)parse_attach("f;type="), Error);
  EXPECT_THROW((void)parse_attach("f;filename=x;junk"), Error);
}

TEST(ParseHeaderOption, NameAndTrimmedValue) {
  EXPECT_EQ(parse_header_option("X-Test:  yes "),
            (std::pair<std::string, std::string>{"X-Test", "yes"}));
  EXPECT_THROW((void)parse_header_option("no colon"), Error);
  EXPECT_THROW((void)parse_header_option("Bad Name: x"), Error);
  EXPECT_THROW((void)parse_header_option("X: a\r\nBcc: b"), Error);
}

TEST(ComposeOptions, ComposedMessageHasHeadersAndEnvelope) {
  const auto spec =
      spec_for({"smtp://h", "--mail-from", "me@example.com", "--mail-rcpt", "you@example.com",
                "--subject", "hi", "--body", "text", "-H", "Cc: c@example.com", "-t"});
  EXPECT_EQ(spec.session.mode, SessionMode::SendMail);
  EXPECT_EQ(spec.session.forward_paths,
            (std::vector<std::string>{"you@example.com", "c@example.com"}));
  ASSERT_EQ(spec.messages.size(), 1U);
  const std::string message = read_all(*spec.messages.front().open());
  EXPECT_NE(message.find("From: me@example.com\r\nTo: you@example.com\r\nCc: c@example.com\r\n"
                         "Subject: hi\r\n"),
            std::string::npos)
      << message;
}

TEST(ComposeOptions, MimeFieldsCannotBeOverridden) {
  EXPECT_THROW((void)spec_for({"smtp://h", "--mail-from", "a@x", "--mail-rcpt", "b@x", "--body",
                               "t", "-H", "Content-Type: text/html"}),
               Error);
}

TEST(ComposeOptions, PlainUploadIsLeftToCurlBehaviour) {
  const auto spec = spec_for({"smtp://h", "--mail-rcpt", "a@x", "-T", "mail.txt"});
  ASSERT_EQ(spec.messages.size(), 1U);
  EXPECT_EQ(spec.messages.front().name(), "mail.txt");
}

// Issue 11, bug 2: -t's recipients went out as U-labels and did not count for SMTPUTF8.
TEST(ComposeOptions, ReadRecipientsGoThroughTheOneEnvelopeStep) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("smtpc-options-" + std::to_string(::getpid()) + ".eml");
  std::ofstream(path) << "From: me@example.org\nTo: anna@b\xC3\xBC"
                         "cher.example\nCc: j\xC3\xB6rg@b\xC3\xBC"
                         "cher.example\n\nbody\n";
  const auto spec =
      spec_for({"smtp://h", "-t", "-T", path.string(), "--mail-rcpt", "ANNA@xn--bcher-kva.example",
                "--mail-rcpt", "a@x", "--mail-rcpt", "a@x"});
  std::filesystem::remove(path);
  EXPECT_EQ(spec.session.reverse_path, "me@example.org");
  EXPECT_EQ(spec.session.forward_paths,
            (std::vector<std::string>{"ANNA@xn--bcher-kva.example", "a@x",
                                      "j\xC3\xB6rg@xn--bcher-kva.example"}));
  EXPECT_TRUE(spec.session.smtputf8);  // decided after -t found the non-ASCII local part
}

}  // namespace
}  // namespace smtpc::cli
