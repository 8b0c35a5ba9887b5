// Options <-> DeliverySettings: the groups pass whole; the URLs and logins lose their secrets.
#include "settings_options.hpp"

#include <fmt/format.h>

#include <cctype>

#include "config.hpp"
#include "smtpc/core/url.hpp"
#include "smtpc/settings/settings_codec.hpp"

namespace smtpc::cli {
namespace {

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || std::string_view("-._~").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

// The SMTP URL without its password: the queue never holds a secret.
std::string url_without_password(const std::string& text, const SmtpUrl& url) {
  if (!url.password) return text;
  std::string out = url.scheme == Scheme::Smtps ? "smtps://" : "smtp://";
  if (url.user) {
    out += percent_encode(*url.user);
    if (url.login_options) out.append(1, ';').append(percent_encode(*url.login_options));
    out += "@";
  }
  out += url.host_is_ipv6_literal ? "[" + url.host + "]" : url.host;
  out += fmt::format(":{}/{}", url.port, percent_encode(url.ehlo_name));
  return out;
}

// A proxy URL, [scheme://][user[:password]@]host[:port], without ":password" (the user
// part is percent-encoded, so its first ':' ends the user name). Sets `had_password`.
std::string proxy_without_password(const std::string& text, bool& had_password) {
  const auto scheme = text.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = text.rfind('@');
  if (at == std::string::npos || at < start) return text;
  const auto colon = text.find(':', start);
  if (colon == std::string::npos || colon > at) return text;
  had_password = true;
  return text.substr(0, colon) + text.substr(at);
}

// USER[:PASSWORD] -> USER; sets `had_password`.
std::string user_name(const std::string& user, bool& had_password) {
  const auto colon = user.find(':');
  had_password = had_password || colon != std::string::npos;
  return user.substr(0, colon);
}

// Whether the account the options use keeps a password itself (a queue run reads it again).
bool account_has_password(const AccountInUse& account) {
  if (!account.file) return false;
  try {
    return account_password(load_config(*account.file), account.account).has_value();
  } catch (const Error&) {
    return false;
  }
}

settings::Destination destination_of(const Options& options, const AccountInUse& account,
                                     std::vector<std::string>& warnings) {
  settings::Destination d;
  const SmtpUrl url = options.url.empty() ? SmtpUrl{} : parse_smtp_url(options.url, true);
  d.url = url_without_password(options.url, url);
  bool password_given = url.password.has_value();
  if (options.user) {
    d.user = user_name(*options.user, password_given);
  } else if (url.user) {
    d.user = *url.user;
  }
  d.account_file = account.file;
  d.account = account.account;
  if (password_given && !account_has_password(account) && !options.password_file &&
      !options.password_command) {
    warnings.emplace_back(
        "the password given on the command line is not kept in the queue: a queue run takes "
        "it from SMTPC_PASSWORD, --netrc, a password file or the config file");
  }
  bool proxy_password = false;
  if (options.proxy) d.proxy = proxy_without_password(*options.proxy, proxy_password);
  if (options.preproxy) d.preproxy = proxy_without_password(*options.preproxy, proxy_password);
  if (options.proxy_user) d.proxy_user = user_name(*options.proxy_user, proxy_password);
  if (proxy_password) warnings.emplace_back("the proxy's password is not kept in the queue");
  if (options.oauth2_bearer) {
    d.oauth2_bearer_needed = true;
    warnings.emplace_back(
        "the --oauth2-bearer token is not kept in the queue: a queue run cannot log in with it");
  }
  if (options.pass) warnings.emplace_back("the --pass pass phrase is not kept in the queue");
  if (options.proxy_pass) {
    warnings.emplace_back("the --proxy-pass pass phrase is not kept in the queue");
  }
  return d;
}

}  // namespace

settings::DeliverySettings groups_of(const Options& options) {
  settings::DeliverySettings s;
  s.connect = options;
  s.proxy = options;
  s.proxy_tls = options;
  s.tls = options;
  s.auth = options;
  s.envelope = options;
  s.dsn = options.debug;
  s.dkim = options.dkim;
  s.mx = options;
  s.output = options;
  s.retry = options;
  return s;
}

void put_groups(const settings::DeliverySettings& s, Options& o) {
  static_cast<settings::ConnectSettings&>(o) = s.connect;
  static_cast<settings::ProxySettings&>(o) = s.proxy;
  static_cast<settings::ProxyTlsSettings&>(o) = s.proxy_tls;
  static_cast<settings::TlsSettings&>(o) = s.tls;
  static_cast<settings::AuthSources&>(o) = s.auth;
  static_cast<settings::EnvelopeSettings&>(o) = s.envelope;
  static_cast<settings::DsnSettings&>(o.debug) = s.dsn;
  static_cast<settings::DkimSettings&>(o.dkim) = s.dkim;
  static_cast<settings::MxSettings&>(o) = s.mx;
  static_cast<settings::OutputSettings&>(o) = s.output;
  static_cast<settings::RetrySettings&>(o) = s.retry;
}

void fill_unset(Options& options, const Options& from) {
  settings::DeliverySettings mine = groups_of(options);
  settings::fill_unset(mine, groups_of(from));
  put_groups(mine, options);
  // Outside the stored groups: the sender, and the queue a queue run is given anyway.
  if (!options.mail_from) options.mail_from = from.mail_from;
  if (!options.queue_dir) options.queue_dir = from.queue_dir;
}

settings::DeliverySettings delivery_settings(const Options& options, const AccountInUse& account,
                                             std::vector<std::string>& warnings) {
  settings::DeliverySettings s = groups_of(options);
  s.destination = destination_of(options, account, warnings);
  settings::make_paths_absolute(s);
  return s;
}

}  // namespace smtpc::cli
