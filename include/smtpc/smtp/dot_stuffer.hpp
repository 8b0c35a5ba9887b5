// Streaming DATA encoder: CRLF line endings, dot-stuffing and the end-of-data mark
// (RFC 5321 §4.5.2, §2.3.8).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

/// What a chunk of the body becomes on the wire, as slices: runs of the input itself and the
/// few bytes the encoding adds (a stuffed ".", the CRLF of a bare line end). Written with
/// writev, the body goes out without being copied. Runs shorter than kReferenceAtLeast are
/// copied into a buffer of this object instead, so that LF-only text, which needs a CRLF
/// on every line, does not become thousands of tiny slices.
class WireSlices {
 public:
  static constexpr std::size_t kReferenceAtLeast = 512;

  void clear() noexcept;
  /// A run of the input, which must stay unchanged until the slices are written.
  void add_input(std::string_view run);
  /// Bytes the encoding adds (copied).
  void add_inserted(std::string_view bytes);
  /// The slices in order; valid until the next change of this object or of the input.
  [[nodiscard]] const std::vector<std::string_view>& slices();
  /// The bytes of every slice.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

 private:
  // A part is input (data != nullptr) or owned_[offset, offset + size): offsets, not
  // pointers, because owned_ may grow until slices() is asked for.
  struct Part {
    const char* data;
    std::size_t offset;
    std::size_t size;
  };
  std::vector<Part> parts_;
  std::string owned_;
  std::vector<std::string_view> slices_;
  std::size_t size_ = 0;
};

/// Turns message bytes, fed in chunks of any size, into what goes on the wire
/// after DATA. Every bare LF and bare CR becomes CRLF, so the output can never
/// contain an SMTP-smuggling end-of-data sequence; a line starting with "." gets
/// another "."; finish() adds a final CRLF if missing and ".\r\n".
class DotStuffer {
 public:
  /// For BDAT (RFC 3030) there is no dot-stuffing and no end mark: `for_data` false keeps
  /// only the line-end normalisation and the final CRLF.
  explicit DotStuffer(bool for_data = true) : for_data_(for_data) {}

  /// Appends the encoding of `input` to `output`.
  void encode(std::string_view input, std::string& output);
  /// The same, as slices of `input` and of inserted bytes (nothing copied but short runs).
  void encode(std::string_view input, WireSlices& output);
  /// Appends what ends the body: any pending line end, a final CRLF if needed, ".\r\n".
  void finish(std::string& output);
  void finish(WireSlices& output);

 private:
  template <class Output>
  void encode_into(std::string_view input, Output& output);
  template <class Output>
  void finish_into(Output& output);

  bool for_data_;
  bool at_line_start_ = true;
  bool pending_cr_ = false;
};

/// Whether a body, fed in pieces, is already what DotStuffer(false) makes of it for BDAT:
/// every CR followed by LF, every LF preceded by CR, the last line ended. Such a body can
/// go out unchanged, straight from its file (sendfile).
class CrlfOnlyCheck {
 public:
  void feed(std::string_view piece) noexcept;
  [[nodiscard]] bool crlf_only() const noexcept;

 private:
  bool unchanged_ = true;  // no bare CR or LF so far
  char last_ = '\n';       // as if after a line end: an empty body is unchanged too
};

}  // namespace smtpc
