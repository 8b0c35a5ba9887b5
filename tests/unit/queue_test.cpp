// The queue module on a real directory: whole entries, private modes, locks, state, failed/.
#include "smtpc/queue/queue.hpp"

#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "smtpc/core/error.hpp"
#include "smtpc/queue/location.hpp"
#include "string_source.hpp"

namespace smtpc::queue {
namespace {

namespace fs = std::filesystem;

using testing_support::StringSource;

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "smtpc-queue-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ + "/state/smtpc/queue";
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static unsigned mode_of(const std::string& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777U;
  }

  std::string root_;
  std::string dir_;
};

TEST_F(QueueTest, SecurityCreatesPrivateDirectoriesAndWholeEntries) {
  Queue queue(dir_);
  EXPECT_EQ(mode_of(dir_), 0700U);
  StringSource message("Subject: hi\r\n\r\nbody\r\n");
  Settings settings;
  settings.destination.url = "smtp://127.0.0.1:2525";
  settings.destination.user = "me";
  std::string id;
  {
    LockedEntry entry =
        queue.add("a@example.com", {"b@example.com", "c@example.com"}, settings, message);
    id = entry.entry().id;
    EXPECT_EQ(slurp(entry.message_path()), "Subject: hi\r\n\r\nbody\r\n");
    EXPECT_EQ(mode_of(entry.message_path()), 0600U);
    EXPECT_EQ(mode_of(dir_ + "/" + id), 0700U);
    EXPECT_EQ(mode_of(dir_ + "/" + id + "/envelope"), 0600U);
  }
  const auto entries = queue.list();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].id, id);
  EXPECT_EQ(entries[0].reverse_path, "a@example.com");
  EXPECT_EQ(entries[0].forward_paths, (std::vector<std::string>{"b@example.com", "c@example.com"}));
  EXPECT_EQ(entries[0].settings, settings);
  EXPECT_EQ(entries[0].size, 21U);
  EXPECT_EQ(entries[0].state.attempts, 0);
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));
}

// The queue directory is opened once, never through a link, and reached only through that
// descriptor: whoever owns a parent directory cannot swap it after the checks.
using SecurityQueueDirectory = QueueTest;

TEST_F(SecurityQueueDirectory, AQueueDirectoryThatIsASymbolicLinkIsRefused) {
  fs::create_directories(root_ + "/real");
  ::chmod((root_ + "/real").c_str(), 0700);
  fs::create_directories(root_ + "/state/smtpc");
  fs::create_directory_symlink(root_ + "/real", dir_);
  try {
    Queue queue(dir_);
    FAIL() << "a queue directory that is a symbolic link was used";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::FailedInit);
    EXPECT_NE(std::string(error.what()).find(dir_ + " is a symbolic link"), std::string::npos)
        << error.what();
  }
  EXPECT_TRUE(fs::is_empty(root_ + "/real"));
}

TEST_F(SecurityQueueDirectory, SwappingTheDirectoryForALinkAfterOpeningChangesNothing) {
  Queue queue(dir_);
  StringSource first("first\r\n");
  const std::string id = queue.add("a@example.com", {"b@example.com"}, {}, first).entry().id;
  // Another user's doing: the checked directory moved away, a link to theirs in its place.
  const std::string moved = root_ + "/moved";
  const std::string theirs = root_ + "/theirs";
  fs::rename(dir_, moved);
  fs::create_directories(theirs + "/tmp");
  fs::create_directories(theirs + "/failed");
  fs::create_directory_symlink(theirs, dir_);

  const auto listed = queue.list();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].id, id);
  StringSource second("second\r\n");
  std::string second_id;
  {
    LockedEntry added = queue.add("a@example.com", {"b@example.com"}, {}, second);
    second_id = added.entry().id;
    EXPECT_EQ(slurp(added.message_path()), "second\r\n");
  }
  EXPECT_TRUE(fs::exists(moved + "/" + second_id + "/message"));
  auto locked = queue.try_lock(id);
  ASSERT_TRUE(locked.has_value());
  EXPECT_EQ(slurp(locked->message_path()), "first\r\n");
  locked->move_to_failed("550 no");
  EXPECT_TRUE(fs::exists(moved + "/failed/" + id + "/state"));
  EXPECT_TRUE(fs::is_empty(theirs + "/tmp"));
  EXPECT_TRUE(fs::is_empty(theirs + "/failed"));
  EXPECT_EQ(std::distance(fs::directory_iterator(theirs), fs::directory_iterator{}), 2);
}

TEST_F(QueueTest, AnEntryIsLockedWhileHeldAndFreeAfterwards) {
  Queue queue(dir_);
  StringSource message("x\r\n");
  std::string id;
  {
    LockedEntry held = queue.add("", {"b@example.com"}, {}, message);
    id = held.entry().id;
    Queue other(dir_);  // as a second process would: flock is per open file description
    EXPECT_FALSE(other.try_lock(id).has_value());
  }
  auto again = queue.try_lock(id);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(Queue(dir_).try_lock(id).has_value());
}

