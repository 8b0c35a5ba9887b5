// The option table (curl 7.88's options and smtpc's own) and the parser that reads argv
// and -K files with it, following curl's src/tool_getparam.c and src/tool_parsecfg.c.
#include "command_line.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "config.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/sys/file.hpp"
#include "variables.hpp"

namespace smtpc::cli {
namespace {

// curl's str2udouble: a non-negative decimal number of seconds (parse_double), with the
// three error lines of non_negative.
double seconds(std::string_view option, const std::string& value) {
  const auto [number, error] = parse_double(value);
  if (error == std::errc::invalid_argument) {
    throw UsageError(fmt::format("option {}: expected a proper numerical parameter", option));
  }
  if (error == std::errc::result_out_of_range) {
    throw UsageError(fmt::format("option {}: too large number", option));
  }
  if (number < 0) {
    throw UsageError(fmt::format("option {}: expected a positive numerical parameter", option));
  }
  return number;
}

// --trace-config (curl 8.3): a comma-separated list of names, each turned on, or off with a
// '-' prefix. "ids" and "time" are --trace-ids and --trace-time, "all" both; curl's other
// names are its library's components, accepted as curl accepts unknown ones.
void apply_trace_config(Options& o, std::string_view list) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view name = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    bool on = true;
    if (name.starts_with('-') || name.starts_with('+')) {
      on = name.front() == '+';
      name.remove_prefix(1);
    }
    if (equals_ignore_case(name, "all") || equals_ignore_case(name, "ids")) o.trace_ids = on;
    if (equals_ignore_case(name, "all") || equals_ignore_case(name, "time")) o.trace_time = on;
  }
}

// curl's str2unum (tool_getparam.c) and its three error lines: the whole value a decimal
// number (parse_long), not negative ("positive" is curl's word), and within what the
// setting holds (`max`).
long non_negative(std::string_view option, const std::string& value,
                  long max = std::numeric_limits<long>::max()) {
  const auto [number, error] = parse_long(value);
  if (error == std::errc::invalid_argument) {
    throw UsageError(fmt::format("option {}: expected a proper numerical parameter", option));
  }
  if (error == std::errc{} && number < 0) {
    throw UsageError(fmt::format("option {}: expected a positive numerical parameter", option));
  }
  if (error == std::errc::result_out_of_range || number > max) {
    throw UsageError(fmt::format("option {}: too large number", option));
  }
  return number;
}

int integer(std::string_view option, const std::string& value) {
  return static_cast<int>(non_negative(option, value, std::numeric_limits<int>::max()));
}

// A duration for --queue-lifetime: seconds, or a number followed by s, m, h or d (as
// Postfix's maximal_queue_lifetime): "5d", "12h", "3600".
std::int64_t duration(std::string_view option, const std::string& value) {
  std::string digits = value;
  std::int64_t unit = 1;
  if (!digits.empty() && std::string_view("smhd").find(digits.back()) != std::string_view::npos) {
    unit = digits.back() == 's'   ? 1
           : digits.back() == 'm' ? 60
           : digits.back() == 'h' ? 3600
                                  : 86400;
    digits.pop_back();
  }
  const long number = non_negative(option, digits);
  if (number > 100L * 365 * 86400 / unit) {
    throw UsageError(fmt::format("option {}: {} is too long", option, value));
  }
  return static_cast<std::int64_t>(number) * unit;
}

}  // namespace

std::uint64_t size_parameter(std::string_view option, const std::string& value) {
  const auto bad = [option] {
    return UsageError(fmt::format("option {}: is badly used here", option));
  };
  std::size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
  if (digits == 0 || digits > 18 || value.size() - digits > 1) throw bad();
  std::uint64_t number = std::stoull(value.substr(0, digits));
  const char unit = digits < value.size() ? value[digits] : 'b';
  int shift = 0;
  switch (unit) {
    case 'G':
    case 'g':
      shift = 30;
      break;
    case 'M':
    case 'm':
      shift = 20;
      break;
    case 'K':
    case 'k':
      shift = 10;
      break;
    case 'B':
    case 'b':
      break;
    default:
      throw bad();
  }
  if (number > (std::numeric_limits<std::uint64_t>::max() >> shift)) throw bad();
  return number << shift;
}

long rate_interval_ms(const std::string& value) {
  const auto slash = value.find('/');
  const std::string number = value.substr(0, slash);
  if (number.size() > 25) throw UsageError("option --rate: too large number");
  const long denominator = non_negative("--rate", number);
  if (denominator < 1) throw UsageError("option --rate: is badly used here");
  long numerator = 60L * 60 * 1000;  // per hour
  if (slash != std::string::npos) {
    switch (slash + 1 < value.size() ? value[slash + 1] : '\0') {
      case 's':
        numerator = 1000;
        break;
      case 'm':
        numerator = 60L * 1000;
        break;
      case 'h':
        break;
      case 'd':
        numerator = 24L * 60 * 60 * 1000;
        break;
      default:
        throw UsageError("option --rate: is badly used here");
    }
  }
  return numerator / denominator;
}

bool is_curl_protocol(std::string_view name) { return smtpc::is_curl_protocol(name); }

bool protocol_allowed(std::string_view list, std::string_view scheme,
                      std::vector<std::string>* unknown) {
  try {
    return proto_allows(list, scheme, unknown);
  } catch (const Error& error) {
    throw UsageError(error.what());  // curl's usage error
  }
}

// curl 7.88's tool_getparam.c: digits, then optionally " - " and a second number no
// smaller than the first; anything else after the digits that is not such a range is
// ignored, as curl does.
LocalPortRange local_port_range(const std::string& value) {
  const auto bad = [] { return UsageError("option --local-port: is badly used here"); };
  // curl's str2unum: a whole decimal number, not negative.
  const auto number = [&bad](const std::string& text) -> long {
    const auto [n, error] = parse_long(text);
    if (error != std::errc{} || n < 0 || n > 65535) throw bad();
    return n;
  };
  std::size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
  const long first = number(value.substr(0, digits));
  long last = first;
  if (digits < value.size()) {
    // sscanf(" - %6s"): blanks, a dash, blanks, then up to six non-blank characters; a
    // rest that does not start so is no range.
    std::size_t i = digits;
    while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i])) != 0) ++i;
    if (i == value.size()) throw bad();  // sscanf's EOF
    if (value[i] == '-') {
      ++i;
      while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i])) != 0) ++i;
      std::size_t end = i;
      while (end < value.size() && end - i < 6 &&
             std::isspace(static_cast<unsigned char>(value[end])) == 0) {
        ++end;
      }
      last = number(value.substr(i, end - i));
      if (last < first) throw bad();
    }
  }
  return LocalPortRange{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

namespace {

void require_pem(std::string_view option, const std::string& value) {
  if (!equals_ignore_case(value, "PEM")) {
    throw UsageError(fmt::format("option {}: smtpc reads PEM files only", option));
  }
}

// -E FILE[:PASSPHRASE], with "\:" for a colon in the file name (curl's parse_cert_parameter):
// the file, and the passphrase into `pass` when there is one.
std::string cert_and_pass(const std::string& value, std::optional<std::string>& pass) {
  std::string file;
  std::size_t i = 0;
  for (; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() && (value[i + 1] == ':' || value[i + 1] == '\\')) {
      file += value[++i];
    } else if (value[i] == ':' && !value.starts_with("pkcs11:")) {
      break;
    } else {
      file += value[i];
    }
  }
  if (i + 1 < value.size()) pass = value.substr(i + 1);
  return file;
}

void set_cert(Options& o, const std::string& value) { o.cert = cert_and_pass(value, o.pass); }

// -O takes the next URL's output slot, as -o does. --no-remote-name does too, keeping that
// URL's output on stdout, but (as in curl 7.88's getparam) only when a URL without one is
// waiting or --remote-name-all is on; otherwise it does nothing.
void add_remote_name(Options& o, bool on) {
  if (!on && !o.remote_name_all && o.urls.size() <= o.outputs.size()) return;
  o.outputs.push_back({.file = std::nullopt, .remote_name = on});
}

// curl checks the name when it reads the option: one it does not know is exit 1.
void set_proto_default(Options& o, const std::string& value) {
  if (!is_curl_protocol(value)) {
    throw UsageError(ExitCode::UnsupportedProtocol,
                     "option --proto-default: a specified protocol is unsupported by libcurl");
  }
  o.proto_default = value;
}

// -H "Name: value", or -H @FILE: one header per line (curl reads the file at once).
// -H and --proxy-header: a header, or @FILE with one header a line (curl's getparam).
void add_header_lines(std::vector<std::string>& headers, std::string_view option,
                      const std::string& value) {
  if (!value.starts_with('@')) {
    headers.push_back(value);
    return;
  }
  const std::string path = value.substr(1);
  const FileContent file = read_file(path);
  if (!file.opened) throw UsageError(fmt::format("option {}: cannot read {}", option, path));
  if (!file.ok()) {  // opened but unreadable (a directory): curl 7.88's exit 26 and words
    throw Error(ExitCode::ReadError,
                fmt::format("option {}: error encountered when reading a file", option));
  }
  std::string_view rest = file.text;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    if (!line.empty()) headers.emplace_back(line);
  }
}

void add_header(Options& o, const std::string& value) {
  add_header_lines(o.compose.headers, "-H", value);
}

