// The message to upload: a file, standard input or a composed message, read in chunks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "smtpc/sys/fd.hpp"

namespace smtpc {

/// A message that is the rest of a regular file from `offset` on (for sendfile).
struct FileSpan {
  int fd = -1;
  std::uint64_t offset = 0;
};

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
  /// The regular file whose bytes this source reads unchanged, size() of them; nullopt for
  /// anything else (a pipe, an edited, signed or composed message).
  [[nodiscard]] virtual std::optional<FileSpan> file_span() const noexcept { return std::nullopt; }
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
  [[nodiscard]] std::optional<FileSpan> file_span() const noexcept override {
    if (!size_) return std::nullopt;
    return FileSpan{fd_, start_};
  }

 private:
  Fd opened_;                // the file opened; standard input is not ours to close
  int fd_ = -1;              // opened_, or standard input
  std::uint64_t start_ = 0;  // the file offset the message starts at
  std::string name_;
  std::optional<std::uint64_t> size_;
};

/// Another reading of the file span a source reads (MessageSource::file_span()), through
/// the same open file: it reads with pread, so the first reading's file offset stays where
/// it is, and the file is not opened again (the scan before sending reads each -T file
/// this way, then the send reads it through the first reading). It reads to the end of the
/// file as it is then, which may differ from the size the source was opened with; a read
/// that comes back short found that end, and the next one returns 0 at once.
class FileSpanReading final : public MessageSource {
 public:
  /// `of` must have a file_span(); the reading shares its descriptor and must not outlive it.
  explicit FileSpanReading(const MessageSource& of);

  [[nodiscard]] std::size_t read(std::span<char> buffer) override;
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept override { return size_; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  const std::string& name_;
  std::optional<std::uint64_t> size_;
  FileSpan span_;
  std::uint64_t read_ = 0;  // bytes read so far, from span_.offset on
  bool ended_ = false;      // a read came back short: the end of the file (as it was then)
};

}  // namespace smtpc
