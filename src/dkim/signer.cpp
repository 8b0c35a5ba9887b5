// DKIM signing: keys, the hashing pass, the DKIM-Signature fields (RFC 6376 §3.5, §5;
// RFC 8463 for Ed25519), and the origin that reads them before the message.
#include "smtpc/dkim/signer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <span>

#include "smtpc/compose/header_block.hpp"
#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/smtp/dot_stuffer.hpp"
#include "smtpc/sys/fd.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc::dkim {
namespace {

constexpr std::size_t kMaxKeyFile = 64 * 1024;      // a 16384-bit RSA key is under 13 KiB
constexpr std::size_t kMaxHeaderSection = 1 << 20;  // as -t and -H read (docs/exit-codes.md)
constexpr std::size_t kChunk = 128 * 1024;

Error usage(std::string text) { return Error(ExitCode::FailedInit, std::move(text)); }

std::string read_key_file(const std::string& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) {
    throw Error(ExitCode::ReadError,
                fmt::format("cannot read the DKIM key \"{}\": {}", path, std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    throw usage(fmt::format("the DKIM key \"{}\" is not a regular file", path));
  }
  // Like the other secret files: only its owner may read it, and the owner is the user or
  // root (a key another user owns could be swapped by them).
  if ((info.st_mode & 077U) != 0 || (info.st_uid != ::geteuid() && info.st_uid != 0)) {
    throw usage(fmt::format(
        "the DKIM key \"{}\" must belong to you or root and be readable by its owner only "
        "(mode 0600 or 0400; it is {:04o}): chmod 600 {}",
        path, info.st_mode & 07777U, path));
  }
  FileContent key = read_all(fd.get(), kMaxKeyFile);
  if (key.error == EFBIG) throw usage(fmt::format("the DKIM key \"{}\" is not a key", path));
  if (!key.ok()) {
    throw Error(ExitCode::ReadError,
                fmt::format("cannot read the DKIM key \"{}\": {}", path, std::strerror(key.error)));
  }
  return std::move(key.text);
}

bool is_dns_label_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// RFC 5322 §3.6.8: printable ASCII except the colon.
bool is_field_name(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != ':';
  });
}

/// The first pass: the header section collected (bounded), the body canonicalized and
/// hashed as it streams by, both after the line-end normalisation the wire gets.
class HashingPass {
 public:
  HashingPass(Canonicalization body, std::string name)
      : body_(body), hash_(make_sha256()), name_(std::move(name)) {}

  void update(std::string_view raw) {
    normalized_.clear();
    wire_.encode(raw, normalized_);
    take(normalized_, false);
  }

  void finish() {
    normalized_.clear();
    wire_.finish(normalized_);
    take(normalized_, true);
    if (!header_done_) split_header(true);
    canonical_.clear();
    body_.finish(canonical_);
    hash_->update(canonical_);
    body_hash_ = hash_->finish();
  }

  [[nodiscard]] const std::string& header() const noexcept { return header_; }
  [[nodiscard]] const std::string& body_hash() const noexcept { return body_hash_; }

 private:
  void take(std::string_view bytes, bool at_end) {
    if (header_done_) {
      hash_body(bytes);
      return;
    }
    header_.append(bytes);
    split_header(at_end);
  }

  // The header section ends at the first empty line; everything after it is the body.
  void split_header(bool at_end) {
    const auto blank = header_.find("\r\n\r\n");
    if (blank == std::string::npos && header_.rfind("\r\n", 0) != 0) {
      if (header_.size() > kMaxHeaderSection) {
        throw Error(ExitCode::ReadError,
                    fmt::format("{}: the header section is over 1 MiB: cannot sign it", name_));
      }
      if (!at_end) return;
    }
    const std::size_t header_length =
        header_.rfind("\r\n", 0) == 0 ? 0
                                      : (blank == std::string::npos ? header_.size() : blank + 2);
    const std::size_t body_offset = std::min(header_.size(), header_length + 2);
    check_fields(std::string_view(header_).substr(0, header_length));
    std::string body =
        header_.substr(header_length == header_.size() ? header_length : body_offset);
    header_.resize(header_length);
    header_done_ = true;
    hash_body(body);
  }

