// Direct delivery (--mx): group the recipients by domain, look up each domain's MX records,
// and run one SMTP transaction per domain against its hosts in preference order.
// RFC 5321 §5.1 (MX ordering, implicit MX, trying the next host), RFC 7505 (null MX),
// RFC 7435 (opportunistic security), RFC 3207 (STARTTLS).
#include "smtpc/delivery/mx_delivery.hpp"

#include <fmt/format.h>

#include <array>
#include <random>
#include <variant>

#include "smtpc/mx/dns_resolver.hpp"
#include "smtpc/sys/idn.hpp"
#include "smtpc/transport/trace.hpp"

namespace smtpc {
namespace {

using std::chrono::milliseconds;

// What MTAs allow for a connection to an MX (Postfix's smtp_connect_timeout is 30 s);
// --connect-timeout overrides it.
constexpr milliseconds kDefaultConnectTimeout{30000};

// ---- Finding the servers ----

/// A server to try: an MX host (or the domain itself, or an address literal).
struct Target {
  std::string host;  // the name for TLS (SNI, certificate) and messages
  std::optional<std::uint16_t> preference;
  std::vector<std::string> addresses;  // known up front only for address literals
};

std::string join_records(const std::vector<MxRecord>& records, bool preference_after) {
  std::vector<std::string> parts;
  for (const auto& record : records) {
    const std::string name = record.exchange.empty() ? "." : record.exchange;
    parts.push_back(preference_after ? fmt::format("{} ({})", name, record.preference)
                                     : fmt::format("{} {}", record.preference, name));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

/// The servers for `domain`, best first. Throws Error(CouldntResolveHost) for NXDOMAIN or a
/// failed lookup, Error(SendError) for a null MX.
std::vector<Target> find_targets(const std::string& domain, DnsResolver& resolver,
                                 const RandomIndex& random, Tracer& tracer) {
  if (domain.front() == '[') {
    // RFC 5321 §4.1.3 address literal: no DNS at all.
    std::string literal = domain.substr(1, domain.size() - 2);
    if (literal.starts_with("IPv6:") || literal.starts_with("ipv6:")) literal = literal.substr(5);
    tracer.info(fmt::format("{}: address literal: no MX lookup", domain));
    return {Target{literal, std::nullopt, {literal}}};
  }
  tracer.info(fmt::format("{}: MX lookup via {}", domain, resolver.servers()));
  const DnsAnswer answer = resolver.query(domain, DnsType::Mx);
  if (answer.rcode == DnsRcode::NxDomain) {
    throw Error(ExitCode::CouldntResolveHost,
                fmt::format("Could not resolve domain {}: no such domain (NXDOMAIN)", domain));
  }
  if (answer.rcode != DnsRcode::NoError) {
    throw Error(ExitCode::CouldntResolveHost,
                fmt::format("Could not resolve domain {}: the MX lookup failed with {} from {}",
                            domain, to_string(answer.rcode), resolver.servers()));
  }
  if (answer.mx.empty()) {
    tracer.info(
        fmt::format("{}: no MX records: delivering to the domain's own address "
                    "(implicit MX, RFC 5321 section 5.1)",
                    domain));
    return {Target{domain, std::nullopt, {}}};
  }
  tracer.info(fmt::format("{}: {} MX record{}: {}", domain, answer.mx.size(),
                          answer.mx.size() == 1 ? "" : "s", join_records(answer.mx, false)));
  if (is_null_mx(answer.mx)) {
    throw Error(ExitCode::SendError,
                fmt::format("{} accepts no mail: it publishes a null MX (RFC 7505); nothing "
                            "was sent to its recipients",
                            domain));
  }
  const auto ordered = order_mx(answer.mx, random);
  tracer.info(fmt::format("{}: MX order: {}", domain, join_records(ordered, true)));
  std::vector<Target> targets;
  for (const auto& record : ordered)
    targets.push_back(Target{record.exchange, record.preference, {}});
  return targets;
}

/// AAAA then A addresses of `host` (only A with -4, only AAAA with -6). Lookup failures
/// are traced and give no addresses.
std::vector<std::string> resolve_host(const std::string& host, IpFamily family,
                                      DnsResolver& resolver, Tracer& tracer,
                                      std::string& why_none) {
  std::vector<std::string> addresses;
  std::vector<std::string> notes;
  std::vector<DnsType> types{DnsType::Aaaa, DnsType::A};
  if (family == IpFamily::V4) types = {DnsType::A};
  if (family == IpFamily::V6) types = {DnsType::Aaaa};
  for (const DnsType type : types) {
    const char* name = type == DnsType::A ? "A" : "AAAA";
    try {
      const DnsAnswer answer = resolver.query(host, type);
      if (answer.rcode != DnsRcode::NoError) {
        notes.push_back(fmt::format("{} {}", name, to_string(answer.rcode)));
        why_none = fmt::format("{} ({})", to_string(answer.rcode), name);
      } else if (answer.addresses.empty()) {
        notes.push_back(fmt::format("{} none", name));
      } else {
        notes.push_back(fmt::format("{} {}", name, fmt::join(answer.addresses, ", ")));
        addresses.insert(addresses.end(), answer.addresses.begin(), answer.addresses.end());
      }
    } catch (const Error& error) {
      notes.push_back(fmt::format("{} lookup failed", name));
      why_none = error.what();
    }
  }
  tracer.info(fmt::format("{}: {}", host, fmt::join(notes, "; ")));
  if (addresses.empty() && why_none.empty()) {
    why_none = family == IpFamily::V4   ? "no A records (-4)"
               : family == IpFamily::V6 ? "no AAAA records (-6)"
                                        : "no A or AAAA records";
  }
  return addresses;
}

// ---- One attempt ----

struct Delivered {
  SendResult result;
  std::string security;
};
struct TryNextAddress {
  Error error;
};
struct TryNextHost {
  Error error;
};
struct GiveUp {
  Error error;
};
using AttemptResult = std::variant<Delivered, TryNextAddress, TryNextHost, GiveUp>;

class DomainDelivery {
 public:
  DomainDelivery(const JobSpec& base, const MxOptions& options, Deadline overall, Tracer& tracer,
                 Notices& notices)
      : base_(base), options_(options), overall_(overall), tracer_(tracer), notices_(notices) {}

  /// One transaction at `address`, retried on the same address when opportunistic TLS
  /// fails: without certificate verification first, then in plain text (RFC 7435).
  AttemptResult attempt(const DomainGroup& group, const Target& target,
                        const std::string& address) {
    JobSpec job = base_;
    job.url.host = target.host;
    job.url.port = options_.port;
    job.resolve = {ResolveOverride{target.host, options_.port, {address}}};
    job.session.forward_paths = group.recipients;
    const bool required = base_.session.tls == TlsPolicy::Required;
    job.session.tls = required ? TlsPolicy::Required : TlsPolicy::Opportunistic;
    job.connect_timeout = base_.connect_timeout.value_or(kDefaultConnectTimeout);
    std::string security = "TLS";
    while (true) {
      if (overall_ != Deadline::max()) {
        const auto left = std::chrono::duration_cast<milliseconds>(overall_ - Clock::now());
        if (left <= milliseconds(0)) {
          return GiveUp{Error(ExitCode::OperationTimedout,
                              "the delivery took longer than --max-time allowed")};
        }
        job.max_time = left;
      }
      JobProgress progress;
      try {
        SendResult result = run_job(job, tracer_, notices_, progress);
        return Delivered{std::move(result), progress.tls ? security : "plain text"};
      } catch (const Error& error) {
        if (!progress.greeted) {
          if (error.code() == ExitCode::OperationTimedout && Clock::now() >= overall_) {
            return GiveUp{error};
          }
          // The table: a refusing greeting (4xx or 5xx, RFC 5321 §3.1) speaks for the
          // whole host, a failed connection for one address.
          switch (policy_for(error.kind()).mx) {
            case MxFallback::NextAddress:
              return TryNextAddress{error};
            case MxFallback::NextHost:
              return TryNextHost{error};
            case MxFallback::GiveUp:
              return GiveUp{error};
          }
        }
        if (required) return GiveUp{error};
        if (error.code() == ExitCode::PeerFailedVerification && job.tls.verify_peer) {
          notices_.warning(fmt::format(
              "{}: the certificate of {} could not be verified ({}); delivering over TLS "
              "without verification, as opportunistic TLS does (RFC 7435); use --ssl-reqd to "
              "require a verified certificate",
              group.domain, target.host, error.what()));
          job.tls.verify_peer = false;
          security = "TLS, certificate not verified";
          continue;
        }
        if (error.code() == ExitCode::SslConnectError && job.session.tls != TlsPolicy::None) {
          notices_.warning(
              fmt::format("{}: the TLS handshake with {} failed ({}); delivering in plain text, "
                          "as opportunistic TLS does (RFC 7435); use --ssl-reqd to refuse",
                          group.domain, target.host, error.what()));
          job.session.tls = TlsPolicy::None;
          continue;
        }
        return GiveUp{error};
      }
    }
  }

  /// -4/-6: the family of the addresses to look up.
  [[nodiscard]] IpFamily family() const noexcept { return base_.ip_family; }

 private:
  const JobSpec& base_;
  const MxOptions& options_;
  Deadline overall_;
  Tracer& tracer_;
  Notices& notices_;
};

std::string describe(const Target& target) {
  return target.preference ? fmt::format("MX {} (preference {})", target.host, *target.preference)
                           : target.host;
}

DomainOutcome deliver_domain(const DomainGroup& group, DomainDelivery& delivery,
                             DnsResolver& resolver, const RandomIndex& random, std::uint16_t port,
                             Tracer& tracer) {
  DomainOutcome outcome;
  outcome.domain = group.domain;
  outcome.recipients = group.recipients;
  try {
    const auto targets = find_targets(group.domain, resolver, random, tracer);
    std::optional<Error> last;
    for (const auto& target : targets) {
      std::string why_none;
      const auto addresses = target.addresses.empty() ? resolve_host(target.host, delivery.family(),
                                                                     resolver, tracer, why_none)
                                                      : target.addresses;
      if (addresses.empty()) {
        last = Error(ExitCode::CouldntResolveHost,
                     fmt::format("Could not resolve {}{}: {}", target.host,
                                 target.preference ? fmt::format(" (MX of {})", group.domain) : "",
                                 why_none));
        tracer.info(fmt::format("{}: {}", group.domain, last->what()));
        continue;
      }
      for (const auto& address : addresses) {
        tracer.info(fmt::format("{}: trying {} at {} port {}", group.domain, describe(target),
                                address, port));
        outcome.mx_host = target.host;
        outcome.address = address;
        AttemptResult result = delivery.attempt(group, target, address);
        if (auto* done = std::get_if<Delivered>(&result)) {
          outcome.security = done->security;
          outcome.result = std::move(done->result);
          return outcome;
        }
        if (auto* stop = std::get_if<GiveUp>(&result)) throw stop->error;
        const bool whole_host = std::holds_alternative<TryNextHost>(result);
        last = whole_host ? std::get<TryNextHost>(result).error
                          : std::get<TryNextAddress>(result).error;
        tracer.info(fmt::format(
            "{}: {} at {} failed: {}{}", group.domain, target.host, address, last->what(),
            whole_host ? " (service refused: skipping its other addresses)" : ""));
        if (whole_host) break;
      }
    }
    if (!last) last = Error(ExitCode::CouldntResolveHost, "no server to try");
    const ExitCode code = last->code();
    throw Error(code,
                fmt::format("no server of {} took the message (last failure: {})", group.domain,
                            last->what()),
                last->reply());
  } catch (const Error& error) {
    outcome.error = error;
    tracer.info(fmt::format("{}: failed: {}", group.domain, error.what()));
  }
  return outcome;
}

}  // namespace

const DomainOutcome* MxReport::first_failure() const noexcept {
  for (const auto& domain : domains) {
    if (!domain.delivered()) return &domain;
  }
  return nullptr;
}

std::vector<std::string> MxReport::summary() const {
  std::vector<std::string> lines;
  for (const auto& domain : domains) {
    const std::size_t count = domain.recipients.size();
    const std::string who = fmt::format("{} recipient{}", count, count == 1 ? "" : "s");
    if (domain.delivered()) {
      const auto& messages = domain.result->messages;
      const auto& reply = messages.empty() ? std::nullopt : messages.front().final_reply;
      lines.push_back(fmt::format("{}: delivered ({}) via {} [{}] ({}): {}", domain.domain, who,
                                  domain.mx_host.value_or("?"), domain.address.value_or("?"),
                                  domain.security, reply ? reply->summary() : "accepted"));
    } else {
      lines.push_back(fmt::format("{}: NOT delivered ({}): ({}) {}", domain.domain, who,
                                  to_int(domain.error->code()), domain.error->what()));
    }
  }
  return lines;
}

MxReport run_mx_delivery(const JobSpec& spec, const MxOptions& options, Tracer& tracer,
                         Notices& notices) {
  const auto groups = group_by_domain(spec.session.forward_paths, domain_to_ascii);
  JobSpec base = spec;
  // Every domain and every fallback host reads each message from its start.
  for (auto& message : base.messages) message = message.rereadable();
  RandomIndex random = options.random;
  std::mt19937 engine{std::random_device{}()};
  if (!random) {
    random = [&engine](std::size_t bound) {
      return std::uniform_int_distribution<std::size_t>(0, bound - 1)(engine);
    };
  }
  const Deadline overall = spec.max_time ? Clock::now() + *spec.max_time : Deadline::max();

  std::vector<std::string> names;
  for (const auto& group : groups) {
    names.push_back(fmt::format("{} ({})", group.domain, fmt::join(group.recipients, ", ")));
  }
  tracer.info(fmt::format("Direct delivery (--mx) to {} domain{}: {}", groups.size(),
                          groups.size() == 1 ? "" : "s", fmt::join(names, "; ")));

  DnsResolver resolver(options.dns_servers);
  DomainDelivery delivery(base, options, overall, tracer, notices);
  MxReport report;
  for (const auto& group : groups) {
    report.domains.push_back(
        deliver_domain(group, delivery, resolver, random, options.port, tracer));
  }
  return report;
}

}  // namespace smtpc
