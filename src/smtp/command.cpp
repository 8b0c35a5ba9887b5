// Command lines (RFC 5321 §4.1.1) and mailbox checks. No argument may hold CR or LF:
// a crafted address could otherwise smuggle further SMTP commands.
#include "smtpc/smtp/command.hpp"

#include <fmt/format.h>

#include "smtpc/core/error.hpp"

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

Command public_line(std::string line) {
  Command command;
  command.line = std::move(line);
  return command;
}

}  // namespace

void require_single_line(std::string_view text, std::string_view what) {
  if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
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
  std::string line = fmt::format("MAIL FROM:<{}>", reverse_path);
  if (parameters.size) line += fmt::format(" SIZE={}", *parameters.size);
  if (parameters.binary_mime) {
    line += " BODY=BINARYMIME";
  } else if (parameters.eight_bit_mime) {
    line += " BODY=8BITMIME";
  }
  if (parameters.smtputf8) line += " SMTPUTF8";
  if (parameters.auth) {
    require_single_line(*parameters.auth, "--mail-auth address");
    line +=
        fmt::format(" AUTH={}", parameters.auth->empty() ? "<>" : xtext_encode(*parameters.auth));
  }
  if (parameters.dsn_ret) {
    require_single_line(*parameters.dsn_ret, "--dsn-return");
    line += fmt::format(" RET={}", *parameters.dsn_ret);
  }
  if (parameters.dsn_envid) line += fmt::format(" ENVID={}", xtext_encode(*parameters.dsn_envid));
  return public_line(std::move(line));
}

Command rcpt_to_command(std::string_view forward_path, const RcptParameters& parameters) {
  require_single_line(forward_path, "address");
  std::string line = fmt::format("RCPT TO:<{}>", forward_path);
  if (parameters.dsn_notify) {
    require_single_line(*parameters.dsn_notify, "--dsn-notify");
    line += fmt::format(" NOTIFY={}", *parameters.dsn_notify);
  }
  // RFC 3461 §4.2: the address as the user gave it, "rfc822" type, as xtext.
  if (parameters.dsn_orcpt) line += fmt::format(" ORCPT=rfc822;{}", xtext_encode(forward_path));
  return public_line(std::move(line));
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
