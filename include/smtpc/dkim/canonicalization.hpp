// DKIM canonicalization (RFC 6376 §3.4): what a signer and a verifier hash, so that the
// changes mail relays commonly make do not break the signature. Pure: bytes in, bytes out.
// A line ends with CRLF; any other CR or LF is an ordinary byte (smtpc signs what goes on
// the wire, where DotStuffer has already made every line end a CRLF).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpc::dkim {

/// RFC 6376 §3.4.1-§3.4.4.
enum class Canonicalization { Simple, Relaxed };

/// "simple" or "relaxed".
[[nodiscard]] std::string_view canonicalization_name(Canonicalization canonicalization) noexcept;
/// "simple" or "relaxed" (case-insensitive); nullopt otherwise.
[[nodiscard]] std::optional<Canonicalization> parse_canonicalization(std::string_view text);

/// One header field (its name, the colon, its value with any folding, the final CRLF) as
/// the hash takes it: as it is for simple; for relaxed the name in lower case, the value
/// unfolded, each run of blanks one space, blanks around the colon and at the end removed.
[[nodiscard]] std::string canonicalize_header(Canonicalization canonicalization,
                                              std::string_view field);

/// The body canonicalized as it streams by, fed in chunks of any size; memory stays flat
/// however long a line or a run of blank lines is (the blank lines are only counted).
/// simple: the body as it is, without the empty lines at its end, ending in one CRLF
/// (an empty body is one CRLF). relaxed: each run of blanks within a line one space, blanks
/// at line ends removed, the empty lines at the end removed; an empty body stays empty.
class BodyCanonicalizer {
 public:
  explicit BodyCanonicalizer(Canonicalization canonicalization)
      : relaxed_(canonicalization == Canonicalization::Relaxed) {}

  /// Appends the canonical form of what `input` completes to `output`.
  void update(std::string_view input, std::string& output);
  /// Appends what the end of the body completes: a last line without CRLF gets one.
  void finish(std::string& output);

 private:
  void line_end(std::string& output);
  void content(char byte, std::string& output);
  void flush_empty_lines(std::string& output);

  bool relaxed_;
  bool pending_cr_ = false;        // a CR that a LF may turn into a line end
  bool pending_blank_ = false;     // relaxed: blanks that become one space before content
  bool line_has_content_ = false;  // the current line shows something
  bool body_has_content_ = false;  // something was written
  std::uint64_t empty_lines_ = 0;  // held back: they count only if content follows
};

}  // namespace smtpc::dkim
