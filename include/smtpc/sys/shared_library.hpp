// Libraries loaded only when a feature needs them (libidn2, libmagic): a plain send then
// starts without them, and smtpc starts faster (docs/performance.md).
#pragma once

#include <dlfcn.h>

namespace smtpc {

/// A shared library opened with dlopen on first use and kept for the process's life.
class SharedLibrary {
 public:
  explicit SharedLibrary(const char* soname) : handle_(::dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {}
  ~SharedLibrary() = default;  // stays loaded: its functions may still be in use at exit
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  /// The function `name` with the type of `Function`, or nullptr when the library or the
  /// symbol is missing. Call as symbol<decltype(::function)>("function").
  template <class Function>
  [[nodiscard]] Function* symbol(const char* name) const noexcept {
    if (handle_ == nullptr) return nullptr;
    // dlsym's void* to a function pointer is how POSIX defines its use.
    return reinterpret_cast<Function*>(::dlsym(handle_, name));  // NOLINT
  }

 private:
  void* handle_;
};

}  // namespace smtpc
