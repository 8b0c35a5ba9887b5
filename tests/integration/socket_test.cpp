// How the connection is made, against real servers on loopback, each command line also run
// through curl 7.88: --unix-socket and --abstract-unix-socket (aiosmtpd listening on a
// Unix socket), --haproxy-protocol (the PROXY v1 line the server receives), --tcp-fastopen
// (the socket option curl sets, seen by strace) and --happy-eyeballs-timeout-ms (RFC 8305:
// an IPv6 address that never answers, and IPv4 tried alongside it after the timeout).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

constexpr const char* kCurl = "/usr/bin/curl";
constexpr std::string_view kMessage = "From: a@example.com\r\nSubject: socket\r\n\r\nhello\r\n";

struct Outcome {
  RunResult run;
  std::vector<std::string> log;
  std::vector<Message> messages;
};

// One run of `program` with `args` (after the program; {MAIL} is the message file) against
// a fresh aiosmtpd started with `server_options`.
Outcome run_against(const std::string& program, const std::vector<std::string>& server_options,
                    const std::vector<std::string>& args) {
  SmtpServer server(server_options);
  TempDir dir;
  const std::string mail = dir.write_file("mail.txt", kMessage);
  std::vector<std::string> argv{program};
  for (std::string arg : args) {
    if (arg == "{MAIL}") arg = mail;
    argv.push_back(arg);
  }
  Outcome outcome;
  outcome.run = run_program(argv, "", {"HOME=" + dir.path()});
  outcome.log = server.log_lines();
  outcome.messages = server.messages();
  return outcome;
}

// curl's and smtpc's runs: the same exit code, server log and stored bytes.
Outcome expect_same(const std::vector<std::string>& server_options,
                    const std::vector<std::string>& args) {
  SCOPED_TRACE(::testing::PrintToString(args));
  const Outcome curl = run_against(kCurl, server_options, args);
  Outcome smtpc = run_against(SMTPC_BINARY, server_options, args);
  EXPECT_EQ(smtpc.run.exit_code, curl.run.exit_code)
      << "curl: " << curl.run.err << "\nsmtpc: " << smtpc.run.err;
  EXPECT_EQ(smtpc.log, curl.log);
  EXPECT_EQ(smtpc.messages.size(), curl.messages.size());
  for (std::size_t i = 0; i < std::min(curl.messages.size(), smtpc.messages.size()); ++i) {
    EXPECT_EQ(smtpc.messages[i].bytes, curl.messages[i].bytes);
  }
  return smtpc;
}

