// SMTP command lines (RFC 5321 §4.1) and the address checks that keep them injection-free.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "smtpc/core/text.hpp"

namespace smtpc {

/// Whether a command line may be shown in traces.
enum class Secrecy { Public, Secret };

/// One command line without its CRLF.
struct Command {
  std::string line;
  Secrecy secrecy = Secrecy::Public;
  /// For secret lines: what traces show instead, e.g. "AUTH PLAIN [redacted]".
  std::string redacted;

  [[nodiscard]] std::string_view shown() const noexcept {
    return secrecy == Secrecy::Public ? std::string_view{line} : std::string_view{redacted};
  }
};

/// Normalises a user-given mailbox to the text between the angle brackets of a path:
/// "user@example.com", "<user@example.com>", "Name <user@example.com>" and a bare local
/// part ("root") are accepted; "" stays "" (the null reverse-path).
/// Throws Error(FailedInit) naming the address when it holds CR, LF or NUL, or has
/// unbalanced or misplaced angle brackets.
[[nodiscard]] std::string normalize_mailbox(std::string_view address);

/// An address as the user wrote it, split from the ESMTP parameters written after it:
/// curl 8.16's DSN form, "<a@example.com> NOTIFY=SUCCESS,FAILURE" (also without the angle
/// brackets: "a@example.com NOTIFY=NEVER", or after "Name <a@example.com>").
struct WrittenAddress {
  std::string_view address;  // for normalize_mailbox: a part of the text split
  std::string parameters;    // "KEYWORD" or "KEYWORD=value" words, one space apart; "" if none
};

/// Splits `written` after its address (which stays a view into `written`): after the '>'
/// closing the first '<', else at the first blank outside a quoted local part. The
/// parameters are passed on as written, so each word must be an esmtp-param (RFC 5321
/// §4.1.2: a keyword of letters, digits and '-', then "=value" or nothing), each keyword
/// once.
/// Throws Error(FailedInit) for CR, LF or NUL anywhere (as normalize_mailbox), another
/// control character in the parameters, a word that is not an esmtp-param, or a keyword
/// named twice.
[[nodiscard]] WrittenAddress split_written_address(std::string_view written);

/// Whether `parameters` (as split_written_address gives them) name `keyword`, in any case.
[[nodiscard]] bool names_parameter(std::string_view parameters, std::string_view keyword);

/// The ESMTP parameters written after the envelope's addresses, passed on as written.
struct WrittenParameters {
  std::string reverse_path;  // after --mail-from's address
  /// After each --mail-rcpt address, by forward path (compared as mailboxes are).
  std::map<std::string, std::string, LessIgnoreCase> forward_paths;

  /// What was written after `forward_path`; "" when nothing.
  [[nodiscard]] std::string_view of(std::string_view forward_path) const;
};

/// Throws Error(FailedInit) when `text` has CR, LF or NUL; `what` names it in the message.
void require_single_line(std::string_view text, std::string_view what);

[[nodiscard]] Command ehlo_command(std::string_view domain);
[[nodiscard]] Command helo_command(std::string_view domain);
/// The parameters smtpc adds itself. A keyword the user wrote after the address
/// (`written`, sent first, as curl 8.16 does) is never added again: the written one wins.
struct MailParameters {
  std::string written;                // from WrittenParameters: passed on as written
  std::optional<std::uint64_t> size;  // SIZE= (RFC 1870)
  /// AUTH= (RFC 4954 §5): the authenticated submitter; "" is "<>" (unknown).
  std::optional<std::string> auth;
  bool eight_bit_mime = false;           // BODY=8BITMIME (RFC 6152)
  bool binary_mime = false;              // BODY=BINARYMIME (RFC 3030), takes precedence
  bool smtputf8 = false;                 // SMTPUTF8 (RFC 6531)
  std::optional<std::string> dsn_ret;    // RET=FULL|HDRS (RFC 3461 §4.3)
  std::optional<std::string> dsn_envid;  // ENVID=, xtext-encoded here (RFC 3461 §4.4)
};
struct RcptParameters {
  std::string written;                    // from WrittenParameters: passed on as written
  std::optional<std::string> dsn_notify;  // NOTIFY= (RFC 3461 §4.1), e.g. "SUCCESS,FAILURE"
  bool dsn_orcpt = false;  // ORCPT=rfc822;<the forward-path, xtext-encoded> (RFC 3461 §4.2)
};
/// RFC 3461 §4 xtext: "+" and "=", controls, space and non-ASCII become "+XX".
[[nodiscard]] std::string xtext_encode(std::string_view text);
[[nodiscard]] Command mail_from_command(std::string_view reverse_path,
                                        const MailParameters& parameters = {});
[[nodiscard]] Command rcpt_to_command(std::string_view forward_path,
                                      const RcptParameters& parameters = {});
/// VRFY MAILBOX, with " SMTPUTF8" when asked (RFC 6531 §3.1 point 6).
[[nodiscard]] Command vrfy_command(std::string_view mailbox, bool smtputf8 = false);
/// -X VERB: "VERB" alone, or "VERB ARGUMENT" (each recipient, as given) with " SMTPUTF8"
/// when asked. Throws Error(FailedInit) for CR, LF or NUL in either.
[[nodiscard]] Command custom_command(std::string_view verb, std::string_view argument = {},
                                     bool smtputf8 = false);
/// "BDAT n" or "BDAT n LAST" (RFC 3030).
[[nodiscard]] Command bdat_command(std::size_t size, bool last);
[[nodiscard]] Command simple_command(std::string_view verb);  // DATA, QUIT, HELP, STARTTLS

}  // namespace smtpc
