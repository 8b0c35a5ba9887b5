// HMAC-MD5 with OpenSSL's EVP_MAC interface, for CRAM-MD5 (RFC 2195 §2, RFC 2104).
#include "smtpc/transport/hmac_md5.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>

#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

struct MacDeleter {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* context) const noexcept { EVP_MAC_CTX_free(context); }
};

}  // namespace

Md5Digest openssl_hmac_md5(std::string_view key, std::string_view message) {
  const auto fail = [] {
    return Error(ExitCode::FailedInit, "CRAM-MD5: OpenSSL cannot compute HMAC-MD5");
  };
  const std::unique_ptr<EVP_MAC, MacDeleter> mac(
      EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) throw fail();
  const std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> context(EVP_MAC_CTX_new(mac.get()));
  if (!context) throw fail();
  std::array<char, 4> digest_name{'M', 'D', '5', '\0'};  // OSSL_PARAM wants a mutable char*
  const std::array<OSSL_PARAM, 2> parameters{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  // A zero-length key must still be a non-null pointer: null means "keep the old key".
  static constexpr unsigned char kNoKey = 0;
  const auto* key_bytes =
      key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  Md5Digest digest{};
  std::size_t digest_size = 0;
  if (EVP_MAC_init(context.get(), key_bytes, key.size(), parameters.data()) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      EVP_MAC_final(context.get(), digest.data(), &digest_size, digest.size()) != 1 ||
      digest_size != digest.size()) {
    throw fail();
  }
  return digest;
}

}  // namespace smtpc
