// -o with --output-dir, --create-dirs, --no-clobber and --remove-on-error: the options as
// parsed, and the files written (curl 7.88's tool_operate.c/tool_cb_wrt.c, checked by
// running curl).
#include "output_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "expect_error.hpp"
#include "parse_args.hpp"

namespace smtpc::cli {
namespace {

using smtpc::testing::code_of;
using testing::parse_args;
namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "smtpc-output-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string content(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST(OutputOptions, ParsedAsCurlNamesThem) {
  const Options plain = parse_args({"smtp://h", "-o", "f"});
  EXPECT_FALSE(plain.create_dirs);
  EXPECT_TRUE(plain.clobber);
  EXPECT_FALSE(plain.remove_on_error);
  EXPECT_FALSE(plain.output_dir);
  const Options all = parse_args({"smtp://h", "-o", "f", "--create-dirs", "--no-clobber",
                                  "--remove-on-error", "--output-dir", "d"});
  EXPECT_TRUE(all.create_dirs);
  EXPECT_FALSE(all.clobber);
  EXPECT_TRUE(all.remove_on_error);
  EXPECT_EQ(all.output_dir, "d");
  EXPECT_TRUE(parse_args({"smtp://h", "--no-clobber", "--clobber"}).clobber);
}

TEST(OutputOptions, OutputDirGoesInFrontOfEveryFileButStdout) {
  EXPECT_EQ(output_path({}), std::nullopt);
  EXPECT_EQ(output_path({.output = "-", .output_dir = "d"}), std::nullopt);
  EXPECT_EQ(output_path({.output = "f.txt"}), "f.txt");
  EXPECT_EQ(output_path({.output = "f.txt", .output_dir = "d"}), "d/f.txt");
  EXPECT_EQ(output_path({.output = "/abs/f.txt", .output_dir = "d"}), "d//abs/f.txt");
  EXPECT_EQ(output_path({.output = "f.txt", .output_dir = ""}), "f.txt");
}

TEST_F(OutputFileTest, CreateDirsMakesEveryMissingDirectoryWithMode0750) {
  const std::string file = (dir_ / "a" / "b" / "f.txt").string();
  create_parent_dirs(file);
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "a" / "b").c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(
      info.st_mode & 0777, 0750U & ~[] {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        return mask;
      }());
  EXPECT_FALSE(fs::exists(file));
  create_parent_dirs(file);  // existing ones are fine
}

TEST_F(OutputFileTest, CreateDirsFailsWith23WhenAFileIsInTheWay) {
  std::ofstream(dir_ / "plain") << "x";
  EXPECT_EQ(code_of([&] { create_parent_dirs((dir_ / "plain" / "sub" / "f").string()); }),
            ExitCode::WriteError);
}

TEST_F(OutputFileTest, WritesEachLineWithCrlfAndOverwritesByDefault) {
  const std::string file = (dir_ / "out.txt").string();
  std::ofstream(file) << "old content that is longer";
  std::optional<std::string> written;
  write_output({.output = file}, {"250 a", "250 b"}, written);
  EXPECT_EQ(written, file);
  EXPECT_EQ(content(file), "250 a\r\n250 b\r\n");
}

TEST_F(OutputFileTest, NoClobberWritesFileDotOneThenDotTwo) {
  const OutputSettings settings{.output = "out.txt", .output_dir = dir_.string(), .clobber = false};
  std::optional<std::string> written;
  write_output(settings, {"1"}, written);
  EXPECT_EQ(written, (dir_ / "out.txt").string());
  write_output(settings, {"2"}, written);
  EXPECT_EQ(written, (dir_ / "out.txt.1").string());
  write_output(settings, {"3"}, written);
  EXPECT_EQ(written, (dir_ / "out.txt.2").string());
  EXPECT_EQ(content(dir_ / "out.txt"), "1\r\n");
  EXPECT_EQ(content(dir_ / "out.txt.1"), "2\r\n");
  EXPECT_EQ(content(dir_ / "out.txt.2"), "3\r\n");
}

TEST_F(OutputFileTest, NoClobberGivesUpAfterFileDot99) {
  std::ofstream(dir_ / "f") << "x";
  for (int i = 1; i < 100; ++i) std::ofstream(dir_ / ("f." + std::to_string(i))) << "x";
  std::optional<std::string> written;
  EXPECT_EQ(code_of([&] {
              write_output({.output = (dir_ / "f").string(), .clobber = false}, {"1"}, written);
            }),
            ExitCode::WriteError);
  EXPECT_FALSE(written);
  EXPECT_FALSE(fs::exists(dir_ / "f.100"));
}

TEST_F(OutputFileTest, MissingDirectoryIsWriteError) {
  std::optional<std::string> written;
  EXPECT_EQ(
      code_of([&] { write_output({.output = (dir_ / "no" / "f").string()}, {"1"}, written); }),
      ExitCode::WriteError);
}

}  // namespace
}  // namespace smtpc::cli
