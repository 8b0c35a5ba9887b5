// .netrc lookup: tokens over lines, default, quoting, comments, macdef, login filter, files.
#include "smtpc/sys/netrc.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "expect_error.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

using testing::expect_error;

// "login/password" of a lookup, "-" for a missing part, "none" when nothing matched.
std::string lookup(std::string_view contents, std::string_view host,
                   std::optional<std::string_view> login = std::nullopt) {
  const auto entry = netrc_lookup(contents, host, login);
  if (!entry) return "none";
  return entry->login.value_or("-") + "/" + entry->password.value_or("-");
}

TEST(Netrc, FindsAMachineOnOneLine) {
  EXPECT_EQ(lookup("machine mx.example.com login alice password s3cret", "mx.example.com"),
            "alice/s3cret");
}

TEST(Netrc, TokensMaySpreadOverAnyLines) {
  EXPECT_EQ(lookup("machine\nmx.example.com\n  login\talice\r\n\n\tpassword   s3cret\n",
                   "mx.example.com"),
            "alice/s3cret");
  EXPECT_EQ(lookup("machine a login x password y machine mx.example.com login alice "
                   "password s3cret",
                   "mx.example.com"),
            "alice/s3cret");
}

TEST(Netrc, MatchesHostCaseInsensitivelyAndKeywordsToo) {
  EXPECT_EQ(lookup("MACHINE MX.Example.COM Login alice PASSWORD s3cret", "mx.example.com"),
            "alice/s3cret");
}

TEST(Netrc, FirstMatchingMachineWins) {
  EXPECT_EQ(lookup("machine a login first password one\nmachine a login second password two", "a"),
            "first/one");
}

TEST(Netrc, NoMatchGivesNothing) {
  EXPECT_EQ(lookup("machine a login x password y", "b"), "none");
  EXPECT_EQ(lookup("", "a"), "none");
  EXPECT_EQ(lookup("machine a", "a"), "none");           // nothing to offer
  EXPECT_EQ(lookup("login x password y", "a"), "none");  // not inside an entry
  EXPECT_EQ(lookup("machine ab login x password y", "a"), "none");
  EXPECT_EQ(lookup("machine a.example.com login x password y", "a"), "none");
}

TEST(Netrc, DefaultAppliesOnlyWhenNoMachineMatches) {
  const std::string contents =
      "machine a login x password y\n"
      "default login anonymous password guest\n";
  EXPECT_EQ(lookup(contents, "a"), "x/y");
  EXPECT_EQ(lookup(contents, "b"), "anonymous/guest");
  // netrc(5) wants default last; a machine after a misplaced default still wins.
  EXPECT_EQ(lookup("default login anonymous password guest\nmachine a login x password y", "a"),
            "x/y");
}

