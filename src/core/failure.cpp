// The one table of failure kinds (include/smtpc/core/failure.hpp).
#include "smtpc/core/failure.hpp"

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

using enum ExitCode;

constexpr ExitCode kReplyCodes[] = {WeirdServerReply, RemoteAccessDenied, SendError,
                                    RecvError,        LoginDenied,        UseSslFailed};
constexpr ExitCode kConnectCodes[] = {CouldntConnect};
constexpr ExitCode kNetworkCodes[] = {CouldntResolveHost, OperationTimedout,  SslConnectError,
                                      WeirdServerReply,   RemoteAccessDenied, SendError,
                                      RecvError};
constexpr ExitCode kTlsCodes[] = {PeerFailedVerification, SslPinnedPubKeyMismatch,
                                  SslInvalidCertStatus, UseSslFailed};
constexpr ExitCode kAuthCodes[] = {LoginDenied};
constexpr ExitCode kUsageCodes[] = {UnsupportedProtocol, FailedInit,         UrlMalformat,
                                    BadFunctionArgument, SetoptOptionSyntax, SslCertProblem,
                                    SslCipher,           SslCacertBadFile,   SslCrlBadFile};
constexpr ExitCode kLocalCodes[] = {ReadError, WriteError, InterfaceFailed};
constexpr ExitCode kUnconfirmedCodes[] = {WeirdServerReply, RecvError, OperationTimedout,
                                          SendError};

// clang-format off
constexpr FailurePolicy kTable[] = {
  // kind                         name               curl codes         sysexit               queue               retry                       --mx before a greeting
  {FailureKind::TransientReply, "transient reply",   kReplyCodes,       SysExit::TempFail,    QueueAction::Defer, RetryRule::Always,          MxFallback::NextHost},
  {FailureKind::PermanentReply, "permanent reply",   kReplyCodes,       SysExit::Unavailable, QueueAction::Fail,  RetryRule::AllErrorsOnly,   MxFallback::NextHost},
  {FailureKind::Connect,        "connect",           kConnectCodes,     SysExit::TempFail,    QueueAction::Defer, RetryRule::WithConnrefused, MxFallback::NextAddress},
  {FailureKind::Network,        "network",           kNetworkCodes,     SysExit::TempFail,    QueueAction::Defer, RetryRule::Always,          MxFallback::NextAddress},
  {FailureKind::Tls,            "TLS",               kTlsCodes,         SysExit::Unavailable, QueueAction::Fail,  RetryRule::AllErrorsOnly,   MxFallback::GiveUp},
  {FailureKind::Auth,           "authentication",    kAuthCodes,        SysExit::NoPerm,      QueueAction::Fail,  RetryRule::AllErrorsOnly,   MxFallback::GiveUp},
  {FailureKind::Usage,          "usage",             kUsageCodes,       SysExit::Config,      QueueAction::Fail,  RetryRule::AllErrorsOnly,   MxFallback::GiveUp},
  {FailureKind::Local,          "local",             kLocalCodes,       SysExit::IoErr,       QueueAction::Fail,  RetryRule::AllErrorsOnly,   MxFallback::NextAddress},
  {FailureKind::Unconfirmed,    "unconfirmed",       kUnconfirmedCodes, SysExit::TempFail,    QueueAction::Keep,  RetryRule::AllErrorsOnly,   MxFallback::GiveUp},
};
// clang-format on

}  // namespace

const FailurePolicy& policy_for(FailureKind kind) noexcept {
  for (const auto& row : kTable) {
    if (row.kind == kind) return row;
  }
  return kTable[0];  // unreachable: every kind has a row (the unit test checks)
}

bool retry_allows(FailureKind kind, bool retry_connrefused, bool retry_all_errors) noexcept {
  if (retry_all_errors) return true;
  switch (policy_for(kind).retry) {
    case RetryRule::Always:
      return true;
    case RetryRule::WithConnrefused:
      return retry_connrefused;
    case RetryRule::AllErrorsOnly:
      return false;
  }
  return false;
}

FailureKind natural_kind(ExitCode code, bool has_reply, bool transient_reply) noexcept {
  // A reply speaks for itself (a 535 to AUTH is a permanent reply, as a 454 is transient).
  if (has_reply) return transient_reply ? FailureKind::TransientReply : FailureKind::PermanentReply;
  if (code == LoginDenied) return FailureKind::Auth;  // no mechanism, no usable login
  if (code == UseSslFailed) return FailureKind::Tls;  // --ssl-reqd and no STARTTLS
  switch (code) {
    case CouldntConnect:
      return FailureKind::Connect;
    case CouldntResolveHost:
    case CouldntResolveProxy:  // the proxy's name or handshake: may work later
    case ProxyHandshake:
    case OperationTimedout:
    case SslConnectError:
    case WeirdServerReply:
    case RemoteAccessDenied:
    case SendError:
    case RecvError:
      return FailureKind::Network;
    case PeerFailedVerification:
    case SslPinnedPubKeyMismatch:
    case SslInvalidCertStatus:  // --cert-status: no good OCSP staple
      return FailureKind::Tls;
    case ReadError:
    case WriteError:
    case InterfaceFailed:
    case Ok:
      return FailureKind::Local;
    case UnsupportedProtocol:
    case FailedInit:
    case UrlMalformat:
    case BadFunctionArgument:
    case SetoptOptionSyntax:
    case SslCertProblem:
    case SslCipher:
    case SslCacertBadFile:
    case SslCrlBadFile:  // --crlfile cannot be loaded
    case LoginDenied:
    case UseSslFailed:
      return FailureKind::Usage;
  }
  return FailureKind::Local;
}

}  // namespace smtpc
