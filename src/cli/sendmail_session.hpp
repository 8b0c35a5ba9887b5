// sendmail -bs: SMTP on standard input and output, each message handed to sendmail mode's
// delivery (queued first, then sent) before the 250 for its data.
#pragma once

#include "options.hpp"
#include "queue_cli.hpp"

namespace smtpc::cli {

/// Runs the session (smtp/server_session.hpp) until QUIT or the end of the input. Each
/// message goes out with `relay`'s settings, its envelope from MAIL and RCPT, through
/// send_reliably: 250 once it is queued or accepted by the relay, 451 for a failure that
/// left it nowhere (no queue, relay down), 554 for a permanent one. Returns 0, or EX_IOERR
/// (74) when standard output fails.
[[nodiscard]] int run_smtp_session(const Options& relay, const QueueContext& context);

}  // namespace smtpc::cli
