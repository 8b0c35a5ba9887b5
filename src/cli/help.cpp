// --help from the option table, in curl's layout: " -s, --silent   Silent mode".
#include "help.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "command_line.hpp"

namespace smtpc::cli {

void print_help(std::FILE* out) {
  fmt::print(out, "Usage: smtpc [options...] <url>...\n");
  std::vector<const OptionDef*> shown;
  for (const auto& option : option_table()) {
    if (option.support == Support::Implemented || option.support == Support::Extension) {
      shown.push_back(&option);
    }
  }
  std::sort(shown.begin(), shown.end(),
            [](const OptionDef* a, const OptionDef* b) { return a->long_name < b->long_name; });
  for (const OptionDef* option : shown) {
    const std::string flag =
        option->short_name != '\0' ? fmt::format("-{}, ", option->short_name) : "    ";
    const std::string name = fmt::format("--{}{}{}", option->long_name,
                                         option->value_name.empty() ? "" : " ", option->value_name);
    fmt::print(out, " {}{:<30} {}\n", flag, name, option->help);
  }
  fmt::print(out,
             "Options curl accepts for smtp:// and that change nothing for SMTP are accepted too:\n"
             "see docs/curl-options.md.\n");
}

}  // namespace smtpc::cli
