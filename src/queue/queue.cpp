// The local mail queue on disk: one directory per entry, made whole in tmp/ and renamed in.
#include "smtpc/queue/queue.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "smtpc/core/error.hpp"
#include "smtpc/queue/location.hpp"

namespace smtpc::queue {
namespace {

constexpr const char* kMagic = "smtpc-queue 1";
constexpr const char* kEnvelopeFile = "envelope";
constexpr const char* kMessageFile = "message";
constexpr const char* kStateFile = "state";
constexpr const char* kReportFile = "report";
constexpr const char* kTmpDir = "tmp";
constexpr const char* kFailedDir = "failed";

[[noreturn]] void write_failure(const std::string& what, int error_number) {
  throw Error(ExitCode::WriteError,
              fmt::format("queue: {}: {}", what, std::strerror(error_number)));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string join(const std::string& dir, const std::string& name) { return dir + "/" + name; }

void fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) write_failure("fsync " + dir, errno);
}

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      write_failure("cannot write " + path, errno);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Creates `path` (0600, never an existing file), writes `text`, fsyncs it.
void write_new_file(const std::string& path, std::string_view text) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) write_failure("cannot create " + path, errno);
  write_all(fd.get(), text.data(), text.size(), path);
  if (::fsync(fd.get()) != 0) write_failure("fsync " + path, errno);
}

std::string read_small_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return {};
  std::string text;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
    if (text.size() > (1U << 20)) break;  // an envelope is small; do not read a huge file
  }
  return text;
}

// Removes an entry directory and the files in it (entries hold no subdirectories).
void remove_tree(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str()); d != nullptr) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") ::unlink(join(dir, name).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

std::vector<std::string> directory_names(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str()); d != nullptr) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != ".." && name != kTmpDir && name != kFailedDir &&
          name != kUsersDirectory) {
        names.push_back(name);
      }
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());  // ids start with the time: oldest first
  return names;
}

void require_one_line(const std::string& value, std::string_view what) {
  if (value.find_first_of("\r\n") != std::string::npos) {
    throw Error(ExitCode::FailedInit,
                fmt::format("queue: {} holds a line break: cannot be queued", what));
  }
}

std::string new_id() {
  std::array<unsigned char, 6> random{};
  if (::getrandom(random.data(), random.size(), 0) != static_cast<ssize_t>(random.size())) {
    const auto seed = static_cast<unsigned>(::getpid()) ^ static_cast<unsigned>(std::time(nullptr));
    for (std::size_t i = 0; i < random.size(); ++i) {
      random[i] = static_cast<unsigned char>(seed >> (i * 5));
    }
  }
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  std::string id = fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}-", utc.tm_year + 1900,
                               utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  for (const unsigned char byte : random) id += fmt::format("{:02x}", byte);
  return id;
}

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() < 64 && id.front() != '.' &&
         id.find_first_not_of("0123456789abcdefT-") == std::string::npos;
}

std::string format_state(const EntryState& state) {
  std::string last_error = state.last_error;
  std::replace_if(
      last_error.begin(), last_error.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return fmt::format(
      "attempts {}\nlast-attempt {}\nnext-attempt {}\nunconfirmed {}\ndelivered {}\n"
      "last-error {}\n",
      state.attempts, state.last_attempt, state.next_attempt, state.unconfirmed ? 1 : 0,
      state.delivered ? 1 : 0, last_error);
}

std::int64_t to_int64(const std::string& text) {
  try {
    return static_cast<std::int64_t>(std::stoll(text));
  } catch (const std::exception&) {
    return 0;
  }
}

// Calls handle(key, value) for each "key value" line of `text`.
template <typename Handle>
void for_each_line(const std::string& text, Handle&& handle) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    const auto space = line.find(' ');
    handle(line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1));
    start = end + 1;
  }
}

void read_envelope(const std::string& envelope, Entry& entry) {
  for_each_line(envelope, [&entry](const std::string& key, const std::string& value) {
    if (key == "created") entry.created = to_int64(value);
    if (key == "from") entry.reverse_path = value;
    if (key == "rcpt") entry.forward_paths.push_back(value);
    // Parameters written after the address of the line before (a "from" or a "rcpt").
    if (key == "from-parameters") entry.address_parameters.reverse_path = value;
    if (key == "rcpt-parameters" && !entry.forward_paths.empty()) {
      entry.address_parameters.forward_paths[entry.forward_paths.back()] = value;
    }
    if (key == "set") {
      const auto space = value.find(' ');
      entry.settings.emplace_back(value.substr(0, space),
                                  space == std::string::npos ? "" : value.substr(space + 1));
    }
  });
}

