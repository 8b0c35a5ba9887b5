// The TLS transport and HMAC-MD5: OpenSSL is used here and nowhere else. TLS 1.2 minimum,
// peer verified against the trust store with its host name (RFC 6125) or IP address checked.
// In the default build this file lives in the smtpc-openssl module, loaded only when a
// connection needs TLS or AUTH needs CRAM-MD5 (tls_loader.cpp), so a plain send never maps
// libssl and libcrypto.
#include <arpa/inet.h>
#include <dirent.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "openssl_backend.hpp"
#include "openssl_errors.hpp"
#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/transport/kernel_tls.hpp"
#include "smtpc/transport/tls.hpp"
#include "smtpc/transport/trace.hpp"

namespace smtpc::openssl {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

int protocol_version(TlsVersion version) {
  return version == TlsVersion::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

// "--cacert", or "--proxy-cacert" for the TLS to an https:// proxy: the option to name.
std::string option_name(const TlsOptions& options, std::string_view name) {
  return fmt::format("--{}{}", options.for_proxy ? "proxy-" : "", name);
}

// Where the TLS records go: through a BIO of ours, to the socket (TLS over TCP) or through
// the inner Transport when that is TLS itself (smtps or STARTTLS through an https://
// proxy, whose records carry these); or, with kernel TLS, through OpenSSL's socket BIO,
// which the kernel can take the record layer over from.
// Our BIO gathers the records OpenSSL writes (at most 16 KiB of data each) into writes of
// up to kGathered bytes, sent when the next record would not fit, when OpenSSL flushes
// (the end of a handshake flight, an alert), before any read, and at the end of each
// TlsTransport write: a 100 MiB upload is about 2400 writes instead of 7200 of one record
// each, and 10 % less CPU (docs/performance.md, "Fifth pass"). On the socket it behaves as
// OpenSSL's socket BIO does: it never blocks, a full socket is a retry (SSL_ERROR_WANT_*,
// waited for in `wait`), and a broken connection leaves errno to say why. Through a
// transport it reads and writes with the inner transport's calls, which wait as long as
// `begin`'s deadline allows; what the inner transport throws is kept and rethrown after
// the SSL call, since no exception may cross OpenSSL.
class RecordLink {
 public:
  /// Four full TLS 1.3 records (16 KiB of data and 22 bytes each): about a loopback
  /// segment's most (its MTU is 64 KiB), and the most a write waits for.
  static constexpr std::size_t kGathered = 72 * 1024;

  explicit RecordLink(Transport& inner) : inner_(inner), through_transport_(inner.is_tls()) {}
  RecordLink(const RecordLink&) = delete;
  RecordLink& operator=(const RecordLink&) = delete;
  ~RecordLink() = default;

  /// Whether the records go straight to the socket, where the kernel can take them over
  /// (kernel TLS); not through the inner transport's own TLS.
  [[nodiscard]] bool on_socket() const noexcept { return !through_transport_; }

  /// Connects `ssl` to the inner layer, asking OpenSSL to hand the record layer to the
  /// kernel after the handshake when `kernel_tls` (on the socket only: a BIO of ours has
  /// no kernel under it); false when OpenSSL cannot.
  [[nodiscard]] bool attach(SSL* ssl, bool kernel_tls) {
    if (!through_transport_ && kernel_tls) {
      SSL_set_options(ssl, SSL_OP_ENABLE_KTLS);
      return SSL_set_fd(ssl, inner_.native_handle()) == 1;
    }
    BIO* bio = BIO_new(method());
    if (bio == nullptr) return false;
    BIO_set_data(bio, this);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl, bio, bio);  // one BIO both ways: SSL takes its one reference
    return true;
  }
  /// Before each SSL call: how long the inner transport may wait in it.
  void begin(Deadline deadline) noexcept {
    deadline_ = deadline;
    failure_ = nullptr;
  }
  /// After an SSL call that wants to read or write: waits for the socket; false when
  /// `deadline` passed. (Through a transport the next call waits inside the BIO.)
  [[nodiscard]] bool wait(int ssl_error, Deadline deadline) const {
    if (through_transport_) return Clock::now() < deadline;
    return wait_until_ready(inner_.native_handle(),
                            ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline);
  }
  /// After an SSL call that failed: the inner transport's own error (a timeout, the proxy
  /// hanging up) is the one to report.
  void rethrow_inner_failure() const {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  static RecordLink& of(BIO* bio) { return *static_cast<RecordLink*>(BIO_get_data(bio)); }

  // Sends the gathered records: true when all went. False with `bio`'s retry flag when the
  // socket is full (what did not go stays gathered), or with errno saying why it failed.
  // Through a transport it waits, and throws what the transport throws.
  bool send_gathered(BIO* bio) {
    if (through_transport_) {
      inner_.write_all(std::span<const char>(gathered_.data(), gathered_.size()), deadline_);
      gathered_.clear();
      return true;
    }
    std::size_t sent = 0;
    while (sent < gathered_.size()) {
      const ssize_t n = ::send(inner_.native_handle(), gathered_.data() + sent,
                               gathered_.size() - sent, MSG_NOSIGNAL);
      if (n >= 0) {
        sent += static_cast<std::size_t>(n);
        continue;
      }
      const int error = errno;
      if (error == EINTR) continue;
      gathered_.erase(0, sent);
      if (error == EAGAIN || error == EWOULDBLOCK) BIO_set_retry_write(bio);
      errno = error;
      return false;
    }
    gathered_.clear();
    return true;
  }

  // What arrived on the socket, as OpenSSL's socket BIO reads it: 0 at its end, or with
  // the retry flag when nothing is there yet.
  static int receive(BIO* bio, int fd, std::span<char> buffer, std::size_t* got) {
    while (true) {
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (n > 0) {
        *got = static_cast<std::size_t>(n);
        return 1;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
      return 0;
    }
  }

  static int write(BIO* bio, const char* data, std::size_t size, std::size_t* written) noexcept {
    RecordLink& link = of(bio);
    BIO_clear_retry_flags(bio);
    try {
      if (link.gathered_.size() + size > kGathered && !link.send_gathered(bio)) return 0;
      if (link.gathered_.capacity() < kGathered) link.gathered_.reserve(kGathered);
      link.gathered_.append(data, size);
      *written = size;
      return 1;
    } catch (...) {
      link.failure_ = std::current_exception();
      return 0;
    }
  }

  static int read(BIO* bio, char* data, std::size_t size, std::size_t* got) noexcept {
    RecordLink& link = of(bio);
    BIO_clear_retry_flags(bio);
    *got = 0;
    try {
      if (!link.send_gathered(bio)) return 0;  // what the peer is to answer goes first
      if (!link.through_transport_) {
        return receive(bio, link.inner_.native_handle(), std::span<char>(data, size), got);
      }
      *got = link.inner_.read_some(std::span<char>(data, size), link.deadline_);
      return *got > 0 ? 1 : 0;  // 0 bytes: the inner layer ended (OpenSSL: unexpected EOF)
    } catch (...) {
      link.failure_ = std::current_exception();
      return 0;
    }
  }

  static long control(BIO* bio, int command, long /*number*/, void* /*pointer*/) noexcept {
    if (command == BIO_CTRL_DUP) return 1;
    if (command != BIO_CTRL_FLUSH) return 0;  // nothing else is supported
    RecordLink& link = of(bio);
    BIO_clear_retry_flags(bio);
    try {
      return link.send_gathered(bio) ? 1 : 0;
    } catch (...) {
      link.failure_ = std::current_exception();
      return 0;
    }
  }

  static const BIO_METHOD* method() {
    static BIO_METHOD* const kMethod = [] {
      BIO_METHOD* created =
          BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "smtpc inner transport");
      if (created != nullptr) {
        BIO_meth_set_write_ex(created, &RecordLink::write);
        BIO_meth_set_read_ex(created, &RecordLink::read);
        BIO_meth_set_ctrl(created, &RecordLink::control);
      }
      return created;
    }();
    return kMethod;
  }

  Transport& inner_;
  bool through_transport_;
  std::string gathered_;  // records written by OpenSSL, not sent yet
  Deadline deadline_ = Deadline::max();
  std::exception_ptr failure_;
};

// Everything written to a memory BIO, as text; frees the BIO.
std::string take_bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return text;
}

// "CN=localhost,O=Example" (RFC 2253 order and escaping).
std::string name_of(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || name == nullptr) {
    BIO_free(bio);
    return "?";
  }
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  return take_bio_text(bio);
}

