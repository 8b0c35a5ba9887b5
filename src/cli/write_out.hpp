// -w/--write-out: curl's variables that mean something for SMTP, %{json}, and smtpc's own
// (the final reply, its enhanced status code, each recipient's reply). docs/write-out.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpc/smtp/dialogue.hpp"

namespace smtpc::cli {

/// What one transfer leaves for -w.
struct TransferReport {
  std::string url;
  int exit_code = 0;
  std::optional<std::string> error;  // the error message, without "smtpc: (N) "
  std::optional<int> error_reply;    // the reply code carried by the error
  std::optional<SendResult> result;  // what the dialogue produced, even when it failed
  double time_total = 0;             // seconds
  long long size_upload = 0;         // the messages' bytes as sent, without end-of-data marks
  // The connection, as curl reports it: 0 and "" where the transfer did not get that far.
  long long num_connects = 0;
  double time_namelookup = 0;  // seconds from the start to the name's addresses
  double time_connect = 0;     // ... to the TCP connection
  double time_appconnect = 0;  // ... to the end of the TLS handshake (smtps, STARTTLS)
  std::string remote_ip;
  long long remote_port = 0;
  std::string local_ip;
  long long local_port = 0;
  long long ssl_verify_result = 0;  // OpenSSL's X509_V_* code of the server's certificate
  /// Each certificate the server sent, as curl's %{certs} writes it (TlsDetails).
  std::vector<std::string> certs;
  /// --serverinfo's report as JSON: what %{json} writes for such a transfer.
  std::optional<std::string> serverinfo_json;
};

/// Expands FORMAT (or @FILE, @- for stdin) and writes it to stdout (or wherever
/// %{stderr}/%{stdout} switch to). Unknown variables: a warning on stderr, as curl.
/// Throws Error(ReadError) when @FILE cannot be read.
void write_out(const std::string& format, const TransferReport& report);

/// Whether FORMAT may write %{certs} or %{num_certs}, so that the TLS handshake must
/// describe each certificate (TlsOptions::describe_chain): it names one of them, or is an
/// @FILE, which is read only after the transfer.
[[nodiscard]] bool write_out_may_show_certificates(const std::optional<std::string>& format);

/// The expansion itself (for tests): `to_stderr` says where each piece goes.
struct WriteOutPiece {
  bool to_stderr = false;
  std::string text;
};
[[nodiscard]] std::vector<WriteOutPiece> expand_write_out(const std::string& format,
                                                          const TransferReport& report,
                                                          std::vector<std::string>* warnings);

}  // namespace smtpc::cli
