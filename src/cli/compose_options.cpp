// Composition and header-editing options -> the job's MessageSource (issue 5).
#include "compose_options.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "options.hpp"
#include "smtpc/compose/address_list.hpp"
#include "smtpc/compose/mime.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/smtp/command.hpp"

namespace smtpc::cli {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return equal_ignoring_case(name, n); });
}

bool is_address_field(std::string_view name) {
  return is_one_of(name, {"From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Resent-From",
                          "Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Sender"});
}

// The whole content of `path` ("-" is standard input), for bodies.
std::string read_text(const std::string& path, std::string_view option) {
  BodySource source(path);
  std::string text;
  std::vector<char> chunk(64 * 1024);
  try {
    while (const std::size_t n = source.read(chunk)) text.append(chunk.data(), n);
  } catch (const Error& error) {
    throw Error(ExitCode::ReadError, fmt::format("{}: {}", option, error.what()));
  }
  return text;
}

// --body/--html: TEXT, @FILE or "-" (standard input, --body only).
std::string body_argument(const std::string& value, std::string_view option) {
  if (value == "-") return read_text("-", option);
  if (value.starts_with('@')) return read_text(value.substr(1), option);
  return value;
}

// "Name: value\r\n" for a header field given by the user or generated.
std::string field_text(const std::string& name, const std::string& value) {
  if (is_address_field(name)) {
    const auto mailboxes = parse_address_list(value);
    return fmt::format("{}: {}\r\n", name, format_address_list(mailboxes, name.size()));
  }
  return mime::unstructured_field(name, value);
}

// The login name, for a sender address when nothing else names one.
std::string login_name() {
  if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_name != nullptr) {
    return entry->pw_name;
  }
  return "root";
}

void add_recipients(std::vector<std::string>& paths, const std::vector<std::string>& more) {
  for (const auto& address : more) {
    std::string mailbox = normalize_mailbox(address);
    const bool seen = std::any_of(paths.begin(), paths.end(), [&](const std::string& path) {
      return equal_ignoring_case(path, mailbox);
    });
    if (!seen && !mailbox.empty()) paths.push_back(std::move(mailbox));
  }
}

std::string domain_for_ids(std::string_view sender) {
  const std::string_view domain = domain_of(sender);
  return domain.empty() || domain.front() == '[' ? local_host_name() : std::string(domain);
}

void require_recipients(const Options& options, const JobSpec& spec) {
  if (spec.session.forward_paths.empty() && !options.compose.dump_message) {
    throw Error(ExitCode::FailedInit,
                options.compose.read_recipients
                    ? "no recipients: the message has no To, Cc or Bcc and no --mail-rcpt was given"
                    : "no recipients: give --mail-rcpt (or -t to take them from the headers)");
  }
}