std::string time_of(const ASN1_TIME* time) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "?";
  ASN1_TIME_print(bio, time);
  return take_bio_text(bio);
}

// The base64 SHA-256 of the DER SubjectPublicKeyInfo (curl's sha256// pin), or "".
std::string public_key_hash(X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  if (length <= 0) return "";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  const bool hashed = EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length,
                                 EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!hashed) return "";
  return base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest), digest_length));  // NOLINT: bytes
}

// "YYYY-MM-DD" of an ASN.1 time, UTC.
std::string date_of(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return "?";
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// What `print` writes to a memory BIO, as text.
template <typename Print>
std::string bio_text(Print print) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> mem(BIO_new(BIO_s_mem()), &BIO_free);
  if (!mem) return {};
  print(mem.get());
  BUF_MEM* buffer = nullptr;
  // BIO_get_mem_ptr() is a macro with a C cast; this is its expansion.
  BIO_ctrl(mem.get(), BIO_C_GET_BUF_MEM_PTR, 0, static_cast<void*>(&buffer));
  return buffer == nullptr ? std::string() : std::string(buffer->data, buffer->length);
}

std::string hex_bytes(const unsigned char* data, int length, std::string_view separator) {
  std::string out;
  for (int i = 0; i < length; ++i) out += fmt::format("{:02x}{}", data[i], separator);
  return out;
}

