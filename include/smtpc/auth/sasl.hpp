// SASL client mechanisms for SMTP AUTH: choice, responses and the AUTH command lines.
// RFC 4954 (SMTP AUTH), RFC 4422 (SASL), RFC 4616 (PLAIN), RFC 2195 (CRAM-MD5),
// RFC 7628 (OAUTHBEARER), draft-murchison-sasl-login (LOGIN), Google's XOAUTH2.
// Part of the pure core: CRAM-MD5's HMAC-MD5 is passed in, so nothing here needs OpenSSL.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/smtp/command.hpp"
#include "smtpc/smtp/session.hpp"

namespace smtpc {

/// HMAC-MD5 (RFC 2104) of `message` keyed with `key`, in lower-case hex: CRAM-MD5's digest
/// (RFC 2195 §2). The mechanisms here do no cryptography: the caller passes it in (smtpc
/// passes hmac_md5_hex from transport/tls.hpp, OpenSSL loaded on first use; tests pass
/// their own). May throw Error(FailedInit) or Error(SslConnectError).
using HmacMd5Hex = std::function<std::string(std::string_view key, std::string_view message)>;

/// The mechanisms smtpc implements, in curl's order of preference.
enum class Mechanism { External, CramMd5, OAuthBearer, XOAuth2, Plain, Login };

/// The registered SASL name: "CRAM-MD5", "OAUTHBEARER", "XOAUTH2", "PLAIN", "LOGIN".
[[nodiscard]] std::string_view to_string(Mechanism mechanism) noexcept;

/// The mechanism with this SASL name (case-insensitive), or nullopt. Never throws.
[[nodiscard]] std::optional<Mechanism> mechanism_from_name(std::string_view name) noexcept;

/// What a login needs. Deliberately has no operator<< or fmt formatter: nothing may
/// print the password or the token by accident.
struct Credentials {
  std::string user;
  std::string password;
  std::optional<std::string> authzid;       // PLAIN's authorization identity
  std::optional<std::string> bearer_token;  // --oauth2-bearer
  std::string host;                         // for OAUTHBEARER's host=
  std::uint16_t port = 0;                   // for OAUTHBEARER's port=
};

/// The mechanisms `login_options` (curl's --login-options or the URL's ";AUTH=...")
/// allows, in preference order. nullopt, "" and "AUTH=*" allow all of them; otherwise
/// each ';'-separated "AUTH=NAME" item adds NAME (the key is case-insensitive).
/// Throws Error(FailedInit) for any other item, an empty NAME, or a NAME smtpc does not
/// implement.
[[nodiscard]] std::vector<Mechanism> allowed_mechanisms(
    std::optional<std::string_view> login_options);

/// Whether a login with `login_options` needs a password: not when EXTERNAL is the only
/// mechanism allowed (RFC 4422 appendix A: the TLS client certificate authenticates, and
/// curl sends the user name or "=" without asking for a password; its tests 942-945).
/// Throws Error(FailedInit) for bad login options, like allowed_mechanisms.
[[nodiscard]] bool login_needs_password(std::optional<std::string_view> login_options);

/// The mechanism to use, or nullopt when none fits (curl then fails with 67, "No known
/// authentication mechanisms supported!"; that decision is the caller's). Candidates are offered by
/// the server (`offered_upper`, its EHLO AUTH list), allowed by `login_options` (see
/// allowed_mechanisms) and usable with `credentials`: OAUTHBEARER and XOAUTH2 need a bearer token;
/// CRAM-MD5, PLAIN and LOGIN need a password, where an empty password counts only when no bearer
/// token is given (curl sends "-u user:"'s empty password). Preference: CRAM-MD5, OAUTHBEARER,
/// XOAUTH2, PLAIN, LOGIN, except that with a bearer token the two OAuth mechanisms come first.
/// Throws Error(FailedInit) for bad login options, like allowed_mechanisms.
[[nodiscard]] std::optional<Mechanism> choose_mechanism(
    const std::vector<std::string>& offered_upper, const Credentials& credentials,
    std::optional<std::string_view> login_options);

/// The client side of one SASL exchange. Challenges and responses are raw bytes: the
/// caller base64-decodes each 334 text and encodes each response (sasl_response_command).
///
/// By default the exchange assumes that a mechanism's initial response went with the
/// AUTH command. If the caller sends AUTH without it (curl does unless --sasl-ir, and
/// RFC 4954 §4 requires it when the line would be too long), it calls
/// defer_initial_response() first; the response to the server's first (empty)
/// challenge is then the initial response (RFC 4422 §5).
class SaslExchange {
 public:
  /// `hmac_md5` is used by CRAM-MD5 only. Throws Error(FailedInit) when a credential holds
  /// a byte the mechanism uses as a separator (NUL for PLAIN, 0x01 for XOAUTH2 and
  /// OAUTHBEARER), when an OAuth mechanism has no bearer token, or when CRAM-MD5 has no
  /// `hmac_md5`.
  SaslExchange(Mechanism mechanism, const Credentials& credentials, HmacMd5Hex hmac_md5 = {});

