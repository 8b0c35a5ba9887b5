// MimeStream: text and files handed out chunk by chunk (see mime_stream.hpp).
#include "smtpc/compose/mime_stream.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smtpc/compose/mime.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

constexpr std::size_t kFileChunk = 64 * 1024;
// 57 input bytes make one base64 line of 76 characters.
constexpr std::size_t kBase64LineInput = mime::kEncodedLineLength / 4 * 3;

}  // namespace

void Base64LinesEncoder::feed(std::string_view input, std::string& output) {
  held_.append(input);
  const std::size_t whole_lines = held_.size() - held_.size() % kBase64LineInput;
  output += mime::base64_lines(std::string_view(held_).substr(0, whole_lines));
  held_.erase(0, whole_lines);
}

void Base64LinesEncoder::finish(std::string& output) {
  output += mime::base64_lines(held_);
  held_.clear();
}

void MimeStream::add_text(std::string_view text) {
  if (pieces_.empty() || pieces_.back().file) pieces_.emplace_back();
  pieces_.back().text += text;
}

void MimeStream::add_file(StreamedFile file) {
  if (pieces_.empty() || pieces_.back().file) pieces_.emplace_back();
  pieces_.back().file = std::move(file);
}

// Reads the next piece of the open file into pending_, encoded; closes it at its end.
void MimeStream::read_file_chunk() {
  StreamedFile& file = *open_file_;
  chunk_.resize(kFileChunk);
  ssize_t got = 0;
  do {
    got = ::read(file.fd.get(), chunk_.data(), chunk_.size());
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    throw Error(ExitCode::ReadError,
                fmt::format("failed reading {}: {}", file.what, std::strerror(errno)));
  }
  if (got == 0) {
    file.encoder->finish(pending_);
    open_file_.reset();
    return;
  }
  file.encoder->feed(std::string_view(chunk_.data(), static_cast<std::size_t>(got)), pending_);
}

// Puts the next output in pending_; false at the end of the message.
bool MimeStream::refill() {
  pending_.clear();
  pending_offset_ = 0;
  while (pending_.empty()) {
    if (open_file_) {
      read_file_chunk();
      continue;
    }
    if (next_piece_ >= pieces_.size()) return false;
    Piece& piece = pieces_[next_piece_++];
    pending_ = std::move(piece.text);
    open_file_ = std::move(piece.file);
    if (open_file_ && !open_file_->fd.valid()) {
      open_file_->fd = Fd(::open(open_file_->path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!open_file_->fd.valid()) {
        throw Error(ExitCode::ReadError,
                    fmt::format("cannot open {}: {}", open_file_->what, std::strerror(errno)));
      }
    }
  }
  return true;
}

std::size_t MimeStream::read(std::span<char> buffer) {
  std::size_t written = 0;
  while (written < buffer.size()) {
    if (pending_offset_ == pending_.size() && !refill()) break;
    const std::size_t n = std::min(buffer.size() - written, pending_.size() - pending_offset_);
    std::memcpy(buffer.data() + written, pending_.data() + pending_offset_, n);
    written += n;
    pending_offset_ += n;
  }
  return written;
}

}  // namespace smtpc
