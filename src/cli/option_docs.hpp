// The option table as documentation: --help, the man page and the shell completions are
// all rendered from one list of OptionDoc, taken from the parser's own option table, so
// they cannot drift from what the parser accepts.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc::cli {

/// One option as the parser knows it.
struct OptionDoc {
  std::string long_name;   // "--mail-from"; empty for the positional URL
  std::string short_name;  // "-T", or empty
  bool takes_value = false;
  std::string value_name;  // "ADDRESS", "FILE", "DIR", ...; empty for flags
  std::string help;        // one sentence
  std::string category;    // one of kCategories
  bool common = false;     // shown by the short --help
};

/// The help categories, in the order --help all and the man page list them.
struct Category {
  std::string_view name;
  std::string_view title;
};
// constexpr: no static initialiser runs it in every smtpc run.
inline constexpr std::array<Category, 12> kCategories{{
    {"connection", "Connection"},
    {"proxy", "Proxies"},
    {"smtp", "Envelope and SMTP"},
    {"tls", "TLS"},
    {"auth", "Logging in"},
    {"compose", "Composing mail"},
    {"config", "Config files"},
    {"mx", "Direct delivery (--mx)"},
    {"dkim", "DKIM signing"},
    {"debug", "Debugging a server"},
    {"queue", "Queue and retries"},
    {"output", "Output and tracing"},
}};

/// --help (topic empty), --help all, --help CATEGORY. `program` is the name in the usage
/// line. Returns an empty string for an unknown topic.
[[nodiscard]] std::string render_help(const std::vector<OptionDoc>& options, std::string_view topic,
                                      std::string_view program);

/// man(7) text: backslashes escaped, minus signs as \-, a leading dot or quote neutralised.
[[nodiscard]] std::string roff(std::string_view text);

/// smtpc(1) in roff (man(7) macros). `date` goes in the .TH line.
[[nodiscard]] std::string render_man(const std::vector<OptionDoc>& options,
                                     std::string_view version, std::string_view date);

/// Completion scripts: bash (for bash-completion), zsh (#compdef) and fish.
[[nodiscard]] std::string render_bash_completion(const std::vector<OptionDoc>& options);
[[nodiscard]] std::string render_zsh_completion(const std::vector<OptionDoc>& options);
[[nodiscard]] std::string render_fish_completion(const std::vector<OptionDoc>& options);

}  // namespace smtpc::cli
