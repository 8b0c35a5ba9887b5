// The crypto DKIM signing needs (SHA-256, RSA and Ed25519 keys and signatures), from the
// same OpenSSL as TLS: in the default build the smtpc-openssl module, loaded on the first
// call (tls_loader.cpp), so a send that signs nothing maps no libcrypto.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace smtpc {

enum class KeyAlgorithm { Rsa, Ed25519 };

/// What a private key is, without the secret: for DKIM's a= and the DNS record's k= and p=.
struct PrivateKeyInfo {
  KeyAlgorithm algorithm = KeyAlgorithm::Rsa;
  int bits = 0;  // the RSA modulus size; 256 for Ed25519
  /// The public key as a DKIM record's p= carries it, before base64: RSA's
  /// SubjectPublicKeyInfo in DER (RFC 6376 §3.6.1), Ed25519's 32 raw bytes (RFC 8463 §4).
  std::string public_key;
};

/// An incremental SHA-256 (FIPS 180-4).
class Sha256 {
 public:
  virtual ~Sha256() = default;
  virtual void update(std::string_view bytes) = 0;
  /// The 32-byte digest; the object is spent.
  [[nodiscard]] virtual std::string finish() = 0;
};

/// A new SHA-256. Throws Error(FailedInit) when the crypto library cannot give one,
/// Error(SslConnectError) when the module cannot be loaded.
[[nodiscard]] std::unique_ptr<Sha256> make_sha256();

/// Reads a PEM private key (PKCS#8 or the traditional RSA form; not encrypted).
/// Throws Error(FailedInit) when `pem` holds no such key or one of another kind.
[[nodiscard]] PrivateKeyInfo inspect_private_key(std::string_view pem);

/// Signs `data` with the key in `pem`: RSA with RSASSA-PKCS1-v1_5 over SHA-256 of `data`,
/// Ed25519 as PureEdDSA over `data` itself. Throws Error(FailedInit).
[[nodiscard]] std::string sign_with_private_key(std::string_view pem, std::string_view data);

/// A new private key in PKCS#8 PEM: RSA of `bits` bits, or Ed25519 (bits ignored).
/// Throws Error(FailedInit).
[[nodiscard]] std::string generate_private_key(KeyAlgorithm algorithm, int bits);

}  // namespace smtpc
