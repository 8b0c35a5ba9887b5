// Through real proxies from Debian, started here on 127.0.0.1: danted (SOCKS4, SOCKS5),
// microsocks (SOCKS5, with RFC 1929 user/password), tinyproxy (HTTP CONNECT), and tinyproxy
// behind stunnel4 for an https:// proxy (TLS to the proxy, CONNECT inside it). Each command
// line also runs through curl 7.88: exit codes, the server's command log and the stored
// messages must be the same, byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "mx_support.hpp"
#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCurl = "/usr/bin/curl";
constexpr std::string_view kMessage = "From: a@example.com\r\nSubject: proxied\r\n\r\nhello\r\n";

// danted for SOCKS4 and SOCKS5 without authentication (Dante's SOCKS4 has no 4a).
std::unique_ptr<DaemonProcess> start_dante(const TempDir& dir) {
  const std::uint16_t port = closed_port();
  const std::string config =
      dir.write_file("danted.conf",
                     "logoutput: stderr\n"
                     "internal: 127.0.0.1 port = " +
                         std::to_string(port) +
                         "\nexternal: 127.0.0.1\n"
                         "clientmethod: none\nsocksmethod: none\n"
                         "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
                         "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error connect }\n");
  return std::make_unique<DaemonProcess>(
      std::vector<std::string>{"/usr/sbin/danted", "-f", config, "-N", "1"}, port,
      dir.path() + "/danted.log");
}

// microsocks: SOCKS5, with -u/-P user and password (RFC 1929) when `user` is set.
std::unique_ptr<DaemonProcess> start_microsocks(const TempDir& dir, const std::string& user = "",
                                                const std::string& password = "") {
  const std::uint16_t port = closed_port();
  std::vector<std::string> argv{"/usr/bin/microsocks", "-i", "127.0.0.1", "-p",
                                std::to_string(port)};
  if (!user.empty()) argv.insert(argv.end(), {"-u", user, "-P", password});
  return std::make_unique<DaemonProcess>(argv, port, dir.path() + "/microsocks.log");
}

// tinyproxy: HTTP CONNECT to `allowed_port` only.
std::unique_ptr<DaemonProcess> start_tinyproxy(const TempDir& dir, std::uint16_t allowed_port) {
  const std::uint16_t port = closed_port();
  const std::string config = dir.write_file(
      "tinyproxy.conf", "Port " + std::to_string(port) +
                            "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nConnectPort " +
                            std::to_string(allowed_port) + "\nLogLevel Info\n");
  return std::make_unique<DaemonProcess>(
      std::vector<std::string>{"/usr/bin/tinyproxy", "-d", "-c", config}, port,
      dir.path() + "/tinyproxy.log");
}

// tinyproxy allowing CONNECT to any port (no ConnectPort line), for runs whose server
// port is not known when the proxy starts.
std::unique_ptr<DaemonProcess> start_open_tinyproxy(const TempDir& dir) {
  const std::uint16_t port = closed_port();
  const std::string config = dir.write_file(
      "open-tinyproxy.conf", "Port " + std::to_string(port) +
                                 "\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\nLogLevel Info\n");
  return std::make_unique<DaemonProcess>(
      std::vector<std::string>{"/usr/bin/tinyproxy", "-d", "-c", config}, port,
      dir.path() + "/open-tinyproxy.log");
}

// stunnel4 terminating TLS with the test certificate `cert` (server, wrong-name, revoked...)
// in front of `backend`: an https:// proxy. With `client_ca`, it asks for a client
// certificate signed by that CA and refuses a connection without one.
std::unique_ptr<DaemonProcess> start_stunnel(const TempDir& dir, std::uint16_t backend,
                                             const std::string& cert,
                                             const std::string& client_ca = "") {
  const std::uint16_t port = closed_port();
  std::string config =
      "foreground = yes\npid =\n[proxy]\naccept = 127.0.0.1:" + std::to_string(port) +
      "\nconnect = 127.0.0.1:" + std::to_string(backend) + "\ncert = " + test_cert(cert + ".pem") +
      "\nkey = " + test_cert(cert + ".key") + "\n";
  if (!client_ca.empty()) config += "verifyChain = yes\nCAfile = " + test_cert(client_ca) + "\n";
  const std::string path = dir.write_file("stunnel-" + cert + ".conf", config);
  return std::make_unique<DaemonProcess>(std::vector<std::string>{"/usr/bin/stunnel4", path}, port,
                                         dir.path() + "/stunnel-" + cert + ".log");
}