// curl's OpenSSL back end's certificate information (CURLINFO_CERTINFO), in its order and
// with OpenSSL's own printing: what -w '%{certs}' shows for each certificate sent.
std::string certinfo_of(X509* cert) {
  std::string out;
  const auto line = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(":").append(value).append("\n");
  };
  // A plain pair, not a structured binding: clang 14 (the fuzz build) cannot capture one.
  for (const auto& field : {std::pair{"Subject", X509_get_subject_name(cert)},
                            std::pair{"Issuer", X509_get_issuer_name(cert)}}) {
    X509_NAME* const x509_name = field.second;
    line(field.first,
         bio_text([x509_name](BIO* b) { X509_NAME_print_ex(b, x509_name, 0, XN_FLAG_ONELINE); }));
  }
  line("Version", std::to_string(X509_get_version(cert)));
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  std::string serial_text(ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? 1 : 0, '-');
  serial_text += hex_bytes(ASN1_STRING_get0_data(serial), ASN1_STRING_length(serial), "");
  line("Serial Number", serial_text);
  const ASN1_BIT_STRING* signature = nullptr;
  const X509_ALGOR* signature_algorithm = nullptr;
  X509_get0_signature(&signature, &signature_algorithm, cert);
  const ASN1_OBJECT* object = nullptr;
  X509_ALGOR_get0(&object, nullptr, nullptr, signature_algorithm);
  line("Signature Algorithm", bio_text([object](BIO* b) { i2a_ASN1_OBJECT(b, object); }));
  ASN1_OBJECT* key_object = nullptr;
  X509_PUBKEY_get0_param(&key_object, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(cert));
  line("Public Key Algorithm", bio_text([key_object](BIO* b) { i2a_ASN1_OBJECT(b, key_object); }));
  const STACK_OF(X509_EXTENSION)* extensions = X509_get0_extensions(cert);
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions, i);
    std::array<char, 128> name{};
    i2t_ASN1_OBJECT(name.data(), static_cast<int>(name.size()),
                    X509_EXTENSION_get_object(extension));
    line(name.data(), bio_text([extension](BIO* b) {
           if (X509V3_EXT_print(b, extension, 0, 0) != 1) {
             ASN1_STRING_print(b, X509_EXTENSION_get_data(extension));
           }
         }));
  }
  line("Start date", bio_text([cert](BIO* b) { ASN1_TIME_print(b, X509_get0_notBefore(cert)); }));
  line("Expire date", bio_text([cert](BIO* b) { ASN1_TIME_print(b, X509_get0_notAfter(cert)); }));
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  BIGNUM* modulus = nullptr;
  BIGNUM* exponent = nullptr;
  if (key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &modulus) == 1 &&
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &exponent) == 1) {
    line("RSA Public Key", std::to_string(BN_num_bits(modulus)));
    line("rsa(n)", bio_text([modulus](BIO* b) { BN_print(b, modulus); }));
    line("rsa(e)", bio_text([exponent](BIO* b) { BN_print(b, exponent); }));
  }
  BN_free(modulus);
  BN_free(exponent);
  line("Signature",
       hex_bytes(ASN1_STRING_get0_data(signature), ASN1_STRING_length(signature), ":"));
  out += bio_text([cert](BIO* b) { PEM_write_bio_X509(b, cert); });
  return out;
}

CertificateFacts facts_of(X509* cert) {
  CertificateFacts facts;
  facts.subject = name_of(X509_get_subject_name(cert));
  facts.issuer = name_of(X509_get_issuer_name(cert));
  facts.not_before = date_of(X509_get0_notBefore(cert));
  facts.not_after = date_of(X509_get0_notAfter(cert));
  facts.certinfo = certinfo_of(cert);
  int days = 0;
  int seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) == 1) {
    facts.days_left = days;
  }
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* text = name->d.dNSName;
      facts.alt_names.push_back(
          "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                               static_cast<std::size_t>(ASN1_STRING_length(text))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      if (inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text) != nullptr) {
        facts.alt_names.push_back(std::string("IP:") + text);
      }
    }
  }
  GENERAL_NAMES_free(names);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &digest_length) == 1) {
    for (unsigned int i = 0; i < digest_length; ++i) {
      facts.sha256_fingerprint += fmt::format("{}{:02X}", i == 0 ? "" : ":", digest[i]);
    }
  }
  const std::string hash = public_key_hash(cert);
  if (!hash.empty()) facts.public_key_pin = "sha256//" + hash;
  if (const EVP_PKEY* key = X509_get0_pubkey(cert)) {
    const int id = EVP_PKEY_get_base_id(key);
    const char* type = id == EVP_PKEY_RSA       ? "RSA"
                       : id == EVP_PKEY_EC      ? "EC"
                       : id == EVP_PKEY_ED25519 ? "Ed25519"
                                                : OBJ_nid2sn(id);
    facts.public_key = fmt::format("{} {} bits", type, EVP_PKEY_get_bits(key));
  }
  return facts;
}

// Fills `details` from the handshake as far as it went; each certificate's facts only when
// they are asked for (describe_chain).
void record_details(SSL* ssl, const TlsOptions& options, TlsDetails& details) {
  details.version = SSL_get_version(ssl);
  details.cipher = SSL_get_cipher_name(ssl);
  details.verification_enforced = options.verify_peer;
  // On the client side the peer chain includes the leaf; it is kept even when the
  // verification failed the handshake.
  details.chain.clear();
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  const bool sent_certificate = chain != nullptr && sk_X509_num(chain) > 0;
  for (int i = 0; options.describe_chain && i < sk_X509_num(chain); ++i) {
    details.chain.push_back(facts_of(sk_X509_value(chain, i)));
  }
  const long verify = SSL_get_verify_result(ssl);
  details.verify_code = verify;
  details.verified = verify == X509_V_OK && sent_certificate;
  details.verify_result = !sent_certificate     ? "no certificate"
                          : verify == X509_V_OK ? "ok"
                                                : X509_verify_cert_error_string(verify);
}

void check_pinned_key(X509* cert, const TlsOptions& options) {
  const std::string& pins = *options.pinned_public_key;
  // curl's form: "sha256//BASE64[;sha256//BASE64...]" over the DER SubjectPublicKeyInfo.
  const std::string actual = public_key_hash(cert);
  if (actual.empty()) {
    throw Error(ExitCode::SslPinnedPubKeyMismatch, "cannot read the server's public key");
  }
  std::string_view rest = pins;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view pin = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (pin.starts_with("sha256//") && pin.substr(8) == actual) return;
  }
  throw Error(ExitCode::SslPinnedPubKeyMismatch,
              fmt::format("the {}'s public key (sha256//{}) does not match {}",
                          options.for_proxy ? "proxy" : "server", actual,
                          option_name(options, "pinnedpubkey")));
}

