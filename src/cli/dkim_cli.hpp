// --dkim-keygen and --dkim-check: the two DKIM commands that send nothing (docs/dkim.md).
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "dkim_options.hpp"

namespace smtpc::cli {

/// --dkim-keygen: writes a new key to --dkim-key FILE and prints its TXT record on `out`.
/// Returns the exit code. Throws Error(FailedInit) for missing or bad options,
/// Error(WriteError) when the key file exists or cannot be written.
int run_dkim_keygen(const DkimOptions& options, std::FILE* out);

/// --dkim-check: looks up each key's SELECTOR._domainkey.DOMAIN with `dns_servers`
/// (--dns-servers; the system resolver without) and prints the one-screen report on `out`.
/// Returns 0 when every key is published as it is. Throws Error(FailedInit) when one is not
/// (after the report), Error(CouldntResolveHost) when no DNS server answers.
int run_dkim_check(const DkimOptions& options, const std::optional<std::string>& dns_servers,
                   std::FILE* out);

}  // namespace smtpc::cli
