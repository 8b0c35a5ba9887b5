// An in-memory Transport whose Nth operation fails, as Beast's test::stream with a fail_count:
// a test raises N from 0 until the work succeeds, and checks each failure on the way.
#pragma once

#include <cstddef>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc::testing {

/// How the failing operation fails. Every operation after it fails the same way: a broken
/// link stays broken.
enum class Fault {
  Reset,    // Error(SendError) on a write, Error(RecvError) on a read
  Timeout,  // Error(OperationTimedout)
  Close,    // the peer closed: reads return 0 (end of stream), writes Error(SendError)
};

/// For test names: "Reset", "Timeout", "Close".
inline const char* to_string(Fault fault) noexcept {
  switch (fault) {
    case Fault::Reset:
      return "Reset";
    case Fault::Timeout:
      return "Timeout";
    case Fault::Close:
      return "Close";
  }
  return "Unknown";
}

enum class Operation { Read, Write };

/// The far end of a FakeTransport: what the test sets up, and what it can inspect after the
/// transport itself is gone (a job owns and destroys it).
struct FakePeer {
  /// What the peer sends: each read returns at most one piece, and nothing waits. After
  /// the last piece, reads return 0 (end of stream).
  std::deque<std::string> pieces;
  /// The operation (reads and writes counted together from 0) that fails; nullopt: none.
  std::optional<std::size_t> fail_at;
  Fault fault = Fault::Reset;
  /// True: every piece not read yet counts as sent already (has_pending_input), as from a
  /// server that does not wait for the client. False: the peer answers only when asked.
  bool sends_ahead = false;

  std::vector<Operation> operations;  // every operation tried, the failed ones included
  std::vector<std::string> reads;     // what each successful read returned
  std::string received;               // every byte written
  std::optional<Operation> failed;    // the operation that failed first

  /// A loop that never ends is a bug the test must report, not wait for.
  static constexpr std::size_t kMaxOperations = 10000;
};

class FakeTransport final : public Transport {
 public:
  explicit FakeTransport(std::shared_ptr<FakePeer> peer) : peer_(std::move(peer)) {}

  void write_all(std::span<const char> data, Deadline /*deadline*/) override {
    if (begin(Operation::Write)) {
      throw Error(
          peer_->fault == Fault::Timeout ? ExitCode::OperationTimedout : ExitCode::SendError,
          "fake: write failed");
    }
    peer_->received.append(data.data(), data.size());
  }

  std::size_t read_some(std::span<char> buffer, Deadline /*deadline*/) override {
    if (begin(Operation::Read)) {
      if (peer_->fault == Fault::Close) return 0;
      throw Error(
          peer_->fault == Fault::Timeout ? ExitCode::OperationTimedout : ExitCode::RecvError,
          "fake: read failed");
    }
    if (peer_->pieces.empty()) return 0;
    std::string& piece = peer_->pieces.front();
    const std::size_t size = std::min(piece.size(), buffer.size());
    std::memcpy(buffer.data(), piece.data(), size);
    peer_->reads.push_back(piece.substr(0, size));
    piece.erase(0, size);
    if (piece.empty()) peer_->pieces.pop_front();
    return size;
  }

  [[nodiscard]] bool is_tls() const noexcept override { return false; }
  [[nodiscard]] bool has_pending_input() const noexcept override {
    return peer_->sends_ahead && !peer_->pieces.empty();
  }
  [[nodiscard]] int native_handle() const noexcept override { return -1; }
  [[nodiscard]] const std::string& peer_address() const noexcept override { return address_; }

 private:
  // Counts the operation; true when it must fail.
  bool begin(Operation operation) {
    if (peer_->operations.size() >= FakePeer::kMaxOperations) {
      throw std::logic_error("fake transport: too many operations, the caller loops");
    }
    const std::size_t index = peer_->operations.size();
    peer_->operations.push_back(operation);
    if (peer_->failed || (peer_->fail_at && index >= *peer_->fail_at)) {
      if (!peer_->failed) peer_->failed = operation;
      return true;
    }
    return false;
  }

  std::shared_ptr<FakePeer> peer_;
  std::string address_ = "127.0.0.1";
};

}  // namespace smtpc::testing
