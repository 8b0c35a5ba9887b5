// The settings codec: one table of fields, each a name and a pointer to its member, from
// which encode, decode and the absolute-path step are all made (a field added to the table
// is stored, read back and documented at once).
#include "smtpc/settings/settings_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <span>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::settings {
namespace {

[[noreturn]] void bad_value(std::string_view name, std::string_view value) {
  throw Error(ExitCode::FailedInit, fmt::format("setting {}: cannot read \"{}\"", name, value));
}

// ---- Values to text and back, one pair per member type ----

void put(SettingLines& out, std::string_view name, std::string value) {
  if (value.find_first_of("\r\n") != std::string::npos) {
    throw Error(ExitCode::FailedInit, fmt::format("setting {} holds a line break", name));
  }
  out.emplace_back(std::string(name), std::move(value));
}

constexpr std::array<std::pair<IpFamily, std::string_view>, 3> kFamilies{
    {{IpFamily::Any, "any"}, {IpFamily::V4, "ipv4"}, {IpFamily::V6, "ipv6"}}};
constexpr std::array<std::pair<ProxyType, std::string_view>, 7> kProxyTypes{
    {{ProxyType::Http, "http"},
     {ProxyType::Http10, "http1.0"},
     {ProxyType::Https, "https"},
     {ProxyType::Socks4, "socks4"},
     {ProxyType::Socks4a, "socks4a"},
     {ProxyType::Socks5, "socks5"},
     {ProxyType::Socks5h, "socks5h"}}};

template <typename Enum, std::size_t N>
std::string_view enum_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                           Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return names.front().second;
}

template <typename Enum, std::size_t N>
void enum_value(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum& field,
                std::string_view name, const std::string& text) {
  for (const auto& [known, known_name] : names) {
    if (known_name == text) {
      field = known;
      return;
    }
  }
  bad_value(name, text);
}

// A whole number in [low, high], nothing else on the line.
long long whole_number(std::string_view name, const std::string& text, long long low,
                       long long high) {
  const auto [number, error] = parse_long(text);
  if (error != std::errc{} || number < low || number > high) bad_value(name, text);
  return number;
}

void write(SettingLines& out, std::string_view name, const std::string& value) {
  put(out, name, value);
}
void read(std::string& field, std::string_view, const std::string& text) { field = text; }

void write(SettingLines& out, std::string_view name, const std::optional<std::string>& value) {
  if (value) put(out, name, *value);
}
void read(std::optional<std::string>& field, std::string_view, const std::string& text) {
  field = text;
}

void write(SettingLines& out, std::string_view name, const std::vector<std::string>& values) {
  for (const auto& value : values) put(out, name, value);
}
void read(std::vector<std::string>& field, std::string_view, const std::string& text) {
  field.push_back(text);
}

void write(SettingLines& out, std::string_view name, bool value) {
  put(out, name, value ? "yes" : "no");
}
void read(bool& field, std::string_view name, const std::string& text) {
  if (text != "yes" && text != "no") bad_value(name, text);
  field = text == "yes";
}

