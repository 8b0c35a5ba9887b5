// Test helper: argv (without the program name) -> the Options of the first transfer.
#pragma once

#include <string>
#include <vector>

#include "command_line.hpp"

namespace smtpc::cli::testing {

inline Options parse_args(const std::vector<std::string>& args) {
  const CommandLine command_line = parse_command_line(args);
  return expand_transfers(command_line.operations.front()).front();
}

}  // namespace smtpc::cli::testing