// Composition: --subject/--body/--html/--attach/-H without -T.
void compose(const Options& options, JobSpec& spec) {
  const ComposeOptions& c = options.compose;
  MessageDraft draft;
  if (c.body) draft.text = body_argument(*c.body, "--body");
  if (c.html) {
    if (*c.html == "-") throw Error(ExitCode::FailedInit, "--html: give TEXT or @FILE");
    draft.html = body_argument(*c.html, "--html");
  }
  if (!draft.text && !draft.html) {
    // "echo text | smtpc ... --subject x": the body is standard input unless it is a terminal.
    draft.text = ::isatty(STDIN_FILENO) != 0 ? std::string() : read_text("-", "standard input");
  }
  for (const auto& attach : c.attach) draft.attachments.push_back(parse_attach(attach));

  // The fields, in the usual order; -H replaces a generated field of the same name.
  std::vector<std::pair<std::string, std::string>> user;
  for (const auto& header : c.headers) user.push_back(parse_header_option(header));
  for (const auto& [name, value] : user) {
    if (is_one_of(name, {"MIME-Version", "Content-Type", "Content-Transfer-Encoding"})) {
      throw Error(
          ExitCode::FailedInit,
          fmt::format("-H {}: smtpc writes the MIME fields of a composed message itself", name));
    }
  }
  auto user_value = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& [n, v] : user) {
      if (equal_ignoring_case(n, name)) return v;
    }
    return std::nullopt;
  };

  std::string from = user_value("From").value_or("");
  if (from.empty() && options.mail_from && !options.mail_from->empty()) {
    Mailbox mailbox{c.full_name.value_or(""), normalize_mailbox(*options.mail_from), {}};
    from = format_mailbox(mailbox);
  }
  if (from.empty()) {
    throw Error(ExitCode::FailedInit,
                "a composed message needs a sender: give --mail-from or -H 'From: ...'");
  }
  const auto from_mailboxes = parse_address_list(from);
  if (from_mailboxes.empty()) throw Error(ExitCode::FailedInit, "-H From: no address");

  // Recipients named in -H To/Cc are shown there; the other --mail-rcpt go in To unless
  // -H To is given, in which case they are Bcc recipients: hidden.
  std::string to;
  if (auto given = user_value("To")) {
    to = *given;
  } else {
    std::vector<Mailbox> shown;
    std::vector<std::string> in_cc;
    if (auto cc = user_value("Cc")) {
      for (auto& m : parse_address_list(*cc)) in_cc.push_back(std::move(m.address));
    }
    for (const auto& rcpt : options.mail_rcpt) {
      const std::string address = normalize_mailbox(rcpt);
      const bool listed = std::any_of(in_cc.begin(), in_cc.end(), [&](const std::string& a) {
        return equal_ignoring_case(a, address);
      });
      if (!listed) shown.push_back(Mailbox{"", address, {}});
    }
    to = format_address_list(shown, 2);
  }

  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("Date", user_value("Date").value_or(current_date()));
  fields.emplace_back("From", from);
  fields.emplace_back("To", to);
  if (auto cc = user_value("Cc")) fields.emplace_back("Cc", *cc);
  if (c.subject || user_value("Subject")) {
    fields.emplace_back("Subject", user_value("Subject").value_or(c.subject.value_or("")));
  }
  fields.emplace_back(
      "Message-ID",
      user_value("Message-ID").value_or(new_message_id(domain_for_ids(from_mailboxes[0].address))));
  for (const auto& [name, value] : user) {
    if (!is_one_of(name, {"Date", "From", "To", "Cc", "Subject", "Message-ID"})) {
      fields.emplace_back(name, value);
    }
  }

  std::vector<HeaderField> header;  // for -t: recipients from what was composed
  for (const auto& [name, value] : fields) header.push_back({name, field_text(name, value)});
  if (c.read_recipients) add_recipients(spec.session.forward_paths, header_recipients(header));
  remove_bcc(header);
  for (const auto& field : header) draft.header_fields.push_back(field.raw);

  if (!options.mail_from) spec.session.reverse_path = from_mailboxes[0].address;
  require_recipients(options, spec);
  spec.session.mode = SessionMode::SendMail;
  spec.upload_path.reset();
  spec.open_message = [draft = std::move(draft)]() -> std::unique_ptr<MessageSource> {
    return std::make_unique<ComposedMessage>(draft, new_boundary());
  };
}