// clang-format off
constexpr OptionDef kOptions[] = {
    {"abstract-unix-socket", '\0', ArgKind::Value, "<path>", "Connect via abstract Unix domain socket", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.unix_socket = v; o.abstract_unix_socket = true; }, "Linux's abstract namespace; proxies are not used, as in curl"},
    {"alt-svc", '\0', ArgKind::Value, "<file name>", "Enable alt-svc with this cache file", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"anyauth", '\0', ArgKind::None, "", "Pick any authentication method", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"append", '\0', ArgKind::Bool, "", "Append to target file when uploading", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only (-a and -t are smtpc's --account and --read-recipients)"},
    {"aws-sigv4", '\0', ArgKind::Value, "<provider1[:provider2[:region[:service]]]>", "Use AWS V4 signature authentication", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"basic", '\0', ArgKind::Bool, "", "Use HTTP Basic Authentication", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"cacert", '\0', ArgKind::Value, "<file>", "CA certificate to verify peer against", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.cacert = v; }, ""},
    {"capath", '\0', ArgKind::Value, "<dir>", "CA directory to verify peer against", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.capath = v; }, ""},
    {"cert", 'E', ArgKind::Value, "<certificate[:password]>", "Client certificate file and password", "tls", Support::Implemented, Secret::AfterColon, [](Options& o, const std::string& v, bool) { set_cert(o, v); }, ""},
    {"cert-status", '\0', ArgKind::Bool, "", "Verify the status of the server cert via OCSP-staple", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.cert_status = on; }, "as curl: no staple, a bad one or \"revoked\" is exit 91; the server must send its issuer"},
    {"cert-type", '\0', ArgKind::Value, "<type>", "Certificate type (DER/PEM/ENG/P12)", "tls", Support::Implemented, Secret::No, [](Options&, const std::string& v, bool) { require_pem("--cert-type", v); }, "PEM only; other types exit 2"},
    {"ciphers", '\0', ArgKind::Value, "<list of ciphers>", "SSL ciphers to use", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.ciphers = v; }, ""},
    {"compressed", '\0', ArgKind::Bool, "", "Request compressed response", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"compressed-ssh", '\0', ArgKind::Bool, "", "Enable SSH compression", "scp", Support::Ignored, Secret::No, nullptr, "SCP only"},
    {"config", 'K', ArgKind::Value, "<file>", "Read config from a file", "curl", Support::Implemented, Secret::No, nullptr, ""},
    {"connect-timeout", '\0', ArgKind::Value, "<fractional seconds>", "Maximum time allowed for connection", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.connect_timeout = seconds("--connect-timeout", v); }, ""},
    {"connect-to", '\0', ArgKind::Value, "<HOST1:PORT1:HOST2:PORT2>", "Connect to host", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.connect_to.push_back(v); }, ""},
    {"continue-at", 'C', ArgKind::Value, "<offset>", "Resumed transfer offset", "connection", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"cookie", 'b', ArgKind::Value, "<data|filename>", "Send cookies from string/file", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"cookie-jar", 'c', ArgKind::Value, "<filename>", "Write cookies to <filename> after operation", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"create-dirs", '\0', ArgKind::Bool, "", "Create necessary local directory hierarchy", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.create_dirs = on; }, "the missing directories of -o, mode 0750, made before connecting"},
    {"create-file-mode", '\0', ArgKind::Value, "<mode>", "File mode for created files", "file", Support::Ignored, Secret::No, nullptr, "FILE only"},
    {"crlf", '\0', ArgKind::Bool, "", "Convert LF to CRLF in upload", "ftp", Support::Implemented, Secret::No, [](Options&, const std::string&, bool) {}, "smtpc always sends CRLF (docs/curl-differences.md)"},
    {"crlfile", '\0', ArgKind::Value, "<file>", "Use this CRL list", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.crlfile = v; }, "PEM; the whole chain is checked (a revoked certificate is exit 60); unloadable: 82"},
    {"curves", '\0', ArgKind::Value, "<algorithm list>", "(EC) TLS key exchange algorithm(s) to request", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.curves = v; }, "OpenSSL's groups list; one it does not know is exit 59 when TLS is set up, as curl"},
    {"data", 'd', ArgKind::Value, "<data>", "HTTP POST data", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"data-ascii", '\0', ArgKind::Value, "<data>", "HTTP POST ASCII data", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"data-binary", '\0', ArgKind::Value, "<data>", "HTTP POST binary data", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"data-raw", '\0', ArgKind::Value, "<data>", "HTTP POST data, '@' allowed", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"data-urlencode", '\0', ArgKind::Value, "<data>", "HTTP POST data URL encoded", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"delegation", '\0', ArgKind::Value, "<LEVEL>", "GSS-API delegation permission", "auth", Support::Accepted, Secret::No, nullptr, "for SASL GSSAPI, which smtpc does not have (docs/curl-differences.md)"},
    {"digest", '\0', ArgKind::Bool, "", "Use HTTP Digest Authentication", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"disable", 'q', ArgKind::Bool, "", "Disable .curlrc", "curl", Support::Implemented, Secret::No, nullptr, "smtpc reads no .curlrc, so -q changes nothing"},
    {"disable-eprt", '\0', ArgKind::Bool, "", "Inhibit using EPRT or LPRT", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"disable-epsv", '\0', ArgKind::Bool, "", "Inhibit using EPSV", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"disallow-username-in-url", '\0', ArgKind::Bool, "", "Disallow username in URL", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.disallow_username_in_url = on; }, "a URL with a user part (even empty) fails with 67 before connecting, as curl"},
    {"dns-interface", '\0', ArgKind::Value, "<interface>", "Interface to use for DNS requests", "dns", Support::Refused, Secret::No, nullptr, "refused by Debian's curl too (no c-ares)"},
    {"dns-ipv4-addr", '\0', ArgKind::Value, "<address>", "IPv4 address to use for DNS requests", "dns", Support::Refused, Secret::No, nullptr, "refused by Debian's curl too (no c-ares)"},
    {"dns-ipv6-addr", '\0', ArgKind::Value, "<address>", "IPv6 address to use for DNS requests", "dns", Support::Refused, Secret::No, nullptr, "refused by Debian's curl too (no c-ares)"},
    {"dns-servers", '\0', ArgKind::Value, "<addresses>", "DNS server addrs to use", "dns", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.dns_servers = v; }, "used by --mx (curl needs c-ares for it; Debian's curl refuses it)"},
    {"doh-cert-status", '\0', ArgKind::Bool, "", "Verify the status of the DoH server cert via OCSP-staple", "dns", Support::Accepted, Secret::No, nullptr, "the system resolver is used"},
    {"doh-insecure", '\0', ArgKind::Bool, "", "Allow insecure DoH server connections", "dns", Support::Accepted, Secret::No, nullptr, "the system resolver is used"},
    {"doh-url", '\0', ArgKind::Value, "<URL>", "Resolve host names over DoH", "dns", Support::Accepted, Secret::No, nullptr, "the system resolver is used"},
    {"dump-header", 'D', ArgKind::Value, "<filename>", "Write the received headers to <filename>", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"egd-file", '\0', ArgKind::Value, "<file>", "EGD socket path for random data", "tls", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"engine", '\0', ArgKind::Value, "<name>", "Crypto engine to use", "tls", Support::Refused, Secret::No, nullptr, "no OpenSSL engines"},
    {"etag-compare", '\0', ArgKind::Value, "<file>", "Pass an ETag from a file as a custom header", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"etag-save", '\0', ArgKind::Value, "<file>", "Parse ETag from a request and save it to a file", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"expect100-timeout", '\0', ArgKind::Value, "<seconds>", "How long to wait for 100-continue", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"fail", 'f', ArgKind::Bool, "", "Fail fast with no output on HTTP errors", "http", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.fail = on; }, "no effect for SMTP, as in curl; --fail with --fail-with-body is refused as curl does"},
    {"fail-early", '\0', ArgKind::Bool, "", "Fail on first transfer error, do not continue", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.fail_early = on; }, ""},
    {"fail-with-body", '\0', ArgKind::Bool, "", "Fail on HTTP errors but save the body", "http", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.fail_with_body = on; }, "as --fail"},
    {"false-start", '\0', ArgKind::Bool, "", "Enable TLS False Start", "tls", Support::Ignored, Secret::No, nullptr, "curl's OpenSSL build has no TLS False Start: no effect there either"},
    {"form", 'F', ArgKind::Value, "<name=content>", "Specify multipart MIME data", "http", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.form.push_back({v, false}); }, "builds the MIME message curl builds for smtp:// (docs/compose.md)"},
    {"form-escape", '\0', ArgKind::Bool, "", "Escape multipart form field/file names using backslash", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"form-string", '\0', ArgKind::Value, "<name=string>", "Specify multipart MIME data", "http", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.form.push_back({v, true}); }, "as -F, the content taken literally"},
    {"ftp-account", '\0', ArgKind::Value, "<data>", "Account data string", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"ftp-alternative-to-user", '\0', ArgKind::Value, "<command>", "String to replace USER [name]", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-create-dirs", '\0', ArgKind::Bool, "", "Create the remote dirs if not present", "curl", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"ftp-method", '\0', ArgKind::Value, "<method>", "Control CWD usage", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-pasv", '\0', ArgKind::None, "", "Use PASV/EPSV instead of PORT", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-port", 'P', ArgKind::Value, "<address>", "Use PORT instead of PASV", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-pret", '\0', ArgKind::Bool, "", "Send PRET before PASV", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-skip-pasv-ip", '\0', ArgKind::Bool, "", "Skip the IP address for PASV", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-ssl-ccc", '\0', ArgKind::Bool, "", "Send CCC after authenticating", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-ssl-ccc-mode", '\0', ArgKind::Value, "<active/passive>", "Set CCC mode", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-ssl-control", '\0', ArgKind::Bool, "", "Require SSL/TLS for FTP login, clear for transfer", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"get", 'G', ArgKind::Bool, "", "Put the post data in the URL and use GET", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"globoff", 'g', ArgKind::Bool, "", "Disable URL sequences and ranges using {} and []", "curl", Support::Accepted, Secret::No, nullptr, "smtpc never expands {} and [] in URLs"},
    {"happy-eyeballs-timeout-ms", '\0', ArgKind::Value, "<milliseconds>", "Time for IPv6 before trying IPv4", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.happy_eyeballs_ms = non_negative("--happy-eyeballs-timeout-ms", v); }, "RFC 8305: the other family's attempt starts after this long, in parallel; 200 by default"},
    {"haproxy-protocol", '\0', ArgKind::Bool, "", "Send HAProxy PROXY protocol v1 header", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.haproxy_protocol = on; }, "PROXY TCP4/TCP6 (UNKNOWN over a Unix socket) before the greeting, as curl"},
    {"head", 'I', ArgKind::Bool, "", "Show document info only", "file", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.head = on; }, "-I without -T: HELP (or VRFY) is sent and its text not written, as curl does; with -T: exit 2 as curl"},
    {"header", 'H', ArgKind::Value, "<header/@file>", "Pass custom header(s) to server", "http", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { add_header(o, v); }, ""},
    {"help", 'h', ArgKind::None, "", "Get help for commands", "curl", Support::Implemented, Secret::No, nullptr, ""},
    {"hostpubmd5", '\0', ArgKind::Value, "<md5>", "Acceptable MD5 hash of the host public key", "scp", Support::Ignored, Secret::No, nullptr, "SCP only"},
    {"hostpubsha256", '\0', ArgKind::Value, "<sha256>", "Acceptable SHA256 hash of the host public key", "scp", Support::Ignored, Secret::No, nullptr, "SCP only"},
    {"hsts", '\0', ArgKind::Value, "<file name>", "Enable HSTS with this cache file", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http0.9", '\0', ArgKind::Bool, "", "Allow HTTP 0.9 responses", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http1.0", '0', ArgKind::None, "", "Use HTTP 1.0", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http1.1", '\0', ArgKind::None, "", "Use HTTP 1.1", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http2", '\0', ArgKind::None, "", "Use HTTP 2", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http2-prior-knowledge", '\0', ArgKind::None, "", "Use HTTP 2 without HTTP/1.1 Upgrade", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http3", '\0', ArgKind::None, "", "Use HTTP v3", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"http3-only", '\0', ArgKind::None, "", "Use HTTP v3 only", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"ignore-content-length", '\0', ArgKind::Bool, "", "Ignore the size of the remote resource", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"include", 'i', ArgKind::Bool, "", "Include protocol response headers in the output", "verbose", Support::Implemented, Secret::No, [](Options&, const std::string&, bool) {}, "no effect: SMTP has no headers to include"},
    {"insecure", 'k', ArgKind::Bool, "", "Allow insecure server connections", "scp", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.insecure = on; }, ""},
    {"interface", '\0', ArgKind::Value, "<name>", "Use network INTERFACE (or address)", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.interface = v; }, ""},
    {"ipv4", '4', ArgKind::None, "", "Resolve names to IPv4 addresses", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool) { o.ip_family = IpFamily::V4; }, ""},
    {"ipv6", '6', ArgKind::None, "", "Resolve names to IPv6 addresses", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool) { o.ip_family = IpFamily::V6; }, ""},
    {"json", '\0', ArgKind::Value, "<data>", "HTTP POST JSON", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"junk-session-cookies", 'j', ArgKind::Bool, "", "Ignore session cookies read from file", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"keepalive-time", '\0', ArgKind::Value, "<seconds>", "Interval time for keepalive probes", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.keepalive_time = non_negative("--keepalive-time", v); }, "TCP_KEEPIDLE and TCP_KEEPINTVL; 0 keeps 60"},
    {"key", '\0', ArgKind::Value, "<key>", "Private key file name", "ssh", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.key = v; }, ""},
    {"key-type", '\0', ArgKind::Value, "<type>", "Private key file type (DER/PEM/ENG)", "tls", Support::Implemented, Secret::No, [](Options&, const std::string& v, bool) { require_pem("--key-type", v); }, "PEM only; other types exit 2"},
    {"krb", '\0', ArgKind::Value, "<level>", "Enable Kerberos with security <level>", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"libcurl", '\0', ArgKind::Value, "<file>", "Dump libcurl equivalent code of this command line", "curl", Support::Refused, Secret::No, nullptr, "smtpc is not built on libcurl"},
    {"limit-rate", '\0', ArgKind::Value, "<speed>", "Limit transfer speed to RATE", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.limit_rate = size_parameter("--limit-rate", v); }, "caps the message upload's average speed (k, m, g suffixes; 0: none)"},
    {"list-only", 'l', ArgKind::Bool, "", "List only mode", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"local-port", '\0', ArgKind::Value, "<num/range>", "Force use of RANGE for local port numbers", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.local_port = local_port_range(v); }, ""},
    {"location", 'L', ArgKind::Bool, "", "Follow redirects", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"location-trusted", '\0', ArgKind::Bool, "", "Like --location, and send auth to other hosts", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"login-options", '\0', ArgKind::Value, "<options>", "Server login options", "auth", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.login_options = v; }, ""},
    {"mail-auth", '\0', ArgKind::Value, "<address>", "Originator address of the original email", "smtp", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.mail_auth = v; }, ""},
    {"mail-from", '\0', ArgKind::Value, "<address>", "Mail from this address, then any ESMTP parameters: '<a@b> RET=HDRS'", "smtp", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.mail_from = v; }, ""},
    {"mail-rcpt", '\0', ArgKind::Value, "<address>", "Mail to this address, then any ESMTP parameters: '<a@b> NOTIFY=NEVER'", "smtp", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.mail_rcpt.push_back(v); }, ""},
    {"mail-rcpt-allowfails", '\0', ArgKind::Bool, "", "Allow RCPT TO command to fail for some recipients", "smtp", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.mail_rcpt_allowfails = on; }, ""},
    {"manual", 'M', ArgKind::Bool, "", "Display the full manual", "curl", Support::Implemented, Secret::No, nullptr, "prints the help"},
    {"max-filesize", '\0', ArgKind::Value, "<bytes>", "Maximum file size to download", "connection", Support::Ignored, Secret::No, nullptr, "no effect for SMTP in curl 7.88 (HELP/VRFY text longer than the limit is written, exit 0)"},
    {"max-redirs", '\0', ArgKind::Value, "<num>", "Maximum number of redirects allowed", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"max-time", 'm', ArgKind::Value, "<fractional seconds>", "Maximum time allowed for transfer", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.max_time = seconds("--max-time", v); }, ""},
    {"metalink", '\0', ArgKind::Bool, "", "Process given URLs as metalink XML file", "misc", Support::Refused, Secret::No, nullptr, "refused by curl 7.88 too (\"is badly used here\")"},
    {"negotiate", '\0', ArgKind::Bool, "", "Use HTTP Negotiate (SPNEGO) authentication", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"netrc", 'n', ArgKind::Bool, "", "Must read .netrc for user name and password", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.netrc = on; }, ""},
    {"netrc-file", '\0', ArgKind::Value, "<filename>", "Specify FILE for netrc", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.netrc_file = v; }, ""},
    {"netrc-optional", '\0', ArgKind::Bool, "", "Use either .netrc or URL", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.netrc_optional = on; }, ""},
    {"next", ':', ArgKind::None, "", "Make next URL use its separate set of options", "curl", Support::Implemented, Secret::No, nullptr, ""},
    {"alpn", '\0', ArgKind::Bool, "", "Disable the ALPN TLS extension", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"buffer", 'N', ArgKind::Bool, "", "Disable buffering of the output stream", "curl", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"clobber", '\0', ArgKind::Bool, "", "Overwrite files that already exist (the default; --no-clobber keeps them)", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.clobber = on; }, "--no-clobber: an existing -o FILE is kept and FILE.1 ... FILE.99 written instead"},
    {"keepalive", '\0', ArgKind::Bool, "", "Use TCP keepalive on the connection (the default; --no-keepalive turns it off)", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.keepalive = on; }, "on by default (SO_KEEPALIVE, probes after 60 s idle, every 60 s); --no-keepalive sets none"},
    {"npn", '\0', ArgKind::Bool, "", "Disable the NPN TLS extension", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"progress-meter", '\0', ArgKind::Bool, "", "Show the progress meter (the default on a terminal; --no-progress-meter hides it)", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.progress_meter = on; }, "shown for uploads when stderr is a terminal, not with -v"},
    {"sessionid", '\0', ArgKind::Bool, "", "Disable SSL session-ID reusing", "tls", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"noproxy", '\0', ArgKind::Value, "<no-proxy-list>", "List of hosts which do not use proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.noproxy = v; }, "over NO_PROXY/no_proxy; names, addresses and CIDR ranges, as curl 7.88"},
    {"ntlm", '\0', ArgKind::Bool, "", "Use HTTP NTLM authentication", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"ntlm-wb", '\0', ArgKind::Bool, "", "Use HTTP NTLM authentication with winbind", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"oauth2-bearer", '\0', ArgKind::Value, "<token>", "OAuth 2 Bearer Token", "auth", Support::Implemented, Secret::All, [](Options& o, const std::string& v, bool) { o.oauth2_bearer = v; }, ""},
    {"output", 'o', ArgKind::Value, "<file>", "Write to file instead of stdout", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.outputs.push_back({.file = v, .remote_name = false}); }, "the k-th -o goes with the k-th URL"},
    {"output-dir", '\0', ArgKind::Value, "<dir>", "Directory to save files in", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.output_dir = v; }, "DIR/FILE for -o FILE (also for an absolute FILE, as curl)"},
    {"parallel", 'Z', ArgKind::Bool, "", "Perform transfers in parallel", "connection", Support::Accepted, Secret::No, nullptr, "transfers run one after the other"},
    {"parallel-immediate", '\0', ArgKind::Bool, "", "Do not wait for multiplexing (with --parallel)", "connection", Support::Accepted, Secret::No, nullptr, "transfers run one after the other"},
    {"parallel-max", '\0', ArgKind::Value, "<num>", "Maximum concurrency for parallel transfers", "connection", Support::Accepted, Secret::No, nullptr, "transfers run one after the other"},
    {"pass", '\0', ArgKind::Value, "<phrase>", "Pass phrase for the private key", "auth", Support::Implemented, Secret::All, [](Options& o, const std::string& v, bool) { o.pass = v; }, ""},
    {"path-as-is", '\0', ArgKind::Bool, "", "Do not squash .. sequences in URL path", "curl", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"pinnedpubkey", '\0', ArgKind::Value, "<hashes>", "FILE/HASHES Public key to verify peer against", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.pinnedpubkey = v; }, ""},
    {"post301", '\0', ArgKind::Bool, "", "Do not switch to GET after following a 301", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"post302", '\0', ArgKind::Bool, "", "Do not switch to GET after following a 302", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"post303", '\0', ArgKind::Bool, "", "Do not switch to GET after following a 303", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"preproxy", '\0', ArgKind::Value, "[protocol://]host[:port]", "Use this proxy first", "proxy", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.preproxy = v; }, "a SOCKS proxy in front of -x"},
    {"progress-bar", '#', ArgKind::Bool, "", "Display transfer progress as a bar", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.progress_bar = on; }, "shown for uploads when stderr is a terminal, not with -v"},
    {"proto", '\0', ArgKind::Value, "<protocols>", "Enable/disable PROTOCOLS", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { (void)protocol_allowed(v, "smtp"); o.proto = v; }, "a URL whose scheme it disables fails with exit 1, as curl; the last --proto counts"},
    {"proto-default", '\0', ArgKind::Value, "<protocol>", "Use PROTOCOL for any URL missing a scheme", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { set_proto_default(o, v); }, "smtps for a URL without a scheme; any other protocol but smtp fails with exit 1"},
    {"proto-redir", '\0', ArgKind::Value, "<protocols>", "Enable/disable PROTOCOLS on redirect", "connection", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"proxy", 'x', ArgKind::Value, "[protocol://]host[:port]", "Use this proxy", "proxy", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.proxy = v; o.proxy_type = ProxyType::Http; }, "socks4, socks4a, socks5, socks5h, http (CONNECT tunnel); \"\" uses none"},
    {"proxy-anyauth", '\0', ArgKind::Bool, "", "Pick any proxy authentication method", "auth", Support::Accepted, Secret::No, nullptr, "smtpc sends Basic at once; curl waits for the proxy's 407 to pick"},
    {"proxy-basic", '\0', ArgKind::Bool, "", "Use Basic authentication on the proxy", "auth", Support::Implemented, Secret::No, [](Options&, const std::string&, bool) {}, "Basic is the proxy authentication smtpc sends (its only one)"},
    {"proxy-cacert", '\0', ArgKind::Value, "<file>", "CA certificate to verify peer against for proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_cacert = v; }, "for an https:// proxy, as --cacert for the server"},
    {"proxy-capath", '\0', ArgKind::Value, "<dir>", "CA directory to verify peer against for proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_capath = v; }, "for an https:// proxy, as --capath for the server"},
    {"proxy-cert", '\0', ArgKind::Value, "<cert[:passwd]>", "Set client certificate for proxy", "proxy", Support::Implemented, Secret::AfterColon, [](Options& o, const std::string& v, bool) { o.proxy_cert = cert_and_pass(v, o.proxy_pass); }, "for an https:// proxy, as --cert for the server"},
    {"proxy-cert-type", '\0', ArgKind::Value, "<type>", "Client certificate type for HTTPS proxy", "proxy", Support::Implemented, Secret::No, [](Options&, const std::string& v, bool) { require_pem("--proxy-cert-type", v); }, "PEM only; other types exit 2"},
    {"proxy-ciphers", '\0', ArgKind::Value, "<list>", "SSL ciphers to use for proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_ciphers = v; }, "for an https:// proxy, as --ciphers for the server"},
    {"proxy-crlfile", '\0', ArgKind::Value, "<file>", "Set a CRL list for proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_crlfile = v; }, "for an https:// proxy, as --crlfile for the server"},
    {"proxy-digest", '\0', ArgKind::Bool, "", "Use Digest authentication on the proxy", "proxy", Support::Accepted, Secret::No, nullptr, "smtpc sends Basic only: a proxy that asks for Digest (407) refuses the tunnel"},
    {"proxy-header", '\0', ArgKind::Value, "<header/@file>", "Pass custom header(s) to proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { add_header_lines(o.proxy_headers, "--proxy-header", v); }, "in an HTTP proxy's CONNECT request, as curl: \"Name:\" leaves out smtpc's own Host, User-Agent or Proxy-Connection"},
    {"proxy-insecure", '\0', ArgKind::Bool, "", "Do HTTPS proxy connections without verifying the proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.proxy_insecure = on; }, "for an https:// proxy, as -k for the server"},
    {"proxy-key", '\0', ArgKind::Value, "<key>", "Private key for HTTPS proxy", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_key = v; }, "for an https:// proxy, as --key for the server"},
    {"proxy-key-type", '\0', ArgKind::Value, "<type>", "Private key file type for proxy", "proxy", Support::Implemented, Secret::No, [](Options&, const std::string& v, bool) { require_pem("--proxy-key-type", v); }, "PEM only; other types exit 2"},
    {"proxy-negotiate", '\0', ArgKind::Bool, "", "Use HTTP Negotiate (SPNEGO) authentication on the proxy", "auth", Support::Accepted, Secret::No, nullptr, "no GSS-API/Kerberos in smtpc"},
    {"proxy-ntlm", '\0', ArgKind::Bool, "", "Use NTLM authentication on the proxy", "auth", Support::Accepted, Secret::No, nullptr, "no NTLM in smtpc (docs/curl-differences.md)"},
    {"proxy-pass", '\0', ArgKind::Value, "<phrase>", "Pass phrase for the private key for HTTPS proxy", "auth", Support::Implemented, Secret::All, [](Options& o, const std::string& v, bool) { o.proxy_pass = v; }, "for an https:// proxy, as --pass for the server"},
    {"proxy-pinnedpubkey", '\0', ArgKind::Value, "<hashes>", "FILE/HASHES public key to verify proxy with", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_pinnedpubkey = v; }, "for an https:// proxy, checked (curl 7.88 does not check it: docs/proxy.md)"},
    {"proxy-service-name", '\0', ArgKind::Value, "<name>", "SPNEGO proxy service name", "proxy", Support::Accepted, Secret::No, nullptr, "no GSS-API/Kerberos in smtpc"},
    {"proxy-ssl-allow-beast", '\0', ArgKind::Bool, "", "Allow security flaw for interop for HTTPS proxy", "proxy", Support::Ignored, Secret::No, nullptr, "no effect: smtpc never goes below TLS 1.2, where BEAST does not apply"},
    {"proxy-ssl-auto-client-cert", '\0', ArgKind::Bool, "", "Use auto client certificate for proxy (Schannel)", "proxy", Support::Ignored, Secret::No, nullptr, "only with a proxy"},
    {"proxy-tls13-ciphers", '\0', ArgKind::Value, "<ciphersuite list>", "TLS 1.3 proxy cipher suites", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy_tls13_ciphers = v; }, "for an https:// proxy, as --tls13-ciphers for the server"},
    {"proxy-tlsauthtype", '\0', ArgKind::Value, "<type>", "TLS authentication type for HTTPS proxy", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"proxy-tlspassword", '\0', ArgKind::Value, "<string>", "TLS password for HTTPS proxy", "auth", Support::Ignored, Secret::All, nullptr, "HTTP/FTP/proxy authentication"},
    {"proxy-tlsuser", '\0', ArgKind::Value, "<name>", "TLS username for HTTPS proxy", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"proxy-tlsv1", '\0', ArgKind::None, "", "Use TLSv1 for HTTPS proxy", "proxy", Support::Accepted, Secret::No, nullptr, "smtpc never goes below TLS 1.2"},
    {"proxy-user", 'U', ArgKind::Value, "<user:password>", "Proxy user and password", "proxy", Support::Implemented, Secret::AfterColon, [](Options& o, const std::string& v, bool) { o.proxy_user = v; }, "RFC 1929 for SOCKS5, the user id for SOCKS4, Basic for HTTP; the proxy URL's own win"},
    {"proxy1.0", '\0', ArgKind::Value, "<host[:port]>", "Use HTTP/1.0 proxy on given port", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.proxy = v; o.proxy_type = ProxyType::Http10; }, "CONNECT ... HTTP/1.0"},
    {"proxytunnel", 'p', ArgKind::Bool, "", "Operate through an HTTP proxy tunnel (using CONNECT)", "proxy", Support::Implemented, Secret::No, [](Options&, const std::string&, bool) {}, "SMTP always goes through an HTTP proxy by CONNECT, as in curl"},
    {"pubkey", '\0', ArgKind::Value, "<key>", "SSH Public key file name", "auth", Support::Ignored, Secret::No, nullptr, "HTTP/FTP/proxy authentication"},
    {"quote", 'Q', ArgKind::Value, "<command>", "Send command(s) to server before transfer", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"random-file", '\0', ArgKind::Value, "<file>", "File for reading random data from", "misc", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"range", 'r', ArgKind::Value, "<range>", "Retrieve only the bytes within RANGE", "file", Support::Ignored, Secret::No, nullptr, "FILE only"},
    {"rate", '\0', ArgKind::Value, "<max request rate>", "Request rate for serial transfers", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.rate_ms = rate_interval_ms(v); }, "between transfers of several URLs, none after the last; global, as curl"},
    {"raw", '\0', ArgKind::Bool, "", "Do HTTP \"raw\"; no transfer decoding", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"referer", 'e', ArgKind::Value, "<URL>", "Referrer URL", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"remote-header-name", 'J', ArgKind::Bool, "", "Use the header-provided filename", "output", Support::Ignored, Secret::No, nullptr, "HTTP/FTP downloads"},
    {"remote-name", 'O', ArgKind::Bool, "", "Write output to a file named as the remote file", "output", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { add_remote_name(o, on); }, "the file is the last segment of the URL's path (the EHLO name), as curl; none: exit 23"},
    {"remote-name-all", '\0', ArgKind::Bool, "", "Use the remote file name for all URLs", "output", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.remote_name_all = on; }, "-O for every URL without its own -o/-O"},
    {"remote-time", 'R', ArgKind::Bool, "", "Set the remote file's time on the local output", "output", Support::Ignored, Secret::No, nullptr, "HTTP/FTP downloads"},
    {"remove-on-error", '\0', ArgKind::Bool, "", "Remove output file on errors", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.remove_on_error = on; }, "the -o file written before a failure is removed"},
    {"request", 'X', ArgKind::Value, "<method>", "Specify request method to use", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.request = v; }, ""},
    {"request-target", '\0', ArgKind::Value, "<path>", "Specify the target for this request", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"resolve", '\0', ArgKind::Value, "<[+]host:port:addr[,addr]...>", "Resolve the host+port to this address", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.resolve.push_back(v); }, ""},
    {"retry", '\0', ArgKind::Value, "<num>", "Retry request if transient problems occur", "queue", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.retry = integer("--retry", v); }, "SMTP's 4xx replies count as transient (docs/queue.md)"},
    {"retry-all-errors", '\0', ArgKind::Bool, "", "Retry all errors (use with --retry)", "queue", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.retry_all_errors = on; }, "also an unanswered end of data (may duplicate the message)"},
    {"retry-connrefused", '\0', ArgKind::Bool, "", "Retry on connection refused (use with --retry)", "queue", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.retry_connrefused = on; }, ""},
    {"retry-delay", '\0', ArgKind::Value, "<seconds>", "Wait time between retries", "queue", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.retry_delay = seconds("--retry-delay", v); }, "fractions of a second allowed"},
    {"retry-max-time", '\0', ArgKind::Value, "<seconds>", "Retry only within this period", "queue", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.retry_max_time = seconds("--retry-max-time", v); }, ""},
    {"sasl-authzid", '\0', ArgKind::Value, "<identity>", "Identity for SASL PLAIN authentication", "auth", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.sasl_authzid = v; }, ""},
    {"sasl-ir", '\0', ArgKind::Bool, "", "Enable initial response in SASL authentication", "auth", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.sasl_ir = on; }, ""},
    {"service-name", '\0', ArgKind::Value, "<name>", "SPNEGO service name", "misc", Support::Accepted, Secret::No, nullptr, "for SASL GSSAPI, which smtpc does not have (docs/curl-differences.md)"},
    {"show-error", 'S', ArgKind::Bool, "", "Show error even when -s is used", "curl", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.show_error = on; }, ""},
    {"silent", 's', ArgKind::Bool, "", "Silent mode", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.silent = on; }, ""},
    {"socks4", '\0', ArgKind::Value, "<host[:port]>", "SOCKS4 proxy on given host + port", "proxy", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.proxy = v; o.proxy_type = ProxyType::Socks4; }, "as -x socks4://HOST[:PORT]"},
    {"socks4a", '\0', ArgKind::Value, "<host[:port]>", "SOCKS4a proxy on given host + port", "proxy", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.proxy = v; o.proxy_type = ProxyType::Socks4a; }, "as -x socks4a://HOST[:PORT]"},
    {"socks5", '\0', ArgKind::Value, "<host[:port]>", "SOCKS5 proxy on given host + port", "proxy", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.proxy = v; o.proxy_type = ProxyType::Socks5; }, "as -x socks5://HOST[:PORT]"},
    {"socks5-basic", '\0', ArgKind::Bool, "", "Enable username/password auth for SOCKS5 proxies", "auth", Support::Implemented, Secret::No, [](Options&, const std::string&, bool) {}, "smtpc offers SOCKS5 no authentication and RFC 1929 only, never GSS-API, which is what this asks"},
    {"socks5-gssapi", '\0', ArgKind::Bool, "", "Enable GSS-API auth for SOCKS5 proxies", "auth", Support::Accepted, Secret::No, nullptr, "no GSS-API/Kerberos in smtpc: SOCKS5 with no authentication or RFC 1929"},
    {"socks5-gssapi-nec", '\0', ArgKind::Bool, "", "Compatibility with NEC SOCKS5 server", "auth", Support::Accepted, Secret::No, nullptr, "no GSS-API/Kerberos in smtpc"},
    {"socks5-gssapi-service", '\0', ArgKind::Value, "<name>", "SOCKS5 proxy service name for GSS-API", "auth", Support::Accepted, Secret::No, nullptr, "no GSS-API/Kerberos in smtpc"},
    {"socks5-hostname", '\0', ArgKind::Value, "<host[:port]>", "SOCKS5 proxy, pass host name to proxy", "proxy", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.proxy = v; o.proxy_type = ProxyType::Socks5h; }, "as -x socks5h://HOST[:PORT]"},
    {"speed-limit", 'Y', ArgKind::Value, "<speed>", "Stop transfers slower than this", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.speed_limit = non_negative("--speed-limit", v); }, "from the body to the end-of-data reply, as curl; --speed-time 30 unless given; exit 28"},
    {"speed-time", 'y', ArgKind::Value, "<seconds>", "Trigger 'speed-limit' abort after this time", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.speed_time = non_negative("--speed-time", v); }, "--speed-limit 1 unless given"},
    {"ssl", '\0', ArgKind::Bool, "", "Try SSL/TLS", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.ssl = on; }, ""},
    {"ssl-allow-beast", '\0', ArgKind::Bool, "", "Allow security flaw to improve interop", "tls", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"ssl-auto-client-cert", '\0', ArgKind::Bool, "", "Use auto client certificate (Schannel)", "tls", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"ssl-no-revoke", '\0', ArgKind::Bool, "", "Disable cert revocation checks (Schannel)", "tls", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"ssl-reqd", '\0', ArgKind::Bool, "", "Require SSL/TLS", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.ssl_reqd = on; }, ""},
    {"ssl-revoke-best-effort", '\0', ArgKind::Bool, "", "Ignore missing/offline cert CRL dist points", "tls", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"sslv2", '2', ArgKind::None, "", "Use SSLv2", "tls", Support::Ignored, Secret::No, nullptr, "curl 7.88 ignores it too, with the same warning"},
    {"sslv3", '3', ArgKind::None, "", "Use SSLv3", "tls", Support::Ignored, Secret::No, nullptr, "curl 7.88 ignores it too, with the same warning"},
    {"stderr", '\0', ArgKind::Value, "<file>", "Where to redirect stderr", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.stderr_file = v; }, "\"-\" keeps stderr"},
    {"styled-output", '\0', ArgKind::Bool, "", "Enable styled output for HTTP headers", "verbose", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"suppress-connect-headers", '\0', ArgKind::Bool, "", "Suppress proxy CONNECT response headers", "proxy", Support::Ignored, Secret::No, nullptr, "curl writes no CONNECT reply for smtp://, with or without -i"},
    {"tcp-fastopen", '\0', ArgKind::Bool, "", "Use TCP Fast Open", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.tcp_fastopen = on; }, "TCP_FASTOPEN_CONNECT, as curl on Linux; the server speaks first in SMTP, so no data rides the SYN"},
    {"tcp-nodelay", '\0', ArgKind::Bool, "", "Use the TCP_NODELAY option", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.tcp_nodelay = on; }, "on by default, as since curl 7.50.2; --no-tcp-nodelay leaves Nagle's algorithm on"},
    {"telnet-option", '\0', ArgKind::Value, "<opt=val>", "Set telnet option", "telnet", Support::Ignored, Secret::No, nullptr, "TELNET only (-a and -t are smtpc's --account and --read-recipients)"},
    {"tftp-blksize", '\0', ArgKind::Value, "<value>", "Set TFTP BLKSIZE option", "tftp", Support::Ignored, Secret::No, nullptr, "TFTP only"},
    {"tftp-no-options", '\0', ArgKind::Bool, "", "Do not send any TFTP options", "tftp", Support::Ignored, Secret::No, nullptr, "TFTP only"},
    {"time-cond", 'z', ArgKind::Value, "<time>", "Transfer based on a time condition", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"tls-max", '\0', ArgKind::Value, "<VERSION>", "Set maximum allowed TLS version", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.tls_max = v; }, ""},
    {"tls13-ciphers", '\0', ArgKind::Value, "<ciphersuite list>", "TLS 1.3 cipher suites to use", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.tls13_ciphers = v; }, ""},
    {"tlsauthtype", '\0', ArgKind::Value, "<type>", "TLS authentication type", "auth", Support::Refused, Secret::No, nullptr, "no TLS-SRP"},
    {"tlspassword", '\0', ArgKind::Value, "<string>", "TLS password", "auth", Support::Refused, Secret::All, nullptr, "no TLS-SRP"},
    {"tlsuser", '\0', ArgKind::Value, "<name>", "TLS user name", "auth", Support::Refused, Secret::No, nullptr, "no TLS-SRP"},
    {"tlsv1", '1', ArgKind::None, "", "Use TLSv1.0 or greater", "tls", Support::Accepted, Secret::No, nullptr, "smtpc never goes below TLS 1.2"},
    {"tlsv1.0", '\0', ArgKind::None, "", "Use TLSv1.0 or greater", "tls", Support::Accepted, Secret::No, nullptr, "smtpc never goes below TLS 1.2"},
    {"tlsv1.1", '\0', ArgKind::None, "", "Use TLSv1.1 or greater", "tls", Support::Accepted, Secret::No, nullptr, "smtpc never goes below TLS 1.2"},
    {"tlsv1.2", '\0', ArgKind::None, "", "Use TLSv1.2 or greater", "tls", Support::Implemented, Secret::No, [](Options&, const std::string&, bool) {}, "smtpc never goes below TLS 1.2 anyway"},
    {"tlsv1.3", '\0', ArgKind::None, "", "Use TLSv1.3 or greater", "tls", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool) { o.tlsv1_3 = true; }, ""},
    {"tr-encoding", '\0', ArgKind::Bool, "", "Request compressed transfer encoding", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"trace", '\0', ArgKind::Value, "<file>", "Write a debug trace to FILE", "verbose", Support::Implemented, Secret::No, nullptr, "written as --trace-ascii writes it (no hex dump)"},
    {"trace-ascii", '\0', ArgKind::Value, "<file>", "Like --trace, but without hex output", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.trace_ascii = v; }, ""},
    {"trace-config", '\0', ArgKind::Value, "<string>", "Details to log in trace/verbose output", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { apply_trace_config(o, v); }, "curl 8.3: ids and time as --trace-ids and --trace-time, all both (+/- prefix turns on or off); other names accepted: -v shows all smtpc has"},
    {"trace-ids", '\0', ArgKind::Bool, "", "Transfer + connection ids in verbose output", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.trace_ids = on; }, "curl 8.2: [transfer-connection] before each -v and --trace-ascii line; smtpc opens one connection per transfer, so both are the transfer's number"},
    {"trace-time", '\0', ArgKind::Bool, "", "Add time stamps to trace/verbose output", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.trace_time = on; }, ""},
    {"unix-socket", '\0', ArgKind::Value, "<path>", "Connect through this Unix domain socket", "connection", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.unix_socket = v; o.abstract_unix_socket = false; }, "proxies are not used then, as in curl"},
    {"upload-file", 'T', ArgKind::Value, "<file>", "Transfer local FILE to destination", "upload", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.uploads.push_back(v); }, ""},
    {"url", '\0', ArgKind::Value, "<url>", "URL to work with", "curl", Support::Implemented, Secret::Url, [](Options& o, const std::string& v, bool) { o.urls.push_back(v); }, ""},
    {"url-query", '\0', ArgKind::Value, "<data>", "Add a URL query part", "http", Support::Ignored, Secret::No, nullptr, "HTTP only"},
    {"use-ascii", 'B', ArgKind::Bool, "", "Use ASCII/text transfer", "misc", Support::Ignored, Secret::No, nullptr, "no effect for SMTP"},
    {"user", 'u', ArgKind::Value, "<user:password>", "Server user and password", "auth", Support::Implemented, Secret::AfterColon, [](Options& o, const std::string& v, bool) { o.user = v; }, ""},
    {"user-agent", 'A', ArgKind::Value, "<name>", "Send User-Agent <name> to server", "proxy", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.user_agent = v; }, "sent only in an HTTP proxy's CONNECT request"},
    {"variable", '\0', ArgKind::Value, "<[%]name=text/@file>", "Set variable", "curl", Support::Implemented, Secret::All, nullptr, "curl 8.3: name=text, name@file (@- stdin), %ENV, %ENV=default; used by --expand-OPTION as {{name}} with :trim, :json, :url, :b64"},
    {"verbose", 'v', ArgKind::Bool, "", "Make the operation more talkative", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.verbose = on ? o.verbose + 1 : 0; }, ""},
    {"version", 'V', ArgKind::Bool, "", "Show version number and quit", "curl", Support::Implemented, Secret::No, nullptr, ""},
    {"write-out", 'w', ArgKind::Value, "<format>", "Use output FORMAT after completion", "verbose", Support::Implemented, Secret::No, [](Options& o, const std::string& v, bool) { o.write_out = v; }, "curl's SMTP variables plus smtpc's (docs/write-out.md)"},
    {"xattr", '\0', ArgKind::Bool, "", "Store metadata in extended file attributes", "misc", Support::Implemented, Secret::No, [](Options& o, const std::string&, bool on) { o.xattr = on; }, "user.xdg.origin.url (the URL without its credentials) on the -o/-O file written, as curl"},
    {"eprt", '\0', ArgKind::Bool, "", "Use EPRT (FTP)", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"epsv", '\0', ArgKind::Bool, "", "Use EPSV (FTP)", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-ssl", '\0', ArgKind::Bool, "", "Try SSL/TLS (FTP)", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    {"ftp-ssl-reqd", '\0', ArgKind::Bool, "", "Require SSL/TLS (FTP)", "ftp", Support::Ignored, Secret::No, nullptr, "FTP only"},
    // smtpc's own options: no curl option has these names.
    {"pipelining", '\0', ArgKind::Bool, "", "Pipeline commands when the server offers PIPELINING (--no-pipelining: wait for each reply)", "smtp", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.no_pipelining = !on; }, ""},
    {"chunking", '\0', ArgKind::Bool, "", "Use BDAT when the server offers CHUNKING (--no-chunking: always DATA)", "smtp", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.no_chunking = !on; }, ""},
    {"password-file", '\0', ArgKind::Value, "<file>", "Read the password from the first line of FILE", "auth", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.password_file = v; }, ""},
    {"allow-plaintext-auth", '\0', ArgKind::Bool, "", "Allow credentials unencrypted to a host other than this one (unsafe)", "auth", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.allow_plaintext_auth = on; }, ""},
    {"mx", '\0', ArgKind::Bool, "", "Deliver directly to each recipient domain's MX hosts (docs/mx.md)", "mx", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.mx = on; }, ""},
    {"dkim-key", '\0', ArgKind::Value, "<file>", "Sign with the DKIM private key in FILE; repeatable (docs/dkim.md)", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.dkim.keys.push_back(v); }, ""},
    {"dkim-selector", '\0', ArgKind::Value, "<name>", "The DKIM selector of the key (one per --dkim-key)", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.dkim.selectors.push_back(v); }, ""},
    {"dkim-domain", '\0', ArgKind::Value, "<domain>", "Sign for DOMAIN (default: the From domain)", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.dkim.domain = v; o.dkim.domain_on_command_line = true; }, ""},
    {"dkim-canon", '\0', ArgKind::Value, "<c>", "DKIM canonicalization: relaxed (default), simple or HEADER/BODY", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.dkim.canonicalization = v; }, ""},
    {"dkim-headers", '\0', ArgKind::Value, "<list>", "The header fields to sign, From:To:... (From required)", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.dkim.headers = v; }, ""},
    {"dkim-keygen", '\0', ArgKind::None, "", "Write a new DKIM key to --dkim-key FILE and print its DNS record", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.dkim.keygen = true; }, ""},
    {"dkim-algorithm", '\0', ArgKind::Value, "<ed25519|rsa>", "The kind of key --dkim-keygen makes (default rsa, 2048 bits)", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.dkim.algorithm = v; }, ""},
    {"dkim-check", '\0', ArgKind::None, "", "Check that DNS publishes the public half of --dkim-key; send nothing", "dkim", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.dkim.check = true; }, ""},
    {"mx-port", '\0', ArgKind::Value, "<port>", "With --mx: connect to this port instead of 25", "mx", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.mx_port = integer("--mx-port", v); }, ""},
    {"subject", '\0', ArgKind::Value, "<text>", "Compose a message with this subject", "compose", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.subject = v; }, ""},
    {"body", '\0', ArgKind::Value, "<text|@file|->", "Text body of a composed message", "compose", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.body = v; }, ""},
    {"html", '\0', ArgKind::Value, "<text|@file>", "HTML body (with --body: alternatives)", "compose", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.html = v; }, ""},
    {"attach", '\0', ArgKind::Value, "<file[;type=T][;filename=N]>", "Attach a file; repeatable", "compose", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.attach.push_back(v); }, ""},
    {"dump-message", '\0', ArgKind::Bool, "", "Write the message to stdout instead of sending it", "compose", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.compose.dump_message = on; }, ""},
    {"read-recipients", 't', ArgKind::Bool, "", "Also take the recipients from To/Cc/Bcc; remove Bcc", "compose", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.compose.read_recipients = on; }, "-t is curl's --telnet-option"},
    {"auto-headers", '\0', ArgKind::Bool, "", "Add Date/Message-ID with -t (--no-auto-headers: do not)", "compose", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.compose.no_auto_headers = !on; }, ""},
    {"account-file", '\0', ArgKind::Value, "<file>", "Read account settings from FILE (docs/compose.md)", "smtpc", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.config = v; }, ""},
    {"account", 'a', ArgKind::Value, "<name>", "Use this account of the account file", "smtpc", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.compose.account = v; }, "-a is curl's --append"},
    {"serverinfo", '\0', ArgKind::None, "", "Report the server's greeting, capabilities, TLS and certificate; send no mail", "debug", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.debug.serverinfo = true; }, ""},
    {"serverinfo-json", '\0', ArgKind::None, "", "--serverinfo, as JSON on stdout (also --serverinfo -w '%{json}')", "debug", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.debug.serverinfo_json = true; }, ""},
    {"quit-after", '\0', ArgKind::Value, "<stage>", "QUIT after connect, greeting, ehlo, tls, auth, mail, rcpt or data", "debug", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.debug.quit_after = v; }, ""},
    {"dsn-notify", '\0', ArgKind::Value, "<when>", "DSN: NOTIFY=never or success,failure,delay on each RCPT (RFC 3461)", "smtp", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.debug.dsn_notify = v; }, ""},
    {"dsn-return", '\0', ArgKind::Value, "<full|hdrs>", "DSN: RET=full or hdrs on MAIL FROM", "smtp", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.debug.dsn_return = v; }, ""},
    {"dsn-envid", '\0', ArgKind::Value, "<id>", "DSN: ENVID on MAIL FROM", "smtp", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.debug.dsn_envid = v; }, ""},
    {"dsn-required", '\0', ArgKind::Bool, "", "Fail (55) instead of warning when the server does not offer DSN", "smtp", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.debug.dsn_required = on; }, ""},
    {"queue", '\0', ArgKind::Bool, "", "Keep the message in the local queue when it fails for now (docs/queue.md)", "queue", Support::Extension, Secret::No, [](Options& o, const std::string&, bool on) { o.queue = on; }, ""},
    {"queue-dir", '\0', ArgKind::Value, "<dir>", "The queue directory (default $SMTPC_QUEUE_DIR, ~/.local/state/smtpc/queue)", "queue", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.queue_dir = v; }, ""},
    {"queue-run", '\0', ArgKind::None, "", "Send the queued messages that are due", "queue", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.queue_run = true; }, ""},
    {"queue-list", '\0', ArgKind::None, "", "List the queued messages", "queue", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.queue_list = true; }, ""},
    {"queue-lifetime", '\0', ArgKind::Value, "<duration>", "With --queue-run: give up on a message queued longer than this (default 5d)", "queue", Support::Extension, Secret::No, [](Options& o, const std::string& v, bool) { o.queue_lifetime = duration("--queue-lifetime", v); }, "seconds, or a number with s, m, h or d; the message then goes to failed/ with a report"},
    {"force", '\0', ArgKind::None, "", "With --queue-run: every message, due or not", "queue", Support::Extension, Secret::No, [](Options& o, const std::string&, bool) { o.force = true; }, ""},
};
// clang-format on

