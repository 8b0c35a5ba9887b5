// SASL client mechanisms for SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN
// (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195), OAUTHBEARER (RFC 7628) and XOAUTH2.
#include "smtpc/auth/sasl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {

struct MechanismName {
  Mechanism mechanism;
  std::string_view name;
};

// In curl's order of preference (lib/curl_sasl.c, Curl_sasl_start).
constexpr std::array<MechanismName, 6> kMechanisms{{
    {Mechanism::External, "EXTERNAL"},
    {Mechanism::CramMd5, "CRAM-MD5"},
    {Mechanism::OAuthBearer, "OAUTHBEARER"},
    {Mechanism::XOAuth2, "XOAUTH2"},
    {Mechanism::Plain, "PLAIN"},
    {Mechanism::Login, "LOGIN"},
}};

bool is_oauth(Mechanism mechanism) noexcept {
  return mechanism == Mechanism::OAuthBearer || mechanism == Mechanism::XOAuth2;
}

bool contains(std::string_view text, char c) noexcept {
  return text.find(c) != std::string_view::npos;
}

void require_no_byte(std::string_view text, char separator, std::string_view what,
                     Mechanism mechanism) {
  if (contains(text, separator)) {
    throw Error(ExitCode::FailedInit,
                fmt::format("the {} cannot be used with {}: it contains "
                            "the byte 0x{:02x}",
                            what, to_string(mechanism), static_cast<unsigned char>(separator)));
  }
}

// RFC 5801 §4 saslname, used by RFC 7628's gs2-header: '=' and ',' are escaped.
std::string gs2_saslname(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (c == '=') {
      out += "=3D";
    } else if (c == ',') {
      out += "=2C";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Mechanism mechanism) noexcept {
  for (const auto& entry : kMechanisms) {
    if (entry.mechanism == mechanism) return entry.name;
  }
  return "?";
}

std::optional<Mechanism> mechanism_from_name(std::string_view name) noexcept {
  for (const auto& entry : kMechanisms) {
    if (equals_ignore_case(entry.name, name)) return entry.mechanism;
  }
  return std::nullopt;
}

std::vector<Mechanism> allowed_mechanisms(std::optional<std::string_view> login_options) {
  std::vector<Mechanism> all;
  for (const auto& entry : kMechanisms) all.push_back(entry.mechanism);
  if (!login_options || login_options->empty()) return all;

  // curl's smtp_parse_url_options: ';'-separated "AUTH=<mech>" items; the first one
  // replaces the default, later ones add to it, and "*" means every mechanism.
  // curl exits with 3 (URL malformed) for a bad item; smtpc treats it as bad usage.
  bool any = false;
  std::vector<bool> chosen(kMechanisms.size(), false);
  std::string_view rest = *login_options;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    constexpr std::string_view kKey = "AUTH=";
    if (item.size() <= kKey.size() || !equals_ignore_case(item.substr(0, kKey.size()), kKey)) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("login option \"{}\" is not AUTH=<mechanism>", item));
    }
    const std::string_view name = item.substr(kKey.size());
    if (name == "*") {
      any = true;
      continue;
    }
    const auto mechanism = mechanism_from_name(name);
    if (!mechanism) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("login option \"{}\": smtpc does not implement SASL mechanism {}",
                              item, name));
    }
    for (std::size_t i = 0; i < kMechanisms.size(); ++i) {
      if (kMechanisms[i].mechanism == *mechanism) chosen[i] = true;
    }
  }
  if (any) return all;
  std::vector<Mechanism> allowed;
  for (std::size_t i = 0; i < kMechanisms.size(); ++i) {
    if (chosen[i]) allowed.push_back(kMechanisms[i].mechanism);
  }
  return allowed;
}

bool login_needs_password(std::optional<std::string_view> login_options) {
  const auto allowed = allowed_mechanisms(login_options);
  return !(allowed.size() == 1 && allowed.front() == Mechanism::External);
}

std::optional<Mechanism> choose_mechanism(const std::vector<std::string>& offered_upper,
                                          const Credentials& credentials,
                                          std::optional<std::string_view> login_options) {
  const std::vector<Mechanism> allowed = allowed_mechanisms(login_options);
  const bool has_bearer = credentials.bearer_token.has_value();
  const auto usable = [&](Mechanism mechanism) {
    bool offered = false;
    for (const auto& name : offered_upper) {
      if (equals_ignore_case(name, to_string(mechanism))) offered = true;
    }
    if (!offered) return false;
    if (is_oauth(mechanism)) return has_bearer;
    // curl: EXTERNAL when there is no password (the TLS client certificate authenticates).
    if (mechanism == Mechanism::External) return !has_bearer && credentials.password.empty();
    return !has_bearer || !credentials.password.empty();
  };
  // With a bearer token the OAuth mechanisms go first: a token holder rarely has a
  // password, and curl tries OAUTHBEARER and XOAUTH2 before PLAIN and LOGIN too.
  if (has_bearer) {
    for (const Mechanism mechanism : allowed) {
      if (is_oauth(mechanism) && usable(mechanism)) return mechanism;
    }
  }
  for (const Mechanism mechanism : allowed) {
    if (usable(mechanism)) return mechanism;
  }
  return std::nullopt;
}