class TlsTransport final : public Transport {
 public:
  TlsTransport(std::unique_ptr<Transport> inner, std::unique_ptr<RecordLink> link, SslCtxPtr ctx,
               SslPtr ssl, const TlsOptions& options, bool kernel_sends)
      : inner_(std::move(inner)),
        link_(std::move(link)),
        ctx_(std::move(ctx)),
        ssl_(std::move(ssl)),
        kernel_sends_(kernel_sends),
        sent_client_cert_(options.client_cert.has_value()),
        peer_(options.for_proxy ? "proxy" : "server"),
        cert_option_(option_name(options, "cert")) {}

  ~TlsTransport() override {
    // Send close_notify; the peer's answer is not awaited (RFC 8446 §6.1 allows it).
    link_->begin(Clock::now() + std::chrono::seconds(1));
    if (!failed_) SSL_shutdown(ssl_.get());
  }
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  void write_all(std::span<const char> data, Deadline deadline) override {
    while (!data.empty()) {
      std::size_t written = 0;
      link_->begin(deadline);
      errno = 0;
      const int rc = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
      const int system_error = errno;
      if (rc == 1) {
        data = data.subspan(written);
        continue;
      }
      const int error = SSL_get_error(ssl_.get(), rc);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        wait_to_send(error, deadline);
        continue;
      }
      write_failed(error, system_error);
    }
    send_gathered(deadline);
  }

  // With kernel TLS the kernel makes the records of a file's pages (sendfile): the file
  // is not read into this process. Otherwise there is no send_file here.
  [[nodiscard]] bool can_send_file() const noexcept override { return kernel_sends_; }

  void send_file(int fd, std::uint64_t offset, std::size_t count, Deadline deadline) override {
    if (!kernel_sends_) {
      Transport::send_file(fd, offset, count, deadline);  // throws: not without kernel TLS
      return;
    }
    while (count > 0) {
      link_->begin(deadline);
      errno = 0;
      const ossl_ssize_t sent = SSL_sendfile(ssl_.get(), fd, static_cast<off_t>(offset), count, 0);
      const int system_error = errno;
      if (sent > 0) {
        offset += static_cast<std::uint64_t>(sent);
        count -= static_cast<std::size_t>(sent);
        continue;
      }
      if (sent == 0) {
        throw Error(ExitCode::ReadError, "the upload file became shorter while it was sent");
      }
      // EAGAIN, EINTR and EBUSY are OpenSSL's "retry" (SSL_ERROR_WANT_WRITE).
      if (SSL_get_error(ssl_.get(), static_cast<int>(sent)) == SSL_ERROR_WANT_WRITE) {
        wait_to_send(SSL_ERROR_WANT_WRITE, deadline);
        continue;
      }
      // OpenSSL names every other sendfile failure "uninitialized": the system's word is
      // the one that says what happened.
      ERR_clear_error();
      failed_ = true;
      throw Error(ExitCode::SendError,
                  fmt::format("TLS write to the {} failed: {}", peer_,
                              system_error != 0 ? std::strerror(system_error) : "sendfile failed"));
    }
  }

  // The records a write left gathered (RecordLink), sent before it returns: a flush of the
  // BIO, waited for and failing as SSL_write_ex does.
  void send_gathered(Deadline deadline) {
    BIO* bio = SSL_get_wbio(ssl_.get());
    while (true) {
      link_->begin(deadline);
      errno = 0;
      if (BIO_flush(bio) > 0) return;
      const int system_error = errno;
      if (BIO_should_retry(bio)) {
        wait_to_send(SSL_ERROR_WANT_WRITE, deadline);
        continue;
      }
      write_failed(SSL_ERROR_SYSCALL, system_error);
    }
  }

  // After a write that wants to read or write: waits for the socket, or throws the send's
  // timeout.
  void wait_to_send(int ssl_error, Deadline deadline) const {
    if (!link_->wait(ssl_error, deadline)) {
      throw Error(ExitCode::OperationTimedout, "timed out sending to the server");
    }
  }

  // A write that failed: the inner transport's error if it had one, else OpenSSL's or the
  // system's reason; no close_notify follows.
  [[noreturn]] void write_failed(int ssl_error, int system_error) {
    failed_ = true;
    link_->rethrow_inner_failure();
    throw Error(ExitCode::SendError, fmt::format("TLS write to the {} failed: {}", peer_,
                                                 failure_text(ssl_error, system_error)));
  }

  std::size_t read_some(std::span<char> buffer, Deadline deadline) override {
    while (true) {
      std::size_t got = 0;
      link_->begin(deadline);
      errno = 0;
      const int rc = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &got);
      const int system_error = errno;
      if (rc == 1) {
        received_data_ = true;
        return got;
      }
      const int error = SSL_get_error(ssl_.get(), rc);
      if (error == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        if (!link_->wait(error, deadline)) {
          throw Error(ExitCode::OperationTimedout, "timed out waiting for the server");
        }
        continue;
      }
      failed_ = true;
      link_->rethrow_inner_failure();
      throw Error(ExitCode::RecvError, fmt::format("TLS read from the {} failed: {}", peer_,
                                                   failure_text(error, system_error)));
    }
  }

  [[nodiscard]] bool is_tls() const noexcept override { return true; }
  [[nodiscard]] bool has_pending_input() const noexcept override {
    return SSL_pending(ssl_.get()) > 0 || inner_->has_pending_input();
  }
  [[nodiscard]] int native_handle() const noexcept override { return inner_->native_handle(); }
  [[nodiscard]] const std::string& peer_address() const noexcept override {
    return inner_->peer_address();
  }

 private:
  // Why an SSL call failed: OpenSSL's reason, or the system's when the connection broke
  // under it (SSL_ERROR_SYSCALL leaves no OpenSSL error). TLS 1.3 servers check the client
  // certificate after the handshake: one that wants a certificate hangs up before its first
  // reply, so the text then names the option that sends one.
  std::string failure_text(int ssl_error, int system_error) {
    std::string text = openssl_error();
    if (ssl_error == SSL_ERROR_SYSCALL && text == "unknown error") {
      text = system_error != 0 ? std::strerror(system_error) : "the connection was closed";
    }
    if (!received_data_ && !sent_client_cert_) {
      text += fmt::format(
          " (the {} closed the connection before its first reply; it may require a client "
          "certificate: {})",
          peer_, cert_option_);
    }
    return text;
  }

  std::unique_ptr<Transport> inner_;
  std::unique_ptr<RecordLink> link_;  // outlives ssl_, whose BIO may point to it
  SslCtxPtr ctx_;
  SslPtr ssl_;
  bool kernel_sends_;  // OpenSSL handed the sending side to the kernel (kernel TLS)
  bool sent_client_cert_;
  std::string_view peer_;    // "server", or "proxy" for an https:// proxy
  std::string cert_option_;  // "--cert" or "--proxy-cert"
  bool received_data_ = false;
  bool failed_ = false;
};

