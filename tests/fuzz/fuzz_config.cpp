// Fuzz target: smtpc's account file (INI-style sections of key = value).
#include "config.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  smtpc::fuzz::tolerate_errors(
      [&] { (void)smtpc::cli::parse_config(smtpc::fuzz::as_text(data, size), "fuzz.conf"); });
  return 0;
}
