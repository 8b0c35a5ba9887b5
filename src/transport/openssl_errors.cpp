// OpenSSL's error texts, loaded when the first error is described (openssl_errors.hpp).
// The loaders are OpenSSL 3.0's deprecated per-library ones: the one that loads them all
// (ERR_load_crypto_strings) is bound to the start-up decision, these are not.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "openssl_errors.hpp"

#include <openssl/err.h>

namespace smtpc::openssl {
namespace {

// Every library's texts that OpenSSL 3.0 can load on demand: the library names, system
// errors and common reasons, TLS's, and those of the libraries TLS, certificates and keys
// use. CMP, CRMF, DSO, ESS, HTTP, PROV and PROP have no such loader: one of their errors
// keeps its library's name but shows its reason as a number (docs/performance.md).
void load_error_texts() {
#ifndef OPENSSL_NO_DEPRECATED_3_0
  static const bool loaded = [] {
    for (int (*load)() :
         {&ERR_load_ERR_strings,    &ERR_load_SSL_strings,    &ERR_load_ASN1_strings,
          &ERR_load_ASYNC_strings,  &ERR_load_BIO_strings,    &ERR_load_BN_strings,
          &ERR_load_BUF_strings,    &ERR_load_CMS_strings,    &ERR_load_COMP_strings,
          &ERR_load_CONF_strings,   &ERR_load_CRYPTO_strings, &ERR_load_CT_strings,
          &ERR_load_DH_strings,     &ERR_load_DSA_strings,    &ERR_load_EC_strings,
          &ERR_load_ENGINE_strings, &ERR_load_EVP_strings,    &ERR_load_KDF_strings,
          &ERR_load_OBJ_strings,    &ERR_load_OCSP_strings,   &ERR_load_OSSL_STORE_strings,
          &ERR_load_PEM_strings,    &ERR_load_PKCS12_strings, &ERR_load_PKCS7_strings,
          &ERR_load_RAND_strings,   &ERR_load_RSA_strings,    &ERR_load_TS_strings,
          &ERR_load_UI_strings,     &ERR_load_X509V3_strings, &ERR_load_X509_strings}) {
      load();
    }
    return true;
  }();
  (void)loaded;
#endif
}

}  // namespace

std::string openssl_error() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    load_error_texts();
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text = buffer;
  }
  return text.empty() ? std::string("unknown error") : text;
}

}  // namespace smtpc::openssl