// Whether a name is one of OpenSSL's hash links: eight hex digits, '.', a number.
bool is_hash_link_name(std::string_view name) {
  const auto dot = name.find('.');
  if (dot != 8 || name.size() == 9) return false;
  const auto all = [](std::string_view text, std::string_view digits) {
    return text.find_first_not_of(digits) == std::string_view::npos;
  };
  return all(name.substr(0, 8), "0123456789abcdef") && all(name.substr(9), "0123456789");
}

// Whether one of the directories in a ':'-separated list holds hash links (c_rehash,
// update-ca-certificates), so that OpenSSL can look an issuer up there by name.
bool has_hash_links(std::string_view directories) {
  while (!directories.empty()) {
    const auto colon = directories.find(':');
    const std::string directory(directories.substr(0, colon));
    directories =
        colon == std::string_view::npos ? std::string_view{} : directories.substr(colon + 1);
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) continue;
    bool found = false;
    while (const dirent* entry = ::readdir(dir)) {
      if (is_hash_link_name(entry->d_name)) {
        found = true;
        break;
      }
    }
    ::closedir(dir);
    if (found) return true;
  }
  return false;
}

// The system's trust store with no --cacert/--capath: where SSL_CTX_set_default_verify_paths
// looks (SSL_CERT_DIR, SSL_CERT_FILE, else OpenSSL's directory and bundle), but without
// parsing the whole bundle (about 140 certificates, most of a STARTTLS start-up) when the
// hashed directory holds the same certificates: OpenSSL then reads only the issuers a chain
// names. A bundle named by SSL_CERT_FILE is always read; a directory without hash links
// (some distributions ship only the bundle) falls back to the bundle.
bool use_system_trust(SSL_CTX* ctx) {
  const char* dir_env = std::getenv(X509_get_default_cert_dir_env());
  const std::string directories = dir_env != nullptr ? dir_env : X509_get_default_cert_dir();
  if (std::getenv(X509_get_default_cert_file_env()) != nullptr || !has_hash_links(directories)) {
    return SSL_CTX_set_default_verify_paths(ctx) == 1;
  }
  X509_LOOKUP* lookup = X509_STORE_add_lookup(SSL_CTX_get_cert_store(ctx), X509_LOOKUP_hash_dir());
  return lookup != nullptr &&
         X509_LOOKUP_add_dir(lookup, directories.c_str(), X509_FILETYPE_PEM) == 1;
}

// Whom the context trusts: nothing enforced with -k; else --cacert/--capath, or the
// system's store. Throws Error(SslCacertBadFile) when what is named cannot be loaded.
void load_trust(SSL_CTX* ctx, const TlsOptions& options) {
  if (!options.verify_peer) {
    // -k: nothing is enforced. As curl, the trust store is not read (it costs more than the
    // rest of a STARTTLS handshake), unless --serverinfo is to report what the chain is
    // worth; a trust store that cannot be loaded is no error then.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    if (options.report_chain_when_insecure) {
      const bool loaded = options.ca_file || options.ca_path
                              ? SSL_CTX_load_verify_locations(
                                    ctx, options.ca_file ? options.ca_file->c_str() : nullptr,
                                    options.ca_path ? options.ca_path->c_str() : nullptr) == 1
                              : use_system_trust(ctx);
      if (!loaded) ERR_clear_error();
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (options.ca_file || options.ca_path) {
      // OpenSSL reports a missing file as "x509 certificate routines::system lib": say
      // what the system said instead.
      for (const auto& [option, path] :
           {std::pair{option_name(options, "cacert"), options.ca_file},
            std::pair{option_name(options, "capath"), options.ca_path}}) {
        if (path && ::access(path->c_str(), R_OK) != 0) {
          throw Error(ExitCode::SslCacertBadFile,
                      fmt::format("{} {}: {}", option, *path, std::strerror(errno)));
        }
      }
      if (SSL_CTX_load_verify_locations(ctx, options.ca_file ? options.ca_file->c_str() : nullptr,
                                        options.ca_path ? options.ca_path->c_str() : nullptr) !=
          1) {
        throw Error(
            ExitCode::SslCacertBadFile,
            fmt::format("cannot load CA certificates from {}: {}",
                        options.ca_file.value_or(options.ca_path.value_or("")), openssl_error()));
      }
    } else if (!use_system_trust(ctx)) {
      throw Error(ExitCode::SslCacertBadFile, "cannot load the system's CA certificates");
    }
  }
}

