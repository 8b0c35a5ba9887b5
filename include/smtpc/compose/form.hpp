// Messages built as curl 7.88 builds them from -F/--form for smtp:// (curl's lib/mime.c
// with its mail strategy): a multipart/mixed message whose parts get curl's header fields,
// encoders and line breaking, streamed. RFC 2045 §6.7/§6.8 (quoted-printable, base64),
// RFC 2046 §5.1 (multipart), RFC 2183 (Content-Disposition).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/compose/mime_stream.hpp"
#include "smtpc/message/body_source.hpp"
#include "smtpc/message/message_origin.hpp"

namespace smtpc {

/// A part's Content-Transfer-Encoding, curl's ";encoder=".
enum class FormEncoder { None, Binary, EightBit, SevenBit, Base64, QuotedPrintable };

/// curl's encoder names ("binary", "8bit", "7bit", "base64", "quoted-printable"),
/// case-insensitively; nullopt for any other name.
[[nodiscard]] std::optional<FormEncoder> parse_form_encoder(std::string_view name) noexcept;

/// The name written in Content-Transfer-Encoding ("" for None).
[[nodiscard]] std::string_view form_encoder_name(FormEncoder encoder) noexcept;

/// One part of a -F message (curl's curl_mimepart as curl's tool fills it).
struct FormPart {
  enum class Kind {
    Data,           // `data` is the content
    File,           // `data` is a path, read when the message is read
    StandardInput,  // read once, when the origin is made
    Multipart,      // `parts` are the content
  };
  Kind kind = Kind::Data;
  std::string data;
  std::optional<std::string> name;      // "name=..." (Content-Disposition name=)
  std::optional<std::string> filename;  // Content-Disposition filename=
  std::optional<std::string> type;      // ";type=": the Content-Type as given
  FormEncoder encoder = FormEncoder::None;
  std::vector<std::string> headers;  // ";headers=": whole field lines, as given
  std::vector<FormPart> parts;       // Multipart only
};

/// What -F builds: the top-level multipart's parts and the -H lines, which become the
/// message's own header fields (after Content-Type and Mime-Version, as curl puts them).
struct FormMessage {
  std::vector<std::string> headers;
  std::vector<FormPart> parts;
};

/// curl's type for a file name by its extension (.gif .jpg .jpeg .png .svg .txt .htm .html
/// .pdf .xml, case-insensitively); nullopt for others.
[[nodiscard]] std::optional<std::string_view> form_type_for_name(std::string_view name) noexcept;

/// The last component of `path` as POSIX basename() gives it (curl names "@path" parts so).
[[nodiscard]] std::string form_file_name(std::string_view path);

/// The header section of `part` as curl writes it (each line ending CRLF, without the
/// empty line): Content-Disposition, Content-Type, Content-Transfer-Encoding, then the
/// part's own lines (a Content-Type among them replaces curl's and is not repeated).
/// `boundary` is used when the part is a multipart. `in_form_data` is true inside a
/// multipart/form-data (Content-Disposition: form-data).
[[nodiscard]] std::string form_part_header(const FormPart& part, std::string_view boundary,
                                           bool in_form_data);

/// Encodes a part's content chunk by chunk exactly as curl's encoders do: base64 in lines
/// of 76 characters with no CRLF after the last; quoted-printable with CRLF kept, any other
/// CR or LF escaped, soft breaks keeping lines within 76 characters; 7bit refusing bytes
/// over 127; binary and 8bit as they are.
class FormEncoderStream final : public ContentEncoder {
 public:
  /// `what` names the part in errors.
  FormEncoderStream(FormEncoder encoder, std::string what);
  /// Appends the encoding of what can be encoded so far; may hold back a few bytes.
  /// Throws Error(ReadError) for an 8-bit byte in a 7bit part (curl: exit 26).
  void feed(std::string_view input, std::string& output) override;
  /// Appends the rest: the input has ended.
  void finish(std::string& output) override;

 private:
  void encode_qp(bool at_end, std::string& output);
  FormEncoder encoder_;
  std::string what_;
  std::string held_;        // input not encoded yet
  std::size_t column_ = 0;  // characters on the current output line
};

/// A -F message, produced chunk by chunk (a MimeStream): header sections and argument data
/// are held in memory, files are read in pieces and encoded as they go. Multipart k (the top
/// one is 0, then in the order they start) is separated by boundary_base + four hex digits
/// of k. Every StandardInput part must have been read (form_origin does it). Its read()
/// throws Error(ReadError) when a file cannot be opened or read or a 7bit part holds 8-bit
/// data.
[[nodiscard]] std::unique_ptr<MessageSource> form_message(const FormMessage& message,
                                                          std::string_view boundary_base);

/// A -F message as an origin. Checks it now: header lines, names, file names and types
/// free of CR/LF (else Error(FailedInit)); every file there and not a directory (else
/// Error(ReadError), curl's exit 26). Standard input ("@-", "<-") and files that are not
/// regular (pipes) are read now, into memory, since they can be read only once; regular
/// files are read by each open(). Every open() gives the same bytes.
[[nodiscard]] MessageOrigin form_origin(FormMessage message, std::string boundary_base);

/// A new boundary base: 24 dashes and 12 random hex digits (curl's boundaries are 24 dashes
/// and 16 hex digits; the last four here number the multipart).
[[nodiscard]] std::string new_form_boundary_base();

}  // namespace smtpc
