// An RFC 5322 §3.4 address-list parser over a small tokenizer (§3.2: CFWS, quoted-string,
// domain-literal), with the §4.4 obsolete syntax that real mail still carries.
#include "smtpc/compose/address_list.hpp"

#include <fmt/format.h>

#include "smtpc/compose/mime.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc {
namespace {

enum class Kind { Atom, Quoted, DomainLiteral, Special, End };

struct Token {
  Kind kind = Kind::End;
  std::string text;  // atom text, quoted content (unescaped), literal, or the special
  bool space_before = false;
};

[[noreturn]] void fail(std::string_view text, std::string_view what) {
  throw Error(ExitCode::FailedInit, fmt::format("address list \"{}\": {}", text, what));
}

bool is_special(char c) noexcept {
  return std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos;
}
bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  bool space = false;
  while (i < text.size()) {
    const char c = text[i];
    if (is_blank(c)) {
      space = true;
      ++i;
    } else if (c == '(') {  // comment, nested, with quoted-pairs (§3.2.2)
      int depth = 0;
      do {
        if (i >= text.size()) fail(text, "unterminated comment");
        if (text[i] == '\\') {
          ++i;
        } else if (text[i] == '(') {
          ++depth;
        } else if (text[i] == ')') {
          --depth;
        }
        ++i;
      } while (depth > 0);
      space = true;
    } else if (c == '"') {
      Token token{Kind::Quoted, "", space};
      ++i;
      while (true) {
        if (i >= text.size()) fail(text, "unterminated quoted string");
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        if (text[i] != '\r' && text[i] != '\n') token.text += text[i];  // unfold
        ++i;
      }
      ++i;
      tokens.push_back(std::move(token));
      space = false;
    } else if (c == '[') {
      const auto close = text.find(']', i);
      if (close == std::string_view::npos) fail(text, "unterminated domain literal");
      tokens.push_back(
          Token{Kind::DomainLiteral, std::string(text.substr(i, close - i + 1)), space});
      i = close + 1;
      space = false;
    } else if (is_special(c)) {
      if (c == ')') fail(text, "unbalanced ')'");
      tokens.push_back(Token{Kind::Special, std::string(1, c), space});
      ++i;
      space = false;
    } else {
      Token token{Kind::Atom, "", space};
      while (i < text.size() && !is_blank(text[i]) && !is_special(text[i])) token.text += text[i++];
      tokens.push_back(std::move(token));
      space = false;
    }
  }
  tokens.push_back(Token{Kind::End, "", space});
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), tokens_(tokenize(text)) {}

  std::vector<Mailbox> address_list() {
    std::vector<Mailbox> out;
    while (peek().kind != Kind::End) {
      if (is(",")) {  // obs-addr-list: empty elements
        ++pos_;
        continue;
      }
      address(out);
      if (peek().kind == Kind::End) break;
      if (!is(",")) fail(text_, fmt::format("unexpected \"{}\"", peek().text));
      ++pos_;
    }
    return out;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool is(std::string_view special, std::size_t ahead = 0) const {
    return peek(ahead).kind == Kind::Special && peek(ahead).text == special;
  }
  bool is_word(std::size_t ahead = 0) const {
    return peek(ahead).kind == Kind::Atom || peek(ahead).kind == Kind::Quoted;
  }

  // phrase = 1*word / obs-phrase (words and dots); the decoded display name.
  std::string phrase() {
    std::string out;
    while (is_word() || (is(".") && !out.empty())) {
      const Token& token = tokens_[pos_++];
      if (!out.empty() && token.space_before) out += ' ';
      out += token.text;
    }
    return out;
  }

  void address(std::vector<Mailbox>& out) {
    // Look ahead past the words to see what follows: '<' name-addr, ':' group, '@' or
    // '.' an addr-spec, anything else a bare local part.
    std::size_t ahead = 0;
    while (is_word(ahead) || is(".", ahead)) ++ahead;
    if (is(":", ahead)) {
      group(out);
    } else {
      out.push_back(mailbox());
    }
  }

  void group(std::vector<Mailbox>& out) {
    const std::string name = phrase();
    ++pos_;  // ':'
    while (!is(";")) {
      if (peek().kind == Kind::End) {
        // Some mailers leave out the final ';'; accept the group as ending here.
        return;
      }
      if (is(",")) {
        ++pos_;
        continue;
      }
      Mailbox member = mailbox();
      member.group = name;
      out.push_back(std::move(member));
    }
    ++pos_;  // ';'
  }

  Mailbox mailbox() {
    std::size_t ahead = 0;
    while (is_word(ahead) || is(".", ahead)) ++ahead;
    Mailbox result;
    if (is("<", ahead)) {
      result.display_name = phrase();
      ++pos_;  // '<'
      obs_route();
      result.address = addr_spec();
      if (!is(">")) fail(text_, "missing '>'");
      ++pos_;
      return result;
    }
    result.address = addr_spec();
    return result;
  }

  // obs-route = obs-domain-list ":" ; dropped (RFC 5321 §C: relays ignore it).
  void obs_route() {
    if (!is("@") && !is(",")) return;
    while (is("@") || is(",")) {
      ++pos_;
      if (peek().kind == Kind::Atom || peek().kind == Kind::DomainLiteral) domain();
    }
    if (!is(":")) fail(text_, "bad route in angle address");
    ++pos_;
  }

  std::string addr_spec() {
    std::string local;
    while (is_word() || is(".")) {
      const Token& token = tokens_[pos_++];
      if (token.kind == Kind::Quoted) {
        local += quote_local(token.text);
      } else {
        local += token.text;
      }
    }
    if (local.empty()) fail(text_, "missing local part");
    if (!is("@")) return local;  // a bare local part, e.g. "root"
    ++pos_;
    return local + "@" + domain();
  }

  std::string domain() {
    if (peek().kind == Kind::DomainLiteral) return tokens_[pos_++].text;
    std::string out;
    while (peek().kind == Kind::Atom || is(".")) out += tokens_[pos_++].text;
    if (out.empty() || out.front() == '.' || out.back() == '.') fail(text_, "missing domain");
    return out;
  }

  // A quoted local part keeps its quotes unless it is a plain dot-atom.
  static std::string quote_local(const std::string& content) {
    bool plain = !content.empty();
    for (const char c : content) plain = plain && !is_special(c) && !is_blank(c);
    if (plain) return content;
    return mime::quoted_string(content);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Mailbox> parse_address_list(std::string_view text) {
  return Parser(text).address_list();
}

std::string format_mailbox(const Mailbox& mailbox) {
  if (mailbox.display_name.empty()) return mailbox.address;
  return mime::phrase(mailbox.display_name) + " <" + mailbox.address + ">";
}

std::string format_address_list(const std::vector<Mailbox>& mailboxes, std::size_t name_length) {
  if (mailboxes.empty()) return "undisclosed-recipients:;";
  std::string out;
  std::size_t line = name_length + 2;
  const std::optional<std::string>* open_group = nullptr;
  auto append = [&](const std::string& piece, bool separator) {
    if (separator) {
      out += ',';
      ++line;
    }
    if (!out.empty() && line + 1 + piece.size() > 78) {
      out += "\r\n";
      line = 0;
    }
    if (!out.empty()) {
      out += ' ';
      ++line;
    }
    out += piece;
    const auto newline = piece.rfind('\n');
    line = newline == std::string::npos ? line + piece.size() : piece.size() - newline - 1;
  };
  for (std::size_t i = 0; i < mailboxes.size(); ++i) {
    const Mailbox& mailbox = mailboxes[i];
    std::string piece = format_mailbox(mailbox);
    bool separator = i > 0;
    if (open_group != nullptr && *open_group != mailbox.group) {
      out += ';';
      open_group = nullptr;
    }
    if (mailbox.group && open_group == nullptr) {
      piece = mime::phrase(*mailbox.group) + ": " + piece;
      open_group = &mailbox.group;
    } else if (mailbox.group) {
      separator = true;
    }
    append(piece, separator);
  }
  if (open_group != nullptr) out += ';';
  return out;
}

}  // namespace smtpc