// -E/--cert and --key (the key defaults to the certificate's file), unlocked with --pass.
// Throws Error(SslCertProblem) when either cannot be used.
void use_client_certificate(SSL_CTX* ctx, const TlsOptions& options) {
  if (options.key_password) {
    SSL_CTX_set_default_passwd_cb_userdata(
        ctx, const_cast<char*>(options.key_password->c_str()));  // NOLINT: OpenSSL API
  }
  const std::string& key = options.client_key.value_or(*options.client_cert);
  if (SSL_CTX_use_certificate_chain_file(ctx, options.client_cert->c_str()) != 1) {
    throw Error(ExitCode::SslCertProblem, fmt::format("cannot use client certificate {}: {}",
                                                      *options.client_cert, openssl_error()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    throw Error(ExitCode::SslCertProblem,
                fmt::format("cannot use private key {}: {}", key, openssl_error()));
  }
}

// TLS 1.3's suites as the context offers them (openssl.cnf's Ciphersuites, else OpenSSL's
// default) with TLS_AES_128_GCM_SHA256 moved in front of TLS_AES_256_GCM_SHA384: both are
// secure and AES-128 takes 10 rounds to AES-256's 14, so a large message costs less CPU
// against a server that follows the client's order. Only the order changes: a suite the
// system's policy left out stays out. docs/curl-differences.md.
void prefer_aes_128_gcm(SSL_CTX* ctx) {
  constexpr std::string_view kAes128 = "TLS_AES_128_GCM_SHA256";
  constexpr std::string_view kAes256 = "TLS_AES_256_GCM_SHA384";
  std::vector<std::string_view> suites;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    if ((SSL_CIPHER_get_protocol_id(cipher) & 0xFF00U) == 0x1300U) {  // RFC 8446 B.4: 0x13XX
      suites.emplace_back(SSL_CIPHER_get_name(cipher));
    }
  }
  const auto aes128 = std::find(suites.begin(), suites.end(), kAes128);
  const auto aes256 = std::find(suites.begin(), suites.end(), kAes256);
  if (aes128 == suites.end() || aes256 == suites.end() || aes128 < aes256) return;
  std::rotate(aes256, aes128, aes128 + 1);
  std::string list;
  for (const std::string_view suite : suites) list.append(list.empty() ? "" : ":").append(suite);
  if (SSL_CTX_set_ciphersuites(ctx, list.c_str()) != 1) ERR_clear_error();  // keep the order
}

SslCtxPtr make_context(const TlsOptions& options) {
  // Before the first SSL_CTX_new, which would load TLS's error texts (openssl_errors.hpp).
  OPENSSL_init_ssl(kSslErrorTextsLater, nullptr);
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) throw Error(ExitCode::SslConnectError, "cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx.get(), protocol_version(options.min_version));
  if (options.max_version) {
    if (*options.max_version < options.min_version) {
      throw Error(ExitCode::FailedInit, "--tls-max is lower than the minimum TLS version");
    }
    SSL_CTX_set_max_proto_version(ctx.get(), protocol_version(*options.max_version));
  }
  // No SSL_OP_IGNORE_UNEXPECTED_EOF: a truncated stream is an error, except after QUIT,
  // where the job accepts any end of the connection.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // An unusable cipher list is curl's CURLE_SSL_CIPHER (59), as --curves' below.
  if (options.ciphers && SSL_CTX_set_cipher_list(ctx.get(), options.ciphers->c_str()) != 1) {
    throw Error(ExitCode::SslCipher,
                fmt::format("{} \"{}\": no usable cipher", option_name(options, "ciphers"),
                            *options.ciphers));
  }
  if (!options.tls13_ciphers) {
    prefer_aes_128_gcm(ctx.get());
  } else if (SSL_CTX_set_ciphersuites(ctx.get(), options.tls13_ciphers->c_str()) != 1) {
    throw Error(ExitCode::SslCipher,
                fmt::format("{} \"{}\": no usable cipher", option_name(options, "tls13-ciphers"),
                            *options.tls13_ciphers));
  }
  // curl's ossl_connect_step1: SSL_CTX_set1_curves_list (the groups list), exit 59.
  if (options.curves && SSL_CTX_set1_groups_list(ctx.get(), options.curves->c_str()) != 1) {
    throw Error(ExitCode::SslCipher,
                fmt::format("failed setting curves list: '{}'", *options.curves));
  }

  load_trust(ctx.get(), options);
  if (options.client_cert) use_client_certificate(ctx.get(), options);
  return ctx;
}

// --crlfile: as curl's OpenSSL back end, the CRLs are added to the trust store and checked
// for every certificate of the chain; a file without a CRL is exit 82.
void load_crl(SSL_CTX* ctx, const std::string& path, Tracer& tracer) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
  if (lookup == nullptr || X509_load_crl_file(lookup, path.c_str(), X509_FILETYPE_PEM) < 1) {
    ERR_clear_error();
    throw Error(ExitCode::SslCrlBadFile, fmt::format("error loading CRL file: {}", path));
  }
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  tracer.info(fmt::format("successfully loaded CRL file: {}", path));
}

