// Message policy: which messages go out for a request, the header fields they get, and
// what they add to the envelope. RFC 5322 §3.6, §3.6.3 (Bcc), §3.6.4 (Message-ID).
#include "smtpc/compose/compose.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "smtpc/compose/address_list.hpp"
#include "smtpc/compose/header_block.hpp"
#include "smtpc/compose/long_lines.hpp"
#include "smtpc/compose/mime.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/smtp/command.hpp"
#include "smtpc/sys/host_name.hpp"
#include "smtpc/sys/idn.hpp"

namespace smtpc {
namespace {

// The mailbox of an envelope address as written, without the ESMTP parameters that may
// follow it ("<a@b> NOTIFY=NEVER"): those belong to the envelope, not to the header.
std::string mailbox_written(std::string_view written) {
  return normalize_mailbox(split_written_address(written).address);
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return equals_ignore_case(name, n); });
}

bool is_address_field(std::string_view name) {
  return is_one_of(name, {"From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Resent-From",
                          "Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Sender"});
}

// The whole content of `path` ("-" is standard input), for bodies. Errors name `what`
// and the file: --body: cannot open "x": No such file or directory.
std::string read_text(const std::string& path, std::string_view what) {
  std::string text;
  std::vector<char> chunk(64 * 1024);
  try {
    BodySource source(path, "");
    while (const std::size_t n = source.read(chunk)) text.append(chunk.data(), n);
  } catch (const Error& error) {
    throw Error(ExitCode::ReadError, fmt::format("{}: {}", what, error.what()));
  }
  return text;
}

