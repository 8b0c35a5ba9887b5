// ComposedMessage: a MIME message built from --subject/--body/--html/--attach, streamed.
// RFC 2045 (encodings), RFC 2046 §5.1 (multipart), RFC 2183/2231 (file names).
#include "smtpc/compose/composed_message.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <random>

#include "smtpc/compose/mime.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/smtp/command.hpp"

namespace smtpc {
namespace {

// 1024 lines of 76 base64 characters: 57 input bytes each.
constexpr std::size_t kAttachmentChunk = 57 * 1024;

std::string text_part(std::string_view subtype, const std::string& content) {
  const bool plain = mime::fits_7bit(content);
  return fmt::format(
      "Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: {}\r\n\r\n{}", subtype,
      plain ? "7bit" : "quoted-printable",
      plain ? mime::crlf_lines(content) : mime::quoted_printable(content));
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

ComposedMessage::ComposedMessage(MessageDraft draft, std::string boundary) {
  std::string head;
  for (const auto& field : draft.header_fields) head += field;
  head += "MIME-Version: 1.0\r\n";

  std::string body;  // the body part(s), as a part's headers and content
  if (draft.text && draft.html) {
    const std::string inner = boundary + "_alt";
    body = fmt::format(
        "Content-Type: multipart/alternative;\r\n "
        "boundary=\"{0}\"\r\n\r\n--{0}\r\n{1}\r\n--{0}\r\n{2}"
        "\r\n--{0}--\r\n",
        inner, text_part("plain", *draft.text), text_part("html", *draft.html));
  } else if (draft.html) {
    body = text_part("html", *draft.html);
  } else {
    body = text_part("plain", draft.text.value_or(""));
  }

  if (draft.attachments.empty()) {
    segments_.push_back(Segment{head + body, -1, {}});
    return;
  }
  std::string text =
      fmt::format("{}Content-Type: multipart/mixed;\r\n boundary=\"{}\"\r\n\r\n--{}\r\n{}", head,
                  boundary, boundary, body);
  try {
    for (const auto& attachment : draft.attachments) {
      const int fd = ::open(attachment.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        throw Error(ExitCode::ReadError, fmt::format("cannot open attachment \"{}\": {}",
                                                     attachment.path, std::strerror(errno)));
      }
      segments_.push_back(Segment{"", fd, attachment.path});  // owned from here on
      struct stat info {};
      if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        throw Error(ExitCode::ReadError,
                    fmt::format("attachment \"{}\" is not a regular file", attachment.path));
      }
      const std::string type =
          attachment.content_type.value_or(detect_content_type(attachment.path));
      require_single_line(type, "attachment type");
      const std::string filename = attachment.filename.value_or(base_name(attachment.path));
      if (filename.size() > 255) {
        throw Error(ExitCode::FailedInit,
                    fmt::format("attachment name \"{}\" is over 255 bytes", filename));
      }
      text += fmt::format(
          "\r\n--{}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\n"
          "Content-Disposition: {}\r\n\r\n",
          boundary, type, mime::attachment_disposition(filename));
      segments_.back().text = std::move(text);
      text.clear();
    }
  } catch (...) {
    for (const auto& segment : segments_) {
      if (segment.fd >= 0) ::close(segment.fd);
    }
    throw;
  }
  segments_.push_back(Segment{fmt::format("\r\n--{}--\r\n", boundary), -1, {}});
}

ComposedMessage::~ComposedMessage() {
  for (std::size_t i = next_segment_; i < segments_.size(); ++i) {
    if (segments_[i].fd >= 0) ::close(segments_[i].fd);
  }
  if (open_fd_ >= 0) ::close(open_fd_);
}

// Puts the next piece of output in pending_; false at the end of the message.
bool ComposedMessage::refill() {
  pending_.clear();
  pending_offset_ = 0;
  while (pending_.empty()) {
    if (open_fd_ >= 0) {
      std::string raw(kAttachmentChunk, '\0');
      std::size_t got = 0;
      while (got < raw.size()) {  // whole lines except at the end of the file
        const ssize_t n = ::read(open_fd_, raw.data() + got, raw.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          throw Error(ExitCode::ReadError, fmt::format("failed reading attachment \"{}\": {}",
                                                       open_path_, std::strerror(errno)));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
      }
      if (got == 0) {
        ::close(open_fd_);
        open_fd_ = -1;
        continue;
      }
      raw.resize(got);
      pending_ = mime::base64_lines(raw);
      continue;
    }
    if (next_segment_ >= segments_.size()) return false;
    Segment& segment = segments_[next_segment_++];
    pending_ = std::move(segment.text);
    open_fd_ = segment.fd;
    open_path_ = segment.path;
    segment.fd = -1;
  }
  return true;
}

std::size_t ComposedMessage::read(std::span<char> buffer) {
  std::size_t written = 0;
  while (written < buffer.size()) {
    if (pending_offset_ == pending_.size() && !refill()) break;
    const std::size_t n = std::min(buffer.size() - written, pending_.size() - pending_offset_);
    std::memcpy(buffer.data() + written, pending_.data() + pending_offset_, n);
    written += n;
    pending_offset_ += n;
  }
  return written;
}

namespace {

class DraftOpener final : public MessageOpener {
 public:
  DraftOpener(MessageDraft draft, std::string boundary)
      : draft_(std::move(draft)), boundary_(std::move(boundary)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return std::make_unique<ComposedMessage>(draft_, boundary_);
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return true; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  MessageDraft draft_;
  std::string boundary_;
  std::string name_ = "the composed message";
};

}  // namespace

MessageOrigin draft_origin(MessageDraft draft, std::string boundary) {
  return MessageOrigin(std::make_shared<DraftOpener>(std::move(draft), std::move(boundary)));
}

std::string random_hex(std::size_t bytes) {
  std::random_device device;  // /dev/urandom (getrandom) with libstdc++ on Linux
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out += fmt::format("{:02x}", static_cast<unsigned>(device() & 0xFFU));
  }
  return out;
}

std::string new_boundary() { return "=_smtpc_" + random_hex(12); }

std::string new_message_id(std::string_view domain) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return fmt::format("<{}.{}.{}@{}>",
                     std::chrono::duration_cast<std::chrono::microseconds>(now).count(), ::getpid(),
                     random_hex(8), domain);
}

std::string current_date() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return mime::rfc5322_date(local, local.tm_gmtoff);
}

}  // namespace smtpc
