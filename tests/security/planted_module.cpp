// Stands in for a module another user plants where smtpc might look for its TLS module:
// loading it runs its constructor, which creates the file $SMTPC_PLANTED_MARKER.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace {

[[gnu::constructor]] void announce_loading() {
  if (const char* marker = std::getenv("SMTPC_PLANTED_MARKER"); marker != nullptr) {
    const int fd = ::open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
}

}  // namespace
