// Message origins: every kind opens a fresh reading as often as asked; standard input once,
// or as often as asked once spooled.
#include "smtpc/message/message_origin.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "smtpc/compose/composed_message.hpp"
#include "smtpc/sys/fd.hpp"

namespace smtpc {
namespace {

std::string read_all(MessageSource& source) {
  std::string out;
  std::vector<char> buffer(4096);
  while (const std::size_t n = source.read(buffer)) out.append(buffer.data(), n);
  return out;
}

std::string read_all(const MessageOrigin& origin) { return read_all(*origin.open()); }

void expect_read_error(const MessageOrigin& origin, std::string_view part) {
  testing::expect_error(
      ExitCode::ReadError, [&] { (void)origin.open(); }, part);
}

class MessageOriginTest : public ::testing::Test {
 protected:
  MessageOriginTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("smtpc-origin-" + std::to_string(::getpid()) + "-" + random_hex(4));
    std::filesystem::create_directories(dir_);
  }
  ~MessageOriginTest() override {
    restore_stdin();
    std::filesystem::remove_all(dir_);
  }

  std::string file(const std::string& name, const std::string& content) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  /// Makes standard input a pipe holding `content` (then end of file), until the test ends.
  void feed_stdin(const std::string& content) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_EQ(::write(fds[1], content.data(), content.size()),
              static_cast<ssize_t>(content.size()));
    ::close(fds[1]);
    saved_stdin_ = ::dup(STDIN_FILENO);
    ASSERT_GE(::dup2(fds[0], STDIN_FILENO), 0);
    ::close(fds[0]);
  }
  void restore_stdin() {
    if (saved_stdin_ < 0) return;
    ::dup2(saved_stdin_, STDIN_FILENO);
    ::close(saved_stdin_);
    saved_stdin_ = -1;
  }

  std::filesystem::path dir_;
  int saved_stdin_ = -1;
};

TEST_F(MessageOriginTest, FileOpensFromItsStartEachTime) {
  const auto origin = MessageOrigin::upload(file("m.eml", "Subject: x\n\nbody\n"));
  EXPECT_TRUE(origin.can_reopen());
  EXPECT_EQ(read_all(origin), "Subject: x\n\nbody\n");
  EXPECT_EQ(read_all(origin), "Subject: x\n\nbody\n");
  EXPECT_EQ(origin.open()->size(), 17U);
  EXPECT_EQ(origin.rereadable().name(), origin.name());  // nothing to spool
}

TEST_F(MessageOriginTest, MissingFileFailsWhenOpenedNotBefore) {
  const auto origin = MessageOrigin::file((dir_ / "absent").string());
  expect_read_error(origin, "cannot open upload file");
}

TEST_F(MessageOriginTest, StandardInputOpensOnceUnlessSpooled) {
  feed_stdin("Subject: piped\n\nbody\n");
  const auto once = MessageOrigin::upload("-");
  EXPECT_FALSE(once.can_reopen());
  EXPECT_EQ(once.name(), "standard input");
  const auto spooled = once.rereadable();
  EXPECT_TRUE(spooled.can_reopen());
  EXPECT_EQ(spooled.name(), "standard input");
  EXPECT_EQ(read_all(spooled), "Subject: piped\n\nbody\n");
  EXPECT_EQ(read_all(spooled), "Subject: piped\n\nbody\n");
  EXPECT_EQ(spooled.open()->size(), 21U);
  expect_read_error(once, "read only once");  // spooling was its one reading
}

TEST_F(MessageOriginTest, EditedFileOpensAgainWithTheSameEdits) {
  const auto inner = MessageOrigin::file(file("m.eml", "Subject: x\nBcc: hidden@x\n\nbody\n"));
  auto first = std::make_unique<EditedUpload>(inner.open());
  remove_bcc(first->fields());
  first->fields().push_back({"X-Test", "X-Test: 1\r\n"});
  const auto origin = edited_origin(inner, std::move(first));
  EXPECT_TRUE(origin.can_reopen());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(read_all(origin), "Subject: x\r\nX-Test: 1\r\n\r\nbody\n") << "reading " << i;
  }
}

TEST_F(MessageOriginTest, EditedStandardInputIsSpooledWithItsEdits) {
  feed_stdin("Subject: x\n\nbody\n.\nafter the lone dot\n");
  const auto inner = lone_dot_origin(MessageOrigin::standard_input());
  auto first = std::make_unique<EditedUpload>(inner.open());
  first->fields().push_back({"X-Test", "X-Test: 1\r\n"});
  const auto origin = edited_origin(inner, std::move(first));
  EXPECT_FALSE(origin.can_reopen());
  const auto spooled = origin.rereadable();
  EXPECT_EQ(read_all(spooled), "Subject: x\r\nX-Test: 1\r\n\r\nbody\n");
  EXPECT_EQ(read_all(spooled), "Subject: x\r\nX-Test: 1\r\n\r\nbody\n");
}

TEST_F(MessageOriginTest, DraftIsTheSameMessageEachTime) {
  MessageDraft draft;
  draft.header_fields = {"Subject: hi\r\n"};
  draft.text = "text";
  draft.attachments.push_back({file("a.bin", std::string(100000, 'a')), "application/x-test", {}});
  const auto origin = draft_origin(std::move(draft), new_boundary());
  const std::string once = read_all(origin);
  EXPECT_NE(once.find("Subject: hi\r\n"), std::string::npos);
  EXPECT_EQ(read_all(origin), once);
}

// The scan before sending reads a -T file a second time through the descriptor the send
// will read (FileSpanReading): from the message's start, leaving that reading's offset where
// it is, however the buffer cuts it.
TEST_F(MessageOriginTest, AFileIsReadAgainThroughItsOwnDescriptor) {
  std::string text;
  for (int i = 0; text.size() < 10000; ++i) text += "line " + std::to_string(i) + "\r\n";
  const auto first = MessageOrigin::file(file("m.eml", text)).open();
  ASSERT_TRUE(first->file_span());
  for (const std::size_t buffer_size : {1UL, 7UL, 4096UL, text.size(), text.size() + 1}) {
    FileSpanReading again(*first);
    EXPECT_EQ(again.size(), text.size());
    EXPECT_EQ(again.name(), first->name());
    std::string out;
    std::vector<char> buffer(buffer_size);
    while (const std::size_t n = again.read(buffer)) out.append(buffer.data(), n);
    EXPECT_TRUE(out == text) << "buffer of " << buffer_size;
    EXPECT_EQ(again.read(buffer), 0U) << "the end stays the end";
  }
  EXPECT_TRUE(read_all(*first) == text) << "the first reading still starts at the start";
}

// "-T - < file" after a caller read part of it: the span and a second reading start where
// standard input stood.
TEST_F(MessageOriginTest, AFileOnStandardInputIsReadAgainFromItsOffset) {
  const Fd fd(::open(file("m.eml", "skipped|the message\n").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_EQ(::lseek(fd.get(), 8, SEEK_SET), 8);
  saved_stdin_ = ::dup(STDIN_FILENO);
  ASSERT_GE(::dup2(fd.get(), STDIN_FILENO), 0);
  const auto first = MessageOrigin::standard_input().open();
  ASSERT_TRUE(first->file_span());
  EXPECT_EQ(first->size(), 12U);
  FileSpanReading again(*first);
  EXPECT_EQ(read_all(again), "the message\n");
  EXPECT_EQ(read_all(*first), "the message\n");
}

}  // namespace
}  // namespace smtpc