SaslExchange::SaslExchange(Mechanism mechanism, const Credentials& credentials, HmacMd5Hex hmac_md5)
    : mechanism_(mechanism),
      user_(credentials.user),
      password_(credentials.password),
      hmac_md5_(std::move(hmac_md5)) {
  switch (mechanism_) {
    case Mechanism::Plain: {
      // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd.
      const std::string authzid = credentials.authzid.value_or("");
      require_no_byte(authzid, '\0', "authorization identity", mechanism_);
      require_no_byte(user_, '\0', "user name", mechanism_);
      require_no_byte(password_, '\0', "password", mechanism_);
      initial_response_ = authzid;
      *initial_response_ += '\0';
      *initial_response_ += user_;
      *initial_response_ += '\0';
      *initial_response_ += password_;
      break;
    }
    case Mechanism::XOAuth2:
    case Mechanism::OAuthBearer: {
      if (!credentials.bearer_token) {
        throw Error(ExitCode::FailedInit,
                    fmt::format("{} needs a bearer token", to_string(mechanism_)));
      }
      const std::string& token = *credentials.bearer_token;
      require_no_byte(user_, '\x01', "user name", mechanism_);
      require_no_byte(token, '\x01', "bearer token", mechanism_);
      if (mechanism_ == Mechanism::XOAuth2) {
        // developers.google.com/gmail/imap/xoauth2-protocol
        initial_response_ = fmt::format(
            "user={}\x01"
            "auth=Bearer {}\x01\x01",
            user_, token);
      } else {
        // RFC 7628 §3.1: gs2-header "n,a=<user>," then kvpairs, each ended by 0x01.
        require_no_byte(credentials.host, '\x01', "host name", mechanism_);
        initial_response_ = fmt::format(
            "n,a={},\x01host={}\x01port={}\x01"
            "auth=Bearer {}\x01\x01",
            gs2_saslname(user_), credentials.host, credentials.port, token);
      }
      break;
    }
    case Mechanism::External:
      // RFC 4422 appendix A: the authorization identity; empty is sent as "=".
      initial_response_ = user_;
      break;
    case Mechanism::CramMd5:
      if (!hmac_md5_) throw Error(ExitCode::FailedInit, "CRAM-MD5 needs an HMAC-MD5");
      break;
    case Mechanism::Login:
      break;
  }
}

std::optional<std::string> SaslExchange::initial_response() const { return initial_response_; }

void SaslExchange::defer_initial_response() noexcept {
  if (initial_response_) deferred_ = true;
}

void SaslExchange::send_login_user_first() {
  if (mechanism_ == Mechanism::Login) initial_response_ = user_;
}

bool SaslExchange::awaits_initial_response() const noexcept { return deferred_ && answered_ == 0; }

std::size_t SaslExchange::rounds() const noexcept {
  const std::size_t deferred = deferred_ ? 1 : 0;
  switch (mechanism_) {
    case Mechanism::Plain:
    case Mechanism::External:
      return deferred;
    case Mechanism::Login:
      return initial_response_ && !deferred_ ? 1 : 2;  // the user went on the AUTH line
    case Mechanism::CramMd5:
      return 1;
    case Mechanism::XOAuth2:
    case Mechanism::OAuthBearer:
      return deferred + 1;  // the last one answers the server's error report
  }
  return 0;
}

bool SaslExchange::done() const noexcept { return answered_ >= rounds(); }

std::string SaslExchange::respond(std::string_view raw_challenge) {
  if (done()) {
    throw Error(ExitCode::LoginDenied,
                fmt::format("{}: the server sent an unexpected challenge", to_string(mechanism_)));
  }
  const std::size_t round = answered_++;
  if (deferred_ && round == 0) return *initial_response_;
  switch (mechanism_) {
    case Mechanism::Login:
      // The prompts ("Username:", "Password:") are not standardised; clients answer by
      // position, as the draft's examples and every implementation do.
      return round == 0 && !initial_response_ ? user_ : password_;
    case Mechanism::CramMd5:
      // An empty challenge would make the response a fixed, replayable value.
      if (raw_challenge.empty()) {
        throw Error(ExitCode::LoginDenied, "CRAM-MD5: the server sent an empty challenge");
      }
      // RFC 2195 §2: the digest, keyed with the password, in lower-case hex.
      return fmt::format("{} {}", user_, hmac_md5_(password_, raw_challenge));
    case Mechanism::XOAuth2:
      // The challenge is a JSON error report; the client answers with an empty
      // response and the server then fails the command.
      return {};
    case Mechanism::OAuthBearer:
      return std::string(1, '\x01');  // RFC 7628 §3.2.3: kvsep ends the failed exchange
    case Mechanism::Plain:
    case Mechanism::External:
      break;
  }
  throw Error(ExitCode::LoginDenied,
              fmt::format("{}: the server sent an unexpected challenge", to_string(mechanism_)));
}