  // Every line of the header section is a field or the continuation of one: a verifier
  // that split it differently would hash other bytes.
  void check_fields(std::string_view header) const {
    const auto found = find_header_end(header, true);
    if (!found || found->header_length != header.size()) {
      const std::size_t line =
          1 + static_cast<std::size_t>(std::count(
                  header.begin(),
                  header.begin() + static_cast<std::ptrdiff_t>(found ? found->header_length : 0),
                  '\n'));
      throw usage(fmt::format(
          "{}: line {} of the header section is not a header field: cannot sign it", name_, line));
    }
  }

  void hash_body(std::string_view bytes) {
    canonical_.clear();
    body_.update(bytes, canonical_);
    hash_->update(canonical_);
  }

  DotStuffer wire_{false};  // CRLF line ends and a final CRLF, as on the wire, no dots
  BodyCanonicalizer body_;
  std::unique_ptr<Sha256> hash_;
  std::string name_;
  std::string normalized_;
  std::string canonical_;
  std::string header_;
  bool header_done_ = false;
  std::string body_hash_;
};

// The domain of an address, in lower case.
std::string address_domain(const std::string& address) {
  const auto at = address.rfind('@');
  return ascii_lower(at == std::string::npos ? std::string_view{}
                                             : std::string_view(address).substr(at + 1));
}

// RFC 7489 §3.1.1, relaxed alignment without the public suffix list: the From domain is
// the signing domain or one of its subdomains.
bool aligned(std::string_view from_domain, std::string_view signing_domain) {
  if (from_domain == signing_domain) return true;
  return from_domain.size() > signing_domain.size() && from_domain.ends_with(signing_domain) &&
         from_domain[from_domain.size() - signing_domain.size() - 1] == '.';
}

std::string signing_domain(const std::vector<HeaderField>& fields, const SigningRequest& request,
                           const std::string& name) {
  const auto from_count = std::count_if(fields.begin(), fields.end(),
                                        [](const HeaderField& f) { return f.is("From"); });
  if (from_count == 0) throw usage(fmt::format("{} has no From field: cannot sign it", name));
  if (from_count > 1) throw usage(fmt::format("{} has two From fields: cannot sign it", name));
  const auto address = from_address(fields);
  const std::string from_domain = address ? address_domain(*address) : std::string{};
  if (!request.domain) {
    if (from_domain.empty()) {
      throw usage(fmt::format("{}: the From field names no address: cannot sign it", name));
    }
    check_dns_name("the From domain (give --dkim-domain with its A-label)", from_domain);
    return from_domain;
  }
  const std::string domain = ascii_lower(*request.domain);
  if (!request.domain_explicit && !aligned(from_domain, domain)) {
    throw usage(fmt::format(
        "the From domain {} is not the DKIM domain {}: DMARC would fail (give --dkim-domain "
        "to sign for another domain)",
        from_domain.empty() ? "(none)" : from_domain, domain));
  }
  return domain;
}

// RFC 6376 §5.4.2: each name takes the last field of that name not yet taken; a name with
// none left adds nothing (that is what over-signing relies on).
std::string signed_header_data(const std::vector<HeaderField>& fields,
                               const std::vector<std::string>& names,
                               Canonicalization canonicalization) {
  std::vector<bool> taken(fields.size(), false);
  std::string data;
  for (const auto& name : names) {
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (taken[i] || !fields[i].is(name)) continue;
      taken[i] = true;
      data += canonicalize_header(canonicalization, fields[i].raw);
      break;
    }
  }
  return data;
}

std::string_view algorithm_name(KeyAlgorithm algorithm) noexcept {
  return algorithm == KeyAlgorithm::Ed25519 ? "ed25519-sha256" : "rsa-sha256";
}

