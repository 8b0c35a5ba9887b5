// Scrubbing secrets out of the process's argv.
#include "credentials.hpp"

#include <algorithm>
#include <cstring>

namespace smtpc::cli {
namespace {

// smtp://user:password@host/path, or user:password@host without a scheme: blanks the
// password, which runs to the LAST '@' before the path, as parse_smtp_url reads it
// ("smtp://u:p@ss@host" has the password "p@ss").
void blank_url_password(char* text) {
  char* authority = text;
  if (char* scheme = std::strstr(text, "://"); scheme != nullptr) authority = scheme + 3;
  const std::size_t length = std::strcspn(authority, "/?#");
  char* at = nullptr;
  for (char* p = authority; p < authority + length; ++p) {
    if (*p == '@') at = p;
  }
  if (at == nullptr) return;
  char* colon = std::find(authority, at, ':');
  if (colon == at) return;
  std::memset(colon + 1, '*', static_cast<std::size_t>(at - colon - 1));
}

}  // namespace

void scrub_secrets(int argc, char** argv, std::span<const SecretSpan> secrets) {
  for (const auto& secret : secrets) {
    if (secret.index + 1 >= static_cast<std::size_t>(argc)) continue;
    char* arg = argv[secret.index + 1];
    if (std::strlen(arg) < secret.offset) continue;
    char* text = arg + secret.offset;
    switch (secret.kind) {
      case Secret::All:
        std::memset(text, '*', std::strlen(text));
        break;
      case Secret::AfterColon:
        if (char* colon = std::strchr(text, ':'); colon != nullptr) {
          std::memset(colon + 1, '*', std::strlen(colon + 1));
        }
        break;
      case Secret::Url:
        blank_url_password(text);
        break;
      case Secret::No:
        break;
    }
  }
}

}  // namespace smtpc::cli
