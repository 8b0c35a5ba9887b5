// Integration-test helpers: run the smtpc binary and the Python SMTP test servers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smtpc::it {

/// What one run of the smtpc binary did.
struct RunResult {
  int exit_code = -1;  // -1 if it was killed by a signal (or for taking too long)
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
  bool timed_out = false;
  std::chrono::milliseconds elapsed{0};
};

/// Runs SMTPC_BINARY with `args`, feeding `stdin_data` to its standard input (then EOF).
/// A run that outlasts `timeout` is killed and reported as a test failure.
RunResult run_smtpc(std::vector<std::string> args, std::string stdin_data = "",
                    std::chrono::seconds timeout = std::chrono::seconds(60));

/// Runs the program args[0] (a path) with the arguments after it, in our environment with
/// `env` ("NAME=value" each) added or replacing; otherwise as run_smtpc.
RunResult run_program(std::vector<std::string> args, std::string stdin_data = "",
                      std::vector<std::string> env = {},
                      std::chrono::seconds timeout = std::chrono::seconds(60));

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// Writes `content` to path()/name and returns the full path.
  std::string write_file(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

/// The whole content of a file; throws std::runtime_error if it cannot be read.
[[nodiscard]] std::string read_file(const std::string& path);
/// Splits at "\n", dropping one "\r" before each "\n" and a final empty piece.
[[nodiscard]] std::vector<std::string> split_lines(std::string_view text);
/// A loopback TCP port on which nothing listens (bound, then closed).
[[nodiscard]] std::uint16_t closed_port();

/// The envelope smtp_server.py records with each message ("" is the null reverse-path).
struct Envelope {
  std::string mail_from;
  std::vector<std::string> rcpt_tos;
  std::vector<std::string> mail_options;  // e.g. "SIZE=123", upper-cased by aiosmtpd
  std::vector<std::string> rcpt_options;
  /// With --dsn: MAIL's DSN parameters, and each accepted RCPT's joined by spaces.
  std::vector<std::string> dsn_mail;
  std::vector<std::string> dsn_rcpt;
  std::string tls_cipher;  // the TLS suite of the connection ("" in plain text)
};

struct Message {
  std::string bytes;  // the content after un-dot-stuffing, as the server received it
  Envelope envelope;
};

/// A Python helper server run as a child process, stopped (SIGTERM) when destroyed.
class ServerProcess {
 public:
  /// Runs PYTHON_EXECUTABLE `script` --port-file DIR/port `args`... and waits (bounded)
  /// for the port. Throws std::runtime_error, with the server's output, if it never listens.
  ServerProcess(const std::string& script, std::vector<std::string> args, const TempDir& dir);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// Waits up to `timeout` for the process to end by itself; true if it did.
  bool wait_exit(std::chrono::milliseconds timeout);
  /// The server's own stdout and stderr, for diagnostics.
  [[nodiscard]] std::string output() const;

 private:
  void stop();
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string output_path_;
};

/// A server program (a proxy from Debian: danted, microsocks, tinyproxy...) run in its own
/// process group, ready once 127.0.0.1:`port` accepts connections; stopped with its group.
class DaemonProcess {
 public:
  /// Throws std::runtime_error, with the program's output, if it never listens.
  DaemonProcess(std::vector<std::string> argv, std::uint16_t port, const std::string& output_path);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string read_output() const;

 private:
  void stop();
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string output_path_;
};

/// smtp_server.py (aiosmtpd) with a fresh spool and command log.
/// `options` are passed through, e.g. {"--refuse-rcpt", "nobody@example.com"}.
class SmtpServer {
 public:
  explicit SmtpServer(std::vector<std::string> options = {});

  [[nodiscard]] std::uint16_t port() const noexcept { return process_.port(); }
  /// "smtp://127.0.0.1:PORT/path" ("smtp://[::1]:PORT/path" with --host ::1).
  [[nodiscard]] std::string url(std::string_view path = "") const;
  /// Accepted messages, in order of arrival.
  [[nodiscard]] std::vector<Message> messages() const;
  /// Where the server writes NNNN.eml and then NNNN.json per message, for a waiting loop
  /// that runs outside this process (a shell in another mount namespace).
  [[nodiscard]] std::string spool_dir() const { return dir_.path() + "/spool"; }
  /// Every command line received, in order, without line ends.
  [[nodiscard]] std::vector<std::string> log_lines() const;
  /// The received command lines that start with `verb` followed by a space or the end.
  [[nodiscard]] std::vector<std::string> commands(std::string_view verb) const;
  [[nodiscard]] std::string output() const { return process_.output(); }

 private:
  TempDir dir_;
  std::string host_;
  ServerProcess process_;
};

/// scripted_server.py: plays `script` (see that file) on one connection.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string_view script, std::vector<std::string> options = {});

  [[nodiscard]] std::uint16_t port() const noexcept { return process_.port(); }
  [[nodiscard]] std::string url(std::string_view path = "") const;
  /// Every byte received; first waits (up to 5 s) for the script to end.
  [[nodiscard]] std::string received();
  [[nodiscard]] std::vector<std::string> received_lines() { return split_lines(received()); }

 private:
  TempDir dir_;
  ServerProcess process_;
};