constexpr int kMaxConfigDepth = 10;

// Option names compare as ASCII (core/text), never by the locale (strncasecmp would).
bool iequal(std::string_view a, std::string_view b) { return equals_ignore_case(a, b); }

bool iprefix(std::string_view prefix, std::string_view name) {
  return prefix.size() <= name.size() && equals_ignore_case(prefix, name.substr(0, prefix.size()));
}

const OptionDef* find_short_option(char letter) {
  if (letter == '\0') return nullptr;
  for (const auto& option : kOptions) {
    if (option.short_name == letter) return &option;
  }
  return nullptr;
}

std::string read_config_file(const std::string& path) {
  FileContent file = read_file_or_stdin(path);
  if (!file.ok()) {  // curl: "cannot read config from '...'", exit 26
    throw Error(ExitCode::ReadError,
                fmt::format("cannot read config from '{}': {}", path, std::strerror(file.error)));
  }
  // A -K file is a config file: its options (a password, --netrc-file...) are trusted only
  // when no one else could have written them.
  if (path != "-") check_config_owner(path, file.info.st_uid, file.info.st_mode, ::geteuid());
  return std::move(file.text);
}

// The global options of curl (verbosity, -s, -S, traces, --stderr, --fail-early) hold for
// every operation, whichever -:/--next group names them.
void unify_globals(std::vector<Options>& operations) {
  Options global;
  for (const auto& o : operations) {
    global.verbose = std::max(global.verbose, o.verbose);
    global.silent = global.silent || o.silent;
    global.show_error = global.show_error || o.show_error;
    global.trace_time = global.trace_time || o.trace_time;
    global.trace_ids = global.trace_ids || o.trace_ids;
    global.fail_early = global.fail_early || o.fail_early;
    if (o.rate_ms) global.rate_ms = o.rate_ms;
    if (o.trace_ascii) global.trace_ascii = o.trace_ascii;
    if (o.stderr_file) global.stderr_file = o.stderr_file;
  }
  for (auto& o : operations) {
    o.verbose = global.verbose;
    o.silent = global.silent;
    o.show_error = global.show_error;
    o.trace_time = global.trace_time;
    o.trace_ids = global.trace_ids;
    o.fail_early = global.fail_early;
    o.rate_ms = global.rate_ms;
    o.trace_ascii = global.trace_ascii;
    o.stderr_file = global.stderr_file;
  }
}

