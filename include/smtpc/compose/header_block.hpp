// The header section of an RFC 5322 message (§2.2, §3.6): finding its end, splitting it
// into fields, the envelope recipients it names (§3.6.3, §3.6.6) and Bcc removal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

/// One header field as it was written, folding included.
struct HeaderField {
  std::string name;  // as written, e.g. "Subject"
  std::string raw;   // the whole field, every line ending in CRLF

  /// The unfolded body after the colon, without leading and trailing blanks.
  [[nodiscard]] std::string value() const;
  /// Case-insensitive name comparison.
  [[nodiscard]] bool is(std::string_view other) const noexcept;
};

/// Where the header section of `data` ends, if `data` shows it.
struct HeaderEnd {
  std::size_t header_length = 0;  // bytes of the header fields
  std::size_t body_offset = 0;    // where the body starts (after the empty line, if any)
};

/// Finds the end of the header section in the first bytes of a message: the empty line
/// (LF or CRLF), or a line that is neither a field nor a continuation (then that line
/// starts the body). `at_end` says that `data` is the whole message: then a header
/// section that runs to the end is complete. nullopt: more bytes are needed.
[[nodiscard]] std::optional<HeaderEnd> find_header_end(std::string_view data, bool at_end);

/// Splits a header section (as find_header_end delimits it) into fields; line endings
/// become CRLF. Never throws.
[[nodiscard]] std::vector<HeaderField> parse_header_fields(std::string_view header);

/// Whether any field has this name (case-insensitive).
[[nodiscard]] bool has_field(const std::vector<HeaderField>& fields, std::string_view name);

/// Removes every field with one of these names (case-insensitive).
void remove_fields(std::vector<HeaderField>& fields, const std::vector<std::string_view>& names);

/// The envelope recipients a message names: the addresses in Resent-To, Resent-Cc and
/// Resent-Bcc when any of those is present (the message is being resent), otherwise in
/// To, Cc and Bcc; in order, without duplicates (compared case-insensitively).
/// Throws Error(FailedInit) when one of those fields is not a valid address list.
[[nodiscard]] std::vector<std::string> header_recipients(const std::vector<HeaderField>& fields);

/// Removes Bcc and Resent-Bcc: their recipients must not see each other (RFC 5322
/// §3.6.3, the first of its three ways: the field is removed from every copy).
void remove_bcc(std::vector<HeaderField>& fields);

/// The address of the first mailbox in the From field, if there is one.
/// Throws Error(FailedInit) when From is not a valid address list.
[[nodiscard]] std::optional<std::string> from_address(const std::vector<HeaderField>& fields);

/// The header section again, every field ending in CRLF.
[[nodiscard]] std::string join_fields(const std::vector<HeaderField>& fields);

}  // namespace smtpc