struct OcspResponseFree {
  void operator()(OCSP_RESPONSE* response) const { OCSP_RESPONSE_free(response); }
};
struct OcspBasicFree {
  void operator()(OCSP_BASICRESP* response) const { OCSP_BASICRESP_free(response); }
};
struct OcspIdFree {
  void operator()(OCSP_CERTID* id) const { OCSP_CERTID_free(id); }
};

// The issuer of `cert` among the certificates the server sent (curl looks only there).
X509* issuer_in_chain(SSL* ssl, X509* cert) {
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    X509* candidate = sk_X509_value(chain, i);
    if (X509_check_issued(candidate, cert) == X509_V_OK) return candidate;
  }
  return nullptr;
}

// --cert-status (RFC 6066 §8 stapling): the server's OCSP response must be there, signed
// for the chain, current, and say "good" for its certificate; otherwise exit 91 with
// curl's words.
void check_ocsp_staple(SSL* ssl, Tracer& tracer) {
  const auto invalid = [](std::string text) {
    ERR_clear_error();
    return Error(ExitCode::SslInvalidCertStatus, std::move(text));
  };
  const unsigned char* der = nullptr;
  // SSL_get_tlsext_status_ocsp_resp() is a macro with a C cast; this is its expansion.
  const long length = SSL_ctrl(ssl, SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP, 0,
                               static_cast<void*>(&der));  // NOLINT: OpenSSL takes void*
  if (der == nullptr || length <= 0) throw invalid("No OCSP response received");
  const std::unique_ptr<OCSP_RESPONSE, OcspResponseFree> response(
      d2i_OCSP_RESPONSE(nullptr, &der, length));
  if (!response) throw invalid("Invalid OCSP response");
  const int response_status = OCSP_response_status(response.get());
  if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    throw invalid(fmt::format("Invalid OCSP response status: {} ({})",
                              OCSP_response_status_str(response_status), response_status));
  }
  const std::unique_ptr<OCSP_BASICRESP, OcspBasicFree> basic(
      OCSP_response_get1_basic(response.get()));
  if (!basic) throw invalid("Invalid OCSP response");
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  SSL_CTX* ctx = SSL_get_SSL_CTX(ssl);
  if (OCSP_basic_verify(basic.get(), chain, SSL_CTX_get_cert_store(ctx), 0) <= 0) {
    throw invalid("OCSP response verification failed");
  }
  const X509Ptr cert(SSL_get1_peer_certificate(ssl));
  X509* issuer = cert ? issuer_in_chain(ssl, cert.get()) : nullptr;
  const std::unique_ptr<OCSP_CERTID, OcspIdFree> id(
      issuer != nullptr ? OCSP_cert_to_id(nullptr, cert.get(), issuer) : nullptr);
  if (!id) throw invalid("Error computing OCSP ID");
  int status = 0;
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update,
                            &next_update) != 1) {
    throw invalid("Could not find certificate ID in OCSP response");
  }
  // Five minutes of clock skew, no maximum age: curl's values.
  if (OCSP_check_validity(this_update, next_update, 300L, -1L) != 1) {
    throw invalid("OCSP response has expired");
  }
  tracer.info(fmt::format("SSL certificate status: {} ({})", OCSP_cert_status_str(status), status));
  if (status == V_OCSP_CERTSTATUS_GOOD) return;
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    throw invalid(fmt::format("SSL certificate revocation reason: {} ({})",
                              OCSP_crl_reason_str(reason), reason));
  }
  throw invalid(
      fmt::format("SSL certificate status: {} ({})", OCSP_cert_status_str(status), status));
}

// Whether OpenSSL handed the sending side of `ssl` to the kernel after the handshake (it
// does when asked and the kernel takes the version and cipher; TLS 1.2's receiving side
// too), and -v's word on it: on, or why not.
bool kernel_sends(SSL* ssl, const RecordLink& link, bool offered, const TlsOptions& options,
                  Tracer& tracer) {
  // BIO_get_ktls_send() and BIO_get_ktls_recv() are macros with a NULL; their expansions.
  const bool sends = BIO_ctrl(SSL_get_wbio(ssl), BIO_CTRL_GET_KTLS_SEND, 0, nullptr) > 0;
  const bool receives = BIO_ctrl(SSL_get_rbio(ssl), BIO_CTRL_GET_KTLS_RECV, 0, nullptr) > 0;
  const std::string state =
      sends               ? fmt::format("on: the kernel encrypts what is sent{}",
                          receives ? " and decrypts what is received" : "")
      : !link.on_socket() ? std::string("off: this TLS runs inside the proxy's")
      : !offered
          ? fmt::format("off: not offered by this kernel (no \"tls\" in {})", kAvailableUlpPath)
          : fmt::format("off: the kernel did not take {} / {}", SSL_get_version(ssl),
                        SSL_get_cipher_name(ssl));
  tracer.info(fmt::format("kernel TLS{}: {}", options.for_proxy ? " to the proxy" : "", state));
  return sends;
}

