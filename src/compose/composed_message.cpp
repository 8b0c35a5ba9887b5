// composed_message: a MIME message built from --subject/--body/--html/--attach, streamed.
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
#include "smtpc/compose/mime_stream.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/smtp/command.hpp"

namespace smtpc {
namespace {

std::string text_part(std::string_view subtype, const std::string& content) {
  const bool plain = mime::fits_7bit(content);
  return fmt::format(
      "Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: {}\r\n\r\n{}", subtype,
      plain ? "7bit" : "quoted-printable",
      plain ? mime::crlf_lines(content) : mime::quoted_printable(content));
}

// Opened now, so that a missing attachment fails before connecting.
StreamedFile open_attachment(const std::string& path) {
  StreamedFile file{path, fmt::format("attachment \"{}\"", path),
                    std::make_unique<Base64LinesEncoder>(),
                    Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC))};
  if (!file.fd.valid()) {
    throw Error(ExitCode::ReadError,
                fmt::format("cannot open attachment \"{}\": {}", path, std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(file.fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    throw Error(ExitCode::ReadError, fmt::format("attachment \"{}\" is not a regular file", path));
  }
  return file;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::unique_ptr<MessageSource> composed_message(const MessageDraft& draft,
                                                const std::string& boundary) {
  auto message = std::make_unique<MimeStream>("the composed message");
  for (const auto& field : draft.header_fields) message->add_text(field);
  message->add_text("MIME-Version: 1.0\r\n");

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
    message->add_text(body);
    return message;
  }
  message->add_text(
      fmt::format("Content-Type: multipart/mixed;\r\n boundary=\"{}\"\r\n\r\n--{}\r\n{}", boundary,
                  boundary, body));
  for (const auto& attachment : draft.attachments) {
    StreamedFile file = open_attachment(attachment.path);
    const std::string type = attachment.content_type.value_or(detect_content_type(attachment.path));
    require_single_line(type, "attachment type");
    const std::string filename = attachment.filename.value_or(base_name(attachment.path));
    if (filename.size() > 255) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("attachment name \"{}\" is over 255 bytes", filename));
    }
    message->add_text(
        fmt::format("\r\n--{}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\n"
                    "Content-Disposition: {}\r\n\r\n",
                    boundary, type, mime::attachment_disposition(filename)));
    message->add_file(std::move(file));
  }
  message->add_text(fmt::format("\r\n--{}--\r\n", boundary));
  return message;
}

MessageOrigin draft_origin(MessageDraft draft, std::string boundary) {
  return MessageOrigin::built(
      [draft = std::move(draft), boundary = std::move(boundary)] {
        return composed_message(draft, boundary);
      },
      "the composed message");
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