std::string text_of(const TextInput& input, std::string_view what) {
  switch (input.from) {
    case TextInput::From::Argument:
      return input.value;
    case TextInput::From::File:
      return read_text(input.value, what);
    case TextInput::From::StandardInput:
      return read_text("-", what);
  }
  return input.value;
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

// The domain for Message-ID: the sender's, in A-labels (a Message-ID is ASCII), else the
// host's name.
std::string domain_for_ids(std::string_view sender) {
  const std::string_view domain = domain_of(sender);
  if (domain.empty() || domain.front() == '[') return local_host_name();
  if (is_ascii(domain)) return std::string(domain);
  try {
    return domain_to_ascii(domain);
  } catch (const Error&) {
    return local_host_name();
  }
}

// A bare local name with the mail domain: the request's, else /etc/mailname or the FQDN.
std::string qualified(const MessageRequest& request, std::string_view local) {
  if (request.local_names) return request.local_names->qualify(local);
  return fmt::format("{}@{}", local, local_mail_domain());
}

// sendmail mode: "root" in the envelope (arguments, -f) and in the address fields becomes
// root@DOMAIN or its alias, before -t reads the recipients (RFC 5321 §4.1.2 needs a domain).
void qualify_local_names(const LocalNames& names, std::vector<HeaderField>& fields,
                         EnvelopeRequest& envelope) {
  std::vector<std::string> recipients;
  for (const auto& written : envelope.recipients) {
    const std::string address = mailbox_written(written);
    if (!LocalNames::is_local(address)) {
      recipients.push_back(written);
      continue;
    }
    for (auto& expanded : names.expand(address)) recipients.push_back(std::move(expanded));
  }
  envelope.recipients = std::move(recipients);
  if (envelope.sender && LocalNames::is_local(mailbox_written(*envelope.sender))) {
    envelope.sender = names.qualify(mailbox_written(*envelope.sender));
  }
  names.rewrite(fields);
}

// A composed message's -H fields by name (case-insensitive).
class GivenFields {
 public:
  explicit GivenFields(const std::vector<std::pair<std::string, std::string>>& fields)
      : fields_(fields) {
    for (const auto& [name, value] : fields_) {
      if (is_one_of(name, {"MIME-Version", "Content-Type", "Content-Transfer-Encoding"})) {
        throw Error(
            ExitCode::FailedInit,
            fmt::format("-H {}: smtpc writes the MIME fields of a composed message itself", name));
      }
    }
  }
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const {
    for (const auto& [n, v] : fields_) {
      if (equals_ignore_case(n, name)) return v;
    }
    return std::nullopt;
  }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& all() const {
    return fields_;
  }

 private:
  const std::vector<std::pair<std::string, std::string>>& fields_;
};

// The draft's text and HTML parts, and its attachments.
MessageDraft draft_parts(const MessageRequest& request) {
  MessageDraft draft;
  if (request.text) draft.text = text_of(*request.text, "--body");
  if (request.html) {
    if (request.html->from == TextInput::From::StandardInput) {
      throw Error(ExitCode::FailedInit, "--html: give TEXT or @FILE");
    }
    draft.html = text_of(*request.html, "--html");
  }
  if (!draft.text && !draft.html) {
    // "echo text | smtpc ... --subject x": the body is standard input unless it is a terminal.
    draft.text = ::isatty(STDIN_FILENO) != 0 ? std::string() : read_text("-", "standard input");
  }
  draft.attachments = request.attachments;
  return draft;
}

// From: -H From, else the envelope sender with --full-name.
std::string composed_from(const MessageRequest& request, const GivenFields& given,
                          const EnvelopeRequest& envelope) {
  std::string from = given.value("From").value_or("");
  if (from.empty() && envelope.sender && !envelope.sender->empty()) {
    const Mailbox mailbox{request.full_name.value_or(""), mailbox_written(*envelope.sender), {}};
    from = format_mailbox(mailbox);
  }
  if (from.empty()) {
    throw Error(ExitCode::FailedInit,
                "a composed message needs a sender: give --mail-from or -H 'From: ...'");
  }
  return from;
}

// To: recipients named in the Cc field are shown there; the other envelope recipients go in
// To unless a To field is given, in which case they are Bcc recipients: hidden.
std::string composed_to(const GivenFields& given, const EnvelopeRequest& envelope) {
  if (auto to = given.value("To")) return *to;
  std::vector<Mailbox> shown;
  std::vector<std::string> in_cc;
  if (auto cc = given.value("Cc")) {
    for (auto& m : parse_address_list(*cc)) in_cc.push_back(std::move(m.address));
  }
  for (const auto& rcpt : envelope.recipients) {
    const std::string address = mailbox_written(rcpt);
    const bool listed = std::any_of(in_cc.begin(), in_cc.end(), [&](const std::string& a) {
      return equals_ignore_case(a, address);
    });
    if (!listed) shown.push_back(Mailbox{"", address, {}});
  }
  return format_address_list(shown, 2);
}

// The header fields, in the usual order; a given field replaces a generated one of the
// same name.
std::vector<HeaderField> composed_header(const MessageRequest& request, const GivenFields& given,
                                         const std::string& from, const std::string& to,
                                         const std::string& id_domain) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("Date", given.value("Date").value_or(current_date()));
  fields.emplace_back("From", from);
  fields.emplace_back("To", to);
  if (auto cc = given.value("Cc")) fields.emplace_back("Cc", *cc);
  if (request.subject || given.value("Subject")) {
    fields.emplace_back("Subject", given.value("Subject").value_or(request.subject.value_or("")));
  }
  fields.emplace_back("Message-ID", given.value("Message-ID").value_or(new_message_id(id_domain)));
  for (const auto& [name, value] : given.all()) {
    if (!is_one_of(name, {"Date", "From", "To", "Cc", "Subject", "Message-ID"})) {
      fields.emplace_back(name, value);
    }
  }
  std::vector<HeaderField> header;
  for (const auto& [name, value] : fields) header.push_back({name, field_text(name, value)});
  return header;
}

// Composition: --subject/--body/--html/--attach/-H without an upload.
MessageOrigin compose(const MessageRequest& request, EnvelopeRequest& envelope) {
  MessageDraft draft = draft_parts(request);
  const GivenFields given(request.headers);
  const std::string from = composed_from(request, given, envelope);
  const auto from_mailboxes = parse_address_list(from);
  if (from_mailboxes.empty()) throw Error(ExitCode::FailedInit, "-H From: no address");
  const std::string to = composed_to(given, envelope);
  std::vector<HeaderField> header =
      composed_header(request, given, from, to, domain_for_ids(from_mailboxes[0].address));
  if (request.read_recipients) {
    // -t: the recipients of what was composed.
    for (auto& address : header_recipients(header)) envelope.recipients.push_back(address);
  }
  remove_bcc(header);
  for (const auto& field : header) draft.header_fields.push_back(field.raw);
  if (!envelope.sender) envelope.sender = from_mailboxes[0].address;
  return draft_origin(std::move(draft), new_boundary());
}

