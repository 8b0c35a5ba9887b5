// Fuzz target: finding and parsing a message's header section, and its recipients.
#include "fuzz_support.hpp"
#include "smtpc/compose/header_block.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = smtpc::fuzz::as_text(data, size);
  smtpc::fuzz::tolerate_errors([&] {
    const auto end = smtpc::find_header_end(text, true);
    const auto fields = smtpc::parse_header_fields(end ? text.substr(0, end->header_length) : text);
    (void)smtpc::header_recipients(fields);
    (void)smtpc::from_address(fields);
    (void)smtpc::join_fields(fields);
  });
  return 0;
}
