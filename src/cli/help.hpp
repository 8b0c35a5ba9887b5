// --help: generated from the option table (the options smtpc acts on).
#pragma once

#include <cstdio>

namespace smtpc::cli {

/// Writes the usage line and every implemented curl option and smtpc option, one a line.
void print_help(std::FILE* out);

}  // namespace smtpc::cli
