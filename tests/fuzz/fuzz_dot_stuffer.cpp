// Fuzz target: the DotStuffer's slices (what the job writes with writev) hold the same bytes
// as its string output, for any input cut into chunks anywhere; both are what a byte-at-a-
// time model of the encoding gives (the encoder skips clean lines many bytes at a time);
// and no output holds a bare CR or LF. The first byte chooses the chunk sizes.
#include <string>
#include <vector>

#include "dot_stuffing_reference.hpp"
#include "fuzz_support.hpp"
#include "smtpc/smtp/dot_stuffer.hpp"

namespace {

std::string joined(smtpc::WireSlices& slices) {
  std::string out;
  for (const auto slice : slices.slices()) out.append(slice);
  return out;
}

void check(std::string_view input, std::size_t chunk, bool for_data) {
  smtpc::DotStuffer as_string(for_data);
  smtpc::DotStuffer as_slices(for_data);
  std::string expected;
  std::string got;
  smtpc::WireSlices slices;
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    const std::string_view piece = input.substr(at, chunk);
    as_string.encode(piece, expected);
    as_slices.encode(piece, slices);
    got += joined(slices);
    slices.clear();
  }
  as_string.finish(expected);
  as_slices.finish(slices);
  got += joined(slices);
  if (got != expected) __builtin_trap();
  if (got != smtpc::reference::reference_encoding(input, for_data)) __builtin_trap();
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool cr_without_lf = got[i] == '\r' && (i + 1 == got.size() || got[i + 1] != '\n');
    const bool lf_without_cr = got[i] == '\n' && (i == 0 || got[i - 1] != '\r');
    if (cr_without_lf || lf_without_cr) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] * 7;  // 1..1786: cuts inside and across long runs
  const std::string_view input = smtpc::fuzz::as_text(data + 1, size - 1);
  check(input, chunk, true);
  check(input, chunk, false);
  return 0;
}
