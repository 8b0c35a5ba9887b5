// Content types of attachments from libmagic, the library behind file(1) --mime: opened
// with dlopen only when a message has attachments (SMTPC_DLOPEN_LIBS; linked with
// SMTPC_LINK_OPTIONAL_LIBS).
#include <magic.h>

#include <memory>
#include <string>

#include "smtpc/compose/composed_message.hpp"
#if SMTPC_DLOPEN_LIBS
#include "smtpc/sys/shared_library.hpp"
#endif

namespace smtpc {

std::string detect_content_type(const std::string& path) {
  const std::string fallback = "application/octet-stream";
#if SMTPC_DLOPEN_LIBS
  static const SharedLibrary library("libmagic.so.1");
  static auto* const open = library.symbol<decltype(::magic_open)>("magic_open");
  static auto* const close = library.symbol<decltype(::magic_close)>("magic_close");
  static auto* const load = library.symbol<decltype(::magic_load)>("magic_load");
  static auto* const file = library.symbol<decltype(::magic_file)>("magic_file");
#else
  auto* const open = &::magic_open;
  auto* const close = &::magic_close;
  auto* const load = &::magic_load;
  auto* const file = &::magic_file;
#endif
#if SMTPC_DLOPEN_LIBS
  if (open == nullptr || close == nullptr || load == nullptr || file == nullptr) return fallback;
#endif
  const std::unique_ptr<magic_set, decltype(close)> cookie(
      open(MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING | MAGIC_SYMLINK | MAGIC_ERROR), close);
  if (!cookie || load(cookie.get(), nullptr) != 0) return fallback;
  const char* found = file(cookie.get(), path.c_str());
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
