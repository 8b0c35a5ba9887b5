// DATA encoding: RFC 5321 §4.5.2 (transparency) and §2.3.8 (lines end in CRLF only).
// Normalising every bare CR and LF to CRLF means no "\n.\n" or "\r.\r" variant of the
// end-of-data mark can reach the server (SMTP smuggling).
#include "smtpc/smtp/dot_stuffer.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smtpc {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Whether the byte pair (here, next) needs no change: a CR is followed by LF, a LF is
// preceded by CR, and (for DATA) no "." starts the line a LF ends. A text all of whose
// adjacent pairs pass goes out as it is (apart from its first and last byte, which
// belong to pairs with the neighbouring chunks).
template <bool kStuffDots>
bool clean_pair(char here, char next) noexcept {
  return (here == '\r') == (next == '\n') && !(kStuffDots && here == '\n' && next == '.');
}

// How far from `from` the pairs (text[j], text[j + 1]) are clean_pair: `end` is the first
// j >= from whose pair is not (text.size() - 1 when all are), `last_lf` the last LF in
// (from, end] (npos when none). Sixteen pairs at a time with SSE2, in blocks of 64 while
// all is clean (as in CRLF mail text), byte by byte elsewhere: memchr for the next CR
// and the next LF of every line cost more than this check of every byte.
struct PairScan {
  std::size_t end;
  std::size_t last_lf;
};

template <bool kStuffDots>
PairScan scan_clean_pairs(std::string_view text, std::size_t from) noexcept {
  const char* data = text.data();
  const std::size_t last = text.size() - 1;  // callers pass from < size
  std::size_t at = from;
  std::size_t last_lf = std::string_view::npos;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i dot = _mm_set1_epi8('.');
  // For the 16 pairs from p (reading data[p, p + 17)): 0xFF where a pair is not clean, and
  // the LFs among their second bytes.
  struct Block {
    __m128i unclean;
    __m128i lf_next;
  };
  const auto block = [&](std::size_t p) {
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + p));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + p + 1));
    const __m128i lf_next = _mm_cmpeq_epi8(next, lf);
    __m128i unclean = _mm_xor_si128(_mm_cmpeq_epi8(here, cr), lf_next);
    if constexpr (kStuffDots) {
      unclean =
          _mm_or_si128(unclean, _mm_and_si128(_mm_cmpeq_epi8(here, lf), _mm_cmpeq_epi8(next, dot)));
    }
    return Block{unclean, lf_next};
  };
  const auto bits = [](__m128i mask) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(mask));
  };
  while (at + 64 <= last) {
    const Block b0 = block(at);
    const Block b1 = block(at + 16);
    const Block b2 = block(at + 32);
    const Block b3 = block(at + 48);
    const __m128i unclean =
        _mm_or_si128(_mm_or_si128(b0.unclean, b1.unclean), _mm_or_si128(b2.unclean, b3.unclean));
    if (bits(unclean) != 0) break;
    const std::uint64_t lfs = bits(b0.lf_next) | (std::uint64_t{bits(b1.lf_next)} << 16) |
                              (std::uint64_t{bits(b2.lf_next)} << 32) |
                              (std::uint64_t{bits(b3.lf_next)} << 48);
    if (lfs != 0) last_lf = at + 1 + 63 - static_cast<std::size_t>(__builtin_clzll(lfs));
    at += 64;
  }
  while (at + 16 <= last) {
    const Block b = block(at);
    const std::uint32_t unclean = bits(b.unclean);
    std::uint32_t lfs = bits(b.lf_next);
    // Only the LFs up to the first unclean pair's first byte count.
    if (unclean != 0) lfs &= (1U << static_cast<unsigned>(__builtin_ctz(unclean))) - 1U;
    if (lfs != 0) last_lf = at + 1 + 31 - static_cast<std::size_t>(__builtin_clz(lfs));
    if (unclean != 0) return {at + static_cast<std::size_t>(__builtin_ctz(unclean)), last_lf};
    at += 16;
  }
#endif
  while (at < last && clean_pair<kStuffDots>(data[at], data[at + 1])) {
    if (data[at + 1] == '\n') last_lf = at + 1;
    ++at;
  }
  return {at, last_lf};
}

// From `at` (not a LF: its CR would be before `at`), how the input goes on: `lines_end`
// is just after the last of the whole CRLF lines that follow and need no change (`at`
// when there are none), and when there are none, no CR or LF comes before `no_break_before`.
struct CleanSpan {
  std::size_t lines_end;
  std::size_t no_break_before;
};

template <bool kStuffDots>
CleanSpan clean_span(std::string_view text, std::size_t at) noexcept {
  const PairScan scan = scan_clean_pairs<kStuffDots>(text, at);
  // Every LF in (at, end] follows a CR, every CR in [at, end) precedes a LF.
  if (scan.last_lf == std::string_view::npos) return {at, scan.end};  // no CR or LF either
  return {scan.last_lf + 1, at};
}

// Position of the first '\r' or '\n' in text[from, end), or npos. The two memchr
// results are cached by the caller across calls, so each byte is scanned once.
struct BreakFinder {
  std::string_view text;
  std::size_t next_cr = 0;
  std::size_t next_lf = 0;
  bool cr_valid = false;
  bool lf_valid = false;

  std::size_t find(std::size_t from) {
    if (!cr_valid || next_cr < from) {
      next_cr = scan('\r', from);
      cr_valid = true;
    }
    if (!lf_valid || next_lf < from) {
      next_lf = scan('\n', from);
      lf_valid = true;
    }
    return std::min(next_cr, next_lf);
  }