// An https:// proxy: tinyproxy behind stunnel, whose certificate is `cert`.
struct HttpsProxy {
  std::unique_ptr<DaemonProcess> tinyproxy;
  std::unique_ptr<DaemonProcess> stunnel;
  [[nodiscard]] std::string url(std::string_view host = "localhost") const {
    return "https://" + std::string(host) + ":" + std::to_string(stunnel->port());
  }
};
HttpsProxy start_https_proxy(const TempDir& dir, const std::string& cert = "server",
                             const std::string& client_ca = "") {
  HttpsProxy proxy;
  proxy.tinyproxy = start_open_tinyproxy(dir);
  proxy.stunnel = start_stunnel(dir, proxy.tinyproxy->port(), cert, client_ca);
  return proxy;
}

struct Outcome {
  RunResult run;
  std::vector<std::string> log;
  std::vector<Message> messages;
};

// `args` after the program, with {PORT} the mail server's port; `env` adds variables.
Outcome run_once(const std::string& program, const std::vector<std::string>& args,
                 const std::vector<std::string>& server_options = {},
                 const std::vector<std::string>& env = {}) {
  SmtpServer server(server_options);
  TempDir dir;
  const std::string mail = dir.write_file("mail.txt", kMessage);
  std::vector<std::string> argv{program};
  for (std::string arg : args) {
    for (auto at = arg.find("{PORT}"); at != std::string::npos; at = arg.find("{PORT}")) {
      arg.replace(at, 6, std::to_string(server.port()));
    }
    for (auto at = arg.find("{MAIL}"); at != std::string::npos; at = arg.find("{MAIL}")) {
      arg.replace(at, 6, mail);
    }
    argv.push_back(arg);
  }
  std::vector<std::string> environment{"HOME=" + dir.path()};
  environment.insert(environment.end(), env.begin(), env.end());
  Outcome outcome;
  outcome.run = run_program(argv, "", environment);
  outcome.log = server.log_lines();
  outcome.messages = server.messages();
  return outcome;
}

// Runs `args` with curl and with smtpc; returns smtpc's outcome after comparing.
Outcome expect_same(const std::vector<std::string>& args,
                    const std::vector<std::string>& server_options = {},
                    const std::vector<std::string>& env = {}) {
  SCOPED_TRACE(::testing::PrintToString(args));
  const Outcome curl = run_once(kCurl, args, server_options, env);
  Outcome smtpc = run_once(SMTPC_BINARY, args, server_options, env);
  EXPECT_EQ(smtpc.run.exit_code, curl.run.exit_code)
      << "curl: " << curl.run.err << "\nsmtpc: " << smtpc.run.err;
  EXPECT_EQ(smtpc.log, curl.log);
  EXPECT_EQ(smtpc.messages.size(), curl.messages.size());
  for (std::size_t i = 0; i < std::min(curl.messages.size(), smtpc.messages.size()); ++i) {
    EXPECT_EQ(smtpc.messages[i].bytes, curl.messages[i].bytes);
    EXPECT_EQ(smtpc.messages[i].envelope.mail_from, curl.messages[i].envelope.mail_from);
    EXPECT_EQ(smtpc.messages[i].envelope.rcpt_tos, curl.messages[i].envelope.rcpt_tos);
  }
  return smtpc;
}