void trace_session(SSL* ssl, const TlsOptions& options, Tracer& tracer) {
  const bool verified = options.verify_peer;
  tracer.info(
      fmt::format("SSL connection using {} / {}", SSL_get_version(ssl), SSL_get_cipher_name(ssl)));
  X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (!cert) return;
  tracer.info(options.for_proxy ? "Proxy certificate:" : "Server certificate:");
  tracer.info(fmt::format(" subject: {}", name_of(X509_get_subject_name(cert.get()))));
  tracer.info(fmt::format(" start date: {}", time_of(X509_get0_notBefore(cert.get()))));
  tracer.info(fmt::format(" expire date: {}", time_of(X509_get0_notAfter(cert.get()))));
  tracer.info(fmt::format(" issuer: {}", name_of(X509_get_issuer_name(cert.get()))));
  tracer.info(verified ? " SSL certificate verify ok."
                       : " SSL certificate NOT verified (--insecure)");
}

}  // namespace

std::unique_ptr<Transport> start_tls(std::unique_ptr<Transport> inner, const TlsOptions& options,
                                     const std::string& server_name, Deadline deadline,
                                     Tracer& tracer, TlsDetails* details) {
  SslCtxPtr ctx = make_context(options);
  if (options.crl_file) load_crl(ctx.get(), *options.crl_file, tracer);
  auto link = std::make_unique<RecordLink>(*inner);  // declared first: freed after ssl
  // Kernel TLS only where the kernel lists it: a kernel without it costs no failing
  // setsockopt, and smtpc never makes the kernel load its module (docs/performance.md).
  const bool kernel_tls_offered = link->on_socket() && kernel_offers_tls();
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl || !link->attach(ssl.get(), kernel_tls_offered)) {
    throw Error(ExitCode::SslConnectError, "cannot set up TLS on the connection");
  }
  if (options.verify_status) {
    // SSL_set_tlsext_status_type() is a macro with a C cast; this is its expansion.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, TLSEXT_STATUSTYPE_ocsp, nullptr);
  }
  const bool ip_literal = is_ip_literal(server_name);
  if (!ip_literal) {
    // RFC 6066 §3: SNI carries DNS names only.
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is its expansion.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));  // NOLINT: OpenSSL takes void*
  }
  {
    // Also with -k, where a mismatch is only reported (the handshake goes on).
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
    const int ok = ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str())
                              : SSL_set1_host(ssl.get(), server_name.c_str());
    if (ok != 1 && options.verify_peer) {
      throw Error(ExitCode::SslConnectError,
                  fmt::format("cannot check the certificate against \"{}\"", server_name));
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  }

  tracer.info(fmt::format("TLS handshake with {}", server_name));
  while (true) {
    link->begin(deadline);
    const int rc = SSL_connect(ssl.get());
    if (rc == 1) break;
    const int error = SSL_get_error(ssl.get(), rc);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (!link->wait(error, deadline)) {
        throw Error(ExitCode::OperationTimedout, "timed out during the TLS handshake");
      }
      continue;
    }
    link->rethrow_inner_failure();
    if (details != nullptr) record_details(ssl.get(), options, *details);
    const long verify = SSL_get_verify_result(ssl.get());
    if (options.verify_peer && verify != X509_V_OK) {
      throw Error(ExitCode::PeerFailedVerification,
                  fmt::format("{} certificate for \"{}\" not verified: {}",
                              options.for_proxy ? "proxy" : "server", server_name,
                              X509_verify_cert_error_string(verify)));
    }
    throw Error(ExitCode::SslConnectError,
                fmt::format("TLS handshake with {} failed: {}", server_name, openssl_error()));
  }
  if (details != nullptr) record_details(ssl.get(), options, *details);
  trace_session(ssl.get(), options, tracer);
  if (options.verify_status) check_ocsp_staple(ssl.get(), tracer);
  if (options.pinned_public_key) {
    X509Ptr cert(SSL_get1_peer_certificate(ssl.get()));
    if (!cert) throw Error(ExitCode::SslPinnedPubKeyMismatch, "the server sent no certificate");
    check_pinned_key(cert.get(), options);
    tracer.info(fmt::format("public key hash matches {}", option_name(options, "pinnedpubkey")));
  }
  const bool by_kernel = kernel_sends(ssl.get(), *link, kernel_tls_offered, options, tracer);
  return std::make_unique<TlsTransport>(std::move(inner), std::move(link), std::move(ctx),
                                        std::move(ssl), options, by_kernel);
}

namespace {
struct MacDeleter {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* context) const noexcept { EVP_MAC_CTX_free(context); }
};
}  // namespace

// RFC 2195 §2: the digest is HMAC-MD5 (RFC 2104) keyed with the password.
std::string hmac_md5_hex(std::string_view key, std::string_view message) {
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
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  std::size_t digest_size = 0;
  if (EVP_MAC_init(context.get(), key_bytes, key.size(), parameters.data()) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      EVP_MAC_final(context.get(), digest.data(), &digest_size, digest.size()) != 1) {
    throw fail();
  }
  std::string hex;
  hex.reserve(digest_size * 2);
  for (std::size_t i = 0; i < digest_size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string version() {
  // "OpenSSL 3.0.19 27 Jan 2026" -> "OpenSSL/3.0.19", as curl -V writes it.
  std::string text = OpenSSL_version(OPENSSL_VERSION);
  if (const auto space = text.find(' '); space != std::string::npos) {
    text[space] = '/';
    if (const auto next = text.find(' ', space); next != std::string::npos) text.erase(next);
  }
  return text;
}

}  // namespace smtpc::openssl
