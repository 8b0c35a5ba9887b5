// -w/--write-out, after curl's src/tool_writeout.c: %{name}, %{json}, %{stdout}, %{stderr},
// %%, \n \r \t, @file.
#include "write_out.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <variant>

#include "json.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/url.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc::cli {
namespace {

struct Null {};
using Value = std::variant<Null, long long, double, std::string, std::vector<std::string>>;

// The reply that ended the transfer: the last message's final reply, the reply an error
// carried, or the first line of HELP/VRFY output.
std::optional<Reply> final_reply(const TransferReport& report) {
  if (report.result) {
    for (auto it = report.result->messages.rbegin(); it != report.result->messages.rend(); ++it) {
      if (it->final_reply) return it->final_reply;
      if (it->error && it->error->reply()) return it->error->reply();
    }
  }
  return std::nullopt;
}

int response_code(const TransferReport& report) {
  if (const auto reply = final_reply(report)) return reply->code.value();
  if (report.error_reply) return *report.error_reply;
  if (report.result && !report.result->output.empty()) {
    const std::string& line = report.result->output.back();
    if (line.size() >= 3) return std::atoi(line.substr(0, 3).c_str());
  }
  return 0;
}

std::string scheme_of(const std::string& url) {
  const auto colon = url.find("://");
  std::string scheme = colon == std::string::npos ? "smtp" : url.substr(0, colon);
  for (auto& c : scheme) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return scheme;
}

// curl 8.1's %{url.PART} and %{urle.PART} (the effective URL, the same for SMTP): the
// parts as written, not decoded; the scheme's port when none is given; all empty for a
// URL that does not parse (curl's tests 423, 424). nullopt: no such part.
std::optional<std::string> url_part(const std::string& url, std::string_view part) {
  static constexpr std::array<std::string_view, 10> kParts{
      "scheme", "user", "password", "options",  "host",
      "port",   "path", "query",    "fragment", "zoneid"};
  if (std::find(kParts.begin(), kParts.end(), part) == kParts.end()) return std::nullopt;
  SmtpUrl parsed;
  try {
    parsed = parse_smtp_url(url);
  } catch (const Error&) {
    return std::string();
  }
  const auto scheme_end = url.find("://");
  std::string_view rest(url);
  if (scheme_end != std::string::npos) rest.remove_prefix(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  rest.remove_prefix(authority.size());
  const auto at = authority.rfind('@');
  const std::string_view userinfo =
      at == std::string_view::npos ? std::string_view() : authority.substr(0, at);
  const std::string_view host_port =
      at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (part == "scheme") return std::string(parsed.scheme == Scheme::Smtps ? "smtps" : "smtp");
  if (part == "port") return std::to_string(parsed.port);
  if (part == "user" || part == "password" || part == "options") {
    const std::string_view user = userinfo.substr(0, userinfo.find_first_of(":;"));
    const std::string_view after = userinfo.substr(user.size());
    const auto semi = after.find(';');
    const std::string_view options =
        semi == std::string_view::npos ? std::string_view() : after.substr(semi + 1);
    const std::string_view password =
        after.starts_with(':') ? after.substr(1, semi - 1) : std::string_view();
    return std::string(part == "user" ? user : part == "password" ? password : options);
  }
  // smtpc's URLs take no IPv6 zone id (the URL parser refuses "%25"), so it is empty.
  if (part == "zoneid") return std::string();
  if (part == "host") {
    if (host_port.starts_with('[')) {
      return std::string(host_port.substr(0, host_port.find(']') + 1));
    }
    return std::string(host_port.substr(0, host_port.find(':')));
  }
  const std::string_view path = rest.substr(0, rest.find_first_of("?#"));
  rest.remove_prefix(path.size());
  if (part == "path") return path.empty() ? std::string("/") : std::string(path);
  const std::string_view query =
      rest.starts_with('?') ? rest.substr(1, rest.find('#') - 1) : std::string_view();
  if (part == "query") return std::string(query);
  const auto hash = rest.find('#');
  return hash == std::string_view::npos ? std::string() : std::string(rest.substr(hash + 1));
}

// The variables, in curl's order for %{json} (alphabetical); smtpc's own start with "smtp_".
std::vector<std::pair<std::string, Value>> variables(const TransferReport& report) {
  std::vector<std::pair<std::string, Value>> vars;
  const int code = response_code(report);
  vars.emplace_back("errormsg", report.error ? Value(*report.error) : Value(Null{}));
  vars.emplace_back("exitcode", static_cast<long long>(report.exit_code));
  vars.emplace_back("local_ip", report.local_ip);
  vars.emplace_back("local_port", report.local_port);
  vars.emplace_back("num_connects", report.num_connects);
  vars.emplace_back("remote_ip", report.remote_ip);
  vars.emplace_back("remote_port", report.remote_port);
  vars.emplace_back("response_code", static_cast<long long>(code));
  vars.emplace_back("scheme", scheme_of(report.url));
  vars.emplace_back("size_upload", report.size_upload);
  vars.emplace_back(
      "speed_upload",
      static_cast<long long>(
          report.time_total > 0 ? static_cast<double>(report.size_upload) / report.time_total : 0));
  vars.emplace_back("ssl_verify_result", report.ssl_verify_result);
  vars.emplace_back("time_appconnect", report.time_appconnect);
  vars.emplace_back("time_connect", report.time_connect);
  vars.emplace_back("time_namelookup", report.time_namelookup);
  vars.emplace_back("time_total", report.time_total);
  vars.emplace_back("url", report.url);
  vars.emplace_back("url_effective", report.url);
  const auto reply = final_reply(report);
  std::string text;
  std::string enhanced;
  if (reply) {
    text = reply->to_string_lines().empty() ? std::string() : reply->to_string_lines().back();
    const std::string body = text.size() > 4 ? text.substr(4) : std::string();
    // RFC 3463: class.subject.detail at the start of the text.
    const auto space = body.find(' ');
    const std::string first = body.substr(0, space);
    if (first.size() >= 5 && (first[0] == '2' || first[0] == '4' || first[0] == '5') &&
        first[1] == '.' && std::count(first.begin(), first.end(), '.') == 2) {
      enhanced = first;
    }
  }
  vars.emplace_back("smtp_reply", reply ? Value(text) : Value(Null{}));
  vars.emplace_back("smtp_enhanced_code", enhanced.empty() ? Value(Null{}) : Value(enhanced));
  std::vector<std::string> recipients;
  if (report.result) {
    for (const auto& message : report.result->messages) {
      for (const auto& refused : message.refused) {
        const auto lines = refused.reply.to_string_lines();
        recipients.push_back(refused.address + " " + (lines.empty() ? "" : lines.back()));
      }
    }
  }
  vars.emplace_back("smtp_refused", recipients);
  return vars;
}

std::string plain(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Null>) {
          return "";
        } else if constexpr (std::is_same_v<T, long long>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{:.6f}", v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          std::string joined;
          for (const auto& item : v) joined += (joined.empty() ? "" : "\n") + item;
          return joined;
        }
      },
      value);
}

