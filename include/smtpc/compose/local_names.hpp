// Bare local names ("root", "www-data") in sendmail mode: RFC 5321 needs a domain in every
// RCPT and RFC 5322 in every header address. Like Postfix's append_at_myorigin for mail
// submitted with sendmail, they get the mail domain; an alias map (msmtp's `aliases`)
// may send a local recipient elsewhere first.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/compose/header_block.hpp"

namespace smtpc {

/// Local name (lower-case) -> the addresses it stands for. "default" stands for every
/// local name not listed, as in msmtp.
using AliasMap = std::map<std::string, std::vector<std::string>>;

/// Parses an aliases file: "name: address, address" lines (the address lists may be
/// folded onto lines that start with a blank), "#" comments, blank lines. Throws
/// Error(FailedInit) naming `path` and the line for anything else.
[[nodiscard]] AliasMap parse_aliases(std::string_view text, const std::string& path);

class LocalNames {
 public:
  /// `domain` is asked once, when a bare name is first met (it may ask the resolver).
  LocalNames(std::function<std::string()> domain, AliasMap aliases);

  /// Whether `address` is a bare local name (no "@"; not the null path "").
  [[nodiscard]] static bool is_local(std::string_view address);
  /// `address` with the mail domain when it is a bare local name.
  [[nodiscard]] std::string qualify(std::string_view address) const;
  /// The recipients a recipient stands for: its aliases when it is a bare local name that
  /// the map names (or "default" does), each qualified; else itself, qualified.
  [[nodiscard]] std::vector<std::string> expand(std::string_view address) const;

  /// Rewrites the address fields that hold a bare name: From, Sender, Reply-To, To, Cc,
  /// Bcc and their Resent- forms. Recipient fields (To, Cc, Bcc, Resent-To/Cc/Bcc) expand
  /// aliases; the others are qualified. Fields without a bare name stay byte for byte.
  void rewrite(std::vector<HeaderField>& fields) const;

 private:
  std::function<std::string()> domain_source_;
  mutable std::string domain_;
  AliasMap aliases_;
  [[nodiscard]] const std::string& domain() const;
};

}  // namespace smtpc
