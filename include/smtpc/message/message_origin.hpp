// What a message is (a file, standard input, a composed draft, an edited upload), as opposed
// to one reading of it (MessageSource): an origin opens a fresh reading each time, so that
// every domain and fallback host of --mx, and a scan before sending, read the same message.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "smtpc/message/body_source.hpp"

namespace smtpc {

/// How one kind of message is opened: files and standard input in this layer, composed
/// drafts and edited uploads in compose/, which builds on it.
class MessageOpener {
 public:
  virtual ~MessageOpener() = default;
  /// A new reading from the start of the message. Throws Error(ReadError).
  [[nodiscard]] virtual std::unique_ptr<MessageSource> open() const = 0;
  /// False when the message can be read only once (standard input, or made from it).
  [[nodiscard]] virtual bool can_reopen() const noexcept = 0;
  /// What to call the message: a file name, "standard input", "the composed message".
  [[nodiscard]] virtual const std::string& name() const noexcept = 0;
};

/// What a message is. A value: copies share one opener.
class MessageOrigin {
 public:
  explicit MessageOrigin(std::shared_ptr<const MessageOpener> opener);

  /// The file at `path`, opened anew by each open(); nothing is read or checked before.
  [[nodiscard]] static MessageOrigin file(std::string path);
  /// Standard input: it can be opened once; rereadable() spools it.
  [[nodiscard]] static MessageOrigin standard_input();
  /// -T's argument: "-" is standard input, anything else a file.
  [[nodiscard]] static MessageOrigin upload(const std::string& path);
  /// A message that `build` makes anew at each open() (a composed draft, a -F form), called
  /// `name`; it can be opened again and again, and reads the same when `build` writes the
  /// same bytes each time. What `build` throws, open() throws.
  [[nodiscard]] static MessageOrigin built(std::function<std::unique_ptr<MessageSource>()> build,
                                           std::string name);

  /// A fresh reading from the start of the message. Throws Error(ReadError) when it cannot
  /// be opened, and when a message that can be read only once is opened again.
  [[nodiscard]] std::unique_ptr<MessageSource> open() const { return opener_->open(); }
  [[nodiscard]] bool can_reopen() const noexcept { return opener_->can_reopen(); }
  [[nodiscard]] const std::string& name() const noexcept { return opener_->name(); }

  /// This origin read through `filter`, which makes a source of each fresh reading (the
  /// lone-dot cut, long lines broken): opened again when this one can be, and so named.
  [[nodiscard]] MessageOrigin filtered(
      std::function<std::unique_ptr<MessageSource>(std::unique_ptr<MessageSource>)> filter) const;

  /// This origin when it can be opened again. Otherwise (standard input) its one reading
  /// copied to an unlinked temporary file in $TMPDIR (or /tmp), never into memory: every
  /// open() then reads that copy from its start. For callers that send one message more than
  /// once (--mx: every domain, every fallback host); a single send streams the input as it
  /// comes. Throws Error(ReadError) when the message cannot be read or the copy written.
  [[nodiscard]] MessageOrigin rereadable() const;

 private:
  std::shared_ptr<const MessageOpener> opener_;
};

}  // namespace smtpc
