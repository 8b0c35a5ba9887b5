// Fuzz target: the reply parser, fed in pieces whose sizes come from the input too.
#include "fuzz_support.hpp"
#include "smtpc/smtp/reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  const std::string_view text = smtpc::fuzz::as_text(data + 1, size - 1);
  smtpc::fuzz::tolerate_errors([&] {
    smtpc::ReplyParser parser;
    for (std::size_t at = 0; at < text.size(); at += piece) {
      parser.feed(text.substr(at, piece));
      while (auto reply = parser.next()) {
        if (reply->lines.empty()) __builtin_trap();  // a reply always has a line
      }
    }
  });
  return 0;
}
