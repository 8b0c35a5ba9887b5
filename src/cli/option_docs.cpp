// --help, smtpc(1) and the bash, zsh and fish completions, rendered from the option table.
#include "option_docs.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace smtpc::cli {

namespace {

bool takes_file(const OptionDoc& option) {
  return option.value_name == "FILE" || option.value_name == "TEXT|@FILE";
}

// "-T, --upload-file FILE", "    --mail-from ADDRESS", "URL".
std::string synopsis(const OptionDoc& option) {
  if (option.long_name.empty()) return option.value_name;
  std::string text = option.short_name.empty() ? "    " : option.short_name + ", ";
  text += option.long_name;
  if (option.takes_value) text += " " + option.value_name;
  return text;
}

void append_options(std::string& out, const std::vector<OptionDoc>& options,
                    std::string_view category, bool common_only) {
  for (const auto& option : options) {
    if (common_only ? !option.common : option.category != category) continue;
    const std::string left = synopsis(option);
    if (left.size() <= 30) {
      out += fmt::format(" {:<30} {}\n", left, option.help);
    } else {
      out += fmt::format(" {}\n {:<30} {}\n", left, "", option.help);
    }
  }
}

constexpr std::string_view kExamples =
    "  {0} smtp://mail.example.com --mail-from me@example.com --mail-rcpt you@example.com "
    "-T mail.txt\n"
    "  {0} smtps://smtp.example.com -u me@example.com --mail-from me@example.com \\\n"
    "        --mail-rcpt ops@example.com --subject \"build failed\" --body @log.txt\n"
    "  echo \"disk full\" | {0} smtp://localhost --mail-from cron@host --mail-rcpt me@example.com "
    "--subject alert\n";

std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::vector<std::string> names(const OptionDoc& option) {
  std::vector<std::string> out;
  if (!option.short_name.empty()) out.push_back(option.short_name);
  if (!option.long_name.empty()) out.push_back(option.long_name);
  return out;
}

std::string category_names() {
  std::string out = "all";
  for (const auto& category : kCategories) out += fmt::format(" {}", category.name);
  return out;
}

}  // namespace

// man(7) text: backslashes escaped, a leading dot or quote neutralised.
std::string roff(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
  return out;
}

std::string render_help(const std::vector<OptionDoc>& options, std::string_view topic,
                        std::string_view program) {
  std::string out =
      fmt::format("Usage: {} [options...] smtp[s]://[user@]host[:port][/ehlo-name]\n", program);
  if (topic.empty()) {
    out += "Send mail over SMTP with curl's command line. The most used options:\n";
    append_options(out, options, "", true);
    out += "\nExamples:\n";
    out += fmt::format(fmt::runtime(kExamples), program);
    out += fmt::format(
        "\nMore: {0} --help all, or {0} --help CATEGORY, one of:\n  {1}\n"
        "Manual: man smtpc, man 5 smtpc.conf; documentation in /usr/share/doc/smtpc\n",
        program, category_names());
    return out;
  }
  bool found = false;
  for (const auto& category : kCategories) {
    if (topic != "all" && topic != category.name) continue;
    found = true;
    out += fmt::format("\n{} ({}):\n", category.title, category.name);
    append_options(out, options, category.name, false);
  }
  if (topic == "all" || topic == "sendmail") {
    found = true;
    out += fmt::format(
        "\nSendmail mode (sendmail):\n"
        " Called as sendmail (a link), or with --sendmail first, {} takes sendmail's\n"
        " command line: -t, -i/-oi, -f ADDRESS, -F NAME, -C FILE, -a ACCOUNT, RECIPIENT...\n"
        " See man smtpc, SENDMAIL MODE, and /usr/share/doc/smtpc/cron.md.\n",
        program);
  }
  return found ? out : std::string{};
}