std::string json(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Null>) {
          return "null";
        } else if constexpr (std::is_same_v<T, long long>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{:.6f}", v);  // curl writes times so in JSON too
        } else if constexpr (std::is_same_v<T, std::string>) {
          return json_string(v);
        } else {
          std::string out = "[";
          for (const auto& item : v) out += (out.size() > 1 ? "," : "") + json_string(item);
          return out + "]";
        }
      },
      value);
}

}  // namespace

std::vector<WriteOutPiece> expand_write_out(const std::string& format, const TransferReport& report,
                                            std::vector<std::string>* warnings) {
  const auto vars = variables(report);
  std::vector<WriteOutPiece> pieces{{false, ""}};
  auto emit = [&](std::string_view text) { pieces.back().text += text; };
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '%' && i + 1 < format.size() && format[i + 1] == '%') {
      emit("%");
      ++i;
    } else if (c == '%' && i + 1 < format.size() && format[i + 1] == '{') {
      const auto end = format.find('}', i + 2);
      if (end == std::string::npos) {
        emit(std::string_view(format).substr(i));
        break;
      }
      const std::string name = format.substr(i + 2, end - i - 2);
      i = end;
      if (name == "stdout" || name == "stderr") {
        pieces.push_back({name == "stderr", ""});
      } else if (name == "json" && report.serverinfo_json) {
        std::string_view info = *report.serverinfo_json;
        while (!info.empty() && info.back() == '\n') info.remove_suffix(1);
        emit(info);
      } else if (name == "json") {
        std::string out = "{";
        for (const auto& [key, value] : vars) {
          out += fmt::format("{}{}:{}", out.size() > 1 ? "," : "", json_string(key), json(value));
        }
        emit(out + "}");
      } else if (name == "certs") {
        for (const auto& cert : report.certs) emit(cert);
      } else if (name == "num_certs") {
        emit(std::to_string(report.certs.size()));
      } else if (name == "onerror") {
        if (report.exit_code == 0) break;
      } else if (const auto dot = name.find('.');
                 (name.starts_with("url.") || name.starts_with("urle.")) &&
                 url_part(report.url, std::string_view(name).substr(dot + 1))) {
        emit(*url_part(report.url, std::string_view(name).substr(dot + 1)));
      } else {
        bool found = false;
        for (const auto& [key, value] : vars) {
          if (key == name) {
            emit(plain(value));
            found = true;
          }
        }
        if (!found && warnings != nullptr) {
          warnings->push_back(fmt::format("unknown --write-out variable: '{}'", name));
        }
      }
    } else if (c == '\\' && i + 1 < format.size()) {
      const char n = format[++i];
      emit(n == 'n' ? "\n" : n == 'r' ? "\r" : n == 't' ? "\t" : std::string{'\\', n});
    } else {
      emit(std::string_view(&format[i], 1));
    }
  }
  return pieces;
}

bool write_out_may_show_certificates(const std::optional<std::string>& format) {
  return format && (format->starts_with('@') || format->find("%{certs}") != std::string::npos ||
                    format->find("%{num_certs}") != std::string::npos);
}

void write_out(const std::string& format, const TransferReport& report) {
  std::string text = format;
  if (format.starts_with('@')) {
    const std::string path = format.substr(1);
    FileContent file = read_file_or_stdin(path);
    // curl reads what it can: a file it opened but could not read (a directory) is empty.
    if (!file.opened) throw Error(ExitCode::ReadError, fmt::format("-w: cannot read {}", path));
    text = std::move(file.text);
  }
  std::vector<std::string> warnings;
  for (const auto& piece : expand_write_out(text, report, &warnings)) {
    std::FILE* out = piece.to_stderr ? stderr : stdout;
    std::fwrite(piece.text.data(), 1, piece.text.size(), out);
  }
  std::fflush(stdout);
  for (const auto& warning : warnings) fmt::print(stderr, "smtpc: {}\n", warning);
}

}  // namespace smtpc::cli
