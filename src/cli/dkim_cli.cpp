// --dkim-keygen and --dkim-check: options in, a report out; the work is in dkim/ and mx/.
#include "dkim_cli.hpp"

#include <fmt/format.h>

#include "smtpc/core/error.hpp"
#include "smtpc/dkim/key_record.hpp"
#include "smtpc/dkim/signer.hpp"
#include "smtpc/mx/dns_resolver.hpp"
#include "smtpc/mx/mx.hpp"

namespace smtpc::cli {
namespace {

Error usage(std::string text) { return Error(ExitCode::FailedInit, std::move(text)); }

// The one domain both commands need: --dkim-domain (a config account's counts).
std::string domain_of(const DkimOptions& options, std::string_view command) {
  if (!options.domain) throw usage(fmt::format("{} needs --dkim-domain", command));
  dkim::check_dns_name("the DKIM domain", *options.domain);
  return *options.domain;
}

std::string_view verdict_text(dkim::PublishedKey::Verdict verdict) {
  switch (verdict) {
    case dkim::PublishedKey::Verdict::Matches:
      return "matches the private key";
    case dkim::PublishedKey::Verdict::Differs:
      return "DIFFERS from the private key";
    case dkim::PublishedKey::Verdict::Revoked:
      return "REVOKED (empty p=)";
    case dkim::PublishedKey::Verdict::NotDkim:
      return "NOT a DKIM key record";
    case dkim::PublishedKey::Verdict::Missing:
      return "MISSING";
  }
  return "";
}

// A record on one line, its key shortened: the screen shows which record, not all of it.
std::string shortened(const std::string& record) {
  constexpr std::size_t kShown = 72;
  return record.size() <= kShown ? record : record.substr(0, kShown) + "...";
}

}  // namespace

int run_dkim_keygen(const DkimOptions& options, std::FILE* out) {
  if (options.keys.size() != 1) throw usage("--dkim-keygen needs one --dkim-key FILE to write");
  if (options.selectors.size() != 1) throw usage("--dkim-keygen needs one --dkim-selector");
  dkim::check_dns_name("the DKIM selector", options.selectors.front());
  const std::string domain = domain_of(options, "--dkim-keygen");
  const std::string algorithm = options.algorithm.value_or("rsa");
  if (algorithm != "rsa" && algorithm != "ed25519") {
    throw usage(fmt::format("--dkim-algorithm: \"{}\" is not rsa or ed25519", algorithm));
  }
  const PrivateKeyInfo key = dkim::write_new_key(
      options.keys.front(), algorithm == "rsa" ? KeyAlgorithm::Rsa : KeyAlgorithm::Ed25519);
  fmt::print(stderr, "smtpc: wrote a new {} key ({} bits) to {} (mode 0600); publish:\n", algorithm,
             key.bits, options.keys.front());
  fmt::print(out, "{}\n",
             dkim::zone_line(options.selectors.front(), domain, dkim::key_record(key)));
  return 0;
}

int run_dkim_check(const DkimOptions& options, const std::optional<std::string>& dns_servers,
                   std::FILE* out) {
  if (options.keys.empty()) throw usage("--dkim-check needs --dkim-key (or a config dkim-key)");
  if (options.selectors.size() != options.keys.size()) {
    throw usage("--dkim-check needs one --dkim-selector for each --dkim-key");
  }
  for (const auto& selector : options.selectors)
    dkim::check_dns_name("the DKIM selector", selector);
  const std::string domain = domain_of(options, "--dkim-check");
  DnsResolver resolver(dns_servers ? parse_dns_servers(*dns_servers)
                                   : std::vector<DnsServerAddress>{});
  bool all_match = true;
  fmt::print(out, "DKIM keys of {} (DNS: {})\n", domain, resolver.servers());
  for (std::size_t i = 0; i < options.keys.size(); ++i) {
    const auto key = dkim::load_signing_key(options.keys[i], options.selectors[i]);
    const std::string name = dkim::record_name(key.selector, domain);
    const DnsAnswer answer = resolver.query(name, DnsType::Txt);
    const auto published = dkim::check_published_key(answer.texts, key.info);
    all_match = all_match && published.verdict == dkim::PublishedKey::Verdict::Matches;
    fmt::print(out, "\n  {}\n", name);
    fmt::print(out, "    private key  {} ({}, {} bits)\n", key.path,
               key.info.algorithm == KeyAlgorithm::Ed25519 ? "ed25519" : "rsa", key.info.bits);
    fmt::print(out, "    published    {}\n",
               published.record.empty()
                   ? (answer.rcode == DnsRcode::NxDomain ? std::string("nothing (NXDOMAIN)")
                                                         : std::string("nothing"))
                   : shortened(published.record));
    fmt::print(out, "    result       {}{}\n", verdict_text(published.verdict),
               published.reason.empty() || published.verdict == dkim::PublishedKey::Verdict::Missing
                   ? ""
                   : ": " + published.reason);
    if (published.verdict != dkim::PublishedKey::Verdict::Matches) {
      fmt::print(out, "    publish      {}\n",
                 dkim::zone_line(key.selector, domain, dkim::key_record(key.info)));
    }
  }
  std::fflush(out);
  if (!all_match) {
    throw usage(options.keys.size() > 1 ? "--dkim-check: DNS does not publish every key as it is"
                                        : "--dkim-check: DNS does not publish the key as it is");
  }
  return 0;
}

}  // namespace smtpc::cli
