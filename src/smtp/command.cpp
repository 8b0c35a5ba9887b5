// Command lines (RFC 5321 §4.1.1) and mailbox checks. No argument may hold CR or LF:
// a crafted address could otherwise smuggle further SMTP commands.
#include "smtpc/smtp/command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_keyword_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// The keyword of an esmtp-param word: what comes before its '='.
std::string_view keyword_of(std::string_view word) { return word.substr(0, word.find('=')); }

// The words of `text`, split at runs of blanks.
std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < text.size()) {
    while (start < text.size() && is_blank(text[start])) ++start;
    std::size_t end = start;
    while (end < text.size() && !is_blank(text[end])) ++end;
    if (end > start) words.push_back(text.substr(start, end - start));
    start = end;
  }
  return words;
}

// A MAIL or RCPT line. As curl 8.16, what the user wrote after the address comes right
// after the path; smtpc's own parameters follow, each left out when the user named its
// keyword (a parameter twice is a syntax error, RFC 5321 §4.1.2).
class ParameterLine {
 public:
  ParameterLine(std::string command, std::string_view written)
      : line_(std::move(command)), written_(written) {
    require_single_line(written_, "address parameters");
    if (!written_.empty()) line_.append(1, ' ').append(written_);
  }
  /// Appends `text` (" KEYWORD=value") unless the user wrote `keyword`.
  void add(std::string_view keyword, std::string_view text) {
    if (!names_parameter(written_, keyword)) line_ += text;
  }
  [[nodiscard]] std::string text() && { return std::move(line_); }

 private:
  std::string line_;
  std::string_view written_;
};

Command public_line(std::string line) {
  Command command;
  command.line = std::move(line);
  return command;
}

}  // namespace

void require_single_line(std::string_view text, std::string_view what) {
  // One pass over the bytes (find_first_of searches the set once per byte): every address
  // and command line comes through here, 100 000 recipients three times each.
  const bool breaks = std::any_of(text.begin(), text.end(),
                                  [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
  if (breaks) {
    throw Error(ExitCode::FailedInit,
                fmt::format("{} \"{}\" contains a line break or NUL byte", what, printable(text)));
  }
}

std::string normalize_mailbox(std::string_view address) {
  require_single_line(address, "address");
  std::string_view inner = address;
  const auto open = address.find('<');
  const auto close = address.rfind('>');
  if (open != std::string_view::npos || close != std::string_view::npos) {
    // Either "<addr>" or "Display Name <addr>": exactly one pair, '>' last.
    if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
        close + 1 != address.size() || address.find('<', open + 1) != std::string_view::npos ||
        address.find('>') != close) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("address \"{}\" has unbalanced angle brackets", address));
    }
    inner = address.substr(open + 1, close - open - 1);
  }
  // Surrounding blanks are never part of a mailbox.
  while (!inner.empty() && (inner.front() == ' ' || inner.front() == '\t')) inner.remove_prefix(1);
  while (!inner.empty() && (inner.back() == ' ' || inner.back() == '\t')) inner.remove_suffix(1);
  return std::string(inner);
}

WrittenAddress split_written_address(std::string_view written) {
  require_single_line(written, "address");
  const std::string_view text = trim(written);
  std::size_t end = text.size();
  if (const auto open = text.find('<'); open != std::string_view::npos) {
    // "<a@b> ...", "Name <a@b> ...": the address ends with the '>' that closes it. With no
    // blank after that '>' it is one malformed address, for normalize_mailbox to refuse.
    const auto close = text.find('>', open);
    if (close != std::string_view::npos && close + 1 < text.size() && is_blank(text[close + 1])) {
      end = close + 1;
    }
  } else {
    // "a@b ...": the first blank outside a quoted local part ("John Doe"@example.com).
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && quoted) {
        ++i;
      } else if (text[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && is_blank(text[i])) {
        end = i;
        break;
      }
    }
  }
  WrittenAddress result{text.substr(0, end), {}};
  std::vector<std::string_view> keywords;
  for (const std::string_view word : words_of(text.substr(end))) {
    const bool control = std::any_of(word.begin(), word.end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte < 32 || byte == 127;
    });
    if (control) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("the parameters after address \"{}\" contain a control character",
                              result.address));
    }
    const std::string_view keyword = keyword_of(word);
    const bool valid = !keyword.empty() && keyword.front() != '-' &&
                       std::all_of(keyword.begin(), keyword.end(), is_keyword_char) &&
                       (keyword.size() == word.size() || keyword.size() + 1 < word.size());
    if (!valid) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("address \"{}\": \"{}\" is not an ESMTP parameter (KEYWORD or "
                              "KEYWORD=value, RFC 5321 §4.1.2)",
                              trim(written), word));
    }
    for (const std::string_view seen : keywords) {
      if (equals_ignore_case(seen, keyword)) {
        throw Error(ExitCode::FailedInit, fmt::format("address \"{}\": parameter {} given twice",
                                                      trim(written), keyword));
      }
    }
    keywords.push_back(keyword);
    if (!result.parameters.empty()) result.parameters += ' ';
    result.parameters += word;
  }
  return result;
}