Command auth_command(Mechanism mechanism, const std::optional<std::string>& initial_response_raw) {
  Command command;
  if (!initial_response_raw) {
    command.line = fmt::format("AUTH {}", to_string(mechanism));
    return command;
  }
  // RFC 4954 §4: "=" stands for an empty initial response.
  const std::string encoded =
      initial_response_raw->empty() ? std::string("=") : base64_encode(*initial_response_raw);
  command.line = fmt::format("AUTH {} {}", to_string(mechanism), encoded);
  command.secrecy = Secrecy::Secret;
  command.redacted = fmt::format("AUTH {} [redacted]", to_string(mechanism));
  return command;
}

Command sasl_response_command(std::string_view raw_response) {
  Command command;
  command.line = base64_encode(raw_response);
  command.secrecy = Secrecy::Secret;
  command.redacted = "[redacted]";
  return command;
}

SaslAuthenticator::SaslAuthenticator(Credentials credentials,
                                     std::optional<std::string> login_options,
                                     bool initial_response, HmacMd5Hex hmac_md5)
    : credentials_(std::move(credentials)),
      login_options_(std::move(login_options)),
      initial_response_(initial_response),
      hmac_md5_(std::move(hmac_md5)) {
  // Checks the options before connecting: throws Error(FailedInit) when they are bad.
  (void)allowed_mechanisms(login_options_);
  if (!hmac_md5_) throw Error(ExitCode::FailedInit, "SASL: no HMAC-MD5 for CRAM-MD5");
}

std::optional<Command> SaslAuthenticator::start(const std::vector<std::string>& offered) {
  tried_.clear();
  return next(offered);
}

std::optional<Command> SaslAuthenticator::retry(const std::vector<std::string>& offered) {
  // curl's rule: a refused mechanism ends the login, unless the user listed several.
  if (allowed_mechanisms(login_options_).size() < 2 || !login_options_ ||
      login_options_->find('*') != std::string::npos) {
    return std::nullopt;
  }
  return next(offered);
}

std::optional<Command> SaslAuthenticator::next(const std::vector<std::string>& offered) {
  std::vector<std::string> untried;
  for (const auto& name : offered) {
    const auto mechanism = mechanism_from_name(name);
    if (!mechanism || std::find(tried_.begin(), tried_.end(), *mechanism) == tried_.end()) {
      untried.push_back(name);
    }
  }
  const auto mechanism = choose_mechanism(untried, credentials_, login_options_);
  if (!mechanism) return std::nullopt;
  tried_.push_back(*mechanism);
  exchange_.emplace(*mechanism, credentials_, hmac_md5_);
  if (initial_response_) exchange_->send_login_user_first();
  std::optional<std::string> initial = exchange_->initial_response();
  if (initial && initial_response_) {
    Command command = auth_command(*mechanism, initial);
    // RFC 4954 §4: a line over 512 octets must leave the response for the first challenge.
    if (command.line.size() + 2 <= kMaxAuthLine) return command;
  }
  if (initial) exchange_->defer_initial_response();
  return auth_command(*mechanism, std::nullopt);
}

std::optional<Command> SaslAuthenticator::respond(std::string_view challenge) {
  if (!exchange_ || exchange_->done()) return std::nullopt;
  // "334" alone or "334 " carries an empty challenge.
  while (!challenge.empty() && challenge.back() == ' ') challenge.remove_suffix(1);
  // PLAIN, EXTERNAL, XOAUTH2, OAUTHBEARER sent without --sasl-ir: curl ignores the 334's
  // text. The deferred initial response goes as it would have on the AUTH line, so an
  // empty one is "=" (RFC 4954 §4; curl's test 943).
  if (exchange_->awaits_initial_response()) {
    const std::string response = exchange_->respond({});
    Command command = sasl_response_command(response);
    if (response.empty()) command.line.assign(1, '=');
    return command;
  }
  // RFC 7628 §3.2.3: an OAuth mechanism's challenge here is the server's error report, and
  // the client answers it whatever its text so that the server can end with its 535. Servers
  // leave out the base64 padding (curl's test 948), so the report is read leniently.
  if (is_oauth(exchange_->mechanism())) {
    last_challenge_ = base64_decode_unpadded(challenge).value_or(std::string());
    return sasl_response_command(exchange_->respond(last_challenge_));
  }
  const auto decoded = base64_decode(challenge);
  if (!decoded) return std::nullopt;
  last_challenge_ = *decoded;
  return sasl_response_command(exchange_->respond(*decoded));
}

std::optional<Command> SaslAuthenticator::downgrade(const std::vector<std::string>& offered) {
  last_challenge_.clear();
  return next(offered);
}

std::string SaslAuthenticator::failure_detail() const {
  if (!exchange_ || !is_oauth(exchange_->mechanism())) return {};
  std::string detail;
  for (const char c : last_challenge_) {
    if (c >= 0x20 && c < 0x7f) detail += c;
  }
  return detail;
}

std::string SaslAuthenticator::mechanism() const {
  return exchange_ ? std::string(to_string(exchange_->mechanism())) : std::string("(none)");
}

}  // namespace smtpc
