// Transport's default gathering write (see transport.hpp).
#include "smtpc/transport/transport.hpp"

#include <algorithm>
#include <array>

#include "smtpc/core/error.hpp"

namespace smtpc {

void Transport::send_file(int /*fd*/, std::uint64_t /*offset*/, std::size_t /*count*/,
                          Deadline /*deadline*/) {
  throw Error(ExitCode::SendError, "this connection cannot send a file as it is");
}

void Transport::write_slices(std::span<const std::string_view> slices, Deadline deadline) {
  // 16 KiB: one full TLS record per write. A slice that fills a record by itself is
  // written from where it lies; short ones are gathered first.
  constexpr std::size_t kRecord = 16 * 1024;
  std::array<char, kRecord> staging;
  std::size_t staged = 0;
  const auto flush = [&] {
    if (staged == 0) return;
    write_all(std::span<const char>(staging.data(), staged), deadline);
    staged = 0;
  };
  for (const std::string_view slice : slices) {
    if (slice.size() >= kRecord) {
      flush();
      write_all(std::span<const char>(slice.data(), slice.size()), deadline);
      continue;
    }
    std::string_view rest = slice;
    while (!rest.empty()) {
      const std::size_t take = std::min(rest.size(), kRecord - staged);
      std::copy_n(rest.data(), take, staging.data() + staged);
      staged += take;
      rest.remove_prefix(take);
      if (staged == kRecord) flush();
    }
  }
  flush();
}

}  // namespace smtpc