  [[nodiscard]] Mechanism mechanism() const noexcept { return mechanism_; }

  /// The initial response for AUTH's second argument (raw bytes, not base64), or
  /// nullopt for mechanisms without one (LOGIN, CRAM-MD5). Never throws.
  [[nodiscard]] std::optional<std::string> initial_response() const;

  /// The AUTH command goes without the initial response; see the class comment.
  void defer_initial_response() noexcept;
  /// LOGIN with --sasl-ir (as curl): the user name goes on the AUTH line, the password
  /// answers the one challenge.
  void send_login_user_first();
  /// A client-first exchange whose initial response was deferred: the next challenge's
  /// text means nothing (servers send "334 go ahead"), as curl treats it.
  [[nodiscard]] bool awaits_initial_response() const noexcept;

  /// The response (raw bytes) to the server's next challenge (raw bytes):
  /// PLAIN, XOAUTH2, OAUTHBEARER when deferred: the initial response;
  /// LOGIN: the user name, then the password (the prompts are not read);
  /// CRAM-MD5: "user SP hex(HMAC-MD5(password, challenge))";
  /// XOAUTH2 after its response: "" (the challenge is an error report);
  /// OAUTHBEARER after its response: "\x01" (RFC 7628 §3.2.3).
  /// Throws Error(LoginDenied) when the mechanism expects no further challenge, or for
  /// an empty CRAM-MD5 challenge; what `hmac_md5` throws.
  [[nodiscard]] std::string respond(std::string_view raw_challenge);

  /// True when the mechanism expects no further challenge: respond() would throw.
  [[nodiscard]] bool done() const noexcept;

 private:
  [[nodiscard]] std::size_t rounds() const noexcept;  // challenges this exchange answers

  Mechanism mechanism_;
  std::string user_;
  std::string password_;
  HmacMd5Hex hmac_md5_;
  std::optional<std::string> initial_response_;
  bool deferred_ = false;
  std::size_t answered_ = 0;  // challenges answered so far
};

/// "AUTH <MECH>", or "AUTH <MECH> <base64>" with an initial response, where an empty
/// one is sent as "=" (RFC 4954 §4). With a response the command is Secret and traces
/// show "AUTH <MECH> [redacted]". Never throws.
[[nodiscard]] Command auth_command(Mechanism mechanism,
                                   const std::optional<std::string>& initial_response_raw);

/// The base64 line answering a 334 challenge (an empty response is an empty line,
/// RFC 4954 §4). Secret; traces show "[redacted]". Never throws.
[[nodiscard]] Command sasl_response_command(std::string_view raw_response);

/// RFC 4954 §4: an AUTH line, CRLF included, may be at most 512 octets.
inline constexpr std::size_t kMaxAuthLine = 512;

/// The Session's Authenticator over the mechanisms above: picks the mechanism, runs the
/// exchange, and on a refusal moves on only when the user listed several mechanisms.
class SaslAuthenticator final : public Authenticator {
 public:
  /// `initial_response`: send it on the AUTH line (--sasl-ir) when it fits. `hmac_md5`
  /// serves CRAM-MD5 and must be set. Throws Error(FailedInit) for bad login options or
  /// an empty `hmac_md5`.
  SaslAuthenticator(Credentials credentials, std::optional<std::string> login_options,
                    bool initial_response, HmacMd5Hex hmac_md5);

  [[nodiscard]] std::optional<Command> start(const std::vector<std::string>& offered) override;
  [[nodiscard]] std::optional<Command> respond(std::string_view challenge) override;
  [[nodiscard]] std::optional<Command> retry(const std::vector<std::string>& offered) override;
  [[nodiscard]] std::string mechanism() const override;
  [[nodiscard]] std::optional<Command> downgrade(const std::vector<std::string>& offered) override;
  [[nodiscard]] std::string failure_detail() const override;

 private:
  std::optional<Command> next(const std::vector<std::string>& offered);
  Credentials credentials_;
  std::optional<std::string> login_options_;
  bool initial_response_;
  HmacMd5Hex hmac_md5_;
  std::vector<Mechanism> tried_;
  std::optional<SaslExchange> exchange_;
  std::string last_challenge_;  // decoded, for failure_detail()
};

}  // namespace smtpc
