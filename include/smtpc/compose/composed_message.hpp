// Messages smtpc writes itself (--subject/--body/--html/--attach) and uploads whose header
// section smtpc edits (-t, -H with -T, sendmail mode), both streamed as MessageSources.
// RFC 5322 (format), RFC 2045/2046 (MIME multipart), RFC 2183 (Content-Disposition).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/compose/header_block.hpp"
#include "smtpc/message/body_source.hpp"
#include "smtpc/message/message_origin.hpp"

namespace smtpc {

/// A file to attach.
struct Attachment {
  std::string path;
  std::optional<std::string> content_type;  // detected from the content when absent
  std::optional<std::string> filename;      // the path's last component when absent
};

/// What a composed message holds. Header fields are complete and encoded
/// ("Name: value\r\n", see mime::unstructured_field); the MIME fields are added.
struct MessageDraft {
  std::vector<std::string> header_fields;
  std::optional<std::string> text;  // UTF-8 plain text body
  std::optional<std::string> html;  // UTF-8 HTML body
  std::vector<Attachment> attachments;
};

/// A composed MIME message, produced chunk by chunk (a MimeStream): the headers and bodies
/// are held in memory, each attachment is read in pieces and base64-encoded as it goes.
/// One body: a single text/plain or text/html part. Text and HTML: multipart/alternative.
/// Attachments: multipart/mixed, the body first. Opens every attachment now (so a missing
/// one fails before connecting) and detects the types not given. `boundary` separates the
/// parts (random in production). Throws Error(ReadError) naming an attachment that cannot
/// be opened or is not a regular file; Error(FailedInit) for a type or name holding CR/LF.
/// Its read() throws Error(ReadError) when an attachment cannot be read.
[[nodiscard]] std::unique_ptr<MessageSource> composed_message(const MessageDraft& draft,
                                                              const std::string& boundary);

/// A composed message as an origin: each open() builds it again from `draft` with the same
/// `boundary`, so every reading is the same, byte for byte. Opening throws as
/// composed_message does.
[[nodiscard]] MessageOrigin draft_origin(MessageDraft draft, std::string boundary);

/// The MIME type of a file's content, from libmagic ("image/png", "text/plain;
/// charset=utf-8"); "application/octet-stream" when it cannot tell. Never throws.
[[nodiscard]] std::string detect_content_type(const std::string& path);

/// Hex text of `bytes` random bytes (std::random_device, /dev/urandom on Linux).
[[nodiscard]] std::string random_hex(std::size_t bytes);

/// A new boundary: "=_smtpc_" and random hex (neither base64 nor quoted-printable text
/// can contain "=_", RFC 2045 §6.7, §6.8).
[[nodiscard]] std::string new_boundary();

/// A unique Message-ID field value "<time.pid.random@domain>" (RFC 5322 §3.6.4).
[[nodiscard]] std::string new_message_id(std::string_view domain);

/// Now as an RFC 5322 date-time in the local time zone.
[[nodiscard]] std::string current_date();

/// An upload whose header section is read before sending so that it can be edited
/// (-t reads recipients from it, Bcc goes, -H adds fields, Date and Message-ID are
/// added). The rest of the message is streamed as it comes.
class EditedUpload final : public MessageSource {
 public:
  /// At most this much header section is read; more is an error.
  static constexpr std::size_t kMaxHeaderBytes = 1024 * 1024;

  /// Reads `inner` up to the end of its header section.
  /// Throws Error(ReadError) when reading fails or the header section is too long.
  explicit EditedUpload(std::unique_ptr<MessageSource> inner);

  /// The header fields; edit them before the first read().
  [[nodiscard]] std::vector<HeaderField>& fields() noexcept { return fields_; }

  [[nodiscard]] std::size_t read(std::span<char> buffer) override;
  [[nodiscard]] const std::string& name() const noexcept override { return inner_->name(); }

 private:
  std::unique_ptr<MessageSource> inner_;
  std::vector<HeaderField> fields_;
  std::string pending_;  // header section (once built) and the body bytes read with it
  std::size_t pending_offset_ = 0;
  bool started_ = false;
};

/// An edited upload as an origin. `first` is a reading of `inner` whose fields were edited:
/// the first open() hands it out (its header section was read to edit it, and standard input
/// can be read only once); each later open() reads `inner` again and puts the same fields in
/// place of its header section. It can be opened again when `inner` can.
[[nodiscard]] MessageOrigin edited_origin(MessageOrigin inner, std::unique_ptr<EditedUpload> first);

/// The traditional sendmail end of input: a line holding only "." ends the message
/// (unless -i/-oi). Feed input in chunks of any size; what comes before it passes through.
class LoneDotFilter {
 public:
  /// Appends the bytes of `input` that belong to the message to `output`; returns true
  /// once the lone-dot line was seen (everything after it is ignored).
  bool feed(std::string_view input, std::string& output);
  /// The input ended: appends anything held back (a "." with no line end ends too).
  void finish(std::string& output);
  [[nodiscard]] bool done() const noexcept { return state_ == State::Done; }

 private:
  enum class State { LineStart, Middle, Dot, DotCr, Done };
  State state_ = State::LineStart;
};

/// A source cut at the lone-dot line (sendmail without -i).
class DotTerminatedSource final : public MessageSource {
 public:
  explicit DotTerminatedSource(std::unique_ptr<MessageSource> inner) : inner_(std::move(inner)) {}
  [[nodiscard]] std::size_t read(std::span<char> buffer) override;
  [[nodiscard]] const std::string& name() const noexcept override { return inner_->name(); }

 private:
  std::unique_ptr<MessageSource> inner_;
  LoneDotFilter filter_;
  std::string pending_;
  std::size_t pending_offset_ = 0;
  bool ended_ = false;
};

/// `inner` cut at the lone-dot line, each time it is opened.
[[nodiscard]] MessageOrigin lone_dot_origin(MessageOrigin inner);

}  // namespace smtpc
