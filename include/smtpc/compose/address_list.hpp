// RFC 5322 §3.4 address lists: display names, quoted strings, groups, comments, folding,
// and the obsolete forms of §4.4 (routes, empty list elements, CFWS around dots).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc {

/// One mailbox of an address list.
struct Mailbox {
  std::string display_name;          // decoded phrase (quotes removed); "" when absent
  std::string address;               // addr-spec "local@domain" (or a bare local part)
  std::optional<std::string> group;  // the group's display name when inside a group
};

/// Parses the body of an address-list header field (To, Cc, Bcc, From, Reply-To, ...):
/// folded lines, comments and empty elements are allowed, a group contributes its
/// members (an empty group, "undisclosed-recipients:;", contributes none), and an
/// obsolete route ("<@a.example,@b.example:user@c.example>") is dropped. A bare local
/// part ("root") is accepted, as sendmail accepts it for local delivery.
/// Throws Error(FailedInit) naming the problem for anything else (an unterminated
/// quoted string, comment or angle address, a missing local part or domain, ...).
[[nodiscard]] std::vector<Mailbox> parse_address_list(std::string_view text);

/// A mailbox as it goes into a header: "phrase <address>" or just "address".
[[nodiscard]] std::string format_mailbox(const Mailbox& mailbox);

/// Mailboxes as an address-list field body, folded after commas to keep lines near 78
/// characters; `name_length` is the length of the field name before ": ". Group
/// membership is kept ("Team: a@x, b@y;"). An empty list is "undisclosed-recipients:;".
[[nodiscard]] std::string format_address_list(const std::vector<Mailbox>& mailboxes,
                                              std::size_t name_length);

}  // namespace smtpc
