// curl's command line, table-driven: every option takes exactly one argument (or none),
// repeating an option adds a value, URLs go anywhere, short flags combine, long options
// match case-insensitively and by unique prefix, --no- negates booleans, -- ends options,
// -K/--config reads curl's config syntax, -:/--next starts a new set of options.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {

/// How an option takes its argument (curl's ARG_NONE, ARG_BOOL, ARG_STRG/ARG_FILE).
enum class ArgKind {
  None,   // a switch: --no-NAME is refused
  Bool,   // a switch that --no-NAME turns off
  Value,  // exactly one argument
};

/// What smtpc does with the option (docs/curl-options.md lists every one).
enum class Support {
  Implemented,  // does what curl does for an smtp:// URL
  Extension,    // smtpc's own option; curl has no option of that name
  Ignored,      // curl accepts it for smtp:// and it changes nothing there: so does smtpc
  Accepted,     // curl acts on it for smtp://; smtpc accepts it and does not (documented)
  Refused,      // smtpc stops with exit 2 (documented why)
};

/// How the argument is hidden from other users' `ps` (scrub_secrets): not at all, all of
/// it, what follows its first ':' (USER:PASSWORD), or a URL's password (up to the last '@'
/// of its authority, as the URL parser reads it).
enum class Secret { No, All, AfterColon, Url };

/// One option of the table. The man page and the shell completions are generated from
/// these fields (long, short, takes-value, value name, help, category).
struct OptionDef {
  std::string_view long_name;  // without "--"
  char short_name = '\0';      // '\0': none
  ArgKind kind = ArgKind::None;
  std::string_view value_name;  // "<file>" for ArgKind::Value
  std::string_view help;        // one line
  std::string_view category;    // curl's help categories, plus "compose", "mx", "smtpc"
  Support support = Support::Implemented;
  Secret secret = Secret::No;
  /// Stores the option into the current set of options; `on` is false for --no-NAME.
  /// Throws UsageError. Null for the options the parser itself handles.
  void (*apply)(Options& options, const std::string& value, bool on) = nullptr;
  /// Why (for Ignored, Accepted and Refused): shown in docs/curl-options.md and in errors.
  std::string_view note;
};

/// --local-port NUM[-NUM] as curl 7.88 reads it. Throws UsageError ("is badly used here").
[[nodiscard]] LocalPortRange local_port_range(const std::string& value);

/// --rate N[/s|/m|/h|/d] as curl 7.88 reads it: the milliseconds from one transfer's
/// start to the next one's (per hour without a unit). Throws UsageError: "is badly
/// used here" for 0 or another unit, "expected a proper numerical parameter".
[[nodiscard]] long rate_interval_ms(const std::string& value);

/// --limit-rate SPEED as curl 7.88 reads it (GetSizeParameter): a whole number of bytes
/// per second, optionally followed by one of k, m, g (or b), either case. 0: no limit.
/// Throws UsageError ("is badly used here").
[[nodiscard]] std::uint64_t size_parameter(std::string_view option, const std::string& value);

/// Every option smtpc knows: curl 7.88's and its own.
[[nodiscard]] std::span<const OptionDef> option_table();

/// Finds an option as curl 7.88 does: case-insensitively, exact or a unique prefix.
/// Returns nullptr when unknown; throws UsageError when the prefix is ambiguous.
[[nodiscard]] const OptionDef* find_long_option(std::string_view name);

/// A usage error in curl's words ("option --x: is unknown"); always exit 2.
class UsageError : public Error {
 public:
  explicit UsageError(std::string message) : Error(ExitCode::FailedInit, std::move(message)) {}
  /// The few usage errors curl ends with another code (--proto-default: 1).
  UsageError(ExitCode code, std::string message) : Error(code, std::move(message)) {}
};

/// curl 7.88's protocol names (curl -V's "Protocols:" line of Debian's build).
[[nodiscard]] bool is_curl_protocol(std::string_view name);

/// core/url's proto_allows (--proto LIST), its error a UsageError ("is badly used here").
[[nodiscard]] bool protocol_allowed(std::string_view list, std::string_view scheme,
                                    std::vector<std::string>* unknown = nullptr);

/// Where a secret sits in argv: argument `index`, from character `offset` on.
struct SecretSpan {
  std::size_t index = 0;
  std::size_t offset = 0;
  Secret kind = Secret::All;
};

struct CommandLine {
  std::vector<Options> operations;  // one per -:/--next group, in order
  bool help = false;
  std::optional<std::string> help_category;
  bool version = false;
  std::vector<SecretSpan> secrets;    // command-line arguments only (not -K files)
  std::vector<std::string> warnings;  // curl's "Warning: ..." lines while parsing (-2, -3)
};

/// Parses argv (without argv[0]); `-K -` reads standard input. Throws UsageError, or
/// Error(ReadError) for an unreadable -K file (as curl: exit 26).
[[nodiscard]] CommandLine parse_command_line(std::span<const std::string> args);

/// Parses curl's config syntax (-K): "--long value", "long = value", "long: value",
/// "-x value", "url = ...", '#' comments, double quotes with \\ \" \t \n \r \v escapes.
/// Returns the arguments as if typed on the command line (options get their leading
/// dashes). Throws UsageError "FILE:LINE: ..." for an unterminated quote.
[[nodiscard]] std::vector<std::string> parse_curl_config(std::string_view text,
                                                         std::string_view path);

/// The transfers of one operation, in order: the k-th URL with the k-th -T; a URL
/// without its own -T does what curl does without an upload; -T files beyond the
/// number of URLs are further messages over the last URL's connection (our extension).
/// Without any URL: one transfer with every -T (the account file or --mx decides).
/// `operation` is taken by value: the last transfer is made of it.
[[nodiscard]] std::vector<Options> expand_transfers(Options operation);

/// Closest known long option to a mistyped one, for "did you mean --x?"; empty if none.
[[nodiscard]] std::string suggest_option(std::string_view name);

}  // namespace smtpc::cli
