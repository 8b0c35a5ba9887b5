// The parser's option table (command_line.cpp) as a list of OptionDoc, for --help, the man
// page and the shell completions.
#pragma once

#include <vector>

#include "option_docs.hpp"

namespace smtpc::cli {

/// Every option smtpc acts on (curl's implemented ones and smtpc's own), described; the
/// curl options accepted without effect or refused are in docs/curl-options.md instead.
[[nodiscard]] std::vector<OptionDoc> describe_options();

}  // namespace smtpc::cli
