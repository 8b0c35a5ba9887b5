// The account file's keys, and smtpc.conf(5) made from them.
#include "config_keys.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "command_line.hpp"
#include "option_docs.hpp"

namespace smtpc::cli {
namespace {

using K = KeyValue;

// clang-format off
constexpr ConfigKey kKeys[] = {
    {"url", "", K::Text, "The server: \\fIsmtp://host[:port][/ehlo-name]\\fR or \\fIsmtps://...\\fR, used when the command line gives no URL."},
    {"from", "mail-from", K::Text, "The envelope sender (\\fB--mail-from\\fR), and the From header of composed mail."},
    {"user", "", K::Text, "The login name (\\fB-u\\fR)."},
    {"password", "", K::Text, "The password. A file holding one must not be readable by group or others: smtpc refuses it otherwise (exit code 2)."},
    {"password-file", "password-file", K::Text, ""},
    {"password-command", "", K::Text, "A command whose output is the password, e.g. \\fIpass show mail/example\\fR."},
    {"netrc", "", K::YesNoOptional, "Take the login from ~/.netrc: \\fByes\\fR (\\fB--netrc\\fR), \\fBoptional\\fR (\\fB--netrc-optional\\fR) or \\fBno\\fR."},
    {"netrc-file", "netrc-file", K::Text, ""},
    {"ssl", "ssl", K::YesNo, ""},
    {"ssl-reqd", "ssl-reqd", K::YesNo, ""},
    {"insecure", "insecure", K::YesNo, ""},
    {"allow-plaintext-auth", "allow-plaintext-auth", K::YesNo, ""},
    {"cacert", "cacert", K::Text, ""},
    {"capath", "capath", K::Text, ""},
    {"cert", "cert", K::Text, "The client certificate file (\\fB--cert\\fR, without a pass phrase)."},
    {"key", "key", K::Text, ""},
    {"tls-max", "tls-max", K::Text, ""},
    {"pinnedpubkey", "pinnedpubkey", K::Text, ""},
    {"login-options", "login-options", K::Text, ""},
    {"sasl-authzid", "sasl-authzid", K::Text, ""},
    {"queue-dir", "queue-dir", K::AbsolutePath, "The queue directory (an absolute path), as \\fB--queue-dir\\fR; sendmail mode uses it too."},
    {"domain", "", K::Domain, "Sendmail mode: the domain that bare local names (\"root\") get, in the envelope and in the address fields (default: /etc/mailname, else the fully qualified host name)."},
    {"aliases", "", K::AbsolutePath, "Sendmail mode: an aliases file (absolute path) in msmtp's format, \"name: address, ...\", with \"default\" for every other local name; applied to local recipients."},
    {"dkim-key", "dkim-key", K::Text, "A DKIM private key that signs the account's mail (\\fB--dkim-key\\fR), unless the command line names keys of its own."},
    {"dkim-selector", "dkim-selector", K::Text, "The selector of \\fBdkim-key\\fR (\\fB--dkim-selector\\fR)."},
    {"dkim-domain", "dkim-domain", K::Text, "The domain to sign for (\\fB--dkim-domain\\fR; default: the From domain)."},
};
// clang-format on

std::optional<bool> yes_no(std::string_view value) {
  for (const auto yes : {"yes", "on", "true", "1"}) {
    if (value == yes) return true;
  }
  for (const auto no : {"no", "off", "false", "0"}) {
    if (value == no) return false;
  }
  return std::nullopt;
}

// A key's entry in KEYS: its own text, or "As --OPTION: the option's help".
std::string key_entry(const ConfigKey& key) {
  std::string help;
  if (!key.help.empty()) {
    // The table writes options as \fB--name\fR: roff's minus signs.
    for (const char c : key.help) help += c == '-' ? std::string("\\-") : std::string(1, c);
  } else {
    const OptionDef* option = find_long_option(key.option);
    const std::string text = option != nullptr ? std::string(option->help) : std::string();
    help = fmt::format("As \\fB{}\\fR. {}.", roff("--" + std::string(key.option)), roff(text));
  }
  const char* kind = key.value == K::YesNo ? " (yes or no)" : "";
  return fmt::format(".TP\n.B {}\n{}{}\n", roff(key.name), help, kind);
}

constexpr std::string_view kDescription =
    ".SH DESCRIPTION\n"
    ".BR smtpc (1)\n"
    "reads an account file when it is given\n.B \\-\\-account\\-file\n"
    "\\fIFILE\\fR (sendmail mode:\n.B \\-C\n\\fIFILE\\fR) or\n.B \\-a\n"
    "\\fINAME\\fR, when no URL is given, and in sendmail mode. Without\n"
    ".BR \\-\\-account\\-file ,\nit takes the first of these that exists:\n"
    ".BR $SMTPC_CONFIG ,\n.IR $XDG_CONFIG_HOME/smtpc/config\n(else\n"
    ".IR ~/.config/smtpc/config ),\n.IR ~/.smtpcrc ,\n.IR /etc/smtpc.conf .\n"
    ".PP\nThis is not the file of curl's\n.B \\-K\n(\\fB\\-\\-config\\fR), which holds "
    "command-line options.\n"
    ".PP\nThe file holds named accounts. A line\n.BI [ name ]\nstarts an account; the lines "
    "after it are\n.IB key \" = \" value\npairs (a value may be double-quoted to keep "
    "blanks). Blank lines and lines starting with\n.B #\nor\n.B ;\nare ignored. Without\n"
    ".BR \\-a ,\nthe account\n.B [default]\nis used. Command-line options override the "
    "account's settings.\n"
    ".PP\nThe file, and a file holding a password above all, must be the user's (or root's) "
    "and writable by no one else: smtpc refuses it otherwise (exit code 2).\n";

constexpr std::string_view kExample =
    ".SH EXAMPLE\n.nf\n"
    "# /etc/smtpc.conf \\- readable by everyone, so no password in it\n"
    "[default]\nurl = smtp://relay.example.com:25\nfrom = cron@host.example.com\n\n"
    "# ~/.config/smtpc/config (chmod 600)\n[work]\nurl = smtps://smtp.example.com\n"
    "user = me@example.com\npassword\\-command = pass show mail/example\n"
    "from = me@example.com\n.fi\n"
    ".SH SEE ALSO\n.BR smtpc (1)\n";

}  // namespace

std::span<const ConfigKey> config_keys() { return kKeys; }

const ConfigKey* find_config_key(std::string_view name) {
  const auto* found = std::find_if(std::begin(kKeys), std::end(kKeys),
                                   [name](const ConfigKey& key) { return key.name == name; });
  return found == std::end(kKeys) ? nullptr : found;
}

std::string config_value_problem(const ConfigKey& key, std::string_view value) {
  switch (key.value) {
    case K::Text:
      return {};
    case K::YesNo:
      if (yes_no(value)) return {};
      return fmt::format("expected yes or no, got \"{}\"", value);
    case K::YesNoOptional:
      if (yes_no(value) || value == "optional") return {};
      return fmt::format("expected yes, no or optional, got \"{}\"", value);
    case K::AbsolutePath:
      if (value.starts_with("/")) return {};
      return fmt::format("expected an absolute path, got \"{}\"", value);
    case K::Domain:
      if (!value.empty() && value.find_first_of(" \t<>@,;\"()[]") == std::string_view::npos) {
        return {};
      }
      return fmt::format("expected a domain name, got \"{}\"", value);
  }
  return {};
}

std::string render_config_man(std::string_view version, std::string_view date) {
  std::string out =
      "'\\\" t\n.\\\" Generated from smtpc's account keys (src/cli/config_keys.cpp) by "
      "smtpc-gendoc: do not edit.\n";
  out += fmt::format(".TH SMTPC.CONF 5 \"{}\" \"smtpc {}\" \"File Formats\"\n", date, version);
  out +=
      ".SH NAME\nsmtpc.conf \\- accounts for smtpc and its sendmail mode\n"
      ".SH SYNOPSIS\n.I ~/.config/smtpc/config\n(or\n.IR $XDG_CONFIG_HOME/smtpc/config ),\n"
      ".IR ~/.smtpcrc ,\n.I /etc/smtpc.conf\n";
  out += kDescription;
  out += ".SH KEYS\n";
  for (const ConfigKey& key : kKeys) out += key_entry(key);
  out += kExample;
  return out;
}

}  // namespace smtpc::cli
