// sendmail mode: the command line that cron, mail(1), logwatch and scripts use for
// /usr/sbin/sendmail, mapped onto smtpc, with sysexits(3) exit codes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpc/core/error.hpp"

namespace smtpc::cli {

// SysExit, sendmail's exit codes, is smtpc::SysExit (smtpc/core/failure.hpp).

struct SendmailArgs {
  std::vector<std::string> recipients;    // addresses from the arguments
  bool read_recipients = false;           // -t
  bool ignore_dots = false;               // -i, -oi: a lone "." does not end the input
  std::optional<std::string> from;        // -f ADDR, -r ADDR
  std::optional<std::string> full_name;   // -F NAME
  std::optional<std::string> config;      // -C FILE
  std::optional<std::string> account;     // -a NAME (as msmtp)
  int verbose = 0;                        // -v
  std::optional<std::string> dsn_notify;  // -N never|success,failure,delay (RFC 3461)
  std::optional<std::string> dsn_return;  // -R full|hdrs
  std::optional<std::string> dsn_envid;   // -V ENVID
  /// What to do: send the message (-bm, the default), deliver the queue (-q, -q<time>,
  /// -qf), or list it (-bp, or when called as mailq).
  /// -bs: speak SMTP on standard input/output (sendmail_session.hpp).
  enum class Mode { Send, QueueRun, QueueList, SmtpSession } mode = Mode::Send;
  bool force_queue_run = false;  // -q and -qf: every entry, due or not (as postqueue -f)
};

/// Parses sendmail's options (without argv[0] and --sendmail): -t, -i, -oi, -f/-r ADDR,
/// -F NAME (attached or separate), -v, -C FILE, -a NAME, the DSN requests -N, -R, -V;
/// the no-ops -bm, -o* (-oem, -odi, ...), -B/-L/-X/-h with their arguments; "--" ends
/// options; every other argument is an address list; -q/-qf (deliver the queue now),
/// -q<time> (deliver what is due: run it from cron), -bp (list the queue). Throws
/// Error(FailedInit) for other modes (-bd, -qR...), unknown options, missing
/// arguments and bad addresses.
[[nodiscard]] SendmailArgs parse_sendmail_args(const std::vector<std::string>& args);

/// Where a sendmail-mode run failed.
enum class SendmailStage { Arguments, Configuration, Message, Delivery };

/// The sysexits code for an error at `stage`. Delivery: a 4xx reply, connection and
/// timeout failures are TempFail; a 5xx reply Unavailable; login denied NoPerm.
[[nodiscard]] SysExit sendmail_exit_code(const Error& error, SendmailStage stage);

/// Whether to run in sendmail mode: argv[0]'s base name is "sendmail" or "mailq", or
/// --sendmail.
[[nodiscard]] bool is_sendmail_invocation(int argc, char** argv);

/// Runs sendmail mode: reads the message from standard input, sends it to the server of
/// the config file's account (or $SMTPC_URL), returns a sysexits code.
[[nodiscard]] int run_sendmail(int argc, char** argv);

}  // namespace smtpc::cli
