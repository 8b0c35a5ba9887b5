// The message to upload: a file or standard input, read in fixed-size chunks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace smtpc {

/// Streams the upload so memory does not grow with the message size.
class BodySource {
 public:
  /// Opens `path` ("-" is standard input). Throws Error(ReadError) naming the file.
  explicit BodySource(const std::string& path);
  ~BodySource();
  BodySource(const BodySource&) = delete;
  BodySource& operator=(const BodySource&) = delete;

  /// Reads up to buffer.size() bytes; 0 at end. Throws Error(ReadError).
  [[nodiscard]] std::size_t read(std::span<char> buffer);
  /// The size when the source is a regular file, for SIZE=.
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept { return size_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  int fd_ = -1;
  bool owns_fd_ = false;
  std::string name_;
  std::optional<std::uint64_t> size_;
};

}  // namespace smtpc
