// Fuzz target: smtp:// and smtps:// URLs, and percent-decoding.
#include "fuzz_support.hpp"
#include "smtpc/core/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = smtpc::fuzz::as_text(data, size);
  smtpc::fuzz::tolerate_errors([&] { (void)smtpc::parse_smtp_url(text, size % 2 == 0); });
  smtpc::fuzz::tolerate_errors([&] { (void)smtpc::percent_decode(text); });
  return 0;
}
