// What a piece of code throws: the one home for the smtpc::Error checks of every unit test.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <source_location>
#include <string>
#include <string_view>

#include "smtpc/core/error.hpp"

namespace smtpc::testing {

/// The code of the smtpc::Error that `action` throws, or ExitCode::Ok when it returns.
inline ExitCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.code();
  }
  return ExitCode::Ok;
}

/// Fails the test, at the caller's line, unless `action` throws an smtpc::Error with
/// `code` whose message contains `part`. Returns the error's message ("" when none).
inline std::string expect_error(ExitCode code, const std::function<void()>& action,
                                std::string_view part = {},
                                std::source_location where = std::source_location::current()) {
  try {
    action();
  } catch (const Error& error) {
    const std::string message = error.what();
    if (error.code() != code) {
      ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
          << "expected Error(" << to_int(code) << "), got Error(" << to_int(error.code())
          << "): " << message;
    } else if (message.find(part) == std::string::npos) {
      ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
          << "the message of Error(" << to_int(code) << ") lacks \"" << part << "\": " << message;
    }
    return message;
  }
  ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
      << "expected Error(" << to_int(code) << "), nothing was thrown";
  return "";
}

}  // namespace smtpc::testing
