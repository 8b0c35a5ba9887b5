// -F messages as curl 7.88 builds them for smtp:// (lib/mime.c, MIMESTRATEGY_MAIL): part
// header sections, curl's encoders, the multipart layout; streamed from files.
#include "smtpc/compose/form.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "smtpc/compose/composed_message.hpp"
#include "smtpc/compose/mime.hpp"
#include "smtpc/compose/mime_stream.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc {
namespace {

constexpr std::size_t kLineLength = 76;  // curl's MAX_ENCODED_LINE_LENGTH
constexpr std::string_view kHex = "0123456789ABCDEF";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && equals_ignore_case(text.substr(0, prefix.size()), prefix);
}

// curl's match_header: "Name:" case-insensitively; the value after the colon and spaces.
std::optional<std::string_view> match_header(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':' ||
      !starts_with_ignore_case(line, name)) {
    return std::nullopt;
  }
  std::string_view value = line.substr(name.size() + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

std::optional<std::string_view> search_header(const std::vector<std::string>& lines,
                                              std::string_view name) {
  for (const auto& line : lines) {
    if (auto value = match_header(line, name)) return value;
  }
  return std::nullopt;
}

// curl's content_type_match: `type` is `target` with nothing or parameters after it.
bool type_matches(std::string_view type, std::string_view target) noexcept {
  if (!starts_with_ignore_case(type, target)) return false;
  if (type.size() == target.size()) return true;
  const char next = type[target.size()];
  return next == '\t' || next == '\r' || next == '\n' || next == ' ' || next == ';';
}

bool is_qp_literal(unsigned char c) noexcept { return c >= 0x21 && c <= 0x7E && c != '='; }

std::string boundary_of(std::string_view base, std::size_t index) {
  return fmt::format("{}{:04x}", base, index & 0xFFFFU);
}

std::string describe(const FormPart& part) {
  switch (part.kind) {
    case FormPart::Kind::File:
      return fmt::format("-F file \"{}\"", part.data);
    case FormPart::Kind::StandardInput:
      return "-F standard input";
    default:
      return "-F part";
  }
}

}  // namespace

std::optional<FormEncoder> parse_form_encoder(std::string_view name) noexcept {
  static constexpr std::array<std::pair<std::string_view, FormEncoder>, 5> kEncoders{{
      {"binary", FormEncoder::Binary},
      {"8bit", FormEncoder::EightBit},
      {"7bit", FormEncoder::SevenBit},
      {"base64", FormEncoder::Base64},
      {"quoted-printable", FormEncoder::QuotedPrintable},
  }};
  for (const auto& [text, encoder] : kEncoders) {
    if (equals_ignore_case(name, text)) return encoder;
  }
  return std::nullopt;
}

std::string_view form_encoder_name(FormEncoder encoder) noexcept {
  switch (encoder) {
    case FormEncoder::Binary:
      return "binary";
    case FormEncoder::EightBit:
      return "8bit";
    case FormEncoder::SevenBit:
      return "7bit";
    case FormEncoder::Base64:
      return "base64";
    case FormEncoder::QuotedPrintable:
      return "quoted-printable";
    case FormEncoder::None:
      break;
  }
  return "";
}

