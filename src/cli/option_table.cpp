// The option table (command_line.cpp) described as OptionDoc: the help category and the
// short-help flag are chosen here, names, value and help come from the table itself.
#include "option_table.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "command_line.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::cli {
namespace {

// The help category of an option (option_docs.hpp's kCategories), by name first, then by
// the table's category.
std::string_view category_of(const OptionDef& option) {
  struct ByName {
    std::string_view name;
    std::string_view category;
  };
  // One option a line.
  // clang-format off
  static constexpr std::array<ByName, 23> kByName{{
      {"url", "connection"},
      {"netrc", "auth"},
      {"netrc-file", "auth"},
      {"netrc-optional", "auth"},
      {"help", "output"},
      {"version", "output"},
      {"manual", "output"},
      {"header", "compose"},
      {"form", "compose"},
      {"form-string", "compose"},
      {"request", "smtp"},
      {"head", "smtp"},
      {"dns-servers", "mx"},
      {"config", "config"},
      {"disable", "config"},
      {"next", "connection"},
      {"fail", "output"},
      {"fail-with-body", "output"},
      {"fail-early", "output"},
      // curl files these under scp, ssh, ftp and misc: for smtpc they are TLS, SMTP, output.
      {"insecure", "tls"},
      {"key", "tls"},
      {"crlf", "smtp"},
      {"xattr", "output"},
  }};
  // clang-format on
  for (const auto& entry : kByName) {
    if (entry.name == option.long_name) return entry.category;
  }
  const std::string_view table = option.category;
  if (table == "verbose" || table == "output" || table == "curl") return "output";
  if (table == "smtpc") return "config";
  if (table == "connection" || table == "dns") return "connection";
  if (table == "upload") return "smtp";
  return table;  // smtp, tls, auth, compose, mx, proxy (ManPages.* checks each is listed)
}

bool is_common(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kCommon{
      "max-time", "mail-from", "mail-rcpt", "upload-file", "ssl-reqd", "user",    "subject",
      "body",     "attach",    "verbose",   "silent",      "help",     "version", "write-out"};
  return std::find(kCommon.begin(), kCommon.end(), name) != kCommon.end();
}

}  // namespace

std::vector<OptionDoc> describe_options() {
  std::vector<OptionDoc> docs;
  OptionDoc url;
  url.value_name = "URL";
  url.takes_value = true;
  url.help =
      "smtp://[user[:password]@]host[:port][/ehlo-name] or smtps://...; several: several "
      "transfers";
  url.category = "connection";
  url.common = true;
  docs.push_back(url);
  for (const auto& option : option_table()) {
    if (option.support != Support::Implemented && option.support != Support::Extension) continue;
    OptionDoc doc;
    doc.long_name = "--" + std::string(option.long_name);
    if (option.short_name != '\0') doc.short_name = std::string{'-', option.short_name};
    doc.takes_value = option.kind == ArgKind::Value || option.long_name == "help";
    if (doc.takes_value) {
      // curl's "<file name>" -> "FILE NAME"
      std::string_view value = option.value_name;
      if (value.starts_with('<') && value.ends_with('>')) value = value.substr(1, value.size() - 2);
      doc.value_name = option.long_name == "help" ? "CATEGORY" : ascii_upper(value);
    }
    doc.help = std::string(option.help);
    doc.category = std::string(category_of(option));
    doc.common = is_common(option.long_name);
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace smtpc::cli