void read_state(const std::string& text, EntryState& s) {
  for_each_line(text, [&s](const std::string& key, const std::string& value) {
    if (key == "attempts") s.attempts = static_cast<int>(to_int64(value));
    if (key == "last-attempt") s.last_attempt = to_int64(value);
    if (key == "next-attempt") s.next_attempt = to_int64(value);
    if (key == "unconfirmed") s.unconfirmed = value == "1";
    if (key == "delivered") s.delivered = value == "1";
    if (key == "last-error") s.last_error = value;
  });
}

// An entry directory read whole, or why it is not a whole entry.
struct ReadEntry {
  std::optional<Entry> entry;
  std::string problem;
};

// Reads entry directory `dir`.
ReadEntry read_entry(const std::string& dir, const std::string& id) {
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return {{}, "not a directory"};
  const std::string envelope = read_small_file(join(dir, kEnvelopeFile));
  if (envelope.empty()) return {{}, "no envelope (missing or empty file \"envelope\")"};
  if (!envelope.starts_with(std::string(kMagic) + "\n")) {
    return {{}, fmt::format("the envelope does not start with \"{}\"", kMagic)};
  }
  Entry entry;
  entry.id = id;
  entry.owner = info.st_uid;
  read_envelope(envelope, entry);
  read_state(read_small_file(join(dir, kStateFile)), entry.state);
  if (entry.forward_paths.empty()) return {{}, "the envelope names no recipient"};
  struct stat message {};
  if (::stat(join(dir, kMessageFile).c_str(), &message) != 0) return {{}, "no message file"};
  entry.size = static_cast<std::uint64_t>(message.st_size);
  return {std::move(entry), {}};
}

void make_private_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    write_failure("cannot create the directory " + path, errno);
  }
}

}  // namespace

std::optional<std::string> Entry::setting(const std::string& key) const {
  for (const auto& [name, value] : settings) {
    if (name == key) return value;
  }
  return std::nullopt;
}