TEST_F(QueueTest, RemovedEntriesAreGoneAndCannotBeLocked) {
  Queue queue(dir_);
  StringSource message("x\r\n");
  LockedEntry entry = queue.add("", {"b@example.com"}, {}, message);
  const std::string id = entry.entry().id;
  entry.remove();
  EXPECT_TRUE(queue.list().empty());
  EXPECT_FALSE(queue.try_lock(id).has_value());
  EXPECT_FALSE(fs::exists(dir_ + "/" + id));
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));
}

TEST_F(QueueTest, StateIsKeptAcrossUpdatesAndFailedEntriesMove) {
  Queue queue(dir_);
  StringSource message("x\r\n");
  LockedEntry entry = queue.add("a@example.com", {"b@example.com"}, {}, message);
  EntryState state;
  state.attempts = 3;
  state.last_attempt = 100;
  state.next_attempt = 400;
  state.last_error = "(8) 421 4.3.2 busy\r\nsecond line";
  state.unconfirmed = true;
  entry.update(state);
  auto listed = queue.list();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].state.attempts, 3);
  EXPECT_EQ(listed[0].state.next_attempt, 400);
  EXPECT_EQ(listed[0].state.last_error, "(8) 421 4.3.2 busy  second line");
  EXPECT_TRUE(listed[0].state.unconfirmed);
  entry.move_to_failed("(55) 550 5.1.1 no such user");
  EXPECT_TRUE(queue.list().empty());
  const auto failed = queue.list_failed();
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0].state.last_error, "(55) 550 5.1.1 no such user");
}

TEST_F(QueueTest, ParametersWrittenAfterAddressesAreKept) {
  Queue queue(dir_);
  StringSource message("Subject: hi\r\n\r\nbody\r\n");
  WrittenParameters written;
  written.reverse_path = "RET=HDRS ENVID=X";
  written.forward_paths.emplace("c@example.com", "NOTIFY=SUCCESS,FAILURE");
  (void)queue.add("a@example.com", {"b@example.com", "c@example.com"}, {}, message, written);
  const auto entries = queue.list();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].forward_paths, (std::vector<std::string>{"b@example.com", "c@example.com"}));
  EXPECT_EQ(entries[0].address_parameters.reverse_path, "RET=HDRS ENVID=X");
  EXPECT_EQ(entries[0].address_parameters.of("b@example.com"), "");
  EXPECT_EQ(entries[0].address_parameters.of("c@example.com"), "NOTIFY=SUCCESS,FAILURE");
}

TEST_F(QueueTest, SecurityRefusesADirectoryOthersCanEnter) {
  fs::create_directories(dir_);
  ::chmod(dir_.c_str(), 0755);
  try {
    Queue queue(dir_);
    FAIL() << "accepted a directory with mode 0755";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::FailedInit);
    EXPECT_NE(std::string(error.what()).find("chmod 700"), std::string::npos) << error.what();
  }
}

TEST_F(QueueTest, SecurityRefusesLineBreaksInTheEnvelope) {
  Queue queue(dir_);
  StringSource message("x\r\n");
  EXPECT_THROW(
      (void)queue.add("a@example.com", {"b@example.com\nrcpt evil@example.com"}, {}, message),
      Error);
  EXPECT_TRUE(queue.list().empty());
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));
}

TEST_F(QueueTest, LeftoversOfACrashedWriterAreCleanedOnlyWhenUnlocked) {
  Queue queue(dir_);
  // A writer that died after mkdir in tmp/ (no lock held), long enough ago.
  const std::string dead = dir_ + "/tmp/20200101T000000-000000000000";
  fs::create_directory(dead);
  std::ofstream(dead + "/message") << "half";
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(dead, old);
  queue.clean_leftovers();
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(queue.list().empty());
}

// 4000 recipients of 300 bytes: an envelope of 1.2 MB, which was once read only up to
// 1 MiB, so that the last recipients were lost and one address was cut short.
TEST_F(QueueTest, AnEnvelopeOverOneMegabyteKeepsEveryRecipient) {
  Queue queue(dir_);
  StringSource message("Subject: many\r\n\r\nbody\r\n");
  std::vector<std::string> recipients;
  for (int i = 0; i < 4000; ++i) {
    std::string address(std::string(1, 'r').append(std::to_string(i)).append(1, '@'));
    address.append(std::string(240, 'd')).append(".example.com");
    recipients.push_back(address);
  }
  (void)queue.add("a@example.com", recipients, {}, message);
  const auto entries = queue.list();
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].forward_paths, recipients);
  EXPECT_TRUE(queue.list_unreadable().empty());
}

