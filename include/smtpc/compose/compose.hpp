// Message policy: from what the user asked for, the messages smtpc sends (an upload as it
// is, an upload with its header section edited, or a message it writes itself) and what
// they add to the envelope. RFC 5322 §3.6 (fields), §3.6.3 (Bcc), §3.6.4 (Message-ID).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "smtpc/compose/composed_message.hpp"
#include "smtpc/compose/form.hpp"
#include "smtpc/compose/local_names.hpp"
#include "smtpc/message/envelope.hpp"
#include "smtpc/message/message_origin.hpp"

namespace smtpc {

/// Text given directly, as a file's content, or as standard input.
struct TextInput {
  enum class From { Argument, File, StandardInput };
  From from = From::Argument;
  std::string value;  // the text itself, or the file's path
};

/// What the user asked of the message (cli/ fills it from the options).
struct MessageRequest {
  /// The messages to upload (-T), in order; "-" is standard input.
  std::vector<std::string> uploads;

  // Composing: any of these, or header fields without an upload, writes a new message.
  std::optional<std::string> subject;
  std::optional<TextInput> text;  // the text/plain body
  std::optional<TextInput> html;  // the text/html body
  std::vector<Attachment> attachments;
  /// -F/--form-string: the MIME message curl builds (its -H lines in form->headers).
  std::optional<FormMessage> form;

  /// Header fields to add (to an upload) or to write (in a composed message), replacing
  /// any of the same name; names and values as given, checked for CR/LF.
  std::vector<std::pair<std::string, std::string>> headers;
  bool read_recipients = false;  // -t: the envelope recipients also from To/Cc/Bcc
  bool auto_headers = true;      // with -t and sendmail: add Date and Message-ID if missing

  // sendmail mode.
  bool sendmail = false;                 // add From, Date and Message-ID when missing
  bool stop_at_lone_dot = false;         // a lone "." line ends the input (no -i/-oi)
  std::optional<std::string> full_name;  // -F: the From display name
  /// Bare local names ("root") in the envelope and the address fields get the mail domain
  /// or an alias (sendmail mode: /etc/mailname or the account's `domain`, `aliases`).
  std::optional<LocalNames> local_names;
};

/// Whether `request` composes a new message rather than uploading one.
[[nodiscard]] bool composes_message(const MessageRequest& request);

/// The messages to send for `request`, and what they add to `envelope`, which holds what
/// the command line named (--mail-from, --mail-rcpt). Before finalize_envelope().
/// - Nothing to compose, no upload, no -t and not sendmail mode: no message (HELP/VRFY).
/// - Uploads without edits: each file (or standard input) as it is.
/// - Header fields, -t or sendmail mode: each upload (standard input when none) has its
///   header section read now and edited: the fields added, Bcc removed, and with -t or in
///   sendmail mode Date and Message-ID added when missing (msmtp does the same). With -t its
///   To/Cc/Bcc recipients (Resent-* for a resent message) join the envelope, and without a
///   sender its From address becomes the sender (sendmail mode: login@host when none).
/// - -F: the message curl builds, as it is (form_origin): nothing added, no envelope change.
/// - Composing: Date, From (the first -H From, else the sender), To (the recipients not in
///   -H Cc, unless -H To), Cc, Subject, Message-ID, then the other fields; Bcc never written.
///   Without a sender, From's address becomes it.
/// Throws Error(FailedInit) for bad usage (-F with -T, -t or the composing options; composing
/// with an upload or without a sender,
/// -t with several uploads, a MIME field given to a composed message, a bad address list),
/// Error(ReadError) when a body, a -F file or an upload's header section cannot be read.
[[nodiscard]] std::vector<MessageOrigin> prepare_messages(const MessageRequest& request,
                                                          EnvelopeRequest& envelope);

}  // namespace smtpc
