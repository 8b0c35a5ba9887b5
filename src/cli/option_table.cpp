// The CLI11 option table described as OptionDoc: names, value and help from the registered
// options, category and value name from kMeta. Issue 12's table-driven parser will carry
// these fields itself and replace this file.
#include "option_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace smtpc::cli {
namespace {

struct Meta {
  std::string_view name;  // long name, or "url" for the positional argument
  std::string_view category;
  std::string_view value_name;
  bool common;
};

// clang-format off
constexpr Meta kMeta[] = {
    {"url", "connection", "URL", true},
    {"--url", "connection", "URL", false},
    {"--connect-timeout", "connection", "SECONDS", false},
    {"--max-time", "connection", "SECONDS", true},
    {"--resolve", "connection", "HOST:PORT:ADDRESS", false},
    {"--mail-from", "smtp", "ADDRESS", true},
    {"--mail-rcpt", "smtp", "ADDRESS", true},
    {"--mail-rcpt-allowfails", "smtp", "", false},
    {"--upload-file", "smtp", "FILE", true},
    {"--no-pipelining", "smtp", "", false},
    {"--no-chunking", "smtp", "", false},
    {"--crlf", "smtp", "", false},
    {"--ssl", "tls", "", false},
    {"--ssl-reqd", "tls", "", true},
    {"--insecure", "tls", "", false},
    {"--cacert", "tls", "FILE", false},
    {"--capath", "tls", "DIR", false},
    {"--cert", "tls", "FILE", false},
    {"--key", "tls", "FILE", false},
    {"--pass", "tls", "PHRASE", false},
    {"--tlsv1.2", "tls", "", false},
    {"--tlsv1.3", "tls", "", false},
    {"--tls-max", "tls", "VERSION", false},
    {"--ciphers", "tls", "LIST", false},
    {"--tls13-ciphers", "tls", "LIST", false},
    {"--pinnedpubkey", "tls", "HASHES", false},
    {"--user", "auth", "USER[:PASSWORD]", true},
    {"--password-file", "auth", "FILE", false},
    {"--netrc", "auth", "", false},
    {"--netrc-optional", "auth", "", false},
    {"--netrc-file", "auth", "FILE", false},
    {"--login-options", "auth", "OPTIONS", false},
    {"--sasl-authzid", "auth", "IDENTITY", false},
    {"--sasl-ir", "auth", "", false},
    {"--oauth2-bearer", "auth", "TOKEN", false},
    {"--mail-auth", "auth", "ADDRESS", false},
    {"--allow-plaintext-auth", "auth", "", false},
    {"--subject", "compose", "TEXT", true},
    {"--body", "compose", "TEXT|@FILE", true},
    {"--html", "compose", "TEXT|@FILE", false},
    {"--attach", "compose", "FILE", true},
    {"--header", "compose", "\"NAME: VALUE\"", false},
    {"--dump-message", "compose", "", false},
    {"--read-recipients", "compose", "", false},
    {"--no-auto-headers", "compose", "", false},
    {"--config", "config", "FILE", false},
    {"--account", "config", "NAME", false},
    {"--mx", "mx", "", false},
    {"--dns-servers", "mx", "ADDRESSES", false},
    {"--mx-port", "mx", "PORT", false},
    {"--queue", "queue", "", false},
    {"--queue-dir", "queue", "DIR", false},
    {"--queue-run", "queue", "", false},
    {"--queue-list", "queue", "", false},
    {"--force", "queue", "", false},
    {"--retry", "queue", "NUM", false},
    {"--retry-delay", "queue", "SECONDS", false},
    {"--retry-max-time", "queue", "SECONDS", false},
    {"--retry-connrefused", "queue", "", false},
    {"--retry-all-errors", "queue", "", false},
    {"--verbose", "output", "", true},
    {"--silent", "output", "", true},
    {"--show-error", "output", "", false},
    {"--output", "output", "FILE", false},
    {"--trace-ascii", "output", "FILE", false},
    {"--trace-time", "output", "", false},
    {"--include", "output", "", false},
    {"--help", "output", "CATEGORY", true},
    {"--version", "output", "", true},
};
// clang-format on

}  // namespace

void register_program_options(CLI::App& app, Options& options,
                              std::function<std::string()> version) {
  add_options(app, options);
  app.set_help_flag("-h,--help", "This help; --help all: every option; --help CATEGORY");
  app.set_version_flag("-V,--version", std::move(version),
                       "Show the version, protocols and features");
}

std::vector<OptionDoc> describe_options(const CLI::App& app) {
  std::vector<OptionDoc> docs;
  for (const CLI::Option* option : app.get_options()) {
    OptionDoc doc;
    const auto& longs = option->get_lnames();
    const auto& shorts = option->get_snames();
    if (!longs.empty()) doc.long_name = "--" + longs.front();
    if (!shorts.empty()) doc.short_name = "-" + shorts.front();
    doc.help = option->get_description();
    doc.takes_value = option->get_type_size() != 0 || doc.long_name == "--help";
    const std::string key = doc.long_name.empty() ? option->get_name() : doc.long_name;
    const auto* meta = std::find_if(std::begin(kMeta), std::end(kMeta),
                                    [&key](const Meta& m) { return m.name == key; });
    if (meta == std::end(kMeta)) {
      throw std::logic_error(fmt::format("option {} has no category in option_table.cpp", key));
    }
    doc.category = meta->category;
    doc.common = meta->common;
    if (doc.takes_value) doc.value_name = meta->value_name;
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace smtpc::cli