// "--name" or "--no-name": curl looks the rest of "--no-name" up exactly (case aside) and
// takes it only for a boolean; otherwise "name" is matched exactly or by unique prefix.
const OptionDef* lookup_long(std::string_view arg, bool& on) {
  const std::string_view word = arg.substr(2);
  on = true;
  if (word.size() > 3 && iprefix("no-", word)) {
    for (const auto& candidate : kOptions) {
      if (!iequal(candidate.long_name, word.substr(3))) continue;
      if (candidate.kind != ArgKind::Bool) {
        throw UsageError(
            fmt::format("option {}: used '--no-' for option that isn't a boolean", arg));
      }
      on = false;
      return &candidate;
    }
  }
  return find_long_option(word);
}

class Parser {
 public:
  explicit Parser(CommandLine& out) : out_(out) { out_.operations.emplace_back(); }

  // Arguments from argv (`record_secrets`) or from a -K file.
  void parse(std::span<const std::string> args, bool record_secrets, int depth) {
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (options_ended || !arg.starts_with('-') || arg == "-") {
        if (arg == "-" && !options_ended) throw UsageError("option -: is unknown");
        current().urls.push_back(arg);
        // A URL, with or without a scheme: its password is blanked.
        if (record_secrets && arg.find('@') != std::string::npos) {
          out_.secrets.push_back({i, 0, Secret::Url});
        }
        continue;
      }
      if (arg == "--") {
        options_ended = true;
        continue;
      }
      auto next_value = [&](std::string_view shown) -> std::pair<std::string, std::size_t> {
        if (i + 1 >= args.size()) {
          throw UsageError(fmt::format("option {}: requires parameter", shown));
        }
        ++i;
        return {args[i], i};
      };
      if (arg.starts_with("--")) {
        bool on = true;
        // curl 8.3: --expand-OPTION VALUE is OPTION with {{variables}} in VALUE expanded.
        const bool expand = arg.starts_with("--expand-");
        const std::string name = expand ? "--" + arg.substr(9) : arg;
        const OptionDef* option = lookup_long(name, on);
        if (option == nullptr) throw unknown(arg);
        std::string value;
        if (option->kind == ArgKind::Value) {
          auto [text, index] = next_value(arg);
          value = std::move(text);
          if (expand) {
            if (auto expanded = variables_.expand(value, out_.warnings)) value = *expanded;
          }
          if (record_secrets && option->secret != Secret::No) {
            out_.secrets.push_back({index, 0, option->secret});
          }
        }
        apply(*option, value, on, depth, arg);
        continue;
      }
      // Short options: "-sSv", "-Tfile", "-T file".
      for (std::size_t j = 1; j < arg.size(); ++j) {
        const OptionDef* option = find_short_option(arg[j]);
        if (option == nullptr) throw UsageError(fmt::format("option {}: is unknown", arg));
        const std::string shown = fmt::format("-{}", arg[j]);
        if (option->kind != ArgKind::Value) {
          apply(*option, {}, true, depth, shown);
          continue;
        }
        std::string value;
        if (j + 1 < arg.size()) {
          value = arg.substr(j + 1);
          if (record_secrets && option->secret != Secret::No) {
            out_.secrets.push_back({i, j + 1, option->secret});
          }
        } else {
          auto [text, index] = next_value(shown);
          value = std::move(text);
          if (record_secrets && option->secret != Secret::No) {
            out_.secrets.push_back({index, 0, option->secret});
          }
        }
        apply(*option, value, true, depth, shown);
        break;
      }
    }
  }

 private:
  Options& current() { return out_.operations.back(); }

  // "--user=u:SECRET" is unknown (curl takes the value as the next argument): the error
  // names the option only, so the value, often a password, is not echoed (issue 19).
  static UsageError unknown(std::string_view arg) {
    if (const auto equals = arg.find('='); equals != std::string_view::npos) {
      const std::string_view name = arg.substr(0, equals);
      const OptionDef* option = lookup_quietly(name);
      if (option != nullptr && option->kind == ArgKind::Value) {
        return UsageError(fmt::format(
            "option {}=...: is unknown; give the value as the next argument: --{} VALUE", name,
            option->long_name));
      }
      return UsageError(fmt::format("option {}=...: is unknown", name));
    }
    const std::string suggestion = suggest_option(arg.substr(2));
    if (suggestion.empty()) return UsageError(fmt::format("option {}: is unknown", arg));
    return UsageError(fmt::format("option {}: is unknown; did you mean --{}?", arg, suggestion));
  }

  // The option "--name" names, or null (also when the prefix is ambiguous).
  static const OptionDef* lookup_quietly(std::string_view name) {
    try {
      bool on = true;
      return lookup_long(name, on);
    } catch (const UsageError&) {
      return nullptr;
    }
  }

  void apply(const OptionDef& option, const std::string& value, bool on, int depth,
             std::string_view shown) {
    const std::string_view name = option.long_name;
    if (option.support == Support::Refused) {
      throw UsageError(fmt::format("option {}: is not supported by smtpc: {}", shown, option.note));
    }
    if (name == "config") {
      if (depth >= kMaxConfigDepth) throw UsageError("option -K: config files nest too deep");
      const std::vector<std::string> args = parse_curl_config(read_config_file(value), value);
      parse(args, false, depth + 1);
    } else if (name == "next") {
      out_.operations.emplace_back();
    } else if (name == "help" || name == "manual") {
      out_.help = true;
    } else if (name == "version") {
      out_.version = true;
    } else if (name == "disable") {
      // -q: smtpc reads no .curlrc, so there is nothing to skip.
    } else if (name == "sslv2" || name == "sslv3") {
      // curl 7.88 only warns: no TLS library it builds with still speaks SSL.
      out_.warnings.push_back(
          fmt::format("Ignores instruction to use SSLv{}", name == "sslv2" ? 2 : 3));
    } else if (name == "trace") {
      current().trace_ascii = value;
    } else if (name == "variable") {
      variables_.set(value, out_.warnings);
    } else if (option.apply != nullptr) {
      option.apply(current(), value, on);
    }
  }

  CommandLine& out_;
  Variables variables_;  // --variable: global across --next and -K files, as in curl
};

