// Shared by the fuzz targets: expected errors are smtpc::Error; anything else is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtpc/core/error.hpp"

namespace smtpc::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};  // NOLINT: libFuzzer hands bytes
}

/// Runs `body`; an Error (bad input, said clearly) is a fine outcome.
template <class Body>
void tolerate_errors(const Body& body) {
  try {
    body();
  } catch (const Error&) {
  }
}

}  // namespace smtpc::fuzz