// Editing: an upload with header fields, -t, or sendmail mode: read its header section now
// (-t needs the recipients before connecting) and edit it.
MessageOrigin edit_upload(const MessageRequest& request, const std::string& path,
                          EnvelopeRequest& envelope) {
  MessageOrigin inner = MessageOrigin::upload(path);
  if (request.stop_at_lone_dot) inner = lone_dot_origin(std::move(inner));
  auto upload = std::make_unique<EditedUpload>(inner.open());
  std::vector<HeaderField>& fields = upload->fields();

  for (const auto& [name, value] : request.headers) {
    remove_fields(fields, {name});
    fields.push_back({name, field_text(name, value)});
  }
  if (request.local_names) qualify_local_names(*request.local_names, fields, envelope);
  if (request.read_recipients) {
    for (auto& address : header_recipients(fields)) envelope.recipients.push_back(address);
  }
  remove_bcc(fields);

  std::optional<std::string> header_from = from_address(fields);
  if (!envelope.sender) {
    if (header_from && (request.read_recipients || request.sendmail)) {
      envelope.sender = *header_from;
    } else if (request.sendmail) {
      envelope.sender = qualified(request, login_name());
    }
  }
  const std::string sender = mailbox_written(envelope.sender.value_or(""));
  if (request.sendmail && !has_field(fields, "From")) {
    // A null sender (-f '<>', a bounce) is shown as Postfix shows it: MAILER-DAEMON.
    const Mailbox mailbox{request.full_name.value_or(""),
                          sender.empty() ? qualified(request, "MAILER-DAEMON") : sender,
                          {}};
    fields.insert(fields.begin(), {"From", fmt::format("From: {}\r\n", format_mailbox(mailbox))});
    header_from = mailbox.address;
  }
  if ((request.read_recipients || request.sendmail) && request.auto_headers) {
    // msmtp does the same: a message without them is often refused as spam.
    if (!has_field(fields, "Date")) {
      fields.push_back({"Date", fmt::format("Date: {}\r\n", current_date())});
    }
    if (!has_field(fields, "Message-ID")) {
      const std::string id = new_message_id(domain_for_ids(header_from.value_or(sender)));
      fields.push_back({"Message-ID", fmt::format("Message-ID: {}\r\n", id)});
    }
  }
  MessageOrigin edited = edited_origin(std::move(inner), std::move(upload));
  // sendmail mode: a line over 998 characters would have the message refused (and a cron
  // job's output lost); curl mode sends the bytes as they are (the job warns).
  if (request.sendmail) return long_lines_broken_origin(std::move(edited));
  return edited;
}

}  // namespace

bool composes_message(const MessageRequest& request) {
  return request.form || request.subject || request.text || request.html ||
         !request.attachments.empty() || (!request.headers.empty() && request.uploads.empty());
}

std::vector<MessageOrigin> prepare_messages(const MessageRequest& request,
                                            EnvelopeRequest& envelope) {
  if (request.form) {
    if (!request.uploads.empty()) {
      // curl: "You can only select one HTTP request method!"
      throw Error(ExitCode::FailedInit,
                  "You can only select one request method! You asked for both an upload "
                  "(-T, --upload-file) and a MIME message (-F, --form).");
    }
    if (request.subject || request.text || request.html || !request.attachments.empty() ||
        request.read_recipients || request.sendmail) {
      throw Error(ExitCode::FailedInit,
                  "-F builds the message as curl does: it cannot be combined with --subject, "
                  "--body, --html, --attach or -t");
    }
    return {form_origin(*request.form, new_form_boundary_base())};
  }
  if (composes_message(request)) {
    if (!request.uploads.empty()) {
      throw Error(ExitCode::FailedInit,
                  "-T cannot be combined with --subject, --body, --html or --attach: either "
                  "compose a message or upload one");
    }
    return {compose(request, envelope)};
  }
  std::vector<MessageOrigin> messages;
  if (!request.read_recipients && !request.sendmail && request.headers.empty()) {
    for (const auto& path : request.uploads) messages.push_back(MessageOrigin::upload(path));
    return messages;  // as curl sends them
  }
  if (request.read_recipients && request.uploads.size() > 1) {
    // Each message would go to the others' recipients, Bcc included.
    throw Error(ExitCode::FailedInit,
                "-t takes the recipients from one message: give a single -T with -t");
  }
  if (request.uploads.empty()) return {edit_upload(request, "-", envelope)};
  for (const auto& path : request.uploads) {
    messages.push_back(edit_upload(request, path, envelope));
  }
  return messages;
}

}  // namespace smtpc
