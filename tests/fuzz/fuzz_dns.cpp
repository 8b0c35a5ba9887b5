// Fuzz target: DNS responses (RFC 1035), as the resolver hands them over.
#include <span>

#include "fuzz_support.hpp"
#include "smtpc/mx/mx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const unsigned char> packet(data, size);
  for (const auto type : {smtpc::DnsType::Mx, smtpc::DnsType::A, smtpc::DnsType::Aaaa}) {
    smtpc::fuzz::tolerate_errors([&] { (void)smtpc::parse_dns_response(packet, type); });
  }
  return 0;
}
