// TLS settings and the TLS transport (implicit TLS for smtps://, STARTTLS per RFC 3207).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/transport/tls_options.hpp"
#include "smtpc/transport/transport.hpp"

namespace smtpc {

class Tracer;

/// One certificate as the server sent it (for --serverinfo).
struct CertificateFacts {
  std::string subject;                 // RFC 2253, e.g. "CN=localhost,O=smtpc tests"
  std::string issuer;                  // RFC 2253
  std::vector<std::string> alt_names;  // subjectAltName: "DNS:localhost", "IP:127.0.0.1"
  std::string not_before;              // YYYY-MM-DD (UTC)
  std::string not_after;               // YYYY-MM-DD (UTC)
  long days_left = 0;                  // whole days until not_after; negative once expired
  std::string sha256_fingerprint;      // of the DER certificate, "AB:CD:..."
  std::string public_key_pin;          // "sha256//BASE64" of the SubjectPublicKeyInfo
  std::string public_key;              // e.g. "RSA 2048 bits", "EC 256 bits"
  /// curl's CURLINFO_CERTINFO text of it, as -w '%{certs}' writes it: "Subject:...",
  /// "Issuer:", ... one "Name:value" a line, then the certificate in PEM.
  std::string certinfo;
};

/// What a TLS handshake showed, filled by start_tls as far as it got (also when the
/// certificate was refused, so that the report can say why).
struct TlsDetails {
  std::string version;                  // "TLSv1.3"
  std::string cipher;                   // "TLS_AES_256_GCM_SHA384"
  std::vector<CertificateFacts> chain;  // leaf first, as sent; with TlsOptions::describe_chain
  bool verified = false;                // trusted and matching the host name
  /// "ok", or OpenSSL's reason ("self-signed certificate", "hostname mismatch"...). With
  /// -k the chain is still checked against the trust store and the name, only not enforced.
  std::string verify_result;
  long verify_code = 0;               // OpenSSL's X509_V_* code of it (curl's ssl_verify_result)
  bool verification_enforced = true;  // false with -k
};

/// Runs the TLS handshake over `inner` and returns the encrypted transport.
/// `server_name` is sent as SNI (not for IP literals) and checked against the certificate
/// (as a DNS name, or an IP address SAN for literals).
/// Throws Error(SslConnectError) when the handshake fails, Error(PeerFailedVerification)
/// when the certificate is not trusted or does not match, Error(SslPinnedPubKeyMismatch)
/// when --pinnedpubkey does not match, Error(SslCrlBadFile) when --crlfile cannot be loaded,
/// Error(SslInvalidCertStatus) when --cert-status finds no valid "good" OCSP staple,
/// Error(OperationTimedout) past `deadline`.
/// `details`, when given, receives what the handshake showed, even when it throws.
[[nodiscard]] std::unique_ptr<Transport> start_tls(std::unique_ptr<Transport> inner,
                                                   const TlsOptions& options,
                                                   const std::string& server_name,
                                                   Deadline deadline, Tracer& tracer,
                                                   TlsDetails* details = nullptr);

/// HMAC-MD5 (RFC 2104) of `message` keyed with `key`, as lower-case hex: CRAM-MD5's
/// digest (RFC 2195 §2). Throws Error(FailedInit) when the crypto library cannot compute it,
/// Error(SslConnectError) when the TLS library cannot be loaded.
[[nodiscard]] std::string hmac_md5_hex(std::string_view key, std::string_view message);

/// The TLS library smtpc uses, as "OpenSSL/3.0.19", for -V.
/// Throws Error(SslConnectError) when it cannot be loaded.
[[nodiscard]] std::string tls_library_version();

}  // namespace smtpc
