// Typed errors that carry the process exit code; the numbers are curl's.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "smtpc/core/failure.hpp"
#include "smtpc/core/reply.hpp"

namespace smtpc {

/// Process exit codes. The values are curl's (libcurl's CURLcode) and are
/// part of our interface: never renumber them. docs/exit-codes.md lists them.
enum class ExitCode : int {
  Ok = 0,
  UnsupportedProtocol = 1,
  FailedInit = 2,  // bad usage
  UrlMalformat = 3,
  CouldntResolveProxy = 5,
  CouldntResolveHost = 6,
  CouldntConnect = 7,
  WeirdServerReply = 8,
  RemoteAccessDenied = 9,
  WriteError = 23,
  ReadError = 26,
  OperationTimedout = 28,
  SslConnectError = 35,
  BadFunctionArgument = 43,  // -F with an unknown ;encoder=
  InterfaceFailed = 45,      // --interface or --local-port cannot be bound
  SetoptOptionSyntax = 49,   // a --connect-to entry with a bad port
  SendError = 55,
  RecvError = 56,
  SslCertProblem = 58,  // client certificate or key unusable
  SslCipher = 59,       // --curves names a group OpenSSL does not know
  PeerFailedVerification = 60,
  UseSslFailed = 64,
  LoginDenied = 67,
  SslCacertBadFile = 77,
  SslCrlBadFile = 82,  // --crlfile cannot be loaded
  SslPinnedPubKeyMismatch = 90,
  SslInvalidCertStatus = 91,  // --cert-status: no, bad or revoking OCSP staple
  ProxyHandshake = 97,        // CURLE_PROXY: a SOCKS handshake failed
};

[[nodiscard]] constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

/// An error that knows its exit code, its kind and, when a server reply caused it, that
/// reply. The kind is decided here, where the error is raised: given, or the natural kind
/// of the code and reply (natural_kind); policy_for(kind) says what follows from it.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message, std::optional<Reply> reply = {});
  Error(FailureKind kind, ExitCode code, std::string message, std::optional<Reply> reply = {});

  [[nodiscard]] ExitCode code() const noexcept { return code_; }
  [[nodiscard]] FailureKind kind() const noexcept { return kind_; }
  [[nodiscard]] const std::optional<Reply>& reply() const noexcept { return reply_; }

 private:
  ExitCode code_;
  FailureKind kind_;
  std::optional<Reply> reply_;
};

/// "what failed: 550 5.1.1 no such user" — the message with the server's reply text.
[[nodiscard]] std::string describe_with_reply(std::string_view what, const Reply& reply);

}  // namespace smtpc