// Levenshtein distance, case-insensitive, for suggestions.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const OptionDef> option_table() { return kOptions; }

namespace {

// Orders names as LessIgnoreCase does, at compile time.
constexpr bool less_ignoring_case(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return ascii_lower(x) < ascii_lower(y);
  });
}

// The indices of kOptions ordered by long name, case aside (table order among equal names),
// sorted when smtpc is compiled. Every name with a given prefix sits in one run, so an
// exact match or a unique prefix is found by binary search: a thousand --mail-rcpt used to
// cost 300 case-insensitive comparisons each, and sorting at run time cost a plain send 3 %
// of its CPU (docs/performance.md, "Fourth pass").
constexpr auto kByLongName = [] {
  std::array<std::uint16_t, std::size(kOptions)> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint16_t>(i);
  std::sort(order.begin(), order.end(), [](std::uint16_t a, std::uint16_t b) {
    if (less_ignoring_case(kOptions[a].long_name, kOptions[b].long_name)) return true;
    if (less_ignoring_case(kOptions[b].long_name, kOptions[a].long_name)) return false;
    return a < b;
  });
  return order;
}();

}  // namespace

const OptionDef* find_long_option(std::string_view name) {
  const auto first =
      std::lower_bound(kByLongName.begin(), kByLongName.end(), name,
                       [](std::uint16_t option, std::string_view wanted) {
                         return less_ignoring_case(kOptions[option].long_name, wanted);
                       });
  if (first == kByLongName.end()) return nullptr;
  if (iequal(kOptions[*first].long_name, name)) return &kOptions[*first];
  if (name.empty()) return nullptr;
  auto past = first;
  while (past != kByLongName.end() && iprefix(name, kOptions[*past].long_name)) ++past;
  if (past - first > 1) throw UsageError(fmt::format("option --{}: is ambiguous", name));
  return past == first ? nullptr : &kOptions[*first];
}

