// Fuzz target: base64 decoding; whatever decodes must encode and decode back to itself.
#include "fuzz_support.hpp"
#include "smtpc/core/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = smtpc::fuzz::as_text(data, size);
  if (const auto decoded = smtpc::base64_decode(text)) {
    const auto again = smtpc::base64_decode(smtpc::base64_encode(*decoded));
    if (!again || *again != *decoded) __builtin_trap();
  }
  const auto round = smtpc::base64_decode(smtpc::base64_encode(text));
  if (!round || *round != text) __builtin_trap();
  return 0;
}
