// Fuzz target: curl's -K config syntax, then the command-line parser over what it yields
// (unless it names -K again or an @FILE, which would read files or standard input).
#include <algorithm>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "fuzz_support.hpp"
#include "smtpc/core/text.hpp"

namespace {

bool may_read_files(const std::string& arg) {
  if (arg.find('@') != std::string::npos) return true;  // -H @FILE: /dev/zero never ends
  if (arg.starts_with("--")) return smtpc::ascii_lower(arg).starts_with("--conf");
  return arg.starts_with('-') && arg.find('K') != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  smtpc::fuzz::tolerate_errors([&] {
    const std::vector<std::string> args =
        smtpc::cli::parse_curl_config(smtpc::fuzz::as_text(data, size), "fuzz.curlrc");
    if (std::none_of(args.begin(), args.end(), may_read_files)) {
      (void)smtpc::cli::parse_command_line(args);
    }
  });
  return 0;
}