bool names_parameter(std::string_view parameters, std::string_view keyword) {
  const auto words = words_of(parameters);
  return std::any_of(words.begin(), words.end(), [&](std::string_view word) {
    return equals_ignore_case(keyword_of(word), keyword);
  });
}

std::string_view WrittenParameters::of(std::string_view forward_path) const {
  const auto found = forward_paths.find(forward_path);
  return found == forward_paths.end() ? std::string_view{} : std::string_view{found->second};
}

std::string xtext_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 33 || byte > 126 || c == '+' || c == '=') {
      out += fmt::format("+{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

Command ehlo_command(std::string_view domain) {
  require_single_line(domain, "EHLO name");
  return public_line(fmt::format("EHLO {}", domain));
}

Command helo_command(std::string_view domain) {
  require_single_line(domain, "HELO name");
  return public_line(fmt::format("HELO {}", domain));
}

Command mail_from_command(std::string_view reverse_path, const MailParameters& parameters) {
  require_single_line(reverse_path, "address");
  ParameterLine line(fmt::format("MAIL FROM:<{}>", reverse_path), parameters.written);
  if (parameters.size) line.add("SIZE", fmt::format(" SIZE={}", *parameters.size));
  if (parameters.binary_mime) {
    line.add("BODY", " BODY=BINARYMIME");
  } else if (parameters.eight_bit_mime) {
    line.add("BODY", " BODY=8BITMIME");
  }
  if (parameters.smtputf8) line.add("SMTPUTF8", " SMTPUTF8");
  if (parameters.auth) {
    require_single_line(*parameters.auth, "--mail-auth address");
    line.add("AUTH", fmt::format(" AUTH={}",
                                 parameters.auth->empty() ? "<>" : xtext_encode(*parameters.auth)));
  }
  if (parameters.dsn_ret) {
    require_single_line(*parameters.dsn_ret, "--dsn-return");
    line.add("RET", fmt::format(" RET={}", *parameters.dsn_ret));
  }
  if (parameters.dsn_envid) {
    line.add("ENVID", fmt::format(" ENVID={}", xtext_encode(*parameters.dsn_envid)));
  }
  return public_line(std::move(line).text());
}

Command rcpt_to_command(std::string_view forward_path, const RcptParameters& parameters) {
  require_single_line(forward_path, "address");
  // Appended, not formatted: one per recipient, 100 000 in one send.
  std::string text;
  text.reserve(forward_path.size() + 10 + parameters.written.size());
  text.append("RCPT TO:<").append(forward_path).append(1, '>');
  ParameterLine line(std::move(text), parameters.written);
  if (parameters.dsn_notify) {
    require_single_line(*parameters.dsn_notify, "--dsn-notify");
    line.add("NOTIFY", fmt::format(" NOTIFY={}", *parameters.dsn_notify));
  }
  // RFC 3461 §4.2: the address as the user gave it, "rfc822" type, as xtext.
  if (parameters.dsn_orcpt) {
    line.add("ORCPT", fmt::format(" ORCPT=rfc822;{}", xtext_encode(forward_path)));
  }
  return public_line(std::move(line).text());
}

Command vrfy_command(std::string_view mailbox, bool smtputf8) {
  require_single_line(mailbox, "address");
  return public_line(fmt::format("VRFY {}{}", mailbox, smtputf8 ? " SMTPUTF8" : ""));
}

Command custom_command(std::string_view verb, std::string_view argument, bool smtputf8) {
  require_single_line(verb, "-X request");
  require_single_line(argument, "address");
  if (argument.empty()) return public_line(std::string(verb));
  return public_line(fmt::format("{} {}{}", verb, argument, smtputf8 ? " SMTPUTF8" : ""));
}

Command bdat_command(std::size_t size, bool last) {
  return public_line(fmt::format("BDAT {}{}", size, last ? " LAST" : ""));
}

Command simple_command(std::string_view verb) { return public_line(std::string(verb)); }

}  // namespace smtpc
