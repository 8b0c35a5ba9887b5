// The local mail queue: messages kept on disk until a server takes them (docs/queue.md).
// Crash-safe (temporary name, fsync, rename, fsync of the directory), private (0700/0600),
// one flock per entry while it is being sent, and no secrets: only where they come from.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtpc/message/body_source.hpp"
#include "smtpc/settings/delivery_settings.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/sys/fd.hpp"

namespace smtpc::queue {

/// How to send an entry again (the URL, TLS, where the password comes from...): never a
/// password or a token. Stored with the settings codec (smtpc/settings/settings_codec.hpp).
using Settings = settings::DeliverySettings;

/// What changes between attempts; rewritten atomically after each one.
struct EntryState {
  int attempts = 0;
  std::int64_t last_attempt = 0;  // Unix time, 0 before the first
  std::int64_t next_attempt = 0;  // Unix time; a queue run without --force waits for it
  std::string last_error;         // one line: the error of the last attempt
  /// An attempt's end of data got no reply: the server may have stored the message, so a
  /// later delivery may be a duplicate (RFC 5321 §6.1); the Message-ID is kept as it was.
  bool unconfirmed = false;
  /// The server accepted the message but the entry could not be removed (a read-only
  /// tmp/, say): never sent again; a later run removes it.
  bool delivered = false;
};

/// One queued message: its envelope and settings (written once) and its state.
struct Entry {
  std::string id;
  std::int64_t created = 0;  // Unix time
  std::string reverse_path;
  std::vector<std::string> forward_paths;
  /// ESMTP parameters written after the addresses ("<a@b> NOTIFY=NEVER"), sent as written.
  WrittenParameters address_parameters;
  Settings settings;
  EntryState state;
  std::uint64_t size = 0;  // of the message file
  uid_t owner = 0;
};

/// A directory in the queue that is not a whole entry, and why (listed, never sent).
struct UnreadableEntry {
  std::string id;
  std::string reason;
};

/// The delay before attempt `attempts + 1`: base * 2^(attempts - 1), capped.
[[nodiscard]] std::int64_t backoff_seconds(int attempts, std::int64_t base, std::int64_t cap);

class Queue;

/// An entry held under its flock: only the holder sends, removes or updates it. The lock
/// is released (and the entry stays queued as it is) when the handle is destroyed.
class LockedEntry {
 public:
  LockedEntry(LockedEntry&& other) noexcept;
  LockedEntry& operator=(LockedEntry&& other) noexcept;
  LockedEntry(const LockedEntry&) = delete;
  LockedEntry& operator=(const LockedEntry&) = delete;
  ~LockedEntry();

  [[nodiscard]] const Entry& entry() const noexcept { return entry_; }
  /// The message, byte for byte as queued: what a send reads. Through the entry's open
  /// directory (/proc/self/fd/N/message) while this handle lives, so not resolved again.
  [[nodiscard]] std::string message_path() const;
  /// The server took it: the entry leaves the queue. Throws Error(WriteError).
  void remove();
  /// The server took it: removes the entry, or when that fails marks it delivered so that
  /// no run sends it again. Never throws: returns what went wrong, for a warning.
  [[nodiscard]] std::optional<std::string> settle_delivered() noexcept;
  /// Records an attempt that failed for now. Throws Error(WriteError).
  void update(const EntryState& state);
  /// A permanent failure: moves the entry to failed/ with `reason`, and `report` (a
  /// bounce-like text for the user, if not empty) in its file "report". Throws
  /// Error(WriteError).
  void move_to_failed(const std::string& reason, std::string_view report = {});

 private:
  friend class Queue;
  LockedEntry(std::string queue_dir, Fd queue_fd, Entry entry, Fd lock);
  std::string queue_dir_;  // for messages only: the entry is reached through the descriptors
  Fd queue_fd_;            // the queue directory
  Entry entry_;
  Fd lock_;  // the entry's directory, flock'ed
};

/// A queue directory. Every function throws Error(WriteError) when the disk refuses a
/// write (the entry being written is then removed: nothing half-written stays queued) and
/// Error(FailedInit) when the directory is not private to this user.
class Queue {
 public:
  /// Opens `directory`, creating it (and its parents) with mode 0700 if needed, and holds
  /// it open. Throws Error(FailedInit) when it is a symbolic link, belongs to another user
  /// or others may enter it.
  explicit Queue(std::string directory);

  [[nodiscard]] const std::string& directory() const noexcept { return directory_; }

  /// Copies `message` into a new entry and returns it locked (so that a queue run started
  /// meanwhile leaves it alone). The entry appears whole or not at all.
  [[nodiscard]] LockedEntry add(const std::string& reverse_path,
                                const std::vector<std::string>& forward_paths,
                                const Settings& settings, MessageSource& message,
                                const WrittenParameters& address_parameters = {});

  /// Every entry, oldest first, read without locking. Entries owned by another user are
  /// listed with their owner; unreadable ones are in list_unreadable().
  [[nodiscard]] std::vector<Entry> list() const;
  /// The directories of the queue that are not whole entries, with the reason.
  [[nodiscard]] std::vector<UnreadableEntry> list_unreadable() const;
  /// The entries of failed/.
  [[nodiscard]] std::vector<Entry> list_failed() const;

  /// Locks entry `id` without waiting. nullopt when another process holds it or it is gone.
  /// Throws Error(FailedInit) when another user owns it: a queue run never sends those.
  [[nodiscard]] std::optional<LockedEntry> try_lock(const std::string& id);

  /// Removes what crashed writers left in tmp/ (unlocked leftovers only).
  void clean_leftovers();

 private:
  [[nodiscard]] Fd duplicate() const;  // another descriptor of the queue directory
  std::string directory_;
  Fd dir_;  // opened once with O_NOFOLLOW and checked; every entry is reached from it
};

}  // namespace smtpc::queue
