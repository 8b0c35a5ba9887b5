// The one streaming engine under the MIME messages smtpc builds itself: --subject/--attach
// drafts (composed_message.hpp) and -F forms (form.hpp). Each builder lays out text and
// files; the engine hands them out chunk by chunk, reading each file in pieces through its
// encoder, so memory stays flat whatever the files' sizes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/message/body_source.hpp"
#include "smtpc/sys/fd.hpp"

namespace smtpc {

/// Turns a file's bytes into the message's as they are read; may hold some back until the
/// next piece or the end.
class ContentEncoder {
 public:
  virtual ~ContentEncoder() = default;
  /// Appends the encoding of what can be encoded so far.
  virtual void feed(std::string_view input, std::string& output) = 0;
  /// Appends the rest: the input has ended.
  virtual void finish(std::string& output) = 0;
};

/// Base64 in lines of 76 characters, each ending in CRLF (mime::base64_lines), whatever
/// pieces the input comes in.
class Base64LinesEncoder final : public ContentEncoder {
 public:
  void feed(std::string_view input, std::string& output) override;
  void finish(std::string& output) override;

 private:
  std::string held_;  // less than one line's worth of input
};

/// A file in a message, encoded as it is read.
struct StreamedFile {
  std::string path;
  std::string what;  // names it in errors: attachment "a.pdf", -F file "a.txt"
  std::unique_ptr<ContentEncoder> encoder;
  Fd fd;  // opened (and checked) by the builder, or not valid: opened when it is reached
};

/// A message made of text and files, in the order they are added.
class MimeStream final : public MessageSource {
 public:
  explicit MimeStream(std::string name) : name_(std::move(name)) {}

  /// Appends text written as it is.
  void add_text(std::string_view text);
  /// Appends a file, read when the stream reaches it.
  void add_file(StreamedFile file);

  /// Throws Error(ReadError) naming the file ("cannot open WHAT: ...", "failed reading
  /// WHAT: ...") when it cannot be opened or read, and what its encoder throws.
  [[nodiscard]] std::size_t read(std::span<char> buffer) override;
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  struct Piece {
    std::string text;                  // written as it is
    std::optional<StreamedFile> file;  // then this file, if any
  };
  bool refill();
  void read_file_chunk();

  std::string name_;
  std::vector<Piece> pieces_;
  std::size_t next_piece_ = 0;
  std::optional<StreamedFile> open_file_;  // the file being read
  std::string chunk_;                      // its bytes as read
  std::string pending_;                    // output not handed out yet
  std::size_t pending_offset_ = 0;
};

}  // namespace smtpc
