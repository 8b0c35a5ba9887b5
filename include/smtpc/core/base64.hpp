// Base64 encoding and strict decoding for SASL exchanges: RFC 4648 §4 (RFC 4954 §4 uses it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtpc {

/// The RFC 4648 §4 base64 form of `bytes`, padded with '='. Never throws.
[[nodiscard]] std::string base64_encode(std::string_view bytes);

/// Decodes canonical RFC 4648 §4 base64: the length is a multiple of 4, padding is
/// required, only the alphabet and trailing '=' may appear (no whitespace or line
/// breaks), and the unused bits before the padding are zero (§3.5). "" decodes to "".
/// Returns nullopt for anything else. Never throws.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

/// Like base64_decode, but the final '=' padding may be left out, as some servers do in
/// SASL error reports (curl's test 948). Never throws.
[[nodiscard]] std::optional<std::string> base64_decode_unpadded(std::string_view text);

}  // namespace smtpc
