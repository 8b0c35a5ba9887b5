// EHLO keywords: RFC 5321 §4.1.1.1, SIZE (RFC 1870), STARTTLS (RFC 3207), AUTH (RFC 4954),
// PIPELINING (RFC 2920), CHUNKING/BINARYMIME (RFC 3030), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531).
#include "smtpc/smtp/capabilities.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "smtpc/core/text.hpp"

namespace smtpc {
namespace {}  // namespace

Capabilities Capabilities::from_ehlo(const Reply& reply) {
  Capabilities caps;
  caps.esmtp = true;
  // The first line is the server's greeting to us, not a keyword.
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::istringstream words(reply.lines[i]);
    std::string keyword;
    words >> keyword;
    // Some old servers write "AUTH=LOGIN PLAIN".
    std::string inline_params;
    if (const auto eq = keyword.find('='); eq != std::string::npos) {
      inline_params = keyword.substr(eq + 1);
      keyword.resize(eq);
    }
    keyword = ascii_upper(keyword);
    if (keyword == "STARTTLS") {
      caps.starttls = true;
    } else if (keyword == "PIPELINING") {
      caps.pipelining = true;
    } else if (keyword == "CHUNKING") {
      caps.chunking = true;
    } else if (keyword == "BINARYMIME") {
      caps.binarymime = true;
    } else if (keyword == "8BITMIME") {
      caps.eightbitmime = true;
    } else if (keyword == "SMTPUTF8") {
      caps.smtputf8 = true;
    } else if (keyword == "ENHANCEDSTATUSCODES") {
      caps.enhanced_status_codes = true;
    } else if (keyword == "SIZE") {
      caps.size = true;
      std::string limit;
      if (words >> limit) {
        std::uint64_t value = 0;
        const auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
        if (ec == std::errc{} && ptr == limit.data() + limit.size() && value > 0) {
          caps.size_limit = value;
        }
      }
    } else if (keyword == "AUTH") {
      std::vector<std::string> mechanisms;
      if (!inline_params.empty()) mechanisms.push_back(ascii_upper(inline_params));
      std::string mechanism;
      while (words >> mechanism) mechanisms.push_back(ascii_upper(mechanism));
      for (auto& name : mechanisms) {
        if (std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), name) ==
            caps.auth_mechanisms.end()) {
          caps.auth_mechanisms.push_back(std::move(name));
        }
      }
    }
  }
  return caps;
}

}  // namespace smtpc
