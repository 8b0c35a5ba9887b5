// A message held in memory, read as a MessageSource: for unit tests of what reads messages.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <utility>

#include "smtpc/message/body_source.hpp"

namespace smtpc::testing_support {

/// Gives `text` at most `chunk` bytes per read (small chunks test the readers' seams).
class StringSource final : public MessageSource {
 public:
  explicit StringSource(std::string text,
                        std::size_t chunk = std::numeric_limits<std::size_t>::max())
      : text_(std::move(text)), chunk_(chunk) {}
  std::size_t read(std::span<char> buffer) override {
    const std::size_t n = std::min({buffer.size(), chunk_, text_.size() - offset_});
    std::copy_n(text_.data() + offset_, n, buffer.data());
    offset_ += n;
    return n;
  }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  std::string text_;
  std::size_t chunk_;
  std::size_t offset_ = 0;
  std::string name_ = "test";
};

}  // namespace smtpc::testing_support
