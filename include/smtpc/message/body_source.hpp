// The message to upload: a file, standard input or a composed message, read in chunks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "smtpc/sys/fd.hpp"

namespace smtpc {

/// Where the message comes from: a file, standard input, or a composed message.
/// The job pulls it in chunks, so memory does not grow with the message size.
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  /// Reads up to buffer.size() bytes; 0 at end. Throws Error(ReadError).
  [[nodiscard]] virtual std::size_t read(std::span<char> buffer) = 0;
  /// The size in bytes when known in advance, for SIZE= (RFC 1870).
  [[nodiscard]] virtual std::optional<std::uint64_t> size() const noexcept { return std::nullopt; }
  /// What to call the source in messages: a file name or "standard input".
  [[nodiscard]] virtual const std::string& name() const noexcept = 0;
};

/// The upload file, or standard input for "-".
class BodySource final : public MessageSource {
 public:
  /// Opens `path` ("-" is standard input). Throws Error(ReadError) naming the file, after
  /// `kind` when not empty: cannot open upload file "x": No such file or directory.
  explicit BodySource(const std::string& path, std::string_view kind = "upload file");
  BodySource(const BodySource&) = delete;
  BodySource& operator=(const BodySource&) = delete;

  [[nodiscard]] std::size_t read(std::span<char> buffer) override;
  /// The size when the source is a regular file.
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept override { return size_; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  Fd opened_;   // the file opened; standard input is not ours to close
  int fd_ = -1;  // opened_, or standard input
  std::string name_;
  std::optional<std::uint64_t> size_;
};

}  // namespace smtpc
