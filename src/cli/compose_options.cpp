// Composition and header-editing options, parsed into the compose layer's MessageRequest.
#include "compose_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>

#include "options.hpp"
#include "report.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/sys/file.hpp"
#include "smtpc/sys/host_name.hpp"

namespace smtpc::cli {
namespace {

// --body/--html: TEXT, @FILE or "-" (standard input).
TextInput text_argument(const std::string& value) {
  if (value == "-") return {TextInput::From::StandardInput, {}};
  if (value.starts_with('@')) return {TextInput::From::File, value.substr(1)};
  return {TextInput::From::Argument, value};
}

// sendmail mode's bare local names: the account's domain (else /etc/mailname, else the
// FQDN, asked only when a bare name is met) and its aliases file.
LocalNames local_names(const ComposeOptions& c) {
  AliasMap aliases;
  if (c.aliases) {
    const FileContent file = read_file(*c.aliases);
    if (!file.ok()) {
      throw Error(ExitCode::FailedInit, fmt::format("aliases: cannot read {}: {}", *c.aliases,
                                                    std::strerror(file.error)));
    }
    aliases = parse_aliases(file.text, *c.aliases);
  }
  std::function<std::string()> domain = local_mail_domain;
  if (c.domain) domain = [value = *c.domain] { return value; };
  return LocalNames(std::move(domain), std::move(aliases));
}

}  // namespace

Attachment parse_attach(std::string_view text) {
  Attachment attachment;
  std::string path;
  std::size_t pos = 0;
  bool first = true;
  while (pos <= text.size()) {
    auto semicolon = text.find(';', pos);
    if (semicolon == std::string_view::npos) semicolon = text.size();
    const std::string_view piece = text.substr(pos, semicolon - pos);
    if (!first && piece.starts_with("type=")) {
      attachment.content_type = std::string(piece.substr(5));
    } else if (!first && piece.starts_with("filename=")) {
      attachment.filename = std::string(piece.substr(9));
    } else if (attachment.content_type || attachment.filename) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("--attach \"{}\": expected FILE[;type=MIME][;filename=NAME]", text));
    } else {
      if (!first) path += ';';  // a ';' inside the file name
      path += piece;
    }
    first = false;
    pos = semicolon + 1;
  }
  if (path.empty() || (attachment.content_type && attachment.content_type->empty()) ||
      (attachment.filename && attachment.filename->empty())) {
    throw Error(ExitCode::FailedInit,
                fmt::format("--attach \"{}\": expected FILE[;type=MIME][;filename=NAME]", text));
  }
  if (attachment.content_type) require_single_line(*attachment.content_type, "--attach type");
  if (attachment.filename) require_single_line(*attachment.filename, "--attach filename");
  attachment.path = std::move(path);
  return attachment;
}

std::pair<std::string, std::string> parse_header_option(std::string_view text) {
  require_single_line(text, "-H");
  const auto colon = text.find(':');
  std::string_view name = colon == std::string_view::npos ? text : text.substr(0, colon);
  const bool valid = colon != std::string_view::npos && !name.empty() &&
                     std::all_of(name.begin(), name.end(), [](char ch) {
                       const auto u = static_cast<unsigned char>(ch);
                       return u > 32 && u < 127;
                     });
  if (!valid) {
    throw Error(ExitCode::FailedInit, fmt::format("-H \"{}\": expected 'Name: value'", text));
  }
  std::string_view value = text.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return {std::string(name), std::string(value)};
}

MessageRequest make_message_request(const Options& options) {
  const ComposeOptions& c = options.compose;
  MessageRequest request;
  if (options.upload_file) {
    if (options.upload_file->empty()) throw Error(ExitCode::FailedInit, "-T: empty file name");
    request.uploads.push_back(*options.upload_file);
  }
  for (const auto& file : options.more_upload_files) {
    if (file.empty()) throw Error(ExitCode::FailedInit, "-T: empty file name");
    if (file == "-") {
      throw Error(ExitCode::FailedInit, "-T -: standard input can only be the first message");
    }
    request.uploads.push_back(file);
  }
  request.subject = c.subject;
  if (c.body) request.text = text_argument(*c.body);
  if (c.html) request.html = text_argument(*c.html);
  for (const auto& attach : c.attach) request.attachments.push_back(parse_attach(attach));
  if (!c.form.empty()) {
    // As curl: the parts, and the -H lines as the message's own header fields, verbatim.
    std::vector<std::string> warnings;
    FormMessage form;
    form.parts = parse_form(c.form, warnings, read_header_file_from_disk());
    StderrNotices notices(!options.silent);
    for (const auto& warning : warnings) notices.warning(warning);
    form.headers = c.headers;
    request.form = std::move(form);
  } else {
    for (const auto& header : c.headers) request.headers.push_back(parse_header_option(header));
  }
  request.read_recipients = c.read_recipients;
  request.auto_headers = !c.no_auto_headers;
  request.sendmail = c.sendmail;
  request.stop_at_lone_dot = c.stop_at_lone_dot;
  request.full_name = c.full_name;
  if (c.sendmail) request.local_names = local_names(c);
  return request;
}

void write_message(const JobSpec& spec, std::FILE* out) {
  const std::unique_ptr<MessageSource> source =
      spec.messages.empty() ? MessageOrigin::standard_input().open() : spec.messages.front().open();
  std::vector<char> chunk(64 * 1024);
  while (const std::size_t n = source->read(chunk)) {
    if (std::fwrite(chunk.data(), 1, n, out) != n) {
      throw Error(ExitCode::WriteError, "failed writing the message");
    }
  }
  if (std::fflush(out) != 0) throw Error(ExitCode::WriteError, "failed writing the message");
}

}  // namespace smtpc::cli