std::vector<std::string> send(const std::string& url, std::vector<std::string> more = {}) {
  std::vector<std::string> args{
      url, "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", "{MAIL}"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(Sockets, UnixSocketDeliversAsCurl) {
  TempDir dir;
  const std::string path = dir.path() + "/smtp.sock";
  // The URL's host and port are not used for the connection; the host is still the name.
  const auto smtpc = expect_same({"--unix", path}, send("smtp://mail.example:2525/client.example",
                                                        {"--unix-socket", path, "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err;
  ASSERT_EQ(smtpc.messages.size(), 1U);
  EXPECT_EQ(smtpc.messages[0].bytes, kMessage);
  EXPECT_THAT(smtpc.run.err, HasSubstr("*   Trying " + path + ":0..."));
  // Nobody listening there: 7, as curl.
  EXPECT_EQ(expect_same({}, send("smtp://localhost/client.example",
                                 {"--unix-socket", dir.path() + "/nobody.sock"}))
                .run.exit_code,
            7);
}

TEST(Sockets, AbstractUnixSocketDeliversAsCurl) {
  TempDir dir;
  // A name of this run's own: the abstract namespace is shared by the network namespace.
  const std::string name = "smtpc-test-" + std::filesystem::path(dir.path()).filename().string();
  const auto smtpc =
      expect_same({"--unix", "@" + name},
                  send("smtp://localhost/client.example", {"--abstract-unix-socket", name, "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err;
  ASSERT_EQ(smtpc.messages.size(), 1U);
  EXPECT_THAT(smtpc.run.err, HasSubstr("*   Trying @" + name + ":0..."));
  // The same name as a path in the file system is another socket (none): 7.
  EXPECT_EQ(expect_same({"--unix", "@" + name}, send("smtp://localhost/client.example",
                                                     {"--unix-socket", dir.path() + "/" + name}))
                .run.exit_code,
            7);
}

// A whole plain SMTP dialogue in which the server first reads the PROXY line.
constexpr std::string_view kProxiedDialogue =
    "R\nS 220 scripted ESMTP\nR\nS 250 scripted\nR\nS 250 ok\nR\nS 250 ok\nR\n"
    "S 354 go ahead\nRDATA\nS 250 queued\nR\nS 221 bye\nCLOSE\n";

// What the server received from `program`: the PROXY line's source port is the client's
// own and the destination port the server's, different from run to run: they are replaced
// by "SPORT" and "DPORT" after checking them.
std::string received_through_haproxy(const std::string& program, const std::string& host) {
  ScriptedServer server(kProxiedDialogue, {"--host", host});
  TempDir dir;
  const std::string mail = dir.write_file("mail.txt", kMessage);
  const std::string url_host = host == "::1" ? "[::1]" : host;
  const auto run = run_program(
      {program, "smtp://" + url_host + ":" + std::to_string(server.port()) + "/client.example",
       "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", mail,
       "--haproxy-protocol"},
      "", {"HOME=" + dir.path()});
  EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
  std::string received = server.received();
  const std::string family = host == "::1" ? "TCP6" : "TCP4";
  const std::string address = std::regex_replace(host, std::regex(R"(\.)"), R"(\.)");
  // PROXY TCP4 source destination source-port destination-port: both ends are `host`.
  const std::regex header("^PROXY " + family + " " + address + " " + address + " ([0-9]+) " +
                          std::to_string(server.port()) + "\r\n");
  std::smatch match;
  EXPECT_TRUE(std::regex_search(received, match, header)) << program << ": " << received;
  if (!match.empty()) {
    // Each run has its own server port too: both ports become words.
    received.replace(0, static_cast<std::size_t>(match.length(0)),
                     "PROXY " + family + " " + host + " " + host + " SPORT DPORT\r\n");
  }
  return received;
}

TEST(Sockets, HaproxyProtocolLineIsCurls) {
  for (const std::string& host : {std::string("127.0.0.1"), std::string("::1")}) {
    SCOPED_TRACE(host);
    const std::string smtpc = received_through_haproxy(SMTPC_BINARY, host);
    EXPECT_EQ(smtpc, received_through_haproxy(kCurl, host));
    EXPECT_THAT(smtpc, HasSubstr("\r\nEHLO client.example\r\n"));
  }
}

// The socket options `program` sets for one send with `options`, in order, as strace
// shows them without the process id and descriptor ("SOL_TCP, TCP_NODELAY, [1], 4) = 0").
std::vector<std::string> socket_options_set(const std::string& program,
                                            const std::vector<std::string>& options) {
  SmtpServer server;
  TempDir dir;
  const std::string mail = dir.write_file("mail.txt", kMessage);
  const std::string trace = dir.path() + "/setsockopt.trace";
  std::vector<std::string> argv{"/usr/bin/strace",
                                "-e",
                                "trace=setsockopt",
                                "-o",
                                trace,
                                program,
                                server.url("client.example"),
                                "--mail-from",
                                "a@example.com",
                                "--mail-rcpt",
                                "b@example.com",
                                "-T",
                                mail};
  argv.insert(argv.end(), options.begin(), options.end());
  // LeakSanitizer cannot stop a process that strace traces: off for this run (ASan build).
  const auto run = run_program(argv, "", {"HOME=" + dir.path(), "ASAN_OPTIONS=detect_leaks=0"});
  EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
  EXPECT_EQ(server.messages().size(), 1U) << program;
  std::vector<std::string> calls;
  for (const auto& line : split_lines(read_file(trace))) {
    const auto call = line.find("setsockopt(");
    const auto comma = line.find(", ", call);
    if (call != std::string::npos && comma != std::string::npos) {
      calls.push_back(line.substr(comma + 2));
    }
  }
  return calls;
}

TEST(Sockets, TcpFastOpenIsAskedForAsCurlAndFallsBackCleanly) {
  // The test server does not offer fast open (no TCP_FASTOPEN on its listener): the
  // connect falls back to a normal handshake and the mail goes out, as with curl. strace
  // shows that both ask the kernel for it the same way (Linux's TCP_FASTOPEN_CONNECT),
  // with the same other socket options, in the same order.
  const auto smtpc = socket_options_set(SMTPC_BINARY, {"--tcp-fastopen"});
  // After curl's, smtpc fixes the send buffer of a connection to a loopback peer (the
  // server here is on 127.0.0.1): docs/performance.md, fourth pass.
  auto expected = socket_options_set(kCurl, {"--tcp-fastopen"});
  expected.push_back("SOL_SOCKET, SO_SNDBUF, [262144], 4) = 0");
  EXPECT_EQ(smtpc, expected);
  EXPECT_THAT(smtpc, ::testing::Contains("SOL_TCP, TCP_FASTOPEN_CONNECT, [1], 4) = 0"));
  // And not without the option.
  EXPECT_THAT(socket_options_set(SMTPC_BINARY, {}),
              ::testing::Not(::testing::Contains(::testing::HasSubstr("TCP_FASTOPEN"))));
}

// A listener on [::1]:PORT whose accept queue is full and never drained: a SYN to it gets
// no answer (Linux drops it), so a connect there neither succeeds nor fails.
constexpr std::string_view kBlackhole = R"(import socket, sys, time
port_file, port = sys.argv[2], int(sys.argv[3])
listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
listener.bind(("::1", port))
listener.listen(0)
fillers = []
for _ in range(3):
    filler = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    filler.setblocking(False)
    try:
        filler.connect(("::1", port))
    except BlockingIOError:
        pass
    fillers.append(filler)
time.sleep(0.3)
with open(port_file + ".tmp", "w") as f:
    f.write(f"{port}\n")
import os
os.rename(port_file + ".tmp", port_file)
time.sleep(120)
)";

TEST(Sockets, HappyEyeballsStartsIpv4AfterTheTimeoutAsCurl) {
  SmtpServer server;  // 127.0.0.1:PORT
  TempDir dir;
  const std::string port = std::to_string(server.port());
  const std::string script = dir.write_file("blackhole.py", kBlackhole);
  ServerProcess blackhole(script, {port}, dir);  // [::1]:PORT, the same port
  const std::string mail = dir.write_file("mail.txt", kMessage);
  // The name has ::1 first: RFC 8305 starts with IPv6 and, after the timeout, IPv4 in
  // parallel. --connect-timeout is far longer: a client that tried the addresses one after
  // the other would connect only after it.
  for (const std::string_view timeout_ms : {"200", "1500"}) {
    for (const std::string& program : {std::string(kCurl), std::string(SMTPC_BINARY)}) {
      SCOPED_TRACE(program + " " + std::string(timeout_ms));
      const auto run =
          run_program({program, "smtp://dual.example:" + port + "/client.example", "--resolve",
                       "dual.example:" + port + ":[::1],127.0.0.1", "--mail-from", "a@example.com",
                       "--mail-rcpt", "b@example.com", "-T", mail, "--connect-timeout", "30",
                       "--happy-eyeballs-timeout-ms", std::string(timeout_ms), "-w",
                       "%{remote_ip} %{time_connect}"},
                      "", {"HOME=" + dir.path()});
      ASSERT_EQ(run.exit_code, 0) << run.err;
      const auto space = run.out.find(' ');
      ASSERT_NE(space, std::string::npos) << run.out;
      EXPECT_EQ(run.out.substr(0, space), "127.0.0.1");
      const double connected = std::stod(run.out.substr(space + 1));
      const double timeout = std::stod(std::string(timeout_ms)) / 1000.0;
      // Not before the timeout; well before the 30 s connect timeout (loose: a loaded
      // machine is slow, but not by 10 s).
      EXPECT_GE(connected, timeout * 0.95) << run.out;
      EXPECT_LT(connected, timeout + 10.0) << run.out;
    }
  }
  EXPECT_EQ(server.messages().size(), 4U);
}

}  // namespace
}  // namespace smtpc::it