  std::size_t scan(char c, std::size_t from) const {
    if (from >= text.size()) return std::string_view::npos;
    const void* hit = std::memchr(text.data() + from, c, text.size() - from);
    return hit == nullptr ? std::string_view::npos
                          : static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
  }
};

// The two outputs: input runs and inserted bytes appended to a string, or kept as slices.
struct StringOutput {
  std::string& out;
  void input(std::string_view run) { out.append(run); }
  void inserted(std::string_view bytes) { out.append(bytes); }
};

struct SliceOutput {
  WireSlices& out;
  void input(std::string_view run) { out.add_input(run); }
  void inserted(std::string_view bytes) { out.add_inserted(bytes); }
};

}  // namespace

void WireSlices::clear() noexcept {
  parts_.clear();
  owned_.clear();
  slices_.clear();
  size_ = 0;
}

void WireSlices::add_input(std::string_view run) {
  if (run.size() < kReferenceAtLeast) {
    add_inserted(run);
    return;
  }
  parts_.push_back(Part{run.data(), 0, run.size()});
  size_ += run.size();
}

void WireSlices::add_inserted(std::string_view bytes) {
  if (bytes.empty()) return;
  if (!parts_.empty() && parts_.back().data == nullptr) {
    parts_.back().size += bytes.size();  // owned bytes follow each other in owned_
  } else {
    parts_.push_back(Part{nullptr, owned_.size(), bytes.size()});
  }
  owned_.append(bytes);
  size_ += bytes.size();
}

const std::vector<std::string_view>& WireSlices::slices() {
  slices_.clear();
  slices_.reserve(parts_.size());
  for (const Part& part : parts_) {
    slices_.emplace_back(part.data != nullptr ? part.data : owned_.data() + part.offset, part.size);
  }
  return slices_;
}

void DotStuffer::encode(std::string_view input, std::string& output) {
  StringOutput out{output};
  encode_into(input, out);
}

void DotStuffer::encode(std::string_view input, WireSlices& output) {
  SliceOutput out{output};
  encode_into(input, out);
}

void DotStuffer::finish(std::string& output) {
  StringOutput out{output};
  finish_into(out);
}

void DotStuffer::finish(WireSlices& output) {
  SliceOutput out{output};
  finish_into(out);
}

// Runs of the input that need no change (CRLF line ends included) go out as one piece;
// only a stuffed dot and the CRLF of a bare CR or LF are inserted between them.
template <class Output>
void DotStuffer::encode_into(std::string_view input, Output& output) {
  std::size_t i = 0;
  if (pending_cr_ && !input.empty()) {
    // A CR ended the previous chunk (held back); a LF starting this one belongs to it.
    if (input.front() == '\n') i = 1;
    output.inserted(kCrlf);
    pending_cr_ = false;
    at_line_start_ = true;
  }
  std::size_t run = i;  // the start of the input not yet passed to output
  BreakFinder breaks{input};
  bool look_for_clean_lines = true;
  while (i < input.size()) {
    if (at_line_start_ && input[i] == '.' && for_data_) {
      output.input(input.substr(run, i - run));
      output.inserted(".");
      run = i;  // the dot itself starts the next run
    }
    at_line_start_ = false;
    std::size_t search_from = i;
    if (look_for_clean_lines && input[i] != '\n') {
      // Whole lines that need no change join the run at once.
      const CleanSpan clean = for_data_ ? clean_span<true>(input, i) : clean_span<false>(input, i);
      if (clean.lines_end > i) {
        i = clean.lines_end;
        at_line_start_ = true;
        continue;
      }
      search_from = clean.no_break_before;
      // Text whose lines need changes (LF-only, binary) is searched break by break, as
      // before, until a CRLF line end suggests clean lines again.
      look_for_clean_lines = false;
    }
    const std::size_t brk = breaks.find(search_from);
    if (brk == std::string_view::npos) break;
    at_line_start_ = true;
    if (input[brk] == '\r' && brk + 1 < input.size() && input[brk + 1] == '\n') {
      i = brk + 2;  // CRLF: already right, the run goes on
      look_for_clean_lines = true;
      continue;
    }
    output.input(input.substr(run, brk - run));
    if (input[brk] == '\r' && brk + 1 == input.size()) {
      pending_cr_ = true;  // the next chunk may start with the LF of this CR
      at_line_start_ = false;
      return;
    }
    output.inserted(kCrlf);  // a bare LF or a bare CR
    i = brk + 1;
    run = i;
  }
  output.input(input.substr(run));
}

template <class Output>
void DotStuffer::finish_into(Output& output) {
  if (pending_cr_) {
    output.inserted(kCrlf);
    pending_cr_ = false;
    at_line_start_ = true;
  }
  if (!at_line_start_) output.inserted(kCrlf);
  if (for_data_) output.inserted(".\r\n");
  at_line_start_ = true;
}

// Inside the piece every adjacent pair must be clean for BDAT (scan_clean_pairs, 16 bytes
// at a time); across pieces, the previous piece's last byte and this one's first.
void CrlfOnlyCheck::feed(std::string_view piece) noexcept {
  if (piece.empty()) return;
  if ((last_ == '\r') != (piece.front() == '\n')) unchanged_ = false;
  if (unchanged_ && scan_clean_pairs<false>(piece, 0).end != piece.size() - 1) unchanged_ = false;
  last_ = piece.back();
}

bool CrlfOnlyCheck::crlf_only() const noexcept { return unchanged_ && last_ == '\n'; }

}  // namespace smtpc