TEST_F(QueueTest, AStateFileTooBigToReadIsAnUnreadableEntryNeverSent) {
  Queue queue(dir_);
  StringSource message("Subject: hi\r\n\r\nbody\r\n");
  (void)queue.add("a@example.com", {"b@example.com"}, {}, message);
  const std::string id = queue.list().at(0).id;
  std::ofstream(dir_ + "/" + id + "/state") << std::string((1U << 20U) + 1, 'x');
  EXPECT_TRUE(queue.list().empty());
  const auto unreadable = queue.list_unreadable();
  ASSERT_EQ(unreadable.size(), 1U);
  EXPECT_NE(unreadable[0].reason.find("larger than 1 MiB"), std::string::npos)
      << unreadable[0].reason;
}

TEST_F(QueueTest, UnreadableOrHalfEntriesAreNotListed) {
  Queue queue(dir_);
  fs::create_directory(dir_ + "/20200101T000000-aaaaaaaaaaaa");  // no envelope, no message
  EXPECT_TRUE(queue.list().empty());
}

TEST(QueueBackoff, DoublesUpToTheCap) {
  EXPECT_EQ(backoff_seconds(1, 300, 14400), 300);
  EXPECT_EQ(backoff_seconds(2, 300, 14400), 600);
  EXPECT_EQ(backoff_seconds(3, 300, 14400), 1200);
  EXPECT_EQ(backoff_seconds(10, 300, 14400), 14400);
  EXPECT_EQ(backoff_seconds(1000, 300, 14400), 14400);
  EXPECT_EQ(backoff_seconds(1, 0, 0), 0);
}

TEST(QueueLocation, FollowsTheEnvironmentAndTheUser) {
  auto inputs = [](std::map<std::string, std::string> values, uid_t euid,
                   std::optional<std::string> home) {
    return LocationInputs{.get_env = [values](const char* name) -> const char* {
                            const auto found = values.find(name);
                            return found == values.end() ? nullptr : found->second.c_str();
                          },
                          .euid = euid,
                          .home = std::move(home)};
  };
  using List = std::vector<std::string>;
  EXPECT_EQ(candidate_directories(inputs({{"SMTPC_QUEUE_DIR", "/q"}}, 1000, "/h")), List{"/q"});
  EXPECT_EQ(candidate_directories(inputs({}, 0, "/root")), List{"/var/spool/smtpc"});
  EXPECT_EQ(candidate_directories(inputs({{"XDG_STATE_HOME", "/s"}}, 1000, "/h")),
            (List{"/s/smtpc/queue", "/h/.local/state/smtpc/queue", "/var/spool/smtpc/users/1000"}));
  EXPECT_EQ(candidate_directories(inputs({{"XDG_STATE_HOME", "relative"}}, 1000, "/h")),
            (List{"/h/.local/state/smtpc/queue", "/var/spool/smtpc/users/1000"}));
  // No home of its own (nobody, www-data): the system spool, then the runtime directory.
  EXPECT_EQ(candidate_directories(inputs({{"XDG_RUNTIME_DIR", "/run/user/33"}}, 33, std::nullopt)),
            (List{"/var/spool/smtpc/users/33", "/run/user/33/smtpc/queue"}));
}

TEST_F(QueueTest, MakesThePerUidQueueOfTheSystemSpoolPrivate) {
  const std::string users = dir_ + "/users";
  fs::create_directories(users);
  const std::string own = users + "/" + std::to_string(::geteuid());
  EXPECT_TRUE(prepare_system_user_queue(own, ::geteuid()));
  EXPECT_EQ(fs::status(own).permissions(), fs::perms::owner_all);
  EXPECT_TRUE(prepare_system_user_queue(own, ::geteuid()));  // already there: fine
  // A symlink planted in its place is never followed.
  const std::string planted = users + "/4242";
  fs::create_directory_symlink(dir_, planted);
  EXPECT_FALSE(prepare_system_user_queue(planted, ::geteuid()));
  // One that others can enter is not used.
  const std::string open = users + "/4243";
  fs::create_directory(open);
  ::chmod(open.c_str(), 0755);
  EXPECT_FALSE(prepare_system_user_queue(open, ::geteuid()));
}

TEST_F(QueueTest, AcceptsADirectoryOthersMayOnlyPassThrough) {
  fs::create_directories(dir_);
  ::chmod(dir_.c_str(), 0711);  // the system spool: its users/ queues are reached through it
  Queue queue(dir_);
  fs::create_directories(dir_ + "/users/33");
  StringSource message("x\r\n");
  (void)queue.add("a@example.com", {"b@example.com"}, {}, message);
  EXPECT_EQ(queue.list().size(), 1U);  // users/ is not an entry
}

}  // namespace
}  // namespace smtpc::queue
