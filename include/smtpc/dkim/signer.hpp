// DKIM signing (RFC 6376, RFC 8463): the keys and settings, and the signed message, made in
// two passes over a reopenable MessageOrigin: the first hashes the header section and body
// as they will go on the wire, the second (every later open()) reads the DKIM-Signature
// fields and then the message. Memory stays flat whatever the message's size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/dkim/canonicalization.hpp"
#include "smtpc/message/message_origin.hpp"
#include "smtpc/transport/crypto.hpp"

namespace smtpc::dkim {

/// The smallest RSA key smtpc signs with (RFC 8301 §3.2).
inline constexpr int kMinimumRsaBits = 1024;

/// A private key read from its file, with the selector it is published under.
struct SigningKey {
  std::string path;
  std::string pem;  // the key file's content: kept in memory, never written anywhere
  PrivateKeyInfo info;
  std::string selector;
};

/// Reads the key file at `path`. It must be a regular file that only its owner (the user
/// or root) can read: mode 0600 or 0400. Throws Error(ReadError) when it cannot be read,
/// Error(FailedInit) when it is open to others, not a key, or an RSA key under 1024 bits.
[[nodiscard]] SigningKey load_signing_key(const std::string& path, std::string selector);

/// Throws Error(FailedInit) unless `name` is a domain name in letters, digits and hyphens
/// (A-labels for IDNs), labels separated by dots: a selector or a signing domain.
void check_dns_name(std::string_view what, std::string_view name);

/// Header field names separated by colons (--dkim-headers). Throws Error(FailedInit) when a
/// name is empty or not a field name, or From is missing.
[[nodiscard]] std::vector<std::string> parse_header_list(std::string_view text);

/// What signing asks for: one signature per key.
struct SigningRequest {
  std::vector<SigningKey> keys;
  /// d=; nullopt: the domain of the From address.
  std::optional<std::string> domain;
  /// The domain was given on the command line: it may differ from the From domain
  /// (a third-party signature); from anywhere else it must align (RFC 7489 §3.1.1).
  bool domain_explicit = false;
  Canonicalization header_canonicalization = Canonicalization::Relaxed;
  Canonicalization body_canonicalization = Canonicalization::Relaxed;
  /// h=; nullopt: the recommended fields that the message has, and From once more.
  std::optional<std::vector<std::string>> headers;
};

/// A message with its signatures.
struct SignedMessage {
  /// Each open() reads the DKIM-Signature fields, then the message.
  MessageOrigin origin;
  /// The fields added, each ending in CRLF (for -v).
  std::vector<std::string> signatures;
};

/// Signs `message` (opened once more to hash it; standard input is spooled first).
/// `now` is t=. Throws Error(FailedInit) when the message has no From or two, a header
/// section that is not a list of fields, a From domain that does not align with the
/// signing domain; Error(ReadError) when it cannot be read.
[[nodiscard]] SignedMessage sign_message(const MessageOrigin& message,
                                         const SigningRequest& request, std::int64_t now);

/// A DKIM-Signature field on one line with its b= value shortened, for -v.
[[nodiscard]] std::string shortened_signature(std::string_view field);

/// The default h= for a message with these field names: the recommended fields it has
/// (as many times as it has them), then From once more so that no From can be added.
[[nodiscard]] std::vector<std::string> default_signed_headers(
    const std::vector<std::string>& field_names);

}  // namespace smtpc::dkim
