// .netrc lookup (netrc(5)) following curl's lib/netrc.c: loose tokens, quoted values.
#include "smtpc/sys/netrc.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc {
namespace {

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

enum class Keyword { None, Machine, Default, Login, Password, Account, Macdef };

struct Token {
  std::string text;
  bool quoted = false;
};

// Splits .netrc contents into tokens. Where a keyword is expected, a token starting
// with '#' begins a comment; where a value is expected it is the value ("password
// #x"), as curl only drops whole comment lines.
class Lexer {
 public:
  explicit Lexer(std::string_view contents) : text_(contents) {}

  std::optional<Token> next(bool want_value) {
    while (true) {
      while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
      if (pos_ >= text_.size()) return std::nullopt;
      if (!want_value && text_[pos_] == '#') {
        skip_line();
        continue;
      }
      break;
    }
    if (text_[pos_] == '"') return quoted();
    Token token;
    while (pos_ < text_.size() && !is_space(text_[pos_])) token.text += text_[pos_++];
    return token;
  }

  // netrc(5): a macro definition runs to the next empty line.
  void skip_macro() {
    skip_line();
    while (pos_ < text_.size()) {
      const std::size_t end = text_.find('\n', pos_);
      const std::string_view line =
          text_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
      pos_ = end == std::string_view::npos ? text_.size() : end + 1;
      if (line.find_first_not_of('\r') == std::string_view::npos) return;
    }
  }

 private:
  void skip_line() {
    const std::size_t end = text_.find('\n', pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
  }

  Token quoted() {
    Token token;
    token.quoted = true;
    ++pos_;  // the opening quote
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return token;
      if (c == '\\' && pos_ < text_.size()) {
        c = text_[pos_++];
        if (c == 'n') {
          c = '\n';
        } else if (c == 'r') {
          c = '\r';
        } else if (c == 't') {
          c = '\t';
        }
      }
      token.text += c;
    }
    throw Error(ExitCode::ReadError, ".netrc syntax error: a quoted value is not terminated");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Keyword keyword_of(const Token& token) {
  if (token.quoted) return Keyword::None;
  static constexpr std::array<std::pair<std::string_view, Keyword>, 6> kKeywords{{
      {"machine", Keyword::Machine},
      {"default", Keyword::Default},
      {"login", Keyword::Login},
      {"password", Keyword::Password},
      {"account", Keyword::Account},
      {"macdef", Keyword::Macdef},
  }};
  for (const auto& [name, keyword] : kKeywords) {
    if (equals_ignore_case(token.text, name)) return keyword;
  }
  return Keyword::None;
}

// One "machine" or "default" entry while it is being read.
struct Entry {
  bool is_default = false;
  bool matches_host = false;
  NetrcEntry values;

  [[nodiscard]] bool usable(std::optional<std::string_view> login) const {
    if (!matches_host) return false;
    if (!login) return values.login.has_value() || values.password.has_value();
    if (!values.password) return false;
    return !values.login || *values.login == *login;  // no login: any user (curl)
  }
};

}  // namespace

std::optional<NetrcEntry> netrc_lookup(std::string_view contents, std::string_view host,
                                       std::optional<std::string_view> login) {
  Lexer lexer(contents);
  std::optional<Entry> entry;
  std::optional<NetrcEntry> default_match;

  // Returns the finished entry's values when it is a machine match.
  const auto finish_entry = [&]() -> std::optional<NetrcEntry> {
    if (!entry || !entry->usable(login)) return std::nullopt;
    if (!entry->is_default) return entry->values;
    if (!default_match) default_match = entry->values;
    return std::nullopt;
  };
  const auto read_value = [&]() -> std::optional<std::string> {
    auto token = lexer.next(/*want_value=*/true);
    if (!token) return std::nullopt;
    return std::move(token->text);
  };

  while (auto token = lexer.next(/*want_value=*/false)) {
    const Keyword keyword = keyword_of(*token);
    if (keyword == Keyword::Machine || keyword == Keyword::Default || keyword == Keyword::Macdef) {
      if (auto found = finish_entry()) return found;
      entry.reset();
    }
    switch (keyword) {
      case Keyword::Machine: {
        const auto name = read_value();
        entry = Entry{};
        entry->matches_host = name && equals_ignore_case(*name, host);
        break;
      }
      case Keyword::Default:
        entry = Entry{};
        entry->is_default = true;
        entry->matches_host = true;
        break;
      case Keyword::Login:
      case Keyword::Password: {
        auto value = read_value();
        if (entry && value) {
          (keyword == Keyword::Login ? entry->values.login : entry->values.password) =
              std::move(*value);
        }
        break;
      }
      case Keyword::Account:
        (void)read_value();
        break;
      case Keyword::Macdef:
        lexer.skip_macro();
        break;
      case Keyword::None:
        break;  // unknown tokens are skipped, as curl does
    }
  }
  if (auto found = finish_entry()) return found;
  return default_match;
}

std::optional<NetrcEntry> netrc_lookup_file(const std::string& path, std::string_view host,
                                            std::optional<std::string_view> login, bool optional) {
  // curl (lib/url.c) turns every .netrc failure except "no matching entry" into
  // CURLE_READ_ERROR (26) for --netrc, and ignores the file for --netrc-optional.
  try {
    const FileContent file = read_file(path);  // a directory is EISDIR
    if (!file.ok()) {
      throw Error(ExitCode::ReadError, fmt::format(".netrc error: cannot read \"{}\"", path));
    }
    return netrc_lookup(file.text, host, login);
  } catch (const Error&) {
    if (optional) return std::nullopt;
    throw;
  }
}

std::string default_netrc_path() {
  if (const char* netrc = std::getenv("NETRC"); netrc != nullptr && *netrc != '\0') {
    return netrc;
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.netrc";
  }
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* result = nullptr;
  if (getpwuid_r(geteuid(), &entry, buffer.data(), buffer.size(), &result) == 0 &&
      result != nullptr && result->pw_dir != nullptr) {
    return std::string(result->pw_dir) + "/.netrc";
  }
  return {};
}

}  // namespace smtpc