std::string suggest_option(std::string_view name) {
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& option : kOptions) {
    const std::size_t d = distance(name, option.long_name);
    const bool useful =
        option.support == Support::Implemented || option.support == Support::Extension;
    if (useful && (best.empty() || d < best_distance)) {
      best = option.long_name;
      best_distance = d;
    }
  }
  // At most a third of the letters wrong: "mail-rpct" -> "mail-rcpt", not "x" -> "url".
  return best_distance * 3 <= std::max<std::size_t>(name.size(), 3) ? best : std::string();
}

namespace {

// A -K file's "quoted parameter" at the start of `line`, with curl's escapes (\t \n \r \v;
// any other escaped character stands for itself); nullopt when the closing quote is missing.
std::optional<std::string> quoted_parameter(std::string_view line) {
  std::string value;
  for (std::size_t k = 1; k < line.size(); ++k) {
    char c = line[k];
    if (c == '"') return value;
    if (c == '\\' && k + 1 < line.size()) {
      c = line[++k];
      switch (c) {
        case 't':
          c = '\t';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 'v':
          c = '\v';
          break;
        default:
          break;
      }
    }
    value += c;
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> parse_curl_config(std::string_view text, std::string_view path) {
  std::vector<std::string> args;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    // The option: up to a blank, '=' or ':'.
    std::size_t n = 0;
    while (n < line.size() && !is_blank(line[n]) && line[n] != '=' && line[n] != ':') ++n;
    std::string option(line.substr(0, n));
    line.remove_prefix(n);
    while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    if (!line.empty() && (line.front() == '=' || line.front() == ':')) {
      line.remove_prefix(1);
      while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
    }
    std::optional<std::string> param;
    if (!line.empty() && line.front() == '"') {
      param = quoted_parameter(line);
      if (!param) {
        throw UsageError(fmt::format("{}:{}: unterminated quoted parameter", path, number));
      }
    } else if (!line.empty()) {
      std::size_t k = 0;
      while (k < line.size() && !is_blank(line[k])) ++k;
      param = std::string(line.substr(0, k));
    }
    if (!option.starts_with('-')) option = "--" + option;
    // A switch ignores a parameter given to it (curl warns); a URL option takes it.
    const OptionDef* def = nullptr;
    if (option.starts_with("--")) {
      bool on = true;
      def = lookup_long(option, on);
    } else if (option.size() == 2) {
      def = find_short_option(option[1]);
    }
    args.push_back(option);
    if (def != nullptr && def->kind == ArgKind::Value) {
      if (!param) {
        throw UsageError(fmt::format("{}:{}: option {}: requires parameter", path, number, option));
      }
      args.push_back(*param);
    }
  }
  return args;
}

CommandLine parse_command_line(std::span<const std::string> args) {
  CommandLine out;
  Parser parser(out);
  parser.parse(args, true, 0);
  unify_globals(out.operations);
  // A trailing --next without URLs adds no transfer (its global options still count).
  if (out.operations.size() > 1 && out.operations.back().urls.empty()) {
    out.operations.pop_back();
  }
  for (const auto& o : out.operations) {
    if (o.fail && o.fail_with_body) {
      throw UsageError("You must select either --fail or --fail-with-body, not both.");
    }
  }
  return out;
}

std::vector<Options> expand_transfers(Options operation) {
  // The lists shared out among the transfers, taken out of the operation first: the last
  // transfer is the operation itself, moved (the only one, for a single URL), so that
  // 100 000 --mail-rcpt are not copied once more.
  const std::vector<std::string> urls = std::exchange(operation.urls, {});
  std::vector<std::string> uploads = std::exchange(operation.uploads, {});
  const std::vector<OutputRequest> outputs = std::exchange(operation.outputs, {});
  std::vector<Options> transfers;
  const std::size_t count = std::max<std::size_t>(urls.size(), 1);
  for (std::size_t k = 0; k < count; ++k) {
    const bool last = k + 1 == count;
    Options transfer = last ? std::move(operation) : operation;
    transfer.url = urls.empty() ? std::string() : urls[k];
    if (k < uploads.size()) transfer.upload_file = uploads[k];
    if (k < outputs.size()) {
      transfer.output = outputs[k].file;
      transfer.remote_name = outputs[k].remote_name;
    } else {
      transfer.remote_name = transfer.remote_name_all;
    }
    if (last) {
      for (std::size_t extra = count; extra < uploads.size(); ++extra) {
        transfer.more_upload_files.push_back(std::move(uploads[extra]));
      }
    }
    transfers.push_back(std::move(transfer));
  }
  return transfers;
}

}  // namespace smtpc::cli