std::string render_man(const std::vector<OptionDoc>& options, std::string_view version,
                       std::string_view date) {
  std::string out;
  out += "'\\\" t\n.\\\" Generated from smtpc's option table by smtpc-gendoc: do not edit.\n";
  out += fmt::format(".TH SMTPC 1 \"{}\" \"smtpc {}\" \"User Commands\"\n", date, version);
  out += ".SH NAME\nsmtpc \\- send mail over SMTP with curl's command line\n";
  out +=
      ".SH SYNOPSIS\n.B smtpc\n[\\fIoptions\\fR] \\fIURL\\fR\n.br\n"
      ".B smtpc \\-\\-mx\n[\\fIoptions\\fR] \\fB\\-\\-mail\\-rcpt\\fR \\fIADDRESS\\fR "
      "\\fB\\-T\\fR \\fIFILE\\fR\n.br\n"
      ".B sendmail\n[\\fB\\-t\\fR] [\\fB\\-i\\fR] [\\fB\\-f\\fR \\fIADDRESS\\fR] "
      "[\\fIRECIPIENT\\fR...]\n";
  out +=
      ".SH DESCRIPTION\n"
      "smtpc sends mail to an SMTP server with curl's options: a script that runs\n"
      ".B curl smtp://...\n"
      "keeps working with\n.BR \"smtpc smtp://...\" .\n"
      "The URL is\n.IR smtp://[user[:password]@]host[:port][/ehlo-name]\n"
      "or\n.IR smtps:// ;\n"
      "the message comes from\n.B \\-T\n"
      "(a file, or \\- for standard input) or is composed from\n.BR \\-\\-subject ,\n"
      ".BR \\-\\-body\nand\n.BR \\-\\-attach .\n"
      "TLS is verified by default and secrets never appear in traces.\n";
  out += ".SH OPTIONS\n";
  for (const auto& category : kCategories) {
    out += fmt::format(".SS {}\n", roff(category.title));
    for (const auto& option : options) {
      if (option.category != category.name) continue;
      out += ".TP\n";
      if (option.long_name.empty()) {
        out += fmt::format(".I {}\n", option.value_name);
      } else {
        std::string tag;
        if (!option.short_name.empty()) tag += fmt::format("\\fB{}\\fR, ", roff(option.short_name));
        tag += fmt::format("\\fB{}\\fR", roff(option.long_name));
        if (option.takes_value) tag += fmt::format(" \\fI{}\\fR", roff(option.value_name));
        out += tag + "\n";
      }
      out += roff(option.help) + (option.help.ends_with('.') ? "\n" : ".\n");
    }
  }
  out +=
      ".SH SENDMAIL MODE\n"
      "Called as\n.B sendmail\n"
      "(through a link), or with\n.B \\-\\-sendmail\n"
      "as its first argument, smtpc reads a message from standard input and takes\n"
      "sendmail's command line:\n.B \\-t\n"
      "(recipients from To, Cc and Bcc),\n.BR \\-i / \\-oi ,\n"
      ".B \\-f\n\\fIADDRESS\\fR,\n.B \\-F\n\\fINAME\\fR,\n.B \\-C\n\\fIFILE\\fR,\n.B \\-a\n"
      "\\fIACCOUNT\\fR and recipients. The relay comes from the config file (see\n"
      ".BR smtpc.conf (5)).\n"
      "The Debian package offers /usr/sbin/sendmail through update\\-alternatives only when\n"
      "asked; see /usr/share/doc/smtpc/cron.md.\n";
  out +=
      ".SH EXIT STATUS\n"
      "curl's codes: 0 sent; 2 bad usage; 3 bad URL; 6 host not found; 7 cannot connect;\n"
      "8 unexpected reply; 26 cannot read the message; 28 timed out; 35 TLS handshake failed;\n"
      "55 a command was refused; 60 certificate not verified; 64 STARTTLS required but not\n"
      "offered; 67 login refused. The full table is in\n"
      "/usr/share/doc/smtpc/exit\\-codes.md.\n";
  out +=
      ".SH ENVIRONMENT\n"
      ".TP\n.B SMTPC_PASSWORD\nThe password for\n.BR \\-u ,\n"
      "instead of the command line.\n"
      ".TP\n.B SMTPC_CONFIG\nThe config file to read.\n"
      ".TP\n.B NETRC\nThe netrc file for\n.BR \\-\\-netrc .\n";
  out +=
      ".SH FILES\n"
      ".TP\n.I ~/.config/smtpc/config\\fR, \\fI~/.smtpcrc\\fR, \\fI/etc/smtpc.conf\n"
      "Accounts; see\n.BR smtpc.conf (5).\n";
  out += ".SH EXAMPLES\n.nf\n";
  out += roff(fmt::format(fmt::runtime(kExamples), "smtpc"));
  out += ".fi\n";
  out += ".SH SEE ALSO\n.BR curl (1),\n.BR smtpc.conf (5),\n.BR sendmail (8)\n";
  return out;
}

