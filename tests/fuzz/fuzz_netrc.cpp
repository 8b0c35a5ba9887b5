// Fuzz target: .netrc files, looked up with and without a login.
#include "fuzz_support.hpp"
#include "smtpc/sys/netrc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = smtpc::fuzz::as_text(data, size);
  smtpc::fuzz::tolerate_errors([&] { (void)smtpc::netrc_lookup(text, "mail.example", {}); });
  smtpc::fuzz::tolerate_errors([&] { (void)smtpc::netrc_lookup(text, "mail.example", "user"); });
  return 0;
}
