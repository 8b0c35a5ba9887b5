// Content types of attachments from libmagic, the library behind file(1) --mime.
#include <magic.h>

#include <memory>
#include <string>

#include "smtpc/composed_message.hpp"

namespace smtpc {

std::string detect_content_type(const std::string& path) {
  const std::string fallback = "application/octet-stream";
  const std::unique_ptr<magic_set, decltype(&magic_close)> cookie(
      magic_open(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING | MAGIC_SYMLINK | MAGIC_ERROR),
      &magic_close);
  if (!cookie || magic_load(cookie.get(), nullptr) != 0) return fallback;
  const char* found = magic_file(cookie.get(), path.c_str());
  if (found == nullptr) return fallback;
  std::string type(found);
  // "application/x-foo; charset=binary": the charset says nothing for binary data.
  if (const auto binary = type.find("; charset=binary"); binary != std::string::npos) {
    type.erase(binary);
  }
  if (type.empty() || type.find('/') == std::string::npos ||
      type.find_first_of("\r\n") != std::string::npos) {
    return fallback;
  }
  return type;
}

}  // namespace smtpc