std::optional<std::string_view> form_type_for_name(std::string_view name) noexcept {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kTypes{{
      {".gif", "image/gif"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".txt", "text/plain"},
      {".htm", "text/html"},
      {".html", "text/html"},
      {".pdf", "application/pdf"},
      {".xml", "application/xml"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (name.size() >= extension.size() &&
        equals_ignore_case(name.substr(name.size() - extension.size()), extension)) {
      return type;
    }
  }
  return std::nullopt;
}

std::string form_file_name(std::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

namespace {

// A part's header fields: curl's own, then the part's (-H at the top, ;headers= below).
struct PartFields {
  std::optional<std::string> type;  // the Content-Type written, if any
  std::string curl;
  std::string user;
};

// Curl_mime_prepare_headers with MIMESTRATEGY_MAIL.
PartFields part_fields(const FormPart& part, std::string_view boundary, bool in_form_data) {
  std::optional<std::string> custom_type = part.type;
  if (!custom_type) {
    if (auto given = search_header(part.headers, "Content-Type")) custom_type = std::string(*given);
  }
  std::optional<std::string> type = custom_type;
  if (!type) {
    std::optional<std::string_view> found;
    switch (part.kind) {
      case FormPart::Kind::Multipart:
        found = "multipart/mixed";
        break;
      case FormPart::Kind::File:
        if (part.filename) found = form_type_for_name(*part.filename);
        if (!found) found = form_type_for_name(part.data);
        if (!found && part.filename) found = "application/octet-stream";
        break;
      default:
        if (part.filename) found = form_type_for_name(*part.filename);
        break;
    }
    if (found) type = std::string(*found);
  }
  const bool multipart = part.kind == FormPart::Kind::Multipart;
  if (!multipart && type && !custom_type && type_matches(*type, "text/plain")) type.reset();

  PartFields fields;
  std::string& out = fields.curl;
  if (!search_header(part.headers, "Content-Disposition")) {
    std::optional<std::string_view> disposition;
    if (in_form_data) disposition = "form-data";
    if (!disposition &&
        (part.filename || part.name || (type && !starts_with_ignore_case(*type, "multipart/")))) {
      disposition = "attachment";
    }
    if (disposition && *disposition == "attachment" && !part.name && !part.filename) {
      disposition.reset();
    }
    if (disposition) {
      out += fmt::format("Content-Disposition: {}", *disposition);
      // curl's escape_string for mail: a backslash before '\' and '"', as quoted_string.
      if (part.name) out += "; name=" + mime::quoted_string(*part.name);
      if (part.filename) out += "; filename=" + mime::quoted_string(*part.filename);
      out += "\r\n";
    }
  }
  if (type) {
    out += fmt::format("Content-Type: {}", *type);
    if (multipart) out += fmt::format("; boundary={}", boundary);
    out += "\r\n";
  }
  if (!search_header(part.headers, "Content-Transfer-Encoding")) {
    std::string_view cte = form_encoder_name(part.encoder);
    if (cte.empty() && type && !multipart) cte = "8bit";
    if (!cte.empty()) out += fmt::format("Content-Transfer-Encoding: {}\r\n", cte);
  }
  for (const auto& line : part.headers) {
    if (match_header(line, "Content-Type")) continue;  // written above, as curl does
    fields.user += line;
    fields.user += "\r\n";
  }
  fields.type = std::move(type);
  return fields;
}

bool is_form_data(const PartFields& fields) {
  return fields.type && type_matches(*fields.type, "multipart/form-data");
}

}  // namespace

std::string form_part_header(const FormPart& part, std::string_view boundary, bool in_form_data) {
  PartFields fields = part_fields(part, boundary, in_form_data);
  return fields.curl + fields.user;
}

FormEncoderStream::FormEncoderStream(FormEncoder encoder, std::string what)
    : encoder_(encoder), what_(std::move(what)) {}

void FormEncoderStream::feed(std::string_view input, std::string& output) {
  switch (encoder_) {
    case FormEncoder::SevenBit:
      for (const char c : input) {
        if ((static_cast<unsigned char>(c) & 0x80U) != 0) {
          throw Error(ExitCode::ReadError,
                      fmt::format("{}: 8-bit data in a part with encoder=7bit", what_));
        }
      }
      output.append(input);
      return;
    case FormEncoder::Base64: {
      held_.append(input);
      std::size_t i = 0;
      for (; i + 3 <= held_.size(); i += 3) {
        if (column_ > kLineLength - 4) {
          output += "\r\n";
          column_ = 0;
        }
        const auto a = static_cast<unsigned char>(held_[i]);
        const auto b = static_cast<unsigned char>(held_[i + 1]);
        const auto c = static_cast<unsigned char>(held_[i + 2]);
        output += kBase64[a >> 2U];
        output += kBase64[((a & 0x03U) << 4U) | (b >> 4U)];
        output += kBase64[((b & 0x0FU) << 2U) | (c >> 6U)];
        output += kBase64[c & 0x3FU];
        column_ += 4;
      }
      held_.erase(0, i);
      return;
    }
    case FormEncoder::QuotedPrintable:
      held_.append(input);
      encode_qp(false, output);
      return;
    default:
      output.append(input);
      return;
  }
}

void FormEncoderStream::finish(std::string& output) {
  if (encoder_ == FormEncoder::QuotedPrintable) {
    encode_qp(true, output);
    return;
  }
  if (encoder_ != FormEncoder::Base64 || held_.empty()) return;
  if (column_ > kLineLength - 4) output += "\r\n";
  const auto a = static_cast<unsigned char>(held_[0]);
  const unsigned b = held_.size() > 1 ? static_cast<unsigned char>(held_[1]) : 0U;
  output += kBase64[a >> 2U];
  output += kBase64[((a & 0x03U) << 4U) | (b >> 4U)];
  output += held_.size() > 1 ? kBase64[(b & 0x0FU) << 2U] : '=';
  output += '=';
  held_.clear();
  column_ += 4;
}

// curl's encoder_qp_read: CRLF pairs pass, a blank before CRLF (or at the end) is encoded,
// every other control, '=' and 8-bit byte is =XX, and a soft break "=" CRLF keeps lines
// within 76 characters; a line may reach 76 only when CRLF or the end follows.
void FormEncoderStream::encode_qp(bool at_end, std::string& output) {
  std::size_t i = 0;
  // 1: CRLF (or the end of input) at i + n; 0: not; -1: more input needed to know.
  auto end_of_line_at = [&](std::size_t n) -> int {
    const std::size_t k = i + n;
    if (k >= held_.size() && at_end) return 1;
    if (k + 2 > held_.size()) return at_end ? 0 : -1;
    return held_[k] == '\r' && held_[k + 1] == '\n' ? 1 : 0;
  };
  while (i < held_.size()) {
    const auto c = static_cast<unsigned char>(held_[i]);
    std::string piece;
    std::size_t consumed = 1;
    auto escape = [&] {
      piece = "=";
      piece += kHex[c >> 4U];
      piece += kHex[c & 0x0FU];
    };
    if (is_qp_literal(c)) {
      piece = static_cast<char>(c);
    } else if (c == ' ' || c == '\t') {
      const int eol = end_of_line_at(1);
      if (eol < 0) break;
      if (eol == 0) {
        piece = static_cast<char>(c);
      } else {
        escape();
      }
    } else if (c == '\r') {
      const int eol = end_of_line_at(0);
      if (eol < 0) break;
      if (eol == 1) {
        piece = "\r\n";
        consumed = 2;
      } else {
        escape();
      }
    } else {
      escape();
    }
    if (piece.back() != '\n') {
      bool soft_break = column_ + piece.size() > kLineLength;
      if (!soft_break && column_ + piece.size() == kLineLength) {
        const int eol = end_of_line_at(consumed);
        if (eol < 0) break;
        soft_break = eol == 0;
      }
      if (soft_break) {
        piece = "=\r\n";
        consumed = 0;
      }
    }
    output += piece;
    column_ = piece.back() == '\n' ? 0 : column_ + piece.size();
    i += consumed;
  }
  held_.erase(0, i);
}

namespace {

// Lays a -F message out in a MimeStream: multipart k (the top one is 0, then in the order
// they start) is separated by the boundary base and four hex digits of k.
class FormLayout {
 public:
  FormLayout(MimeStream& out, std::string_view boundary_base)
      : out_(out), boundary_base_(boundary_base) {}

  void add_message(const FormMessage& message) {
    FormPart top;
    top.kind = FormPart::Kind::Multipart;
    top.headers = message.headers;
    top.parts = message.parts;
    const std::string boundary = next_boundary();
    const PartFields fields = part_fields(top, boundary, false);
    out_.add_text(fields.curl);
    // smtp.c: "Mime-Version: 1.0" joins curl's fields unless -H gives one (':' or ';' after).
    bool has_version = false;
    for (const auto& line : message.headers) {
      has_version = has_version || (starts_with_ignore_case(line, "Mime-Version") &&
                                    line.size() > 12 && (line[12] == ':' || line[12] == ';'));
    }
    if (!has_version) out_.add_text("Mime-Version: 1.0\r\n");
    out_.add_text(fields.user);
    add_multipart_body(top.parts, boundary, is_form_data(fields));
  }

 private:
  std::string next_boundary() { return boundary_of(boundary_base_, next_boundary_++); }

  // The empty line after a multipart's header fields, then its parts.
  void add_multipart_body(const std::vector<FormPart>& parts, const std::string& boundary,
                          bool form_data) {
    out_.add_text("\r\n");
    if (parts.empty()) {
      out_.add_text(fmt::format("--{}--\r\n", boundary));
      return;
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
      out_.add_text(fmt::format("{}--{}\r\n", i == 0 ? "" : "\r\n", boundary));
      add_part(parts[i], form_data);
    }
    out_.add_text(fmt::format("\r\n--{}--\r\n", boundary));
  }

  void add_part(const FormPart& part, bool in_form_data) {
    if (part.kind == FormPart::Kind::Multipart) {
      const std::string boundary = next_boundary();
      const PartFields fields = part_fields(part, boundary, in_form_data);
      out_.add_text(fields.curl + fields.user);
      add_multipart_body(part.parts, boundary, is_form_data(fields));
      return;
    }
    std::string text = form_part_header(part, {}, in_form_data) + "\r\n";
    if (part.kind == FormPart::Kind::File) {
      out_.add_text(text);
      // Opened when reached: form_origin has checked it is there and not a directory.
      out_.add_file(StreamedFile{part.data, describe(part),
                                 std::make_unique<FormEncoderStream>(part.encoder, describe(part)),
                                 Fd()});
      return;
    }
    FormEncoderStream encoder(part.encoder, describe(part));
    encoder.feed(part.data, text);
    encoder.finish(text);
    out_.add_text(text);
  }

  MimeStream& out_;
  std::string_view boundary_base_;
  std::size_t next_boundary_ = 0;
};

}  // namespace

std::unique_ptr<MessageSource> form_message(const FormMessage& message,
                                            std::string_view boundary_base) {
  auto out = std::make_unique<MimeStream>("the -F message");
  FormLayout(*out, boundary_base).add_message(message);
  return out;
}

namespace {

void require_one_line(std::string_view text, std::string_view what) {
  if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    throw Error(ExitCode::FailedInit,
                fmt::format("{} holds a line break or NUL byte: refusing to send it", what));
  }
}

// Standard input or a pipe, read to its end now: it can be read only once.
std::string read_once(int fd, std::string_view what) {
  FileContent content = read_all(fd);
  if (!content.ok()) {
    throw Error(ExitCode::ReadError,
                fmt::format("failed reading {}: {}", what, std::strerror(content.error)));
  }
  return std::move(content.text);
}

// Checks `part` and reads what can be read only once.
void prepare_part(FormPart& part) {
  if (part.name) require_one_line(*part.name, "a -F part name");
  if (part.filename) require_one_line(*part.filename, "a -F file name");
  if (part.type) require_one_line(*part.type, "a -F type");
  for (const auto& line : part.headers) require_one_line(line, "a -F header");
  switch (part.kind) {
    case FormPart::Kind::Multipart:
      for (auto& sub : part.parts) prepare_part(sub);
      return;
    case FormPart::Kind::StandardInput:
      part.data = read_once(STDIN_FILENO, "standard input");
      part.kind = FormPart::Kind::Data;
      return;
    case FormPart::Kind::File: {
      const Fd fd(::open(part.data.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) {
        throw Error(ExitCode::ReadError,
                    fmt::format("cannot open -F file \"{}\": {}", part.data, std::strerror(errno)));
      }
      struct stat info {};
      if (::fstat(fd.get(), &info) != 0 || S_ISDIR(info.st_mode)) {
        throw Error(ExitCode::ReadError, fmt::format("-F file \"{}\" is a directory", part.data));
      }
      if (!S_ISREG(info.st_mode)) {  // a pipe: read it once, now
        part.data = read_once(fd.get(), fmt::format("-F file \"{}\"", part.data));
        part.kind = FormPart::Kind::Data;
      }
      return;
    }
    case FormPart::Kind::Data:
      return;
  }
}

}  // namespace

MessageOrigin form_origin(FormMessage message, std::string boundary_base) {
  for (const auto& line : message.headers) require_one_line(line, "a -H header");
  for (auto& part : message.parts) prepare_part(part);
  return MessageOrigin::built(
      [message = std::move(message), boundary_base = std::move(boundary_base)] {
        return form_message(message, boundary_base);
      },
      "the -F message");
}

std::string new_form_boundary_base() { return std::string(24, '-') + random_hex(6); }

}  // namespace smtpc