// The field without its b= value; lines folded before 78 characters (RFC 5322 §2.1.1).
std::string unsigned_field(const SigningKey& key, const SigningRequest& request,
                           const std::string& domain, const std::vector<std::string>& names,
                           const std::string& body_hash, std::int64_t now) {
  std::string field = fmt::format(
      "DKIM-Signature: v=1; a={}; c={}/{}; d={}; s={};\r\n\tt={}; h=",
      algorithm_name(key.info.algorithm), canonicalization_name(request.header_canonicalization),
      canonicalization_name(request.body_canonicalization), domain, key.selector, now);
  std::size_t line = 9;  // "\tt=...; h=" is about this long before the names
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = ascii_lower(names[i]) + (i + 1 < names.size() ? ":" : ";");
    if (line + name.size() > 76) {
      field += "\r\n\t";
      line = 1;
    }
    field += name;
    line += name.size();
  }
  field += fmt::format("\r\n\tbh={};\r\n\tb=", base64_encode(body_hash));
  return field;
}

// The b= value folded into lines of 72 characters: the whitespace in it is not signed.
std::string folded(const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); i += 72) {
    if (i > 0) out += "\r\n\t";
    out += value.substr(i, 72);
  }
  return out;
}

std::string signature_field(const SigningKey& key, const SigningRequest& request,
                            const std::string& domain, const std::vector<HeaderField>& fields,
                            const std::vector<std::string>& names, const std::string& body_hash,
                            std::int64_t now) {
  const std::string field = unsigned_field(key, request, domain, names, body_hash, now);
  // §3.7: the signed fields, then this one with an empty b= and without its final CRLF.
  std::string data = signed_header_data(fields, names, request.header_canonicalization);
  std::string own = canonicalize_header(request.header_canonicalization, field + "\r\n");
  own.resize(own.size() - 2);
  data += own;
  std::string signature;
  if (key.info.algorithm == KeyAlgorithm::Ed25519) {
    // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data.
    auto hash = make_sha256();
    hash->update(data);
    signature = sign_with_private_key(key.pem, hash->finish());
  } else {
    signature = sign_with_private_key(key.pem, data);
  }
  return field + folded(base64_encode(signature)) + "\r\n";
}

/// A reading of the signatures, then of the message.
class SignedSource final : public MessageSource {
 public:
  SignedSource(std::shared_ptr<const std::string> prefix, std::unique_ptr<MessageSource> inner)
      : prefix_(std::move(prefix)), inner_(std::move(inner)) {}
  [[nodiscard]] std::size_t read(std::span<char> buffer) override {
    if (offset_ < prefix_->size()) {
      const std::size_t count = std::min(buffer.size(), prefix_->size() - offset_);
      std::memcpy(buffer.data(), prefix_->data() + offset_, count);
      offset_ += count;
      return count;
    }
    return inner_->read(buffer);
  }
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept override {
    const auto inner = inner_->size();
    if (!inner) return std::nullopt;
    return *inner + prefix_->size();
  }
  [[nodiscard]] const std::string& name() const noexcept override { return inner_->name(); }

 private:
  std::shared_ptr<const std::string> prefix_;
  std::unique_ptr<MessageSource> inner_;
  std::size_t offset_ = 0;
};

class SignedOpener final : public MessageOpener {
 public:
  SignedOpener(std::string prefix, MessageOrigin inner)
      : prefix_(std::make_shared<const std::string>(std::move(prefix))), inner_(std::move(inner)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return std::make_unique<SignedSource>(prefix_, inner_.open());
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return inner_.can_reopen(); }
  [[nodiscard]] const std::string& name() const noexcept override { return inner_.name(); }

 private:
  std::shared_ptr<const std::string> prefix_;
  MessageOrigin inner_;
};

}  // namespace

SigningKey load_signing_key(const std::string& path, std::string selector) {
  SigningKey key;
  key.path = path;
  key.pem = read_key_file(path);
  try {
    key.info = inspect_private_key(key.pem);
  } catch (const Error& error) {
    if (error.code() != ExitCode::FailedInit) throw;
    throw usage(fmt::format("\"{}\": {}", path, error.what()));
  }
  if (key.info.algorithm == KeyAlgorithm::Rsa && key.info.bits < kMinimumRsaBits) {
    throw usage(fmt::format(
        "the DKIM key \"{}\" has {} bits: RSA keys need at least 1024 (2048 recommended)", path,
        key.info.bits));
  }
  key.selector = std::move(selector);
  return key;
}

