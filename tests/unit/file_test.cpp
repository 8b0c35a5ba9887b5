// The one whole-file reader: all of a file, pipe or directory, and the errno that stopped it.
#include "smtpc/sys/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "smtpc/sys/fd.hpp"

namespace smtpc {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (fs::temp_directory_path() / "smtpc-file-XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(FileTest, ReadsTheWholeFileWithItsOwnerAndMode) {
  std::string big(200 * 1024, 'x');  // more than one read
  big += std::string("\0\r\n", 3);
  const std::string path = write("big", big);
  ::chmod(path.c_str(), 0640);
  const FileContent file = read_file(path);
  EXPECT_TRUE(file.ok());
  EXPECT_TRUE(file.opened);
  EXPECT_EQ(file.text, big);
  EXPECT_EQ(file.info.st_uid, ::geteuid());
  EXPECT_EQ(file.info.st_mode & 0777U, 0640U);
}

TEST_F(FileTest, SaysWhyItCouldNotOpenOrRead) {
  const FileContent missing = read_file(dir_ + "/missing");
  EXPECT_EQ(missing.error, ENOENT);
  EXPECT_FALSE(missing.opened);
  const FileContent directory = read_file(dir_);
  EXPECT_EQ(directory.error, EISDIR);
  EXPECT_TRUE(directory.opened);
  EXPECT_EQ(read_file(write("empty", "")).text, "");
  EXPECT_EQ(read_file(dir_ + "/link", kNoReadLimit, O_NOFOLLOW).error, ENOENT);
  fs::create_symlink(write("target", "t"), dir_ + "/link");
  EXPECT_EQ(read_file(dir_ + "/link", kNoReadLimit, O_NOFOLLOW).error, ELOOP);
}

TEST_F(FileTest, MoreThanTheLimitIsTooBig) {
  const std::string path = write("ten", "0123456789");
  EXPECT_TRUE(read_file(path, 10).ok());
  const FileContent cut = read_file(path, 9);
  EXPECT_EQ(cut.error, EFBIG);
  EXPECT_EQ(cut.text, "0123456789");  // the limit and one byte: enough to tell
}

TEST_F(FileTest, ReadsAPipeToItsEndAndLeavesItOpen) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  const Fd reader(ends[0]);
  ASSERT_EQ(::write(ends[1], "abc", 3), 3);
  ::close(ends[1]);
  const FileContent piped = read_all(reader.get());
  EXPECT_TRUE(piped.ok());
  EXPECT_EQ(piped.text, "abc");
  EXPECT_NE(::fcntl(reader.get(), F_GETFD), -1);  // still open: the caller owns it
}

}  // namespace
}  // namespace smtpc