// Every stored number is an optional (int, long or double) or limit_rate (uint64_t).
void write(SettingLines& out, std::string_view name, const std::optional<int>& value) {
  if (value) put(out, name, std::to_string(*value));
}
void read(std::optional<int>& field, std::string_view name, const std::string& text) {
  field = static_cast<int>(
      whole_number(name, text, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

void write(SettingLines& out, std::string_view name, const std::optional<long>& value) {
  if (value) put(out, name, std::to_string(*value));
}
void read(std::optional<long>& field, std::string_view name, const std::string& text) {
  field = static_cast<long>(
      whole_number(name, text, std::numeric_limits<long>::min(), std::numeric_limits<long>::max()));
}

void write(SettingLines& out, std::string_view name, std::uint64_t value) {
  put(out, name, std::to_string(value));
}
void read(std::uint64_t& field, std::string_view name, const std::string& text) {
  field = static_cast<std::uint64_t>(
      whole_number(name, text, 0, std::numeric_limits<long long>::max()));
}

// fmt's shortest form reads back to the same double.
void write(SettingLines& out, std::string_view name, const std::optional<double>& value) {
  if (value) put(out, name, fmt::format("{}", *value));
}
void read(std::optional<double>& field, std::string_view name, const std::string& text) {
  const auto [number, error] = parse_double(text);
  if (error != std::errc{}) bad_value(name, text);
  field = number;
}

void write(SettingLines& out, std::string_view name, IpFamily value) {
  put(out, name, std::string(enum_name(kFamilies, value)));
}
void read(IpFamily& field, std::string_view name, const std::string& text) {
  enum_value(kFamilies, field, name, text);
}

void write(SettingLines& out, std::string_view name, ProxyType value) {
  put(out, name, std::string(enum_name(kProxyTypes, value)));
}
void read(ProxyType& field, std::string_view name, const std::string& text) {
  enum_value(kProxyTypes, field, name, text);
}

void write(SettingLines& out, std::string_view name, const std::optional<LocalPortRange>& value) {
  if (value) put(out, name, fmt::format("{}-{}", value->first, value->last));
}
void read(std::optional<LocalPortRange>& field, std::string_view name, const std::string& text) {
  const auto dash = text.find('-');
  if (dash == std::string::npos) bad_value(name, text);
  field = LocalPortRange{
      static_cast<std::uint16_t>(whole_number(name, text.substr(0, dash), 0, 65535)),
      static_cast<std::uint16_t>(whole_number(name, text.substr(dash + 1), 0, 65535))};
}

// ---- Paths ----

std::string absolute(const std::string& path) {
  // "-" (standard input) and PKCS#11 URIs are no file names.
  if (path.empty() || path == "-" || path.starts_with("/") || path.starts_with("pkcs11:")) {
    return path;
  }
  std::error_code error;
  const auto made = std::filesystem::absolute(path, error);
  return error ? path : made.lexically_normal().string();
}

void make_absolute(std::optional<std::string>& path) {
  if (path) *path = absolute(*path);
}
void make_absolute(std::vector<std::string>& paths) {
  for (auto& path : paths) path = absolute(path);
}
template <typename T>
void make_absolute(T&) {}  // not a path: the table never marks one so

// ---- The table ----

// Value or Path (made absolute); Added: a value added after its format's first release,
// written only when it is not the default, so that the smtpc before it, which refuses a
// name it does not know, still reads every entry that does not use it.
enum class Kind { Value, Path, Added };

struct Field {
  std::string_view name;
  Kind kind;
  void (*write)(SettingLines& out, std::string_view name, const DeliverySettings& settings);
  void (*read)(DeliverySettings& settings, std::string_view name, const std::string& text);
  void (*absolute)(DeliverySettings& settings);
  void (*fill)(DeliverySettings& settings, const DeliverySettings& from);
  bool (*unset)(const DeliverySettings& settings);
};

// The defaults each field is compared with: made on first use (a queue entry written or
// read, an account filled in), not by a static initialiser in every run.
const DeliverySettings& defaults() {
  static const DeliverySettings made{};
  return made;
}

// The field `Member` of group `Group`, named `name` in stored entries.
template <auto Group, auto Member>
constexpr Field field(std::string_view name, Kind kind = Kind::Value) {
  return Field{
      name,
      kind,
      [](SettingLines& out, std::string_view n, const DeliverySettings& s) {
        write(out, n, s.*Group.*Member);
      },
      [](DeliverySettings& s, std::string_view n, const std::string& text) {
        read(s.*Group.*Member, n, text);
      },
      [](DeliverySettings& s) { make_absolute(s.*Group.*Member); },
      [](DeliverySettings& s, const DeliverySettings& from) {
        if (s.*Group.*Member == defaults().*Group.*Member) s.*Group.*Member = from.*Group.*Member;
      },
      [](const DeliverySettings& s) { return s.*Group.*Member == defaults().*Group.*Member; }};
}

using D = DeliverySettings;
constexpr auto P = Kind::Path;
constexpr auto A = Kind::Added;

// The table, made on the first use of the codec (a queue entry written or read, an account
// filled in). Not a namespace-scope constant: as one it was either filled in by a static
// initialiser in every run (1400 instructions), or (constexpr) cost the loader a
// relocation per pointer in every run (4200 instructions more; callgrind, smtpc --version).
// Long on purpose: one field a line, the whole table in one place.
std::span<const Field> fields() {
  // clang-format off
  static const Field table[] = {
    field<&D::destination, &Destination::url>("destination.url"),
    field<&D::destination, &Destination::user>("destination.user"),
    field<&D::destination, &Destination::proxy>("destination.proxy"),
    field<&D::destination, &Destination::preproxy>("destination.preproxy"),
    field<&D::destination, &Destination::proxy_user>("destination.proxy_user"),
    field<&D::destination, &Destination::account_file>("destination.account_file", P),
    field<&D::destination, &Destination::account>("destination.account"),
    field<&D::destination, &Destination::oauth2_bearer_needed>("destination.oauth2_bearer_needed"),
    field<&D::connect, &ConnectSettings::connect_timeout>("connect.connect_timeout"),
    field<&D::connect, &ConnectSettings::max_time>("connect.max_time"),
    field<&D::connect, &ConnectSettings::resolve>("connect.resolve"),
    field<&D::connect, &ConnectSettings::connect_to>("connect.connect_to"),
    field<&D::connect, &ConnectSettings::ip_family>("connect.ip_family"),
    field<&D::connect, &ConnectSettings::interface>("connect.interface"),
    field<&D::connect, &ConnectSettings::local_port>("connect.local_port"),
    field<&D::connect, &ConnectSettings::proto>("connect.proto"),
    field<&D::connect, &ConnectSettings::proto_default>("connect.proto_default"),
    field<&D::connect, &ConnectSettings::limit_rate>("connect.limit_rate"),
    field<&D::connect, &ConnectSettings::speed_limit>("connect.speed_limit"),
    field<&D::connect, &ConnectSettings::speed_time>("connect.speed_time"),
    field<&D::connect, &ConnectSettings::tcp_nodelay>("connect.tcp_nodelay"),
    field<&D::connect, &ConnectSettings::keepalive>("connect.keepalive"),
    field<&D::connect, &ConnectSettings::keepalive_time>("connect.keepalive_time"),
    field<&D::connect, &ConnectSettings::tcp_fastopen>("connect.tcp_fastopen"),
    field<&D::connect, &ConnectSettings::happy_eyeballs_ms>("connect.happy_eyeballs_ms"),
    // A path unless abstract: make_paths_absolute decides.
    field<&D::connect, &ConnectSettings::unix_socket>("connect.unix_socket"),
    field<&D::connect, &ConnectSettings::abstract_unix_socket>("connect.abstract_unix_socket"),
    field<&D::connect, &ConnectSettings::haproxy_protocol>("connect.haproxy_protocol"),
    field<&D::proxy, &ProxySettings::proxy_type>("proxy.proxy_type"),
    field<&D::proxy, &ProxySettings::noproxy>("proxy.noproxy"),
    field<&D::proxy, &ProxySettings::user_agent>("proxy.user_agent"),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_insecure>("proxy_tls.insecure"),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_cacert>("proxy_tls.cacert", P),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_capath>("proxy_tls.capath", P),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_cert>("proxy_tls.cert", P),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_key>("proxy_tls.key", P),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_ciphers>("proxy_tls.ciphers"),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_tls13_ciphers>("proxy_tls.tls13_ciphers"),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_crlfile>("proxy_tls.crlfile", P),
    field<&D::proxy_tls, &ProxyTlsSettings::proxy_pinnedpubkey>("proxy_tls.pinnedpubkey"),
    field<&D::tls, &TlsSettings::ssl>("tls.ssl"),
    field<&D::tls, &TlsSettings::ssl_reqd>("tls.ssl_reqd"),
    field<&D::tls, &TlsSettings::insecure>("tls.insecure"),
    field<&D::tls, &TlsSettings::cacert>("tls.cacert", P),
    field<&D::tls, &TlsSettings::capath>("tls.capath", P),
    field<&D::tls, &TlsSettings::cert>("tls.cert", P),
    field<&D::tls, &TlsSettings::key>("tls.key", P),
    field<&D::tls, &TlsSettings::tlsv1_3>("tls.tlsv1_3"),
    field<&D::tls, &TlsSettings::tls_max>("tls.tls_max"),
    field<&D::tls, &TlsSettings::ciphers>("tls.ciphers"),
    field<&D::tls, &TlsSettings::tls13_ciphers>("tls.tls13_ciphers"),
    field<&D::tls, &TlsSettings::curves>("tls.curves"),
    field<&D::tls, &TlsSettings::pinnedpubkey>("tls.pinnedpubkey"),
    field<&D::tls, &TlsSettings::crlfile>("tls.crlfile", P),
    field<&D::tls, &TlsSettings::cert_status>("tls.cert_status"),
    field<&D::auth, &AuthSources::disallow_username_in_url>("auth.disallow_username_in_url"),
    field<&D::auth, &AuthSources::password_file>("auth.password_file", P),
    field<&D::auth, &AuthSources::password_command>("auth.password_command"),
    field<&D::auth, &AuthSources::netrc>("auth.netrc"),
    field<&D::auth, &AuthSources::netrc_optional>("auth.netrc_optional"),
    field<&D::auth, &AuthSources::netrc_file>("auth.netrc_file", P),
    field<&D::auth, &AuthSources::login_options>("auth.login_options"),
    field<&D::auth, &AuthSources::sasl_authzid>("auth.sasl_authzid"),
    field<&D::auth, &AuthSources::sasl_ir>("auth.sasl_ir"),
    field<&D::auth, &AuthSources::mail_auth>("auth.mail_auth"),
    field<&D::auth, &AuthSources::allow_plaintext_auth>("auth.allow_plaintext_auth"),
    field<&D::envelope, &EnvelopeSettings::no_pipelining>("envelope.no_pipelining"),
    field<&D::envelope, &EnvelopeSettings::no_chunking>("envelope.no_chunking"),
    field<&D::envelope, &EnvelopeSettings::mail_rcpt_allowfails>("envelope.mail_rcpt_allowfails"),
    field<&D::dkim, &DkimSettings::keys>("dkim.keys", P),
    field<&D::dkim, &DkimSettings::selectors>("dkim.selectors"),
    field<&D::dkim, &DkimSettings::domain>("dkim.domain"),
    field<&D::dkim, &DkimSettings::domain_on_command_line>("dkim.domain_on_command_line"),
    field<&D::dkim, &DkimSettings::canonicalization>("dkim.canonicalization"),
    field<&D::dkim, &DkimSettings::headers>("dkim.headers"),
    // Added after format 2's first release (0c6abb0): an entry without them is one without --mx.
    field<&D::mx, &MxSettings::mx>("mx.direct", A),
    field<&D::mx, &MxSettings::dns_servers>("mx.dns_servers", A),
    field<&D::mx, &MxSettings::mx_port>("mx.port", A),
};
  // clang-format on
  return table;
}

const Field* find_field(std::string_view name) {
  const auto table = fields();
  const auto found =
      std::find_if(table.begin(), table.end(), [name](const Field& f) { return f.name == name; });
  return found == table.end() ? nullptr : &*found;
}

// Format 1's keys (the option spellings queue_cli.cpp wrote) and what they were.
struct Format1Key {
  std::string_view key;
  std::string_view field;
  enum class Value { Same, Flag, NegatedFlag, Family } value = Value::Same;
};
using V = Format1Key::Value;

// clang-format off
constexpr Format1Key kFormat1[] = {
    {"url", "destination.url"}, {"user", "destination.user"},
    {"config", "destination.account_file"}, {"account", "destination.account"},
    {"oauth2-bearer-needed", "destination.oauth2_bearer_needed", V::Flag},
    {"ssl", "tls.ssl", V::Flag}, {"ssl-reqd", "tls.ssl_reqd", V::Flag},
    {"insecure", "tls.insecure", V::Flag}, {"cacert", "tls.cacert"}, {"capath", "tls.capath"},
    {"cert", "tls.cert"}, {"key", "tls.key"}, {"tlsv1.3", "tls.tlsv1_3", V::Flag},
    {"tls-max", "tls.tls_max"}, {"ciphers", "tls.ciphers"},
    {"tls13-ciphers", "tls.tls13_ciphers"}, {"curves", "tls.curves"},
    {"pinnedpubkey", "tls.pinnedpubkey"}, {"resolve", "connect.resolve"},
    {"connect-to", "connect.connect_to"}, {"ipv4", "connect.ip_family", V::Family},
    {"ipv6", "connect.ip_family", V::Family}, {"interface", "connect.interface"},
    {"local-port", "connect.local_port"}, {"limit-rate", "connect.limit_rate"},
    {"no-tcp-nodelay", "connect.tcp_nodelay", V::NegatedFlag},
    {"no-keepalive", "connect.keepalive", V::NegatedFlag},
    {"keepalive-time", "connect.keepalive_time"},
    {"connect-timeout", "connect.connect_timeout"}, {"max-time", "connect.max_time"},
    {"no-pipelining", "envelope.no_pipelining", V::Flag},
    {"no-chunking", "envelope.no_chunking", V::Flag},
    {"mail-rcpt-allowfails", "envelope.mail_rcpt_allowfails", V::Flag},
    {"dkim-key", "dkim.keys"}, {"dkim-selector", "dkim.selectors"},
    {"dkim-domain", "dkim.domain"},
    {"dkim-domain-explicit", "dkim.domain_on_command_line", V::Flag},
    {"dkim-canon", "dkim.canonicalization"}, {"dkim-headers", "dkim.headers"},
    {"password-file", "auth.password_file"}, {"password-command", "auth.password_command"},
    {"netrc", "auth.netrc", V::Flag}, {"netrc-optional", "auth.netrc_optional", V::Flag},
    {"netrc-file", "auth.netrc_file"}, {"login-options", "auth.login_options"},
    {"sasl-authzid", "auth.sasl_authzid"}, {"sasl-ir", "auth.sasl_ir", V::Flag},
    {"mail-auth", "auth.mail_auth"},
    {"allow-plaintext-auth", "auth.allow_plaintext_auth", V::Flag},
};
// clang-format on

// A format 1 value as the codec writes it ("1" was on; -4/-6 were two keys).
std::string format1_value(const Format1Key& key, const std::string& value) {
  switch (key.value) {
    case V::Flag:
      return value == "1" ? "yes" : "no";
    case V::NegatedFlag:
      return value == "1" ? "no" : "yes";
    case V::Family:
      return value != "1" ? "any" : key.key == "ipv4" ? "ipv4" : "ipv6";
    case V::Same:
      break;
  }
  return value;
}

}  // namespace

SettingLines encode(const DeliverySettings& settings) {
  SettingLines lines;
  for (const Field& f : fields()) {
    if (f.kind != Kind::Added || !f.unset(settings)) f.write(lines, f.name, settings);
  }
  return lines;
}

DeliverySettings decode(const SettingLines& lines) {
  DeliverySettings settings;
  for (const auto& [name, value] : lines) {
    const Field* f = find_field(name);
    if (f == nullptr) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("unknown setting \"{}\" (written by a newer smtpc?)", name));
    }
    f->read(settings, f->name, value);
  }
  return settings;
}

DeliverySettings decode_format1(const SettingLines& lines) {
  SettingLines converted;
  for (const auto& [key, value] : lines) {
    const auto* known = std::find_if(std::begin(kFormat1), std::end(kFormat1),
                                     [&key = key](const Format1Key& k) { return k.key == key; });
    if (known == std::end(kFormat1)) continue;
    // Format 1 wrote "ipv4 1" or "ipv6 1" only when given; never a 0 that would undo it.
    if (known->value == V::Family && value != "1") continue;
    converted.emplace_back(std::string(known->field), format1_value(*known, value));
  }
  return decode(converted);
}

void make_paths_absolute(DeliverySettings& settings) {
  for (const Field& f : fields()) {
    if (f.kind == Kind::Path) f.absolute(settings);
  }
  if (!settings.connect.abstract_unix_socket) make_absolute(settings.connect.unix_socket);
}

void fill_unset(DeliverySettings& settings, const DeliverySettings& from) {
  for (const Field& f : fields()) f.fill(settings, from);
}

std::vector<std::string_view> field_names() {
  std::vector<std::string_view> names;
  for (const Field& f : fields()) names.push_back(f.name);
  return names;
}

}  // namespace smtpc::settings