void check_dns_name(std::string_view what, std::string_view name) {
  bool good = !name.empty() && name.size() <= 253;
  std::size_t start = 0;
  while (good && start <= name.size()) {
    const auto dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    good = !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
           std::all_of(label.begin(), label.end(), is_dns_label_char);
    start = dot + 1;
  }
  if (!good) {
    throw usage(
        fmt::format("{} \"{}\" is not a domain name (letters, digits, hyphens, dots)", what, name));
  }
}

std::vector<std::string> parse_header_list(std::string_view text) {
  std::vector<std::string> names;
  bool has_from = false;
  for (std::string_view rest = text;;) {
    const auto colon = rest.find(':');
    const std::string_view name = trim(rest.substr(0, colon));
    if (!is_field_name(name)) {
      throw usage(
          fmt::format("--dkim-headers: \"{}\" is not a list of field names (From:To:...)", text));
    }
    has_from = has_from || equals_ignore_case(name, "From");
    names.emplace_back(name);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (!has_from) throw usage("--dkim-headers: the list must include From (RFC 6376 §5.4)");
  return names;
}

std::vector<std::string> default_signed_headers(const std::vector<std::string>& field_names) {
  static constexpr std::array<std::string_view, 12> kRecommended{
      "From",       "Reply-To",     "Subject",      "Date",
      "To",         "Cc",           "Message-ID",   "In-Reply-To",
      "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
  std::vector<std::string> names;
  for (const auto recommended : kRecommended) {
    for (const auto& name : field_names) {
      if (equals_ignore_case(name, recommended)) names.emplace_back(recommended);
    }
  }
  for (const auto& name : field_names) {
    if (name.size() > 5 && equals_ignore_case(std::string_view(name).substr(0, 5), "List-")) {
      names.push_back(name);
    }
  }
  names.emplace_back("From");  // over-signed: a From added later breaks the signature
  return names;
}

SignedMessage sign_message(const MessageOrigin& message, const SigningRequest& request,
                           std::int64_t now) {
  MessageOrigin origin = message.rereadable();
  HashingPass pass(request.body_canonicalization, origin.name());
  {
    const auto reading = origin.open();
    std::vector<char> buffer(kChunk);
    while (const std::size_t got = reading->read(buffer)) {
      pass.update(std::string_view(buffer.data(), got));
    }
    pass.finish();
  }
  const std::vector<HeaderField> fields = parse_header_fields(pass.header());
  const std::string domain = signing_domain(fields, request, origin.name());
  std::vector<std::string> names;
  if (request.headers) {
    names = *request.headers;
  } else {
    std::vector<std::string> present;
    present.reserve(fields.size());
    for (const auto& field : fields) present.push_back(field.name);
    names = default_signed_headers(present);
  }
  SignedMessage signed_message{origin, {}};
  std::string prefix;
  for (const auto& key : request.keys) {
    signed_message.signatures.push_back(
        signature_field(key, request, domain, fields, names, pass.body_hash(), now));
    prefix += signed_message.signatures.back();
  }
  signed_message.origin =
      MessageOrigin(std::make_shared<SignedOpener>(std::move(prefix), std::move(origin)));
  return signed_message;
}

std::string shortened_signature(std::string_view field) {
  std::string line;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\r' || field[i] == '\n') continue;
    if (field[i] == '\t' && !line.empty() && line.back() == ';') {
      line += ' ';
      continue;
    }
    if (field[i] == '\t') continue;
    line += field[i];
  }
  const auto b = line.rfind(" b=");
  if (b != std::string::npos && line.size() > b + 3 + 16) {
    line.resize(b + 3 + 16);
    line += "...";
  }
  return line;
}

}  // namespace smtpc::dkim
