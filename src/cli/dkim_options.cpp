// --dkim-* to a dkim::SigningRequest.
#include "dkim_options.hpp"

#include <fmt/format.h>

#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

Error usage(std::string text) { return Error(ExitCode::FailedInit, std::move(text)); }

// "relaxed", "simple", or header/body as in c= (RFC 6376 §3.5).
std::pair<dkim::Canonicalization, dkim::Canonicalization> parse_canonicalizations(
    const std::string& text) {
  const auto slash = text.find('/');
  const auto header = dkim::parse_canonicalization(text.substr(0, slash));
  const auto body =
      slash == std::string::npos ? header : dkim::parse_canonicalization(text.substr(slash + 1));
  if (!header || !body) {
    throw usage(fmt::format(
        "--dkim-canon: \"{}\" is not relaxed, simple or HEADER/BODY (relaxed/simple...)", text));
  }
  return {*header, *body};
}

}  // namespace

std::optional<dkim::SigningRequest> make_signing_request(const DkimOptions& options) {
  if (options.keys.empty()) {
    if (!options.selectors.empty() || options.domain_on_command_line || options.canonicalization ||
        options.headers) {
      throw usage(
          "--dkim-selector, --dkim-domain, --dkim-canon and --dkim-headers need --dkim-key");
    }
    return std::nullopt;
  }
  if (options.selectors.size() != options.keys.size()) {
    throw usage(options.selectors.empty()
                    ? std::string("--dkim-key needs --dkim-selector: the name the key is "
                                  "published under (SELECTOR._domainkey.DOMAIN)")
                    : fmt::format("{} DKIM keys and {} selectors: give one --dkim-selector for "
                                  "each --dkim-key, in the same order",
                                  options.keys.size(), options.selectors.size()));
  }
  dkim::SigningRequest request;
  for (const auto& selector : options.selectors)
    dkim::check_dns_name("the DKIM selector", selector);
  if (options.domain) {
    dkim::check_dns_name("the DKIM domain", *options.domain);
    request.domain = options.domain;
    request.domain_explicit = options.domain_on_command_line;
  }
  if (options.canonicalization) {
    std::tie(request.header_canonicalization, request.body_canonicalization) =
        parse_canonicalizations(*options.canonicalization);
  }
  if (options.headers) request.headers = dkim::parse_header_list(*options.headers);
  for (std::size_t i = 0; i < options.keys.size(); ++i) {
    request.keys.push_back(dkim::load_signing_key(options.keys[i], options.selectors[i]));
  }
  return request;
}

}  // namespace smtpc::cli
