// curl 8.3's --variable and the {{name}} expansion of --expand-OPTION values
// (curl's docs/cmdline-opts/variable.md and src/var.c, tests 448-455).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc::cli {

/// The variables of one command line: global across --next and -K files, as in curl.
class Variables {
 public:
  /// --variable SPEC: "name=text", "name@file" ("@-": standard input), "%NAME" (the
  /// environment variable, which must be set), "%NAME=text" or "%NAME@file" (the default
  /// when it is not set). Setting a name again replaces its content. Throws
  /// UsageError (exit 2) for an unset "%NAME" without default, Error(ReadError) for a file
  /// that cannot be read. A bad name or syntax is skipped with a warning, as curl does.
  void set(std::string_view spec, std::vector<std::string>& warnings);

  /// `text` with each {{name}} or {{name:function:...}} replaced (functions trim, json,
  /// url, b64, left to right; an unset name is empty; "\{{" is a literal "{{"), or nullopt
  /// when nothing was replaced (curl then uses the text as it is). Throws UsageError for an
  /// unknown function or a result holding a NUL byte; warns about a missing "}}" or a bad name.
  [[nodiscard]] std::optional<std::string> expand(std::string_view text,
                                                  std::vector<std::string>& warnings) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace smtpc::cli