// --- The preamble most tests share ---

/// A smtpc command line for one send: URL --mail-from SENDER --mail-rcpt R... -T FILE...
/// then `options`. Fill it with designated initializers: {.url = ..., .files = {...}}.
struct Send {
  std::string url;
  std::vector<std::string> files{};    // each one -T
  std::vector<std::string> options{};  // after the rest, e.g. {"-v"}
  std::vector<std::string> recipients{"b@example.com"};
  std::string sender = "a@example.com";  // "" leaves --mail-from out
};
[[nodiscard]] std::vector<std::string> send_args(const Send& send);

/// A file of the test PKI (generated at build time into TEST_CERTS_DIR), e.g. "ca.pem".
[[nodiscard]] std::string test_cert(std::string_view name);

/// `prefix` followed by `number` ("m1", "m2"...). Built by appending: GCC 12 at -O3 (a
/// packager's Release build) warns falsely (-Wrestrict) on "m" + std::to_string(number).
[[nodiscard]] std::string numbered(std::string_view prefix, int number);
/// smtp_server.py options for TLS with the certificate `name`.pem and its key: `mode` is
/// "--starttls" or "--implicit-tls".
[[nodiscard]] std::vector<std::string> server_tls(std::string_view mode,
                                                  std::string_view name = "server");
/// "smtps://HOST:PORT/client.example" for a server started with --implicit-tls.
[[nodiscard]] std::string smtps_url(const SmtpServer& server, std::string_view host = "127.0.0.1");

/// "smtpc: (CODE)", as smtpc writes before its error description.
[[nodiscard]] std::string error_prefix(int code);
/// The message as it should arrive: bare LF and bare CR become CRLF, a final CRLF is added.
[[nodiscard]] std::string crlf_normalised(std::string_view input);
/// A message already in BDAT's form (every line ends in CRLF, the last too) of about
/// `size` bytes, some lines starting with a dot: what smtpc may send with sendfile.
[[nodiscard]] std::string crlf_message(std::size_t size);

/// One run of SMTPC_BINARY under strace, and the system calls strace saw.
struct StracedRun {
  RunResult run;
  std::vector<std::string> calls;  // strace's lines for the calls traced
  /// How many of `calls` contain `text` (e.g. "sendfile(", "TCP_ULP").
  [[nodiscard]] std::size_t count(std::string_view text) const;
};
/// Runs SMTPC_BINARY `args` under `strace -f -e trace=TRACE` (e.g. "setsockopt,sendfile"),
/// in a mount namespace of its own where /proc/sys/net/ipv4/tcp_available_ulp reads
/// `available_ulp` (e.g. "mptcp\n" or "mptcp tls\n"): the kernel TLS smtpc sees offered.
/// `dir` holds the trace and that file. Needs root (unshare -m, mount --bind).
[[nodiscard]] StracedRun run_smtpc_with_available_ulp(std::string_view available_ulp,
                                                      std::string_view trace,
                                                      const std::vector<std::string>& args,
                                                      const TempDir& dir);
/// Whether this machine's kernel offers kernel TLS: its tcp_available_ulp names "tls".
[[nodiscard]] bool host_kernel_offers_tls();

}  // namespace smtpc::it
