// The DNS side of DKIM keys (RFC 6376 §3.6.1, RFC 8463 §4): the TXT record that publishes a
// key, new keys for --dkim-keygen, and whether a published record matches a private key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/transport/crypto.hpp"

namespace smtpc::dkim {

/// "v=DKIM1; k=rsa; p=BASE64" (k=ed25519 for Ed25519 keys).
[[nodiscard]] std::string key_record(const PrivateKeyInfo& key);

/// The zone-file line that publishes `record` for SELECTOR._domainkey.DOMAIN, its text
/// split into quoted strings of at most 255 bytes (RFC 1035 §3.3.14, RFC 6376 §3.6.2.2).
[[nodiscard]] std::string zone_line(std::string_view selector, std::string_view domain,
                                    std::string_view record);

/// SELECTOR._domainkey.DOMAIN.
[[nodiscard]] std::string record_name(std::string_view selector, std::string_view domain);

/// Writes a new private key to `path`, created with mode 0600 and never over an existing
/// file, and returns what it is. RSA keys have 2048 bits. Throws Error(WriteError) when the
/// file exists or cannot be written, Error(FailedInit) when no key can be made.
[[nodiscard]] PrivateKeyInfo write_new_key(const std::string& path, KeyAlgorithm algorithm);

/// What DNS says about a key.
struct PublishedKey {
  enum class Verdict { Matches, Differs, Revoked, NotDkim, Missing };
  Verdict verdict = Verdict::Missing;
  std::string record;  // the TXT record looked at, as published ("" when none)
  std::string reason;  // why it does not match, for the report
};

/// Compares the TXT records found at the key's name with the private key: the one DKIM
/// record among them (v=DKIM1 or no v=) must name the same algorithm (k=, rsa by default)
/// and carry the same public key (p=, whitespace ignored; empty means revoked).
[[nodiscard]] PublishedKey check_published_key(const std::vector<std::string>& records,
                                               const PrivateKeyInfo& key);

}  // namespace smtpc::dkim
