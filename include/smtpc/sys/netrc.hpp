// Credentials from a .netrc file, with curl's reading of its loose format (netrc(5)).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtpc {

/// What a .netrc entry supplies; either part may be missing.
struct NetrcEntry {
  std::optional<std::string> login;
  std::optional<std::string> password;
};

/// Finds the credentials for `host` in .netrc `contents`. Returns nullopt when no entry
/// matches.
///
/// Tokens are separated by any whitespace, line breaks included. Keywords are
/// case-insensitive: "machine NAME", "default", "login V", "password V", "account V"
/// (ignored) and "macdef NAME" (everything up to the next empty line is skipped). A
/// token starting with '#' starts a comment that runs to the end of the line. A value
/// may be double-quoted, with the escapes \" \\ \n \r \t (curl 7.84+); any other
/// escaped character stands for itself. Unknown tokens are skipped, as curl does.
///
/// `host` matches a machine name case-insensitively; the first matching machine entry
/// wins. "default" matches any host but is used only when no machine entry matched
/// (netrc(5) requires it to come last; then this is curl's first-match order).
/// Without `login`, an entry matches when it has a login or a password. With `login`,
/// an entry matches only when its login is exactly that user and it has a password;
/// an entry with a password and no login matches any user, as in curl.
///
/// Throws Error(ReadError) for a syntax error: an unterminated quoted value.
[[nodiscard]] std::optional<NetrcEntry> netrc_lookup(std::string_view contents,
                                                     std::string_view host,
                                                     std::optional<std::string_view> login);

/// netrc_lookup on the file at `path`.
/// Throws Error(ReadError) when the file cannot be read or has a syntax error, which is
/// what curl does for --netrc (".netrc error: ...", exit 26); with `optional`
/// (--netrc-optional) those cases return nullopt instead, as curl then ignores the file.
[[nodiscard]] std::optional<NetrcEntry> netrc_lookup_file(const std::string& path,
                                                          std::string_view host,
                                                          std::optional<std::string_view> login,
                                                          bool optional);

/// $NETRC when set and not empty, else $HOME/.netrc, else the password database's home
/// directory + "/.netrc"; "" when there is no home directory. Never throws.
[[nodiscard]] std::string default_netrc_path();

}  // namespace smtpc