std::string render_bash_completion(const std::vector<OptionDoc>& options) {
  std::string all;
  std::string file_options;
  std::string dir_options;
  std::string value_options;
  for (const auto& option : options) {
    for (const auto& name : names(option)) {
      all += (all.empty() ? "" : " ") + name;
      if (!option.takes_value || name == "--help") continue;
      std::string& list = takes_file(option)           ? file_options
                          : option.value_name == "DIR" ? dir_options
                                                       : value_options;
      list += (list.empty() ? "" : "|") + name;
    }
  }
  return fmt::format(
      "# bash completion for smtpc; generated from its option table by smtpc-gendoc.\n"
      "_smtpc()\n"
      "{{\n"
      "    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}\n"
      "    COMPREPLY=()\n"
      "    case $prev in\n"
      "        {0})\n"
      "            compopt -o filenames 2>/dev/null\n"
      "            COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "            return ;;\n"
      "        {1})\n"
      "            compopt -o filenames 2>/dev/null\n"
      "            COMPREPLY=($(compgen -d -- \"$cur\"))\n"
      "            return ;;\n"
      "        -h|--help)\n"
      "            COMPREPLY=($(compgen -W '{2}' -- \"$cur\"))\n"
      "            return ;;\n"
      "        --tls-max)\n"
      "            COMPREPLY=($(compgen -W '1.2 1.3' -- \"$cur\"))\n"
      "            return ;;\n"
      "        {3})\n"
      "            return ;;\n"
      "    esac\n"
      "    if [[ $cur == -* ]]; then\n"
      "        COMPREPLY=($(compgen -W '{4}' -- \"$cur\"))\n"
      "    else\n"
      "        COMPREPLY=($(compgen -W 'smtp:// smtps://' -- \"$cur\"))\n"
      "        [[ $cur == smtp* ]] && compopt -o nospace 2>/dev/null\n"
      "    fi\n"
      "}}\n"
      "complete -F _smtpc smtpc\n",
      file_options, dir_options, category_names(), value_options, all);
}

std::string render_zsh_completion(const std::vector<OptionDoc>& options) {
  std::string out =
      "#compdef smtpc\n# zsh completion for smtpc; generated from its option table by "
      "smtpc-gendoc.\n\n_arguments -s -S \\\n";
  auto escape = [](std::string_view text) {
    std::string escaped;
    for (const char c : text) {
      if (c == '[' || c == ']' || c == ':' || c == '\\') escaped += '\\';
      escaped += c;
    }
    return escaped;
  };
  for (const auto& option : options) {
    if (option.long_name.empty()) continue;
    for (const auto& name : names(option)) {
      std::string spec = fmt::format("*{}[{}]", name, escape(option.help));
      if (option.takes_value) {
        const std::string action = takes_file(option)           ? "_files"
                                   : option.value_name == "DIR" ? "_files -/"
                                   : name == "--help" || name == "-h"
                                       ? fmt::format("({})", category_names())
                                       : " ";
        spec += fmt::format(":{}:{}", escape(option.value_name), action);
      }
      out += fmt::format("  {} \\\n", single_quoted(spec));
    }
  }
  out += "  '*:URL:(smtp\\:// smtps\\://)'\n";
  return out;
}

std::string render_fish_completion(const std::vector<OptionDoc>& options) {
  std::string out =
      "# fish completion for smtpc; generated from its option table by smtpc-gendoc.\n";
  out += "complete -c smtpc -f\n";
  for (const auto& option : options) {
    if (option.long_name.empty()) continue;
    std::string line = "complete -c smtpc";
    if (!option.short_name.empty()) line += " -s " + option.short_name.substr(1);
    line += " -l " + option.long_name.substr(2);
    if (option.takes_value) {
      if (option.long_name == "--help") {
        line += fmt::format(" -x -a {}", single_quoted(category_names()));
      } else if (takes_file(option) || option.value_name == "DIR") {
        line += " -r -F";
      } else {
        line += " -x";
      }
    }
    line += " -d " + single_quoted(option.help);
    out += line + "\n";
  }
  return out;
}

}  // namespace smtpc::cli
