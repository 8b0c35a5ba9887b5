// SHA-256, key reading, signing and key generation for DKIM on OpenSSL's EVP interface
// (docs/dkim.md says why this rather than libopendkim). Part of the smtpc-openssl module.
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "openssl_backend.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/transport/crypto.hpp"

namespace smtpc::openssl {
namespace {

struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct MdContextFree {
  void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, MdContextFree>;

Error crypto_error(std::string_view what) {
  return Error(ExitCode::FailedInit, fmt::format("DKIM: OpenSSL cannot {}", what));
}

// An encrypted key would ask for a pass phrase on the terminal: refuse it instead.
int no_pass_phrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*data*/) { return -1; }

PkeyPtr read_private_key(std::string_view pem) {
  const BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw crypto_error("read the key");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_pass_phrase, nullptr));
  if (!key) {
    throw Error(ExitCode::FailedInit,
                "the DKIM key is not an unencrypted PEM private key (RSA or Ed25519)");
  }
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_ED25519) {
    throw Error(ExitCode::FailedInit, "the DKIM key is neither RSA nor Ed25519");
  }
  return key;
}

class OpensslSha256 final : public Sha256 {
 public:
  OpensslSha256() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
      throw crypto_error("compute SHA-256");
    }
  }
  void update(std::string_view bytes) override {
    if (EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()) != 1) {
      throw crypto_error("compute SHA-256");
    }
  }
  std::string finish() override {
    std::string digest(EVP_MAX_MD_SIZE, '\0');
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context_.get(), reinterpret_cast<unsigned char*>(digest.data()),
                           &size) != 1) {
      throw crypto_error("compute SHA-256");
    }
    digest.resize(size);
    return digest;
  }

 private:
  MdContextPtr context_;
};

}  // namespace

std::unique_ptr<Sha256> make_sha256() { return std::make_unique<OpensslSha256>(); }

PrivateKeyInfo inspect_private_key(std::string_view pem) {
  const PkeyPtr key = read_private_key(pem);
  PrivateKeyInfo info;
  info.bits = EVP_PKEY_get_bits(key.get());
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519) {
    info.algorithm = KeyAlgorithm::Ed25519;
    std::size_t size = 0;
    if (EVP_PKEY_get_raw_public_key(key.get(), nullptr, &size) != 1) {
      throw crypto_error("read the public key");
    }
    info.public_key.resize(size);
    if (EVP_PKEY_get_raw_public_key(
            key.get(), reinterpret_cast<unsigned char*>(info.public_key.data()), &size) != 1) {
      throw crypto_error("read the public key");
    }
    return info;
  }
  info.algorithm = KeyAlgorithm::Rsa;
  const int size = i2d_PUBKEY(key.get(), nullptr);
  if (size <= 0) throw crypto_error("read the public key");
  info.public_key.resize(static_cast<std::size_t>(size));
  auto* out = reinterpret_cast<unsigned char*>(info.public_key.data());
  if (i2d_PUBKEY(key.get(), &out) != size) throw crypto_error("read the public key");
  return info;
}

std::string sign_with_private_key(std::string_view pem, std::string_view data) {
  const PkeyPtr key = read_private_key(pem);
  const MdContextPtr context(EVP_MD_CTX_new());
  // Ed25519 takes no digest: PureEdDSA hashes internally (RFC 8032).
  const EVP_MD* digest = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA ? EVP_sha256() : nullptr;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, key.get()) != 1) {
    throw crypto_error("sign");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t size = 0;
  if (EVP_DigestSign(context.get(), nullptr, &size, bytes, data.size()) != 1) {
    throw crypto_error("sign");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     bytes, data.size()) != 1) {
    throw crypto_error("sign");
  }
  signature.resize(size);
  return signature;
}

std::string generate_private_key(KeyAlgorithm algorithm, int bits) {
  const PkeyPtr key(algorithm == KeyAlgorithm::Rsa
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits))
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw crypto_error("generate a key");
  const BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw crypto_error("write the key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

}  // namespace smtpc::openssl