// Editing: -T with -H, -t, or sendmail mode: read the header section now, edit it.
void edit_upload(const Options& options, JobSpec& spec) {
  const ComposeOptions& c = options.compose;
  std::unique_ptr<MessageSource> source =
      std::make_unique<BodySource>(options.upload_file.value_or("-"));
  if (c.stop_at_lone_dot) source = std::make_unique<DotTerminatedSource>(std::move(source));
  auto upload = std::make_shared<std::unique_ptr<EditedUpload>>(
      std::make_unique<EditedUpload>(std::move(source)));
  std::vector<HeaderField>& fields = (*upload)->fields();

  for (const auto& header : c.headers) {
    const auto [name, value] = parse_header_option(header);
    remove_fields(fields, {name});
    fields.push_back({name, field_text(name, value)});
  }
  if (c.read_recipients) add_recipients(spec.session.forward_paths, header_recipients(fields));
  remove_bcc(fields);

  std::optional<std::string> header_from = from_address(fields);
  if (!options.mail_from) {
    if (header_from && (c.read_recipients || c.sendmail)) {
      spec.session.reverse_path = normalize_mailbox(*header_from);
    } else if (c.sendmail) {
      spec.session.reverse_path = login_name() + "@" + local_host_name();
    }
  }
  if (c.sendmail && !has_field(fields, "From")) {
    const Mailbox sender{c.full_name.value_or(""), spec.session.reverse_path, {}};
    fields.insert(fields.begin(), {"From", fmt::format("From: {}\r\n", format_mailbox(sender))});
    header_from = spec.session.reverse_path;
  }
  if ((c.read_recipients || c.sendmail) && !c.no_auto_headers) {
    // msmtp does the same: a message without them is often refused as spam.
    if (!has_field(fields, "Date")) {
      fields.push_back({"Date", fmt::format("Date: {}\r\n", current_date())});
    }
    if (!has_field(fields, "Message-ID")) {
      const std::string id =
          new_message_id(domain_for_ids(header_from.value_or(spec.session.reverse_path)));
      fields.push_back({"Message-ID", fmt::format("Message-ID: {}\r\n", id)});
    }
  }

  require_recipients(options, spec);
  spec.session.mode = SessionMode::SendMail;
  spec.upload_path.reset();
  spec.open_message = [upload]() -> std::unique_ptr<MessageSource> {
    if (!*upload) throw Error(ExitCode::ReadError, "the upload can only be sent once");
    return std::move(*upload);
  };
}

}  // namespace

void add_compose_options(CLI::App& app, ComposeOptions& options) {
  app.add_option("--subject", options.subject, "Compose a message with this subject");
  app.add_option("--body", options.body,
                 "Body of the composed message: TEXT, @FILE or - (standard input)");
  app.add_option("--html", options.html, "HTML body: TEXT or @FILE (with --body: alternatives)");
  app.add_option("--attach", options.attach, "Attach FILE[;type=MIME][;filename=NAME]; repeatable")
      ->allow_extra_args(false);
  app.add_option("-H,--header", options.headers,
                 "Add header 'Name: value' to the composed or uploaded message; repeatable")
      ->allow_extra_args(false);
  app.add_flag("--dump-message", options.dump_message,
               "Write the message to standard output instead of sending it");
  app.add_flag("-t,--read-recipients", options.read_recipients,
               "Take recipients from the message's To, Cc and Bcc; Bcc is removed");
  app.add_flag("--no-auto-headers", options.no_auto_headers,
               "With -t, do not add Date and Message-ID when missing");
  app.add_option("--config", options.config, "Read account settings from this file");
  app.add_option("-a,--account", options.account, "Use this account of the config file");
}

bool composes_message(const Options& options) {
  const ComposeOptions& c = options.compose;
  return c.subject || c.body || c.html || !c.attach.empty() ||
         (!c.headers.empty() && !options.upload_file);
}

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

bool apply_compose(const Options& options, JobSpec& spec) {
  const ComposeOptions& c = options.compose;
  if (composes_message(options)) {
    if (options.upload_file) {
      throw Error(ExitCode::FailedInit,
                  "-T cannot be combined with --subject, --body, --html or --attach: either "
                  "compose a message or upload one");
    }
    compose(options, spec);
    return true;
  }
  if (!c.read_recipients && !c.sendmail && c.headers.empty()) return false;
  if (options.upload_file && options.upload_file->empty()) {
    throw Error(ExitCode::FailedInit, "-T: empty file name");
  }
  edit_upload(options, spec);  // -t without -T reads standard input
  return true;
}

void write_message(const JobSpec& spec, std::FILE* out) {
  std::unique_ptr<MessageSource> source =
      spec.open_message ? spec.open_message()
                        : std::make_unique<BodySource>(spec.upload_path.value_or("-"));
  std::vector<char> chunk(64 * 1024);
  while (const std::size_t n = source->read(chunk)) {
    if (std::fwrite(chunk.data(), 1, n, out) != n) {
      throw Error(ExitCode::WriteError, "failed writing the message");
    }
  }
  if (std::fflush(out) != 0) throw Error(ExitCode::WriteError, "failed writing the message");
}

}  // namespace smtpc::cli
