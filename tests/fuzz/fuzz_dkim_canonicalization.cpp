// Fuzz target: DKIM canonicalization, streamed in chunks the input chooses, against the
// whole-string reference (tests/support/dkim_reference.hpp), for headers and bodies.
#include <cstdlib>

#include "dkim_reference.hpp"
#include "fuzz_support.hpp"
#include "smtpc/dkim/canonicalization.hpp"

namespace {

using smtpc::dkim::Canonicalization;

std::string streamed(Canonicalization canonicalization, std::string_view body,
                     std::string_view sizes) {
  smtpc::dkim::BodyCanonicalizer canonicalizer(canonicalization);
  std::string out;
  std::size_t next_size = 0;
  while (!body.empty()) {
    // Chunk sizes 1..16 from the input's first bytes, then the rest at once.
    const std::size_t size = next_size < sizes.size()
                                 ? 1 + static_cast<unsigned char>(sizes[next_size++]) % 16
                                 : body.size();
    canonicalizer.update(body.substr(0, size), out);
    body.remove_prefix(std::min(size, body.size()));
  }
  canonicalizer.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = smtpc::fuzz::as_text(data, size);
  // The first 8 bytes choose the chunk sizes; the rest is the header field and the body.
  const std::string_view sizes = text.substr(0, std::min<std::size_t>(8, text.size()));
  const std::string_view input = text.substr(sizes.size());
  for (const auto canonicalization : {Canonicalization::Simple, Canonicalization::Relaxed}) {
    if (streamed(canonicalization, input, sizes) !=
        smtpc::dkim::reference::body(canonicalization, input)) {
      std::abort();
    }
    if (smtpc::dkim::canonicalize_header(canonicalization, input) !=
        smtpc::dkim::reference::header(canonicalization, input)) {
      std::abort();
    }
  }
  return 0;
}
