// What kind of failure an error is, and the one table that says what each kind means for
// curl's exit code, sendmail's sysexits, the queue, --retry and --mx (docs/exit-codes.md).
// The kind is decided where the error is raised (Error carries it); everyone else looks it
// up here instead of working it out again.
#pragma once

#include <array>
#include <span>
#include <string_view>

namespace smtpc {

/// curl's exit codes: defined in smtpc/core/error.hpp, which includes this file.
enum class ExitCode : int;

/// sendmail's exit codes (sysexits.h), for sendmail mode.
enum class SysExit : int {
  Ok = 0,
  Usage = 64,        // EX_USAGE: bad command line
  DataErr = 65,      // EX_DATAERR: the message is unusable (bad headers, no recipients)
  Unavailable = 69,  // EX_UNAVAILABLE: the server refused for good (5xx), TLS not trusted
  Software = 70,     // EX_SOFTWARE: internal error
  IoErr = 74,        // EX_IOERR: reading the message failed
  TempFail = 75,     // EX_TEMPFAIL: try again later (4xx, connection failures, timeouts)
  NoPerm = 77,       // EX_NOPERM: login denied, config file readable by others
  Config = 78,       // EX_CONFIG: no server configured, bad config file or URL
};

/// What went wrong, as far as what to do next is concerned.
enum class FailureKind {
  TransientReply,  // a 4xx reply (RFC 5321 §4.2.1): the server may take it later
  PermanentReply,  // a 5xx reply, or a reply that makes no sense where it came
  Connect,         // the connection was refused or could not be made
  Network,         // a failed lookup, a timeout, a connection lost or a TLS handshake broken
                   // before the end of data
  Tls,             // the server's identity or its TLS could not be trusted (verification,
                   // pinning, no STARTTLS with --ssl-reqd)
  Auth,            // no way to log in (no mechanism in common, no usable login)
  Usage,           // the command line or configuration is wrong: waiting cannot heal it
  Local,           // a local file or resource failed (the message, the output, --interface)
  Unconfirmed,     // the end of data went out but no reply came: it may have been delivered
};

inline constexpr std::array kFailureKinds{FailureKind::TransientReply,
                                          FailureKind::PermanentReply,
                                          FailureKind::Connect,
                                          FailureKind::Network,
                                          FailureKind::Tls,
                                          FailureKind::Auth,
                                          FailureKind::Usage,
                                          FailureKind::Local,
                                          FailureKind::Unconfirmed};

/// What the queue does with a message that failed so.
enum class QueueAction {
  Defer,  // stays queued, tried again after a backoff
  Keep,   // stays queued, marked "may already have been delivered"
  Fail,   // not queued (--queue), or moved to failed/ with a report (a queue run)
};

/// When --retry tries again (curl's rules, with SMTP's 4xx replies as transient).
enum class RetryRule {
  Always,           // transient: retried
  WithConnrefused,  // only with --retry-connrefused
  AllErrorsOnly,    // only with --retry-all-errors
};

/// What --mx does when a host fails so before it greeted: after a greeting the domain's
/// outcome is decided (the message may have gone) and no other host is tried.
enum class MxFallback {
  NextAddress,  // the next address of the same host, then the next host
  NextHost,     // the host spoke for all its addresses (a refusing greeting)
  GiveUp,       // no other host can do better
};

/// One row of the table.
struct FailurePolicy {
  FailureKind kind;
  std::string_view name;
  /// The curl exit codes an error of this kind carries (the raiser picks one: curl's codes
  /// say where it failed, finer than the kind).
  std::span<const ExitCode> exit_codes;
  SysExit sysexit;
  QueueAction queue;
  RetryRule retry;
  MxFallback mx;
};

/// The row for `kind`.
[[nodiscard]] const FailurePolicy& policy_for(FailureKind kind) noexcept;

/// Whether --retry tries again after `kind`, given --retry-connrefused and --retry-all-errors.
[[nodiscard]] bool retry_allows(FailureKind kind, bool retry_connrefused,
                                bool retry_all_errors) noexcept;

/// The kind an error with `code` carries when its raiser says no more: the reply decides
/// when there is one (4xx transient, else permanent), else the code.
[[nodiscard]] FailureKind natural_kind(ExitCode code, bool has_reply,
                                       bool transient_reply) noexcept;

}  // namespace smtpc
