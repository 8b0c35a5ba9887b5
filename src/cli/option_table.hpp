// The parser's option table (CLI11's App today) as a list of OptionDoc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "option_docs.hpp"
#include "options.hpp"

namespace smtpc::cli {

/// Registers every option of the program on `app`: add_options, -V/--version (whose text
/// `version` makes when asked for) and -h/--help.
void register_program_options(CLI::App& app, Options& options,
                              std::function<std::string()> version);

/// Every option registered on `app`, described. Throws std::logic_error for an option
/// without a category: a new option must say where its help goes.
[[nodiscard]] std::vector<OptionDoc> describe_options(const CLI::App& app);

}  // namespace smtpc::cli
