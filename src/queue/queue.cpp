// The local mail queue on disk: one directory per entry, made whole in tmp/ and renamed in.
// The queue directory is resolved by path once, opened without following a link, checked
// through that descriptor, and every entry is reached from it (openat, mkdirat, renameat,
// unlinkat): whoever controls a parent directory cannot swap the queue after the check.
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
#include <optional>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/queue/location.hpp"
#include "smtpc/settings/settings_codec.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc::queue {
namespace {

// The envelope's first line names its format: 1 kept the settings as "set OPTION VALUE"
// (the option spellings), 2 as "setting NAME VALUE" in the settings codec's names. Both are
// read; an entry of a format this smtpc does not know is listed as unreadable, never sent.
constexpr std::string_view kMagicPrefix = "smtpc-queue ";
constexpr int kFormat = settings::kSettingsFormat;
static_assert(kFormat == 2, "a new settings format needs its reader here");
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

std::string join(const std::string& dir, const std::string& name) { return dir + "/" + name; }

// Directory `name` in directory `at`, never through a symbolic link.
Fd open_directory_at(int at, const std::string& name) {
  return Fd(::openat(at, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// `name` in `at`, for the queue's own subdirectories (tmp/, failed/): they must be there.
Fd require_directory_at(int at, const std::string& name, const std::string& shown) {
  Fd fd = open_directory_at(at, name);
  if (!fd.valid()) write_failure("cannot open " + shown, errno);
  return fd;
}

void fsync_dir(int fd, const std::string& shown) {
  if (::fsync(fd) != 0) write_failure("fsync " + shown, errno);
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

// Creates `name` in `dir` (0600, never an existing file), writes `text`, fsyncs it.
void write_new_file(int dir, const std::string& name, std::string_view text,
                    const std::string& shown) {
  Fd fd(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) write_failure("cannot create " + shown, errno);
  write_all(fd.get(), text.data(), text.size(), shown);
  if (::fsync(fd.get()) != 0) write_failure("fsync " + shown, errno);
}

// An envelope names every recipient and its parameters: 100 000 recipients take a few MB.
// The limit only keeps a planted huge file from filling memory; a bigger file is refused,
// never cut short (a cut envelope would lose recipients or send to a truncated address).
constexpr std::size_t kEnvelopeLimit = std::size_t{64} << 20U;
constexpr std::size_t kStateLimit = std::size_t{1} << 20U;

// The file `name` in `dir` read whole, or why it could not be. A missing file is "".
std::optional<std::string> read_entry_file(int dir, const char* name, std::size_t limit,
                                           std::string& problem) {
  const Fd fd(::openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT) return std::string();
  FileContent content;
  if (fd.valid())
    content = read_all(fd.get(), limit);
  else
    content.error = errno;
  if (content.ok()) return std::move(content.text);
  problem = content.error == EFBIG
                ? fmt::format("file \"{}\" is larger than {} MiB", name, limit >> 20U)
                : fmt::format("cannot read file \"{}\": {}", name, std::strerror(content.error));
  return std::nullopt;
}

// The names in directory `dir` but "." and "..", read through a descriptor of its own.
std::vector<std::string> names_in(int dir) {
  std::vector<std::string> names;
  Fd own(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!own.valid()) return names;
  DIR* d = ::fdopendir(own.get());
  if (d == nullptr) return names;
  (void)own.release();  // closedir closes it
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  return names;
}

// Removes entry directory `name` of `parent` and the files in it (entries hold no
// subdirectories).
void remove_tree(int parent, const std::string& name) {
  if (const Fd dir = open_directory_at(parent, name); dir.valid()) {
    for (const auto& file : names_in(dir.get())) ::unlinkat(dir.get(), file.c_str(), 0);
  }
  ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
}

// The entry names in `dir`, oldest first (ids start with the time).
std::vector<std::string> directory_names(int dir) {
  std::vector<std::string> names = names_in(dir);
  std::erase_if(names, [](const std::string& name) {
    return name == kTmpDir || name == kFailedDir || name == kUsersDirectory;
  });
  std::sort(names.begin(), names.end());
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
  // One line, and inert on the terminal of whoever lists the queue (root's mailq too):
  // the error may quote a hostile server.
  std::string last_error = state.last_error;
  std::replace_if(
      last_error.begin(), last_error.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  last_error = escape_controls(last_error);
  return fmt::format(
      "attempts {}\nlast-attempt {}\nnext-attempt {}\nunconfirmed {}\ndelivered {}\n"
      "last-error {}\n",
      state.attempts, state.last_attempt, state.next_attempt, state.unconfirmed ? 1 : 0,
      state.delivered ? 1 : 0, last_error);
}

std::int64_t to_int64(const std::string& text) {
  const auto [number, error] = parse_long(text);
  return error == std::errc{} ? number : 0;
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

// Reads an envelope of format `format` (1 or 2) into `entry`. Throws Error(FailedInit) for
// settings the codec cannot read.
void read_envelope(const std::string& envelope, int format, Entry& entry) {
  settings::SettingLines lines;
  const std::string settings_key = format == 1 ? "set" : "setting";
  for_each_line(envelope, [&](const std::string& key, const std::string& value) {
    if (key == "created") entry.created = to_int64(value);
    if (key == "from") entry.reverse_path = value;
    if (key == "rcpt") entry.forward_paths.push_back(value);
    // Parameters written after the address of the line before (a "from" or a "rcpt").
    if (key == "from-parameters") entry.address_parameters.reverse_path = value;
    if (key == "rcpt-parameters" && !entry.forward_paths.empty()) {
      entry.address_parameters.forward_paths[entry.forward_paths.back()] = value;
    }
    if (key == settings_key) {
      const auto space = value.find(' ');
      lines.emplace_back(value.substr(0, space),
                         space == std::string::npos ? "" : value.substr(space + 1));
    }
  });
  entry.settings = format == 1 ? settings::decode_format1(lines) : settings::decode(lines);
}

// The format named by the envelope's first line, or 0 when it names none this smtpc reads.
int envelope_format(const std::string& envelope) {
  for (const int format : {1, kFormat}) {
    if (envelope.starts_with(fmt::format("{}{}\n", kMagicPrefix, format))) return format;
  }
  return 0;
}

void read_state(const std::string& text, EntryState& s) {
  for_each_line(text, [&s](const std::string& key, const std::string& value) {
    if (key == "attempts") s.attempts = static_cast<int>(to_int64(value));
    if (key == "last-attempt") s.last_attempt = to_int64(value);
    if (key == "next-attempt") s.next_attempt = to_int64(value);
    if (key == "unconfirmed") s.unconfirmed = value == "1";
    if (key == "delivered") s.delivered = value == "1";
    // Escaped again: a state file written before smtpc escaped it.
    if (key == "last-error") s.last_error = escape_controls(value);
  });
}

// An entry directory read whole, or why it is not a whole entry.
struct ReadEntry {
  std::optional<Entry> entry;
  std::string problem;
};

// Reads the entry whose directory is open as `dir`.
ReadEntry read_entry(int dir, const std::string& id) {
  struct stat info {};
  if (::fstat(dir, &info) != 0 || !S_ISDIR(info.st_mode)) return {{}, "not a directory"};
  std::string problem;
  const auto envelope = read_entry_file(dir, kEnvelopeFile, kEnvelopeLimit, problem);
  if (!envelope) return {{}, problem};
  if (envelope->empty()) return {{}, "no envelope (missing or empty file \"envelope\")"};
  const int format = envelope_format(*envelope);
  if (format == 0) {
    return {{},
            fmt::format("the envelope does not start with \"{}1\" or \"{}{}\" (a newer smtpc's?)",
                        kMagicPrefix, kMagicPrefix, kFormat)};
  }
  Entry entry;
  entry.id = id;
  entry.owner = info.st_uid;
  try {
    read_envelope(*envelope, format, entry);
  } catch (const Error& error) {
    return {{}, error.what()};
  }
  // A state that cannot be read whole may hide "delivered": such an entry is never sent.
  const auto state = read_entry_file(dir, kStateFile, kStateLimit, problem);
  if (!state) return {{}, problem};
  read_state(*state, entry.state);
  if (entry.forward_paths.empty()) return {{}, "the envelope names no recipient"};
  struct stat message {};
  if (::fstatat(dir, kMessageFile, &message, AT_SYMLINK_NOFOLLOW) != 0) {
    return {{}, "no message file"};
  }
  entry.size = static_cast<std::uint64_t>(message.st_size);
  return {std::move(entry), {}};
}

void make_private_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    write_failure("cannot create the directory " + path, errno);
  }
}

void make_private_directory_at(int at, const std::string& name, const std::string& shown) {
  if (::mkdirat(at, name.c_str(), 0700) != 0 && errno != EEXIST) {
    write_failure("cannot create the directory " + shown, errno);
  }
}

// Entries of `dir` (the queue or failed/) that read whole, oldest first.
// Whether `id` in `dir` is still the directory open as `held`. A queue run removes an entry
// by renaming it out of the queue and then emptying it, so one that vanished or was replaced
// while another run read it was handled there: it is not broken.
bool still_queued(int dir, const std::string& id, int held) {
  struct stat now {};
  struct stat opened {};
  return ::fstatat(dir, id.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 &&
         ::fstat(held, &opened) == 0 && now.st_ino == opened.st_ino && now.st_dev == opened.st_dev;
}

std::vector<Entry> entries_in(int dir) {
  std::vector<Entry> entries;
  for (const auto& id : directory_names(dir)) {
    const Fd entry_dir = open_directory_at(dir, id);
    if (!entry_dir.valid()) continue;
    if (auto read = read_entry(entry_dir.get(), id); read.entry) {
      entries.push_back(std::move(*read.entry));
    }
  }
  return entries;
}

}  // namespace

std::int64_t backoff_seconds(int attempts, std::int64_t base, std::int64_t cap) {
  std::int64_t delay = std::max<std::int64_t>(base, 0);
  for (int i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

// ---- LockedEntry ----

LockedEntry::LockedEntry(std::string queue_dir, Fd queue_fd, Entry entry, Fd lock)
    : queue_dir_(std::move(queue_dir)),
      queue_fd_(std::move(queue_fd)),
      entry_(std::move(entry)),
      lock_(std::move(lock)) {}

LockedEntry::LockedEntry(LockedEntry&& other) noexcept = default;
LockedEntry& LockedEntry::operator=(LockedEntry&& other) noexcept = default;
LockedEntry::~LockedEntry() = default;  // closing the lock's descriptor releases the flock

std::string LockedEntry::message_path() const {
  // Through the entry's open directory, so that the path is not resolved again.
  const std::string held = fmt::format("/proc/self/fd/{}", lock_.get());
  if (::access(held.c_str(), F_OK) == 0) return join(held, kMessageFile);
  return join(join(queue_dir_, entry_.id), kMessageFile);  // no /proc: by path after all
}

void LockedEntry::remove() {
  // Renamed out of the queue first, in one step: a crash later leaves only tmp/ litter.
  const Fd tmp = require_directory_at(queue_fd_.get(), kTmpDir, join(queue_dir_, kTmpDir));
  const std::string gone = "removed-" + entry_.id;
  if (::renameat(queue_fd_.get(), entry_.id.c_str(), tmp.get(), gone.c_str()) != 0) {
    write_failure("cannot remove entry " + entry_.id, errno);
  }
  fsync_dir(queue_fd_.get(), queue_dir_);
  remove_tree(tmp.get(), gone);
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
  const std::string tmp = std::string(kStateFile) + ".tmp";
  const std::string shown = join(join(queue_dir_, entry_.id), tmp);
  ::unlinkat(lock_.get(), tmp.c_str(), 0);
  try {
    write_new_file(lock_.get(), tmp, format_state(state), shown);
  } catch (...) {
    ::unlinkat(lock_.get(), tmp.c_str(), 0);
    throw;
  }
  if (::renameat(lock_.get(), tmp.c_str(), lock_.get(), kStateFile) != 0) {
    write_failure("cannot update entry " + entry_.id, errno);
  }
  fsync_dir(lock_.get(), join(queue_dir_, entry_.id));
  entry_.state = state;
}

void LockedEntry::move_to_failed(const std::string& reason, std::string_view report) {
  EntryState state = entry_.state;
  state.last_error = reason;
  update(state);
  if (!report.empty()) {
    ::unlinkat(lock_.get(), kReportFile, 0);
    write_new_file(lock_.get(), kReportFile, report,
                   join(join(queue_dir_, entry_.id), kReportFile));
  }
  const std::string shown = join(queue_dir_, kFailedDir);
  const Fd failed = require_directory_at(queue_fd_.get(), kFailedDir, shown);
  if (::renameat(queue_fd_.get(), entry_.id.c_str(), failed.get(), entry_.id.c_str()) != 0) {
    write_failure("cannot move entry " + entry_.id + " to failed/", errno);
  }
  fsync_dir(failed.get(), shown);
  fsync_dir(queue_fd_.get(), queue_dir_);
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
  // Opened once, the last component never followed; everything else goes through dir_.
  dir_ = Fd(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_.valid()) {
    const int error = errno;
    struct stat link {};
    if (error == ELOOP || (::lstat(directory_.c_str(), &link) == 0 && S_ISLNK(link.st_mode))) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("queue: {} is a symbolic link: refused (give the directory it "
                              "points to)",
                              directory_));
    }
    throw Error(ExitCode::FailedInit,
                fmt::format("queue: {} is not a directory: {}", directory_, std::strerror(error)));
  }
  struct stat info {};
  if (::fstat(dir_.get(), &info) != 0 || !S_ISDIR(info.st_mode)) {
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
  make_private_directory_at(dir_.get(), kTmpDir, join(directory_, kTmpDir));
  make_private_directory_at(dir_.get(), kFailedDir, join(directory_, kFailedDir));
}

LockedEntry Queue::add(const std::string& reverse_path,
                       const std::vector<std::string>& forward_paths, const Settings& settings,
                       MessageSource& message, const WrittenParameters& address_parameters) {
  // A file size limit (RLIMIT_FSIZE) must fail the write, not kill us half-way.
  std::signal(SIGXFSZ, SIG_IGN);
  require_one_line(reverse_path, "the sender");
  std::string envelope = fmt::format("{}{}\ncreated {}\nfrom {}\n", kMagicPrefix, kFormat,
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
  for (const auto& [name, value] : settings::encode(settings)) {
    envelope += fmt::format("setting {} {}\n", name, value);
  }

  const Fd tmp = require_directory_at(dir_.get(), kTmpDir, join(directory_, kTmpDir));
  std::string id = new_id();
  std::string building = join(join(directory_, kTmpDir), id);
  for (int tries = 0; ::mkdirat(tmp.get(), id.c_str(), 0700) != 0; ++tries) {
    if (errno != EEXIST || tries > 8) write_failure("cannot create " + building, errno);
    id = new_id();
    building = join(join(directory_, kTmpDir), id);
  }
  Fd lock = open_directory_at(tmp.get(), id);
  try {
    if (!lock.valid() || ::flock(lock.get(), LOCK_EX) != 0) {
      write_failure("cannot lock " + building, errno);
    }
    const std::string message_path = join(building, kMessageFile);
    Fd out(::openat(lock.get(), kMessageFile, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0600));
    if (!out.valid()) write_failure("cannot create " + message_path, errno);
    std::vector<char> buffer(128 * 1024);
    std::uint64_t size = 0;
    for (;;) {
      const std::size_t got = message.read(buffer);
      if (got == 0) break;
      write_all(out.get(), buffer.data(), got, message_path);
      size += got;
    }
    if (::fsync(out.get()) != 0) write_failure("fsync " + message_path, errno);
    write_new_file(lock.get(), kEnvelopeFile, envelope, join(building, kEnvelopeFile));
    fsync_dir(lock.get(), building);
    if (::renameat(tmp.get(), id.c_str(), dir_.get(), id.c_str()) != 0) {
      write_failure("cannot move the entry into " + directory_, errno);
    }
    fsync_dir(dir_.get(), directory_);
    Entry entry;
    entry.id = id;
    entry.created = static_cast<std::int64_t>(std::time(nullptr));
    entry.reverse_path = reverse_path;
    entry.forward_paths = forward_paths;
    entry.address_parameters = address_parameters;
    entry.settings = settings;
    entry.size = size;
    entry.owner = ::geteuid();
    return {directory_, duplicate(), std::move(entry), std::move(lock)};
  } catch (...) {
    remove_tree(tmp.get(), id);
    throw;
  }
}

Fd Queue::duplicate() const {
  Fd copy(::fcntl(dir_.get(), F_DUPFD_CLOEXEC, 0));
  if (!copy.valid()) write_failure("cannot hold " + directory_, errno);
  return copy;
}

std::vector<Entry> Queue::list() const { return entries_in(dir_.get()); }

std::vector<UnreadableEntry> Queue::list_unreadable() const {
  std::vector<UnreadableEntry> unreadable;
  for (const auto& id : directory_names(dir_.get())) {
    const Fd entry_dir = open_directory_at(dir_.get(), id);
    if (!entry_dir.valid()) {
      if (errno == ENOENT) continue;  // removed since it was listed (sent by another run)
      unreadable.push_back({id, "not a directory"});
    } else if (auto read = read_entry(entry_dir.get(), id); !read.entry) {
      if (!still_queued(dir_.get(), id, entry_dir.get())) continue;
      unreadable.push_back({id, std::move(read.problem)});
    }
  }
  return unreadable;
}

std::vector<Entry> Queue::list_failed() const {
  const Fd failed = open_directory_at(dir_.get(), kFailedDir);
  return failed.valid() ? entries_in(failed.get()) : std::vector<Entry>{};
}

std::optional<LockedEntry> Queue::try_lock(const std::string& id) {
  if (!valid_id(id)) return std::nullopt;
  Fd fd = open_directory_at(dir_.get(), id);
  if (!fd.valid()) return std::nullopt;
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
  if (::fstatat(dir_.get(), id.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
      now.st_ino != held.st_ino || now.st_dev != held.st_dev) {
    return std::nullopt;
  }
  auto read = read_entry(fd.get(), id);
  if (!read.entry) return std::nullopt;
  return LockedEntry(directory_, duplicate(), std::move(*read.entry), std::move(fd));
}

void Queue::clean_leftovers() {
  const Fd tmp = open_directory_at(dir_.get(), kTmpDir);
  if (!tmp.valid()) return;
  const auto now = std::time(nullptr);
  for (const auto& name : names_in(tmp.get())) {
    const Fd fd = open_directory_at(tmp.get(), name);
    struct stat info {};
    if (!fd.valid() || ::fstat(fd.get(), &info) != 0 || info.st_uid != ::geteuid()) continue;
    // A writer holds its lock from mkdir on; the age leaves room for the moment before.
    if (now - info.st_mtime < 10 && !name.starts_with("removed-")) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    remove_tree(tmp.get(), name);
  }
}

}  // namespace smtpc::queue