std::vector<std::string> send(const std::string& host = "127.0.0.1",
                              std::vector<std::string> more = {}) {
  std::vector<std::string> args{"smtp://" + host + ":{PORT}/client.example",
                                "--mail-from",
                                "a@example.com",
                                "--mail-rcpt",
                                "b@example.com",
                                "-T",
                                "{MAIL}"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string at(const DaemonProcess& proxy, std::string_view scheme, std::string_view user = "") {
  return std::string(scheme) + "://" + std::string(user) +
         "127.0.0.1:" + std::to_string(proxy.port());
}

TEST(ProxySocks, Socks5ThroughDante) {
  TempDir dir;
  const auto dante = start_dante(dir);
  const auto smtpc = expect_same(send("127.0.0.1", {"-x", at(*dante, "socks5"), "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err << dante->read_output();
  ASSERT_EQ(smtpc.messages.size(), 1U);
  EXPECT_THAT(smtpc.run.err, HasSubstr("SOCKS5 connect to IPv4 127.0.0.1:"));
  EXPECT_THAT(smtpc.run.err, HasSubstr("(locally resolved)\n* SOCKS5 request granted."));
}

TEST(ProxySocks, Socks4ThroughDante) {
  TempDir dir;
  const auto dante = start_dante(dir);
  const auto smtpc = expect_same(send("127.0.0.1", {"-x", at(*dante, "socks4"), "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err;
  EXPECT_EQ(smtpc.messages.size(), 1U);
  EXPECT_THAT(smtpc.run.err, HasSubstr("* SOCKS4 request granted."));
  // --socks4 HOST:PORT is -x socks4://HOST:PORT.
  const auto option =
      expect_same(send("127.0.0.1", {"--socks4", "127.0.0.1:" + std::to_string(dante->port())}));
  EXPECT_EQ(option.run.exit_code, 0) << option.run.err;
}

TEST(ProxySocks, Socks5hSendsTheNameToMicrosocks) {
  TempDir dir;
  const auto socks = start_microsocks(dir);
  const auto smtpc = expect_same(send("localhost", {"-x", at(*socks, "socks5h"), "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err;
  EXPECT_EQ(smtpc.messages.size(), 1U);
  EXPECT_THAT(smtpc.run.err, HasSubstr("SOCKS5 connect to localhost:"));
  EXPECT_THAT(smtpc.run.err, HasSubstr("(remotely resolved)"));
  const auto option = expect_same(
      send("localhost", {"--socks5-hostname", "127.0.0.1:" + std::to_string(socks->port())}));
  EXPECT_EQ(option.run.exit_code, 0) << option.run.err;
}

TEST(ProxySocks, Rfc1929PasswordFromTheUrlOrProxyUser) {
  TempDir dir;
  const auto socks = start_microsocks(dir, "bob", "s3cret");
  EXPECT_EQ(
      expect_same(send("127.0.0.1", {"-x", at(*socks, "socks5", "bob:s3cret@")})).run.exit_code, 0);
  EXPECT_EQ(expect_same(send("127.0.0.1", {"--socks5", "127.0.0.1:" + std::to_string(socks->port()),
                                           "-U", "bob:s3cret"}))
                .run.exit_code,
            0);
  // The URL's credentials win over -U's, as in curl.
  const auto wrong = expect_same(
      send("127.0.0.1", {"-x", at(*socks, "socks5", "bob:wrong@"), "-U", "bob:s3cret"}));
  EXPECT_EQ(wrong.run.exit_code, 97);
  EXPECT_THAT(wrong.run.err, HasSubstr("User was rejected by the SOCKS5 server (1 "));
  const auto none = expect_same(send("127.0.0.1", {"-x", at(*socks, "socks5")}));
  EXPECT_EQ(none.run.exit_code, 97);
  EXPECT_THAT(none.run.err, HasSubstr("No authentication method was acceptable."));
  EXPECT_THAT(none.run.err, Not(HasSubstr("s3cret")));
}

TEST(ProxyHttp, ConnectTunnelThroughTinyproxy) {
  // tinyproxy allows CONNECT to one port: each run's server gets its own proxy.
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"-p"},
        std::vector<std::string>{"--proxy1.0"}}) {
    SCOPED_TRACE(::testing::PrintToString(extra));
    for (const std::string& program : {std::string(kCurl), std::string(SMTPC_BINARY)}) {
      SmtpServer server;
      TempDir run_dir;
      const auto proxy = start_tinyproxy(run_dir, server.port());
      const std::string mail = run_dir.write_file("mail.txt", kMessage);
      std::vector<std::string> argv{
          program,       "smtp://127.0.0.1:" + std::to_string(server.port()) + "/h",
          "--mail-from", "a@example.com",
          "--mail-rcpt", "b@example.com",
          "-T",          mail,
          "-v"};
      const std::string proxy_url = "127.0.0.1:" + std::to_string(proxy->port());
      if (extra.empty() || extra[0] == "-p") {
        argv.insert(argv.end(), {"-x", "http://" + proxy_url});
        if (!extra.empty()) argv.push_back("-p");
      } else {
        argv.insert(argv.end(), {"--proxy1.0", proxy_url});
      }
      const auto run = run_program(argv, "", {"HOME=" + run_dir.path()});
      EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
      ASSERT_EQ(server.messages().size(), 1U) << program;
      EXPECT_EQ(server.messages()[0].bytes, kMessage) << program;
      EXPECT_THAT(run.err, HasSubstr("CONNECT tunnel established, response 200")) << program;
      EXPECT_THAT(run.err, ::testing::ContainsRegex(extra == std::vector<std::string>{"--proxy1.0"}
                                                        ? "> CONNECT 127.0.0.1:[0-9]+ HTTP/1\\.0"
                                                        : "> CONNECT 127.0.0.1:[0-9]+ HTTP/1\\.1"))
          << program;
    }
  }
}

TEST(ProxyHttp, RefusedTunnelIsCurls56) {
  TempDir dir;
  const auto proxy = start_tinyproxy(dir, closed_port());  // not the server's port: 403
  const auto smtpc = expect_same(send("127.0.0.1", {"-x", at(*proxy, "http")}));
  EXPECT_EQ(smtpc.run.exit_code, 56);
  EXPECT_THAT(smtpc.run.err, HasSubstr("CONNECT tunnel failed, response 403"));
}

TEST(ProxyHttp, PreproxySocks5InFrontOfTinyproxy) {
  TempDir dir;
  const auto socks = start_microsocks(dir);
  for (const std::string& program : {std::string(kCurl), std::string(SMTPC_BINARY)}) {
    SmtpServer server;
    TempDir run_dir;
    const auto proxy = start_tinyproxy(run_dir, server.port());
    const std::string mail = run_dir.write_file("mail.txt", kMessage);
    const auto run =
        run_program({program, "smtp://127.0.0.1:" + std::to_string(server.port()) + "/h",
                     "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", mail,
                     "-v", "--preproxy", at(*socks, "socks5"), "-x", at(*proxy, "http")},
                    "", {"HOME=" + run_dir.path()});
    EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
    EXPECT_EQ(server.messages().size(), 1U) << program;
    EXPECT_THAT(run.err, HasSubstr("SOCKS5: connecting to HTTP proxy 127.0.0.1 port")) << program;
  }
}

TEST(ProxyEnvironment, AllProxyAndSmtpProxyAreRead) {
  TempDir dir;
  const auto socks = start_microsocks(dir);
  const std::string closed = "socks5://127.0.0.1:" + std::to_string(closed_port());
  for (const std::string_view name_view : {"all_proxy", "ALL_PROXY", "smtp_proxy", "SMTP_PROXY"}) {
    const std::string name(name_view);
    SCOPED_TRACE(name);
    EXPECT_EQ(expect_same(send(), {}, {name + "=" + at(*socks, "socks5")}).run.exit_code, 0);
    // A dead proxy in the variable shows that it is used: 7, as curl.
    EXPECT_EQ(expect_same(send(), {}, {name + "=" + closed}).run.exit_code, 7);
  }
  // smtp_proxy goes before all_proxy; -x "" uses no proxy at all.
  EXPECT_EQ(expect_same(send(), {}, {"smtp_proxy=" + at(*socks, "socks5"), "all_proxy=" + closed})
                .run.exit_code,
            0);
  EXPECT_EQ(expect_same(send("127.0.0.1", {"-x", ""}), {}, {"all_proxy=" + closed}).run.exit_code,
            0);
}

TEST(ProxyEnvironment, NoProxyAndNoproxyExemptHosts) {
  const std::string closed = "socks5://127.0.0.1:" + std::to_string(closed_port());
  EXPECT_EQ(expect_same(send(), {}, {"all_proxy=" + closed, "no_proxy=127.0.0.1"}).run.exit_code,
            0);
  EXPECT_EQ(expect_same(send(), {}, {"all_proxy=" + closed, "NO_PROXY=127.0.0.0/8"}).run.exit_code,
            0);
  EXPECT_EQ(expect_same(send("localhost"), {}, {"all_proxy=" + closed, "no_proxy=.localhost"})
                .run.exit_code,
            0);
  EXPECT_EQ(expect_same(send("127.0.0.1", {"--noproxy", "*", "-x", closed})).run.exit_code, 0);
  // --noproxy "" overrides no_proxy: the proxy is used.
  EXPECT_EQ(expect_same(send("127.0.0.1", {"--noproxy", ""}), {},
                        {"all_proxy=" + closed, "no_proxy=127.0.0.1"})
                .run.exit_code,
            7);
}

TEST(ProxyErrors, UnresolvableProxyIs5AndClosedProxyIs7) {
  const auto unresolvable =
      run_once(SMTPC_BINARY, send("127.0.0.1", {"-x", "http://nonexistent.invalid:3128"}));
  EXPECT_EQ(unresolvable.run.exit_code, 5);
  EXPECT_THAT(unresolvable.run.err, HasSubstr("Could not resolve proxy: nonexistent.invalid"));
  EXPECT_TRUE(unresolvable.log.empty());
  // curl 7.88 gives 5 or 6 for a SOCKS proxy name, varying from run to run: only the HTTP
  // proxy's is compared.
  expect_same(send("127.0.0.1", {"-x", "http://nonexistent.invalid:3128"}));
  expect_same(send("127.0.0.1", {"-x", "socks5://127.0.0.1:" + std::to_string(closed_port())}));
  expect_same(send("127.0.0.1", {"-x", "ftp://127.0.0.1:1"}));
  expect_same(send("127.0.0.1", {"-x", "socks5://127.0.0.1:99999"}));
}

TEST(ProxyTls, StartTlsAndSmtpsStillVerifyTheMailServersName) {
  TempDir dir;
  const auto socks = start_microsocks(dir);
  // The server's certificate names wrong.example only, and the proxy is "localhost": a
  // check against the proxy's name would fail. --resolve gives the name its address, for
  // the local resolution socks5:// does.
  const std::string proxy = "socks5://localhost:" + std::to_string(socks->port());
  for (const std::string_view scheme_view : {"smtp", "smtps"}) {
    const std::string scheme(scheme_view);
    SCOPED_TRACE(scheme);
    const auto outcome =
        expect_same({scheme + "://wrong.example:{PORT}/client.example", "--resolve",
                     "wrong.example:{PORT}:127.0.0.1", "--mail-from", "a@example.com",
                     "--mail-rcpt", "b@example.com", "-T", "{MAIL}", "-x", proxy, "--ssl-reqd",
                     "--cacert", test_cert("ca.pem")},
                    server_tls(scheme == "smtp" ? "--starttls" : "--implicit-tls", "wrong-name"));
    EXPECT_EQ(outcome.run.exit_code, 0) << outcome.run.err;
    EXPECT_EQ(outcome.messages.size(), 1U);
  }
  // And a certificate for another name is refused through the proxy too (60).
  const auto refused = expect_same(
      {"smtps://localhost:{PORT}/client.example", "--mail-from", "a@example.com", "--mail-rcpt",
       "b@example.com", "-T", "{MAIL}", "-x", proxy, "--cacert", test_cert("ca.pem")},
      server_tls("--implicit-tls", "wrong-name"));
  EXPECT_EQ(refused.run.exit_code, 60);
}

// --mx through a SOCKS5 proxy (smtpc only: curl has no --mx): the MX lookups go to the DNS
// server, each MX host is reached through the proxy, at the address the lookup gave.
TEST(ProxyMx, EachMxHostIsReachedThroughSocks5) {
  TempDir dir;
  const auto socks = start_microsocks(dir);
  SmtpServer server;  // 127.0.0.1 only: [::1]:PORT refuses, so the proxy reports a failure
  DnsServer dns({"--mx-host=one.test,mx.one.test,10", "--host-record=mx.one.test,127.0.0.1",
                 "--mx-host=two.test,mx.two.test,10", "--host-record=mx.two.test,127.0.0.1",
                 "--mx-host=three.test,mx1.three.test,10", "--host-record=mx1.three.test,::1",
                 "--mx-host=three.test,mx2.three.test,20",
                 "--host-record=mx2.three.test,127.0.0.1"});
  const std::string mail = dir.write_file("mail.txt", kMessage);
  const std::string port = std::to_string(server.port());
  const auto run_with = [&](const std::string& proxy) {
    return run_smtpc({"smtp:///client.test", "--dns-servers", dns.address(), "--mx-port", port,
                      "--mail-from", "me@example.org", "--mail-rcpt", "user@one.test",
                      "--mail-rcpt", "user@two.test", "--mail-rcpt", "user@three.test", "-T", mail,
                      "-x", proxy, "-v"});
  };
  const auto run = run_with(at(*socks, "socks5"));
  ASSERT_EQ(run.exit_code, 0) << run.err << dns.log();
  ASSERT_EQ(server.messages().size(), 3U);
  for (const auto& message : server.messages()) EXPECT_EQ(message.bytes, kMessage);
  // One SOCKS5 CONNECT per MX host tried, to the address the MX lookup gave.
  std::size_t granted = 0;
  for (auto at = run.err.find("SOCKS5 request granted."); at != std::string::npos;
       at = run.err.find("SOCKS5 request granted.", at + 1)) {
    ++granted;
  }
  EXPECT_EQ(granted, 3U) << run.err;
  EXPECT_THAT(run.err, HasSubstr("SOCKS5 connect to IPv4 127.0.0.1:" + port));
  // three.test's first MX is unreachable from the proxy: its refusal moves on to the next.
  EXPECT_THAT(run.err, HasSubstr("SOCKS5 connect to IPv6 ::1:" + port));
  EXPECT_THAT(run.err, HasSubstr("delivered (1 recipient) via mx2.three.test [127.0.0.1]"));
  // With the proxy gone, nothing goes around it: no message, exit 7 (couldn't connect).
  const auto closed = run_with("socks5://127.0.0.1:" + std::to_string(closed_port()));
  EXPECT_EQ(closed.exit_code, 7) << closed.err;
  EXPECT_EQ(server.messages().size(), 3U);
}

TEST(ProxyHttps, TlsToTheProxyThenConnectAsCurl) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  const auto smtpc = expect_same(
      send("127.0.0.1", {"-x", proxy.url(), "--proxy-cacert", test_cert("ca.pem"), "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err << proxy.stunnel->read_output();
  ASSERT_EQ(smtpc.messages.size(), 1U);
  EXPECT_EQ(smtpc.messages[0].bytes, kMessage);
  EXPECT_THAT(smtpc.run.err, HasSubstr("* Proxy certificate:"));
  EXPECT_THAT(smtpc.run.err, HasSubstr("CONNECT tunnel established, response 200"));
  // --proxy-capath: a hashed directory holding the test CA.
  TempDir hashed;
  (void)hashed.write_file("test-ca.pem", read_file(test_cert("ca.pem")));
  ASSERT_EQ(run_program({"/usr/bin/openssl", "rehash", hashed.path()}).exit_code, 0);
  EXPECT_EQ(expect_same(send("127.0.0.1", {"-x", proxy.url(), "--proxy-capath", hashed.path()}))
                .run.exit_code,
            0);
  // --proxy-insecure: the certificate is not checked.
  EXPECT_EQ(expect_same(send("127.0.0.1", {"-x", proxy.url(), "--proxy-insecure"})).run.exit_code,
            0);
}

TEST(ProxyHttps, PreproxySocks5InFrontOfAnHttpsProxy) {
  TempDir dir;
  const auto socks = start_microsocks(dir);
  const auto proxy = start_https_proxy(dir);
  const auto smtpc =
      expect_same(send("127.0.0.1", {"--preproxy", at(*socks, "socks5"), "-x", proxy.url(),
                                     "--proxy-cacert", test_cert("ca.pem"), "-v"}));
  EXPECT_EQ(smtpc.run.exit_code, 0) << smtpc.run.err;
  EXPECT_EQ(smtpc.messages.size(), 1U);
  EXPECT_THAT(smtpc.run.err, HasSubstr("SOCKS5: connecting to HTTP proxy localhost port"));
  EXPECT_THAT(smtpc.run.err, HasSubstr("* Proxy certificate:"));
}

TEST(ProxyHttps, SecurityTheProxysCertificateIsCheckedAsCurlChecksIt) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  // Not trusted (the test CA is not in the system store): 60, as curl.
  const auto untrusted = expect_same(send("127.0.0.1", {"-x", proxy.url()}));
  EXPECT_EQ(untrusted.run.exit_code, 60);
  EXPECT_THAT(untrusted.run.err, HasSubstr("proxy certificate for \"localhost\" not verified"));
  EXPECT_TRUE(untrusted.log.empty());
  // A proxy certificate for another name: 60; a CA file that is not there: 77.
  const auto wrong = start_https_proxy(dir, "wrong-name");
  EXPECT_EQ(
      expect_same(send("127.0.0.1", {"-x", wrong.url(), "--proxy-cacert", test_cert("ca.pem")}))
          .run.exit_code,
      60);
  EXPECT_EQ(expect_same(send("127.0.0.1",
                             {"-x", proxy.url(), "--proxy-cacert", dir.path() + "/missing.pem"}))
                .run.exit_code,
            77);
  // A revoked proxy certificate with --proxy-crlfile: 60; an unreadable CRL file: 82.
  const auto revoked = start_https_proxy(dir, "revoked");
  EXPECT_EQ(
      expect_same(send("127.0.0.1", {"-x", revoked.url(), "--proxy-cacert", test_cert("ca.pem"),
                                     "--proxy-crlfile", test_cert("ca.crl")}))
          .run.exit_code,
      60);
  EXPECT_EQ(expect_same(send("127.0.0.1", {"-x", proxy.url(), "--proxy-cacert", test_cert("ca.pem"),
                                           "--proxy-crlfile", dir.path() + "/missing.crl"}))
                .run.exit_code,
            82);
  // A "proxy" that does not speak TLS (the mail server itself): the handshake fails, 35.
  // (The server logs each client's own ClientHello: only the exit codes are compared.)
  const auto not_tls = send("127.0.0.1", {"-x", "https://127.0.0.1:{PORT}"});
  EXPECT_EQ(run_once(kCurl, not_tls).run.exit_code, 35);
  EXPECT_EQ(run_once(SMTPC_BINARY, not_tls).run.exit_code, 35);
}

TEST(ProxyHttps, ClientCertificateForTheProxy) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir, "server", "client-ca.pem");
  const std::vector<std::string> trust{"-x", proxy.url(), "--proxy-cacert", test_cert("ca.pem")};
  auto with_cert = trust;
  with_cert.insert(with_cert.end(), {"--proxy-cert", test_cert("client.pem"), "--proxy-key",
                                     test_cert("client.key"), "--proxy-cert-type", "PEM"});
  const auto sent = expect_same(send("127.0.0.1", with_cert));
  EXPECT_EQ(sent.run.exit_code, 0) << sent.run.err << proxy.stunnel->read_output();
  EXPECT_EQ(sent.messages.size(), 1U);
  // Without one the proxy hangs up after the TLS 1.3 handshake.
  // curl 7.88 itself gives 55 or 56 from run to run: the request's write or the reply's
  // read is what finds the connection gone. smtpc the same; the server gets nothing.
  const auto curl = run_once(kCurl, send("127.0.0.1", trust));
  EXPECT_THAT(curl.run.exit_code, ::testing::AnyOf(55, 56)) << curl.run.err;
  const auto refused = run_once(SMTPC_BINARY, send("127.0.0.1", trust));
  EXPECT_THAT(refused.run.exit_code, ::testing::AnyOf(55, 56)) << refused.run.err;
  EXPECT_TRUE(refused.messages.empty());
  EXPECT_TRUE(refused.log.empty());
  // The error says which option would help.
  EXPECT_THAT(refused.run.err, HasSubstr("may require a client certificate: --proxy-cert"));
}

TEST(ProxyHttps, SecuritySmtpsAndStartTlsInsideTheProxysTlsNameTheMailServer) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  // The proxy is reached as 127.0.0.1 (its certificate has that address); the mail server
  // is localhost, and its certificate names localhost only: a check against the proxy's
  // name would fail. TLS to the server runs inside the TLS to the proxy.
  for (const std::string_view scheme_view : {"smtp", "smtps"}) {
    const std::string scheme(scheme_view);
    SCOPED_TRACE(scheme);
    const auto outcome = expect_same(
        {scheme + "://localhost:{PORT}/client.example", "--mail-from", "a@example.com",
         "--mail-rcpt", "b@example.com", "-T", "{MAIL}", "-x", proxy.url("127.0.0.1"),
         "--proxy-cacert", test_cert("ca.pem"), "--ssl-reqd", "--cacert", test_cert("ca.pem"),
         "-v"},
        server_tls(scheme == "smtp" ? "--starttls" : "--implicit-tls", "localhost-only"));
    EXPECT_EQ(outcome.run.exit_code, 0) << outcome.run.err;
    ASSERT_EQ(outcome.messages.size(), 1U);
    EXPECT_EQ(outcome.messages[0].bytes, kMessage);
    EXPECT_THAT(outcome.run.err, HasSubstr("* TLS handshake with localhost"));
  }
  // A mail server certificate for another name is refused inside the tunnel too (60).
  const auto refused =
      expect_same({"smtps://localhost:{PORT}/client.example", "--mail-from", "a@example.com",
                   "--mail-rcpt", "b@example.com", "-T", "{MAIL}", "-x", proxy.url("127.0.0.1"),
                   "--proxy-cacert", test_cert("ca.pem"), "--cacert", test_cert("ca.pem")},
                  server_tls("--implicit-tls", "wrong-name"));
  EXPECT_EQ(refused.run.exit_code, 60);
  EXPECT_THAT(refused.run.err, HasSubstr("server certificate for \"localhost\" not verified"));
}

// Kernel TLS through an https:// proxy, the kernel listing "tls" (kernel_tls_test.cpp): the
// TLS to the proxy sits on the socket and is offered to the kernel; the mail server's TLS
// inside it goes through the proxy's records, where the kernel has no part, so a CRLF file
// is encrypted twice here and never sent from the file, whatever the kernel offers.
TEST(ProxyHttps, KernelTlsOnlyForTheTlsOnTheSocket) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: unshare -m";
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  std::vector<std::string> server_options = server_tls("--implicit-tls", "localhost-only");
  server_options.insert(server_options.end(), {"--pipelining", "--chunking"});
  SmtpServer server(server_options);
  const std::string text = crlf_message(1200 * 1000);
  const StracedRun traced = run_smtpc_with_available_ulp(
      "mptcp tls\n", "setsockopt,sendfile",
      send_args({.url = "smtps://localhost:" + std::to_string(server.port()) + "/client.example",
                 .files = {dir.write_file("crlf.txt", text)},
                 .options = {"-x", proxy.url("127.0.0.1"), "--proxy-cacert", test_cert("ca.pem"),
                             "--cacert", test_cert("ca.pem"), "-v"}}),
      dir);
  ASSERT_EQ(traced.run.exit_code, 0) << traced.run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_TRUE(server.messages()[0].bytes == text) << "the message differs";
  EXPECT_GE(traced.count("TCP_ULP"), 1U);  // for the proxy's TLS
  EXPECT_THAT(traced.run.err,
              HasSubstr(host_kernel_offers_tls() ? "* kernel TLS to the proxy: on"
                                                 : "* kernel TLS to the proxy: off: the kernel did "
                                                   "not take"));
  EXPECT_THAT(traced.run.err, HasSubstr("* kernel TLS: off: this TLS runs inside the proxy's"));
  EXPECT_EQ(traced.count("sendfile("), 0U);
}

// A message queued on the way through an https:// proxy goes out later the same way: the
// queue keeps --proxy-cacert and --proxy-pinnedpubkey (not --proxy-pass), so the queue run
// verifies the proxy as the first try did.
TEST(ProxyHttps, QueuedEntryKeepsTheProxysTlsSettings) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  const std::string queue_dir = dir.path() + "/queue";
  const std::uint16_t port = closed_port();
  const std::string mail = dir.write_file("mail.txt", kMessage);
  std::string pin = read_file(test_cert("server.pin"));
  while (!pin.empty() && pin.back() == '\n') pin.pop_back();
  const auto first =
      run_smtpc({"--queue", "--queue-dir", queue_dir,
                 "smtp://127.0.0.1:" + std::to_string(port) + "/client.example", "--mail-from",
                 "a@example.com", "--mail-rcpt", "b@example.com", "-T", mail, "-x", proxy.url(),
                 "--proxy-cacert", test_cert("ca.pem"), "--proxy-pinnedpubkey", pin});
  // The proxy cannot reach the server yet: CONNECT fails (56), and the message is queued.
  EXPECT_EQ(first.exit_code, 56) << first.err;
  EXPECT_THAT(first.err, HasSubstr("smtpc: queued as "));
  SmtpServer server({"--port", std::to_string(port)});
  const auto run = run_smtpc({"--queue-run", "--force", "--queue-dir", queue_dir, "-v"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("* Proxy certificate:"));
  EXPECT_THAT(run.err, HasSubstr("public key hash matches --proxy-pinnedpubkey"));
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].bytes, kMessage);
}

TEST(ProxyHttps, UnusableCipherListsAreCurls59) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  for (const std::string_view option : {"--proxy-ciphers", "--proxy-tls13-ciphers"}) {
    const auto outcome =
        expect_same(send("127.0.0.1", {"-x", proxy.url(), "--proxy-cacert", test_cert("ca.pem"),
                                       std::string(option), "NO-SUCH-CIPHER"}));
    EXPECT_EQ(outcome.run.exit_code, 59) << outcome.run.err;
    EXPECT_THAT(outcome.run.err, HasSubstr(std::string(option) + " \"NO-SUCH-CIPHER\""));
  }
  // The mail server's own --ciphers and --tls13-ciphers, the same way.
  for (const std::string_view option : {"--ciphers", "--tls13-ciphers"}) {
    const auto outcome =
        expect_same({"smtps://localhost:{PORT}/client.example", "--mail-from", "a@example.com",
                     "--mail-rcpt", "b@example.com", "-T", "{MAIL}", "--cacert",
                     test_cert("ca.pem"), std::string(option), "NO-SUCH-CIPHER"},
                    server_tls("--implicit-tls", "server"));
    EXPECT_EQ(outcome.run.exit_code, 59) << outcome.run.err;
  }
}

// STARTTLS response injection (the class of CVE-2021-22947) is refused inside the proxy's
// TLS as it is on a plain connection: the TLS to the proxy must not hide the extra bytes.
TEST(ProxyHttps, SecurityStartTlsInjectionIsRefusedThroughTheProxy) {
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  ScriptedServer server(
      "S 220 mx ready\nR\nSRAW 250-mx\\r\\n250 STARTTLS\\r\\n\nR\n"
      "SRAW 220 ready\\r\\n250 injected\\r\\n\nDRAIN 3\n");
  const std::string mail = dir.write_file("mail.txt", kMessage);
  const auto run =
      run_smtpc({server.url("client.example"), "--mail-from", "a@example.com", "--mail-rcpt",
                 "b@example.com", "-T", mail, "--ssl-reqd", "--cacert", test_cert("ca.pem"), "-x",
                 proxy.url(), "--proxy-cacert", test_cert("ca.pem")});
  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(run.err, HasSubstr("after its reply to STARTTLS"));
  EXPECT_THAT(server.received(), Not(HasSubstr("MAIL FROM")));
}

TEST(ProxyHttps, SecurityPinnedProxyKeyIsChecked) {
  // smtpc-only: curl 7.88 accepts any key here (docs/proxy.md); smtpc stops with 90.
  TempDir dir;
  const auto proxy = start_https_proxy(dir);
  const std::vector<std::string> trust{"-x", proxy.url(), "--proxy-cacert", test_cert("ca.pem")};
  auto wrong = trust;
  wrong.insert(wrong.end(), {"--proxy-pinnedpubkey", "sha256//AAAA"});
  const auto refused = run_once(SMTPC_BINARY, send("127.0.0.1", wrong));
  EXPECT_EQ(refused.run.exit_code, 90) << refused.run.err;
  EXPECT_THAT(refused.run.err, HasSubstr("does not match --proxy-pinnedpubkey"));
  EXPECT_TRUE(refused.log.empty());
  auto right = trust;
  std::string pin = read_file(test_cert("server.pin"));
  while (!pin.empty() && pin.back() == '\n') pin.pop_back();
  right.insert(right.end(), {"--proxy-pinnedpubkey", pin});
  EXPECT_EQ(run_once(SMTPC_BINARY, send("127.0.0.1", right)).run.exit_code, 0);
}

}  // namespace
}  // namespace smtpc::it
