// DKIM key records: writing them, making keys, checking what DNS publishes.
#include "smtpc/dkim/key_record.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::dkim {
namespace {

constexpr int kNewRsaBits = 2048;  // RFC 8301 §3.2: 1024 at least, 2048 recommended
constexpr std::size_t kMaxTxtString = 255;

std::string_view key_type(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::Ed25519 ? "ed25519" : "rsa";
}

// RFC 6376 §3.2 tag=value list: tags and values without surrounding whitespace.
std::map<std::string, std::string> tags_of(std::string_view record) {
  std::map<std::string, std::string> tags;
  while (!record.empty()) {
    const auto semicolon = record.find(';');
    const std::string_view tag = record.substr(0, semicolon);
    const auto equals = tag.find('=');
    if (equals != std::string_view::npos) {
      tags.emplace(ascii_lower(trim(tag.substr(0, equals))),
                   std::string(trim(tag.substr(equals + 1))));
    }
    if (semicolon == std::string_view::npos) break;
    record.remove_prefix(semicolon + 1);
  }
  return tags;
}

std::string without_whitespace(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  }
  return out;
}

}  // namespace

std::string key_record(const PrivateKeyInfo& key) {
  return fmt::format("v=DKIM1; k={}; p={}", key_type(key.algorithm), base64_encode(key.public_key));
}

std::string record_name(std::string_view selector, std::string_view domain) {
  return fmt::format("{}._domainkey.{}", selector, domain);
}

std::string zone_line(std::string_view selector, std::string_view domain, std::string_view record) {
  std::string line = record_name(selector, domain) + ". IN TXT (";
  for (std::size_t i = 0; i < record.size(); i += kMaxTxtString) {
    line += fmt::format(" \"{}\"", record.substr(i, kMaxTxtString));
  }
  return line + " )";
}

PrivateKeyInfo write_new_key(const std::string& path, KeyAlgorithm algorithm) {
  const std::string pem = generate_private_key(algorithm, kNewRsaBits);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw Error(ExitCode::WriteError,
                fmt::format("cannot create the DKIM key \"{}\": {}", path, std::strerror(errno)));
  }
  std::size_t done = 0;
  while (done < pem.size()) {
    const ssize_t wrote = ::write(fd, pem.data() + done, pem.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw Error(ExitCode::WriteError,
                  fmt::format("cannot write the DKIM key \"{}\": {}", path, std::strerror(saved)));
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(path.c_str());
    throw Error(ExitCode::WriteError, fmt::format("cannot write the DKIM key \"{}\"", path));
  }
  return inspect_private_key(pem);
}

PublishedKey check_published_key(const std::vector<std::string>& records,
                                 const PrivateKeyInfo& key) {
  PublishedKey result;
  for (const auto& record : records) {
    const auto tags = tags_of(record);
    const auto version = tags.find("v");
    if (version != tags.end() && version->second != "DKIM1") continue;
    if (!tags.contains("p")) continue;
    result.record = record;
    const auto type = tags.find("k");
    const std::string published_type = type == tags.end() ? "rsa" : ascii_lower(type->second);
    const std::string published_key = without_whitespace(tags.at("p"));
    if (published_key.empty()) {
      result.verdict = PublishedKey::Verdict::Revoked;
      result.reason = "the record's p= is empty: the key is revoked";
    } else if (published_type != key_type(key.algorithm)) {
      result.verdict = PublishedKey::Verdict::Differs;
      result.reason = fmt::format("the record is for a {} key, the private key is {}",
                                  published_type, key_type(key.algorithm));
    } else if (published_key != base64_encode(key.public_key)) {
      result.verdict = PublishedKey::Verdict::Differs;
      result.reason = "the record's p= is another public key";
    } else {
      result.verdict = PublishedKey::Verdict::Matches;
    }
    return result;
  }
  if (!records.empty()) {
    result.verdict = PublishedKey::Verdict::NotDkim;
    result.record = records.front();
    result.reason = "no DKIM key record (v=DKIM1 with p=) among the TXT records";
  } else {
    result.reason = "no TXT record";
  }
  return result;
}

}  // namespace smtpc::dkim
