// The --serverinfo report: greeting, capabilities before and after TLS, TLS and certificate
// facts, verification and AUTH outcome (msmtp --serverinfo and openssl s_client in one).
#include "serverinfo.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "json.hpp"
#include "smtpc/core/text.hpp"

namespace smtpc::cli {
namespace {

// Keywords with a row of their own; the rest are listed as "other".
constexpr std::array<std::string_view, 11> kKnown{
    "STARTTLS", "SIZE", "PIPELINING",          "CHUNKING",   "BINARYMIME", "8BITMIME",
    "SMTPUTF8", "DSN",  "ENHANCEDSTATUSCODES", "REQUIRETLS", "AUTH"};

std::string first_word_upper(std::string_view line) {
  return ascii_upper(line.substr(0, line.find_first_of(" =")));
}

// One capability's value as the report shows it.
std::string value_of(const Capabilities& caps, std::string_view keyword) {
  auto yes_no = [](bool on) { return std::string(on ? "yes" : "no"); };
  if (keyword == "STARTTLS") return yes_no(caps.starttls);
  if (keyword == "SIZE") {
    if (!caps.size) return "no";
    return caps.size_limit
               ? fmt::format("{} ({} bytes)", human_size(*caps.size_limit), *caps.size_limit)
               : "yes (no fixed limit)";
  }
  if (keyword == "PIPELINING") return yes_no(caps.pipelining);
  if (keyword == "CHUNKING") return yes_no(caps.chunking);
  if (keyword == "BINARYMIME") return yes_no(caps.binarymime);
  if (keyword == "8BITMIME") return yes_no(caps.eightbitmime);
  if (keyword == "SMTPUTF8") return yes_no(caps.smtputf8);
  if (keyword == "DSN") return yes_no(caps.dsn);
  if (keyword == "ENHANCEDSTATUSCODES") return yes_no(caps.enhanced_status_codes);
  if (keyword == "REQUIRETLS") return yes_no(caps.requiretls);
  if (keyword == "AUTH") {
    return caps.auth_mechanisms.empty() ? "no"
                                        : fmt::format("{}", fmt::join(caps.auth_mechanisms, " "));
  }
  return "";
}

std::vector<std::string> other_keywords(const Capabilities& caps) {
  std::vector<std::string> other;
  for (const auto& line : caps.keywords) {
    const std::string word = first_word_upper(line);
    if (std::find(kKnown.begin(), kKnown.end(), word) == kKnown.end()) other.push_back(line);
  }
  return other;
}

// The hello replies that were seen, each with its column title.
std::vector<std::pair<std::string, const Reply*>> hello_columns(const JobSpec& spec,
                                                                const JobProgress& progress) {
  std::vector<std::pair<std::string, const Reply*>> columns;
  const ServerFacts& facts = progress.server;
  const bool implicit = spec.url.scheme == Scheme::Smtps;
  if (facts.hello_plain) columns.emplace_back("before TLS", &*facts.hello_plain);
  if (facts.hello_tls)
    columns.emplace_back(implicit ? "inside TLS" : "after TLS", &*facts.hello_tls);
  return columns;
}

std::string tls_mode(const JobSpec& spec, const JobProgress& progress) {
  if (spec.url.scheme == Scheme::Smtps) return "implicit TLS (smtps://)";
  const ServerFacts& facts = progress.server;
  if (facts.starttls) {
    return facts.starttls->code.value() == 220
               ? "STARTTLS"
               : fmt::format("STARTTLS refused: {}", facts.starttls->summary());
  }
  if (facts.hello_plain && spec.session.tls != TlsPolicy::None) {
    const Capabilities caps = Capabilities::from_ehlo(*facts.hello_plain);
    if (!caps.starttls) return "none: the server does not offer STARTTLS";
  }
  return "none";
}

std::string verification_text(const TlsDetails& tls, const JobSpec& spec) {
  if (tls.verified) {
    return fmt::format("ok: trusted, and the certificate is valid for {}", spec.url.host);
  }
  return fmt::format("FAILED: {}{}", tls.verify_result,
                     tls.verification_enforced ? "" : " (ignored: -k/--insecure)");
}

std::string auth_text(const JobSpec& spec, const ServerFacts& facts) {
  if (!spec.session.auth.authenticator) return "not tried (no credentials; see -u)";
  if (!facts.auth) return "not tried";
  return fmt::format("{} {}: {}", facts.auth_mechanism,
                     facts.auth->code.value() == 235 ? "succeeded" : "FAILED",
                     facts.auth->summary());
}

std::string json_capabilities(const Reply& hello) {
  const Capabilities caps = Capabilities::from_ehlo(hello);
  std::string out = fmt::format(
      "{{\"reply\":{},\"starttls\":{},\"size\":{},\"size_limit\":{},\"pipelining\":{},"
      "\"chunking\":{},\"binarymime\":{},\"8bitmime\":{},\"smtputf8\":{},\"dsn\":{},"
      "\"enhancedstatuscodes\":{},\"requiretls\":{},\"auth\":{},\"keywords\":{}}}",
      json_strings(hello.to_string_lines()), caps.starttls, caps.size,
      caps.size_limit ? fmt::format("{}", *caps.size_limit) : "null", caps.pipelining,
      caps.chunking, caps.binarymime, caps.eightbitmime, caps.smtputf8, caps.dsn,
      caps.enhanced_status_codes, caps.requiretls, json_strings(caps.auth_mechanisms),
      json_strings(caps.keywords));
  return out;
}

}  // namespace

std::string human_size(std::uint64_t bytes) {
  constexpr std::array<const char*, 4> kUnits{"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  auto value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  if (value == static_cast<double>(static_cast<std::uint64_t>(value))) {
    return fmt::format("{} {}", static_cast<std::uint64_t>(value), kUnits.at(unit));
  }
  return fmt::format("{:.1f} {}", value, kUnits.at(unit));
}

namespace {

// The capabilities table: one column per hello reply (before and inside TLS), each as wide
// as its longest value, so that the two can be compared at a glance.
std::string capabilities_table(const std::vector<std::pair<std::string, const Reply*>>& columns) {
  std::vector<Capabilities> caps;
  for (const auto& column : columns) caps.push_back(Capabilities::from_ehlo(*column.second));
  std::vector<std::size_t> widths;
  for (std::size_t i = 0; i < caps.size(); ++i) {
    std::size_t width = columns[i].first.size();
    for (const auto keyword : kKnown) width = std::max(width, value_of(caps[i], keyword).size());
    for (const auto& other : other_keywords(caps[i])) width = std::max(width, other.size());
    widths.push_back(width + 2);
  }
  std::string out = "\n";
  auto row = [&](std::string_view name, const std::vector<std::string>& values) {
    std::string text = fmt::format("{:<22}", name);
    for (std::size_t i = 0; i < values.size(); ++i) {
      text += fmt::format("{:<{}}", escape_controls(values[i]), widths[i]);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  std::vector<std::string> titles;
  for (const auto& column : columns) titles.push_back(column.first);
  row("Capabilities", titles);
  for (const auto keyword : kKnown) {
    std::vector<std::string> values;
    for (const auto& c : caps) values.push_back(value_of(c, keyword));
    row(fmt::format("  {}", keyword), values);
  }
  std::vector<std::vector<std::string>> others;
  std::size_t rows = 0;
  for (const auto& c : caps) {
    others.push_back(other_keywords(c));
    rows = std::max(rows, others.back().size());
  }
  for (std::size_t i = 0; i < rows; ++i) {
    std::vector<std::string> values;
    for (const auto& list : others) values.push_back(i < list.size() ? list[i] : "");
    row(i == 0 ? "  other" : "", values);
  }
  return out + "\n";
}

// One block per certificate of the chain, the server's first.
std::string certificate_blocks(const TlsDetails& tls) {
  std::string out;
  for (std::size_t i = 0; i < tls.chain.size(); ++i) {
    const CertificateFacts& cert = tls.chain[i];
    out += fmt::format("Certificate {}{}:\n", i, i == 0 ? " (server)" : "");
    auto field = [&out](std::string_view name, std::string_view value) {
      out += fmt::format("  {:<21}{}\n", name, value);
    };
    field("subject", cert.subject);
    if (!cert.alt_names.empty())
      field("alt names", fmt::format("{}", fmt::join(cert.alt_names, ", ")));
    field("issuer", cert.issuer);
    field("valid",
          fmt::format("{} to {} ({})", cert.not_before, cert.not_after,
                      cert.days_left >= 0 ? fmt::format("{} days left", cert.days_left)
                                          : fmt::format("EXPIRED {} days ago", -cert.days_left)));
    field("public key", cert.public_key);
    field("SHA-256 fingerprint", cert.sha256_fingerprint);
    field("pin", fmt::format("{}  (--pinnedpubkey)", cert.public_key_pin));
  }
  return out;
}

}  // namespace

std::string serverinfo_text(const JobSpec& spec, const JobProgress& progress) {
  std::string out;
  // Values carry the server's words (greeting, keywords, certificate names): made inert.
  auto line = [&out](std::string_view label, std::string_view value) {
    out += fmt::format("{:<14}{}\n", label, escape_controls(value));
  };
  line("Server:", fmt::format("{} port {}", spec.url.host, spec.url.port));
  if (!progress.connected) return out;
  const ServerFacts& facts = progress.server;
  if (facts.greeting)
    line("Greeting:", fmt::format("{}", fmt::join(facts.greeting->to_string_lines(), " / ")));
  if (facts.ehlo_refused) line("EHLO:", "refused; HELO worked (no ESMTP extensions)");
  const auto columns = hello_columns(spec, progress);
  if (!columns.empty()) out += capabilities_table(columns);
  line("TLS:", tls_mode(spec, progress));
  if (progress.tls_details) {
    const TlsDetails& tls = *progress.tls_details;
    line("Protocol:", fmt::format("{}, cipher {}", tls.version, tls.cipher));
    out += certificate_blocks(tls);
    line("Verification:", verification_text(tls, spec));
  }
  line("AUTH:", auth_text(spec, facts));
  return out;
}

std::string serverinfo_json(const JobSpec& spec, const JobProgress& progress) {
  const ServerFacts& facts = progress.server;
  std::vector<std::string> fields;
  fields.push_back(fmt::format("\"host\":{}", json_string(spec.url.host)));
  fields.push_back(fmt::format("\"port\":{}", spec.url.port));
  fields.push_back(fmt::format("\"connected\":{}", progress.connected));
  fields.push_back(
      fmt::format("\"greeting\":{}",
                  facts.greeting ? json_strings(facts.greeting->to_string_lines()) : "null"));
  fields.push_back(fmt::format("\"ehlo_refused\":{}", facts.ehlo_refused));
  const bool implicit = spec.url.scheme == Scheme::Smtps;
  fields.push_back(fmt::format("\"tls_mode\":{}", json_string(tls_mode(spec, progress))));
  fields.push_back(fmt::format("\"capabilities_before_tls\":{}",
                               facts.hello_plain ? json_capabilities(*facts.hello_plain) : "null"));
  fields.push_back(fmt::format("\"capabilities_{}_tls\":{}", implicit ? "inside" : "after",
                               facts.hello_tls ? json_capabilities(*facts.hello_tls) : "null"));
  if (progress.tls_details) {
    const TlsDetails& tls = *progress.tls_details;
    std::vector<std::string> chain;
    for (const auto& cert : tls.chain) {
      chain.push_back(fmt::format(
          "{{\"subject\":{},\"alt_names\":{},\"issuer\":{},\"not_before\":{},\"not_after\":{},"
          "\"days_left\":{},\"public_key\":{},\"sha256_fingerprint\":{},\"pin\":{}}}",
          json_string(cert.subject), json_strings(cert.alt_names), json_string(cert.issuer),
          json_string(cert.not_before), json_string(cert.not_after), cert.days_left,
          json_string(cert.public_key), json_string(cert.sha256_fingerprint),
          json_string(cert.public_key_pin)));
    }
    fields.push_back(fmt::format(
        "\"tls\":{{\"version\":{},\"cipher\":{},\"verified\":{},\"verify_result\":{},"
        "\"verification_enforced\":{},\"chain\":[{}]}}",
        json_string(tls.version), json_string(tls.cipher), tls.verified,
        json_string(tls.verify_result), tls.verification_enforced, fmt::join(chain, ",")));
  } else {
    fields.push_back("\"tls\":null");
  }
  fields.push_back(fmt::format("\"auth\":{}", json_string(auth_text(spec, facts))));
  return fmt::format("{{{}}}\n", fmt::join(fields, ","));
}

int run_serverinfo(const JobSpec& spec, Tracer& tracer, Notices& notices, bool json, std::FILE* out,
                   std::string& json_report) {
  JobProgress progress;
  JobSpec probe = spec;
  probe.tls.report_chain_when_insecure = true;  // the report says what the chain is worth
  probe.tls.describe_chain = true;              // and shows each certificate
  auto write = [&] {
    json_report = serverinfo_json(spec, progress);
    if (out == nullptr) return;
    const std::string text = json ? json_report : serverinfo_text(spec, progress);
    std::fputs(text.c_str(), out);
    std::fflush(out);
  };
  try {
    (void)run_job(probe, tracer, notices, progress);
  } catch (const Error&) {
    write();
    throw;
  }
  write();
  return 0;
}

}  // namespace smtpc::cli
