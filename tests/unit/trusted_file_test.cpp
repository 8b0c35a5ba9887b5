// Which files smtpc trusts with running their code: root's or the user's, in such a
// directory, writable by no one else; never through a symbolic link or a relative path.
#include "smtpc/sys/trusted_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace smtpc {
namespace {

namespace fs = std::filesystem;

class SecurityTrustedFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (fs::temp_directory_path() / "smtpc-trust-XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
    ::chmod(dir_.c_str(), 0755);
    module_ = dir_ + "/module.so";
    std::ofstream(module_) << "code";
    ::chmod(module_.c_str(), 0644);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_;
  std::string module_;
};

TEST_F(SecurityTrustedFile, TrustsAFileOnlyItsOwnerMayWrite) {
  EXPECT_EQ(check_trusted_file(module_).verdict, FileTrust::Trusted);
  ::chmod(module_.c_str(), 0700);
  EXPECT_EQ(check_trusted_file(module_).verdict, FileTrust::Trusted);
}

TEST_F(SecurityTrustedFile, RefusesAFileGroupOrOthersMayWrite) {
  for (const mode_t mode : {0666U, 0646U, 0664U, 0620U}) {
    ::chmod(module_.c_str(), mode);
    const TrustedFileCheck check = check_trusted_file(module_);
    EXPECT_EQ(check.verdict, FileTrust::Untrusted) << std::oct << mode;
    EXPECT_NE(check.problem.find(module_ + " is writable by group or others"), std::string::npos)
        << check.problem;
  }
}

TEST_F(SecurityTrustedFile, RefusesADirectoryOthersMayWriteEvenWithTheStickyBit) {
  for (const mode_t mode : {01777U, 0777U, 0775U}) {
    ::chmod(dir_.c_str(), mode);
    const TrustedFileCheck check = check_trusted_file(module_);
    EXPECT_EQ(check.verdict, FileTrust::Untrusted) << std::oct << mode;
    EXPECT_NE(check.problem.find(dir_ + " is writable by group or others"), std::string::npos)
        << check.problem;
  }
}

TEST_F(SecurityTrustedFile, RefusesASymbolicLinkARelativePathAndADirectory) {
  const std::string link = dir_ + "/link.so";
  fs::create_symlink(module_, link);
  EXPECT_EQ(check_trusted_file(link).verdict, FileTrust::Untrusted);
  EXPECT_EQ(check_trusted_file("module.so").verdict, FileTrust::Untrusted);
  EXPECT_EQ(check_trusted_file("./lib/smtpc/module.so").verdict, FileTrust::Untrusted);
  fs::create_directory(dir_ + "/sub.so");
  EXPECT_EQ(check_trusted_file(dir_ + "/sub.so").verdict, FileTrust::Untrusted);
}

TEST_F(SecurityTrustedFile, SaysWhenTheFileIsMissing) {
  EXPECT_EQ(check_trusted_file(dir_ + "/absent.so").verdict, FileTrust::Missing);
  EXPECT_EQ(check_trusted_file(dir_ + "/absent/module.so").verdict, FileTrust::Missing);
}

TEST(SecurityOwnership, OnlyRootOrTheUserMayOwnIt) {
  struct stat info {};
  info.st_mode = S_IFREG | 0644;
  info.st_uid = 0;
  EXPECT_EQ(ownership_problem(info, 1000, "/m.so"), "");
  info.st_uid = 1000;
  EXPECT_EQ(ownership_problem(info, 1000, "/m.so"), "");
  info.st_uid = 1001;
  EXPECT_EQ(ownership_problem(info, 1000, "/m.so"),
            "/m.so belongs to uid 1001, neither root nor the user running smtpc");
}

}  // namespace
}  // namespace smtpc
