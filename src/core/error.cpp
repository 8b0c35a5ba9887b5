// Error: an exception that carries curl's exit code.
#include "smtpc/core/error.hpp"

#include <fmt/format.h>

namespace smtpc {

Error::Error(ExitCode code, std::string message, std::optional<Reply> reply)
    : std::runtime_error(std::move(message)),
      code_(code),
      kind_(natural_kind(code, reply.has_value(), reply && reply->code.transient())),
      reply_(std::move(reply)) {}

Error::Error(FailureKind kind, ExitCode code, std::string message, std::optional<Reply> reply)
    : std::runtime_error(std::move(message)), code_(code), kind_(kind), reply_(std::move(reply)) {}

std::string describe_with_reply(std::string_view what, const Reply& reply) {
  return fmt::format("{}: {}", what, reply.summary());
}

}  // namespace smtpc