TEST(Netrc, QuotedValuesWithEscapes) {
  EXPECT_EQ(lookup(R"(machine a login "user name" password "pa ss\"wo\\rd")", "a"),
            "user name/pa ss\"wo\\rd");
  EXPECT_EQ(lookup(R"(machine a login "tab\there" password "line\nbreak\r")", "a"),
            "tab\there/line\nbreak\r");
  EXPECT_EQ(lookup(R"(machine a login x password "\q")", "a"), "x/q");  // unknown escape
  EXPECT_EQ(lookup(R"(machine a login "" password "")", "a"), "/");
  EXPECT_EQ(lookup(R"(machine "a" login x password "#not a comment")", "a"), "x/#not a comment");
  // A quoted keyword is a value, not a keyword.
  EXPECT_EQ(lookup(R"(machine a login "password" password p)", "a"), "password/p");
}

TEST(Netrc, UnterminatedQuoteIsASyntaxError) {
  expect_error(ExitCode::ReadError,
               [] { (void)netrc_lookup(R"(machine a login x password "oops)", "a", {}); });
}

TEST(Netrc, CommentsRunToTheEndOfTheLine) {
  const std::string contents =
      "# machine a login wrong password wrong\n"
      "   # indented comment machine a login wrong password wrong\n"
      "machine a # the relay\n"
      "  login right # password wrong\n"
      "  password ok\n";
  EXPECT_EQ(lookup(contents, "a"), "right/ok");
  // Where a value is expected, '#' is part of it (curl only drops comment lines).
  EXPECT_EQ(lookup("machine a login x password #hash", "a"), "x/#hash");
}

TEST(Netrc, MacdefIsSkippedUpToTheEmptyLine) {
  const std::string contents =
      "macdef init\n"
      "machine a login evil password evil\n"
      "cd /pub\n"
      "\n"
      "machine a login good password ok\n";
  EXPECT_EQ(lookup(contents, "a"), "good/ok");
  // A macdef also ends the entry before it.
  EXPECT_EQ(lookup("machine a login x\nmacdef m\npassword evil\n\r\npassword late\n", "a"), "x/-");
  // A macro running to the end of the file hides everything after it.
  EXPECT_EQ(lookup("macdef m\nmachine a login x password y\n", "a"), "none");
}

TEST(Netrc, AccountIsIgnored) {
  EXPECT_EQ(lookup("machine a account acct login x password y", "a"), "x/y");
  EXPECT_EQ(lookup("machine a login x account \"a b\" password y", "a"), "x/y");
}

TEST(Netrc, LoginFilterPicksThatUsersPassword) {
  const std::string contents =
      "machine a login alice password pa\n"
      "machine a login bob password pb\n"
      "machine a login carol\n";
  EXPECT_EQ(lookup(contents, "a", "bob"), "bob/pb");
  EXPECT_EQ(lookup(contents, "a", "alice"), "alice/pa");
  EXPECT_EQ(lookup(contents, "a", "Bob"), "none");    // logins are case-sensitive
  EXPECT_EQ(lookup(contents, "a", "carol"), "none");  // no password for carol
  EXPECT_EQ(lookup(contents, "a", "dave"), "none");
  EXPECT_EQ(lookup(contents, "a"), "alice/pa");
}

TEST(Netrc, EntryWithoutLoginServesAnyUser) {
  // As in curl: a password with no login applies to whichever user asks.
  EXPECT_EQ(lookup("machine a password shared", "a", "dave"), "-/shared");
  EXPECT_EQ(lookup("machine a password shared", "a"), "-/shared");
  EXPECT_EQ(lookup("machine a login x", "a"), "x/-");
}

TEST(Netrc, DefaultHonoursTheLoginFilter) {
  const std::string contents = "default login anonymous password guest\n";
  EXPECT_EQ(lookup(contents, "b", "anonymous"), "anonymous/guest");
  EXPECT_EQ(lookup(contents, "b", "alice"), "none");
}

class NetrcFile : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("smtpc-netrc-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  std::string write(const std::string& name, const std::string& contents) {
    const auto path = directory_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path.string();
  }
  std::filesystem::path directory_;
};

TEST_F(NetrcFile, ReadsAFile) {
  const std::string path = write("netrc", "machine a login x password y\n");
  const auto entry = netrc_lookup_file(path, "a", std::nullopt, false);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->login, "x");
  EXPECT_EQ(entry->password, "y");
  EXPECT_FALSE(netrc_lookup_file(path, "b", std::nullopt, false).has_value());
}

TEST_F(NetrcFile, MissingFileIsAnErrorUnlessOptional) {
  const std::string path = (directory_ / "absent").string();
  expect_error(ExitCode::ReadError,
               [&] { (void)netrc_lookup_file(path, "a", std::nullopt, false); });
  EXPECT_FALSE(netrc_lookup_file(path, "a", std::nullopt, true).has_value());
  expect_error(ExitCode::ReadError, [] { (void)netrc_lookup_file("", "a", std::nullopt, false); });
  // A directory is not a .netrc file.
  expect_error(ExitCode::ReadError,
               [&] { (void)netrc_lookup_file(directory_.string(), "a", std::nullopt, false); });
}

TEST_F(NetrcFile, SyntaxErrorIsAnErrorUnlessOptional) {
  const std::string path = write("bad", "machine a password \"open\n");
  expect_error(ExitCode::ReadError,
               [&] { (void)netrc_lookup_file(path, "a", std::nullopt, false); });
  EXPECT_FALSE(netrc_lookup_file(path, "a", std::nullopt, true).has_value());
}

// Restores one environment variable when the test ends.
class ScopedEnv {
 public:
  explicit ScopedEnv(const char* name) : name_(name) {
    if (const char* value = std::getenv(name)) saved_ = value;
  }
  ~ScopedEnv() {
    if (saved_) {
      ::setenv(name_, saved_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

TEST(DefaultNetrcPath, PrefersNetrcThenHome) {
  const ScopedEnv netrc("NETRC");
  const ScopedEnv home("HOME");
  ::setenv("HOME", "/home/someone", 1);
  ::setenv("NETRC", "/etc/smtpc-netrc", 1);
  EXPECT_EQ(default_netrc_path(), "/etc/smtpc-netrc");
  ::setenv("NETRC", "", 1);
  EXPECT_EQ(default_netrc_path(), "/home/someone/.netrc");
  ::unsetenv("NETRC");
  EXPECT_EQ(default_netrc_path(), "/home/someone/.netrc");
  ::unsetenv("HOME");
  const std::string fallback = default_netrc_path();  // from the password database
  if (!fallback.empty()) {
    EXPECT_TRUE(fallback.ends_with("/.netrc")) << fallback;
  }
}

}  // namespace
}  // namespace smtpc
