// Options that compose a message (--subject, --body, --html, --attach, -H) or edit an
// upload's header section (-t, -H with -T), parsed into the compose layer's MessageRequest.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "form_options.hpp"
#include "smtpc/compose/compose.hpp"
#include "smtpc/job/job.hpp"

namespace smtpc::cli {

struct Options;

struct ComposeOptions {
  std::optional<std::string> subject;  // --subject TEXT
  std::optional<std::string> body;     // --body TEXT | @FILE | -
  std::optional<std::string> html;     // --html TEXT | @FILE
  std::vector<std::string> attach;     // --attach FILE[;type=MIME][;filename=NAME]
  std::vector<std::string> headers;    // -H 'Name: value'
  std::vector<FormArgument> form;      // -F, --form-string: curl's MIME message
  bool dump_message = false;           // --dump-message: write it to stdout, do not send
  bool read_recipients = false;        // -t: envelope recipients from To/Cc/Bcc
  bool no_auto_headers = false;        // --no-auto-headers: no Date/Message-ID with -t
  std::optional<std::string> config;   // --account-file FILE
  std::optional<std::string> account;  // -a/--account NAME

  // Set by sendmail mode only.
  bool sendmail = false;                 // add From/Date/Message-ID when missing
  bool stop_at_lone_dot = false;         // without -i/-oi
  std::optional<std::string> full_name;  // -F NAME: the From display name
  std::optional<std::string> domain;     // the account's domain: for bare local names
  std::optional<std::string> aliases;    // the account's aliases file (msmtp's format)
};

/// --attach's argument: FILE[;type=MIME][;filename=NAME] (curl -F's spelling).
/// Throws Error(FailedInit) for an empty file name or type.
[[nodiscard]] Attachment parse_attach(std::string_view text);

/// A -H argument "Name: value" split, the name checked (RFC 5322 §3.6.8 ftext) and the
/// value checked for CR/LF. Throws Error(FailedInit).
[[nodiscard]] std::pair<std::string, std::string> parse_header_option(std::string_view text);

/// What the options ask of the message: -T, the composition options, -H, -t, and the
/// sendmail-mode settings, parsed (--body/--html's TEXT, @FILE or -; --attach; -H).
/// With -F/--form-string the -H lines are the message's header fields as given (curl).
/// -F warnings are printed unless -s.
/// Throws Error(FailedInit) for an empty -T file name, standard input after the first -T,
/// or a bad --attach, -H or -F; Error(BadFunctionArgument) for an unknown -F encoder.
[[nodiscard]] MessageRequest make_message_request(const Options& options);

/// --dump-message: writes the job's (first) message to `out` without sending it.
/// Throws Error(ReadError) or Error(WriteError).
void write_message(const JobSpec& spec, std::FILE* out);

}  // namespace smtpc::cli
