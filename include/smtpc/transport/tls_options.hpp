// TLS settings: what a TLS layer is asked to check and offer, for the mail server and for
// an https:// proxy. Plain data, needing no TLS library (the route to a proxy holds one).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtpc {

enum class TlsVersion { Tls12, Tls13 };

/// Everything the TLS layer needs; built from curl-style options.
struct TlsOptions {
  bool verify_peer = true;                  // false only with -k/--insecure
  bool report_chain_when_insecure = false;  // --serverinfo: with -k, still judge the chain
  /// Describe each certificate the peer sent (TlsDetails::chain): only for -w's %{certs}
  /// and %{num_certs} and --serverinfo, since printing and hashing them costs a send about
  /// a tenth of its TLS start-up.
  bool describe_chain = false;
  std::optional<std::string> ca_file;       // --cacert
  std::optional<std::string> ca_path;       // --capath
  std::optional<std::string> client_cert;   // --cert (PEM)
  std::optional<std::string> client_key;    // --key (PEM); defaults to the --cert file
  std::optional<std::string> key_password;  // --pass
  TlsVersion min_version = TlsVersion::Tls12;
  std::optional<TlsVersion> max_version;         // --tls-max
  std::optional<std::string> ciphers;            // --ciphers (TLS 1.2 cipher list)
  std::optional<std::string> tls13_ciphers;      // --tls13-ciphers
  std::optional<std::string> curves;             // --curves (key exchange groups)
  std::optional<std::string> pinned_public_key;  // --pinnedpubkey "sha256//BASE64[;...]"
  std::optional<std::string> crl_file;           // --crlfile (PEM): checked for the chain
  bool verify_status = false;                    // --cert-status: OCSP staple required
  /// The peer is an https:// proxy (--proxy-cacert...): -v and errors say "proxy", as curl.
  bool for_proxy = false;
  friend bool operator==(const TlsOptions&, const TlsOptions&) = default;
};

/// Parses "1.2" or "1.3" (--tls-max). Throws Error(FailedInit) otherwise.
[[nodiscard]] TlsVersion parse_tls_version(std::string_view text);

}  // namespace smtpc
