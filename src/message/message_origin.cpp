// Message origins: files (reopened), standard input (read once) and its spool (an unlinked
// temporary file read from its start by each opening), messages built anew by each opening.
#include "smtpc/message/message_origin.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/sys/fd.hpp"

namespace smtpc {
namespace {

class FileOpener final : public MessageOpener {
 public:
  explicit FileOpener(std::string path) : path_(std::move(path)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return std::make_unique<BodySource>(path_);
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return true; }
  [[nodiscard]] const std::string& name() const noexcept override { return path_; }

 private:
  std::string path_;
};

class StandardInputOpener final : public MessageOpener {
 public:
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    if (opened_) {
      throw Error(ExitCode::ReadError, "standard input can be read only once");
    }
    opened_ = true;
    return std::make_unique<BodySource>("-");
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return false; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  mutable bool opened_ = false;  // a second reading would silently find the input used up
  std::string name_ = "standard input";
};

// A message made anew by each open(): composed drafts and -F forms.
class BuiltOpener final : public MessageOpener {
 public:
  BuiltOpener(std::function<std::unique_ptr<MessageSource>()> build, std::string name)
      : build_(std::move(build)), name_(std::move(name)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override { return build_(); }
  [[nodiscard]] bool can_reopen() const noexcept override { return true; }
  [[nodiscard]] const std::string& name() const noexcept override { return name_; }

 private:
  std::function<std::unique_ptr<MessageSource>()> build_;
  std::string name_;
};

// An origin read through a filter.
class FilteredOpener final : public MessageOpener {
 public:
  using Filter = std::function<std::unique_ptr<MessageSource>(std::unique_ptr<MessageSource>)>;
  FilteredOpener(MessageOrigin inner, Filter filter)
      : inner_(std::move(inner)), filter_(std::move(filter)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return filter_(inner_.open());
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return inner_.can_reopen(); }
  [[nodiscard]] const std::string& name() const noexcept override { return inner_.name(); }

 private:
  MessageOrigin inner_;
  Filter filter_;
};

/// One reading of a message kept in an unlinked temporary file.
class Spool {
 public:
  explicit Spool(std::string name) : name_(std::move(name)) {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string path =
        fmt::format("{}/smtpc-XXXXXX", tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp");
    fd_ = Fd(::mkostemp(path.data(), O_CLOEXEC));
    if (!fd_.valid()) {
      throw Error(
          ExitCode::ReadError,
          fmt::format("cannot create a temporary file to hold {} for several deliveries: {}", name_,
                      std::strerror(errno)));
    }
    ::unlink(path.c_str());
  }

  void fill(MessageSource& source) {
    std::vector<char> buffer(256 * 1024);
    while (const std::size_t got = source.read(buffer)) {
      std::size_t done = 0;
      while (done < got) {
        const ssize_t wrote = ::write(fd_.get(), buffer.data() + done, got - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) {
          throw Error(ExitCode::ReadError,
                      fmt::format("cannot spool {}: {}", name_, std::strerror(errno)));
        }
        done += static_cast<std::size_t>(wrote);
      }
      size_ += got;
    }
  }

  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  Fd fd_;
  std::uint64_t size_ = 0;
};

/// One reading of the spool, from its start.
class SpoolReader final : public MessageSource {
 public:
  explicit SpoolReader(std::shared_ptr<const Spool> spool) : spool_(std::move(spool)) {}
  [[nodiscard]] std::size_t read(std::span<char> buffer) override {
    while (true) {
      const ssize_t got =
          ::pread(spool_->fd(), buffer.data(), buffer.size(), static_cast<off_t>(offset_));
      if (got >= 0) {
        offset_ += static_cast<std::uint64_t>(got);
        return static_cast<std::size_t>(got);
      }
      if (errno == EINTR) continue;
      throw Error(ExitCode::ReadError, fmt::format("failed reading spooled {}: {}", spool_->name(),
                                                   std::strerror(errno)));
    }
  }
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept override {
    return spool_->size();
  }
  [[nodiscard]] const std::string& name() const noexcept override { return spool_->name(); }

 private:
  std::shared_ptr<const Spool> spool_;
  std::uint64_t offset_ = 0;
};

class SpoolOpener final : public MessageOpener {
 public:
  explicit SpoolOpener(std::shared_ptr<const Spool> spool) : spool_(std::move(spool)) {}
  [[nodiscard]] std::unique_ptr<MessageSource> open() const override {
    return std::make_unique<SpoolReader>(spool_);
  }
  [[nodiscard]] bool can_reopen() const noexcept override { return true; }
  [[nodiscard]] const std::string& name() const noexcept override { return spool_->name(); }

 private:
  std::shared_ptr<const Spool> spool_;
};

}  // namespace

MessageOrigin::MessageOrigin(std::shared_ptr<const MessageOpener> opener)
    : opener_(std::move(opener)) {}

MessageOrigin MessageOrigin::file(std::string path) {
  return MessageOrigin(std::make_shared<FileOpener>(std::move(path)));
}

MessageOrigin MessageOrigin::standard_input() {
  return MessageOrigin(std::make_shared<StandardInputOpener>());
}

MessageOrigin MessageOrigin::upload(const std::string& path) {
  return path == "-" ? standard_input() : file(path);
}

MessageOrigin MessageOrigin::built(std::function<std::unique_ptr<MessageSource>()> build,
                                   std::string name) {
  return MessageOrigin(std::make_shared<BuiltOpener>(std::move(build), std::move(name)));
}

MessageOrigin MessageOrigin::filtered(
    std::function<std::unique_ptr<MessageSource>(std::unique_ptr<MessageSource>)> filter) const {
  return MessageOrigin(std::make_shared<FilteredOpener>(*this, std::move(filter)));
}

MessageOrigin MessageOrigin::rereadable() const {
  if (can_reopen()) return *this;
  auto spool = std::make_shared<Spool>(name());
  const auto source = open();
  spool->fill(*source);
  return MessageOrigin(std::make_shared<SpoolOpener>(std::move(spool)));
}

}  // namespace smtpc