std::int64_t backoff_seconds(int attempts, std::int64_t base, std::int64_t cap) {
  std::int64_t delay = std::max<std::int64_t>(base, 0);
  for (int i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

// ---- LockedEntry ----

LockedEntry::LockedEntry(std::string queue_dir, Entry entry, int lock_fd)
    : queue_dir_(std::move(queue_dir)), entry_(std::move(entry)), lock_fd_(lock_fd) {}

LockedEntry::LockedEntry(LockedEntry&& other) noexcept
    : queue_dir_(std::move(other.queue_dir_)),
      entry_(std::move(other.entry_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)) {}

LockedEntry& LockedEntry::operator=(LockedEntry&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    queue_dir_ = std::move(other.queue_dir_);
    entry_ = std::move(other.entry_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

LockedEntry::~LockedEntry() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string LockedEntry::message_path() const {
  return join(join(queue_dir_, entry_.id), kMessageFile);
}

void LockedEntry::remove() {
  // Renamed out of the queue first, in one step: a crash later leaves only tmp/ litter.
  const std::string gone = join(join(queue_dir_, kTmpDir), "removed-" + entry_.id);
  if (::rename(join(queue_dir_, entry_.id).c_str(), gone.c_str()) != 0) {
    write_failure("cannot remove entry " + entry_.id, errno);
  }
  fsync_dir(queue_dir_);
  remove_tree(gone);
}

std::optional<std::string> LockedEntry::settle_delivered() noexcept {
  try {
    remove();
    return std::nullopt;
  } catch (const std::exception& removal) {
    try {
      EntryState state = entry_.state;
      state.delivered = true;
      update(state);
      return fmt::format("{}; it is marked delivered and will not be sent again", removal.what());
    } catch (const std::exception& marking) {
      return fmt::format("{}; {}: a later run may send it again", removal.what(), marking.what());
    }
  }
}

void LockedEntry::update(const EntryState& state) {
  const std::string dir = join(queue_dir_, entry_.id);
  const std::string tmp = join(dir, std::string(kStateFile) + ".tmp");
  ::unlink(tmp.c_str());
  try {
    write_new_file(tmp, format_state(state));
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (::rename(tmp.c_str(), join(dir, kStateFile).c_str()) != 0) {
    write_failure("cannot update entry " + entry_.id, errno);
  }
  fsync_dir(dir);
  entry_.state = state;
}

void LockedEntry::move_to_failed(const std::string& reason, std::string_view report) {
  EntryState state = entry_.state;
  state.last_error = reason;
  update(state);
  if (!report.empty()) {
    const std::string dir = join(queue_dir_, entry_.id);
    ::unlink(join(dir, kReportFile).c_str());
    write_new_file(join(dir, kReportFile), report);
  }
  if (::rename(join(queue_dir_, entry_.id).c_str(),
               join(join(queue_dir_, kFailedDir), entry_.id).c_str()) != 0) {
    write_failure("cannot move entry " + entry_.id + " to failed/", errno);
  }
  fsync_dir(join(queue_dir_, kFailedDir));
  fsync_dir(queue_dir_);
}

// ---- Queue ----

Queue::Queue(std::string directory) : directory_(std::move(directory)) {
  if (directory_.empty()) throw Error(ExitCode::FailedInit, "queue: empty directory name");
  while (directory_.size() > 1 && directory_.back() == '/') directory_.pop_back();
  // Parents as mkdir -p would, private as well: ~/.local/state may not exist yet.
  for (std::size_t slash = directory_.find('/', 1); slash != std::string::npos;
       slash = directory_.find('/', slash + 1)) {
    const std::string parent = directory_.substr(0, slash);
    if (::access(parent.c_str(), F_OK) != 0) make_private_directory(parent);
  }
  make_private_directory(directory_);
  struct stat info {};
  if (::stat(directory_.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw Error(ExitCode::FailedInit, fmt::format("queue: {} is not a directory", directory_));
  }
  if (info.st_uid != ::geteuid()) {
    throw Error(ExitCode::FailedInit,
                fmt::format("queue: {} belongs to another user (uid {}): refused", directory_,
                            info.st_uid));
  }
  // Others may pass through (the system spool is 0711 for its users/ queues), never list
  // or write: each entry is a 0700 directory of its own.
  if ((info.st_mode & 066U) != 0) {
    throw Error(ExitCode::FailedInit,
                fmt::format("queue: others can list or write {} (mode {:04o}): run 'chmod 700 {}'",
                            directory_, info.st_mode & 07777U, directory_));
  }
  make_private_directory(join(directory_, kTmpDir));
  make_private_directory(join(directory_, kFailedDir));
}

LockedEntry Queue::add(const std::string& reverse_path,
                       const std::vector<std::string>& forward_paths, const Settings& settings,
                       MessageSource& message, const WrittenParameters& address_parameters) {
  // A file size limit (RLIMIT_FSIZE) must fail the write, not kill us half-way.
  std::signal(SIGXFSZ, SIG_IGN);
  require_one_line(reverse_path, "the sender");
  std::string envelope = fmt::format("{}\ncreated {}\nfrom {}\n", kMagic,
                                     static_cast<long long>(std::time(nullptr)), reverse_path);
  if (!address_parameters.reverse_path.empty()) {
    require_one_line(address_parameters.reverse_path, "the sender's parameters");
    envelope += fmt::format("from-parameters {}\n", address_parameters.reverse_path);
  }
  for (const auto& rcpt : forward_paths) {
    require_one_line(rcpt, "a recipient");
    envelope += fmt::format("rcpt {}\n", rcpt);
    if (const std::string_view written = address_parameters.of(rcpt); !written.empty()) {
      require_one_line(std::string(written), "a recipient's parameters");
      envelope += fmt::format("rcpt-parameters {}\n", written);
    }
  }
  for (const auto& [key, value] : settings) {
    require_one_line(key, "a setting");
    require_one_line(value, fmt::format("setting {}", key));
    envelope += fmt::format("set {} {}\n", key, value);
  }

  std::string id = new_id();
  std::string building = join(join(directory_, kTmpDir), id);
  for (int tries = 0; ::mkdir(building.c_str(), 0700) != 0; ++tries) {
    if (errno != EEXIST || tries > 8) write_failure("cannot create " + building, errno);
    id = new_id();
    building = join(join(directory_, kTmpDir), id);
  }
  Fd lock(::open(building.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  try {
    if (lock.get() < 0 || ::flock(lock.get(), LOCK_EX) != 0) {
      write_failure("cannot lock " + building, errno);
    }
    const std::string message_path = join(building, kMessageFile);
    Fd out(
        ::open(message_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (out.get() < 0) write_failure("cannot create " + message_path, errno);
    std::vector<char> buffer(128 * 1024);
    std::uint64_t size = 0;
    for (;;) {
      const std::size_t got = message.read(buffer);
      if (got == 0) break;
      write_all(out.get(), buffer.data(), got, message_path);
      size += got;
    }
    if (::fsync(out.get()) != 0) write_failure("fsync " + message_path, errno);
    write_new_file(join(building, kEnvelopeFile), envelope);
    fsync_dir(building);
    const std::string final_path = join(directory_, id);
    if (::rename(building.c_str(), final_path.c_str()) != 0) {
      write_failure("cannot move the entry into " + directory_, errno);
    }
    fsync_dir(directory_);
    Entry entry;
    entry.id = id;
    entry.created = static_cast<std::int64_t>(std::time(nullptr));
    entry.reverse_path = reverse_path;
    entry.forward_paths = forward_paths;
    entry.address_parameters = address_parameters;
    entry.settings = settings;
    entry.size = size;
    entry.owner = ::geteuid();
    return {directory_, std::move(entry), lock.release()};
  } catch (...) {
    remove_tree(building);
    throw;
  }
}

std::vector<Entry> Queue::list() const {
  std::vector<Entry> entries;
  for (const auto& id : directory_names(directory_)) {
    if (auto read = read_entry(join(directory_, id), id); read.entry) {
      entries.push_back(std::move(*read.entry));
    }
  }
  return entries;
}

std::vector<UnreadableEntry> Queue::list_unreadable() const {
  std::vector<UnreadableEntry> unreadable;
  for (const auto& id : directory_names(directory_)) {
    if (auto read = read_entry(join(directory_, id), id); !read.entry) {
      unreadable.push_back({id, std::move(read.problem)});
    }
  }
  return unreadable;
}

std::vector<Entry> Queue::list_failed() const {
  std::vector<Entry> entries;
  const std::string failed = join(directory_, kFailedDir);
  for (const auto& id : directory_names(failed)) {
    if (auto read = read_entry(join(failed, id), id); read.entry) {
      entries.push_back(std::move(*read.entry));
    }
  }
  return entries;
}

std::optional<LockedEntry> Queue::try_lock(const std::string& id) {
  if (!valid_id(id)) return std::nullopt;
  const std::string path = join(directory_, id);
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  struct stat held {};
  if (::fstat(fd.get(), &held) != 0) return std::nullopt;
  if (held.st_uid != ::geteuid()) {
    throw Error(
        ExitCode::FailedInit,
        fmt::format("queue: entry {} belongs to another user (uid {}): refused", id, held.st_uid));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return std::nullopt;  // being sent elsewhere
  // Sent and removed by another run between our open and our lock?
  struct stat now {};
  if (::lstat(path.c_str(), &now) != 0 || now.st_ino != held.st_ino || now.st_dev != held.st_dev) {
    return std::nullopt;
  }
  auto read = read_entry(path, id);
  if (!read.entry) return std::nullopt;
  return LockedEntry(directory_, std::move(*read.entry), fd.release());
}

void Queue::clean_leftovers() {
  const std::string tmp = join(directory_, kTmpDir);
  const auto now = std::time(nullptr);
  for (const auto& name : directory_names(tmp)) {
    const std::string path = join(tmp, name);
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat info {};
    if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0 || info.st_uid != ::geteuid()) continue;
    // A writer holds its lock from mkdir on; the age leaves room for the moment before.
    if (now - info.st_mtime < 10 && !name.starts_with("removed-")) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    remove_tree(path);
  }
}

}  // namespace smtpc::queue
