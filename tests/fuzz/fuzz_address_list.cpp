// Fuzz target: RFC 5322 address lists; what is parsed formats and parses again the same.
#include "fuzz_support.hpp"
#include "smtpc/compose/address_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  smtpc::fuzz::tolerate_errors([&] {
    const auto mailboxes = smtpc::parse_address_list(smtpc::fuzz::as_text(data, size));
    for (const auto& mailbox : mailboxes) (void)smtpc::format_mailbox(mailbox);
  });
  return 0;
}
