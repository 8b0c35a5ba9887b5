// DATA encoding: RFC 5321 §4.5.2 (transparency) and §2.3.8 (lines end in CRLF only).
// Normalising every bare CR and LF to CRLF means no "\n.\n" or "\r.\r" variant of the
// end-of-data mark can reach the server (SMTP smuggling).
#include "smtpc/smtp/dot_stuffer.hpp"

#include <algorithm>
#include <cstring>

namespace smtpc {
namespace {

constexpr std::string_view kCrlf = "\r\n";

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
  while (i < input.size()) {
    if (at_line_start_ && input[i] == '.' && for_data_) {
      output.input(input.substr(run, i - run));
      output.inserted(".");
      run = i;  // the dot itself starts the next run
    }
    at_line_start_ = false;
    const std::size_t brk = breaks.find(i);
    if (brk == std::string_view::npos) break;
    at_line_start_ = true;
    if (input[brk] == '\r' && brk + 1 < input.size() && input[brk + 1] == '\n') {
      i = brk + 2;  // CRLF: already right, the run goes on
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

// Each LF is found with memchr and must have a CR before it; CRs are counted (std::count is
// vectorised). With every LF preceded by a CR, as many CRs as LFs means no bare CR.
void CrlfOnlyCheck::feed(std::string_view piece) noexcept {
  if (piece.empty()) return;
  for (std::size_t lf = piece.find('\n'); lf != std::string_view::npos;
       lf = piece.find('\n', lf + 1)) {
    ++line_feeds_;
    if ((lf == 0 ? last_ : piece[lf - 1]) != '\r') bare_line_feed_ = true;
  }
  carriage_returns_ += static_cast<std::size_t>(std::count(piece.begin(), piece.end(), '\r'));
  last_ = piece.back();
}

bool CrlfOnlyCheck::crlf_only() const noexcept {
  return !bare_line_feed_ && carriage_returns_ == line_feeds_ && last_ == '\n';
}

}  // namespace smtpc
