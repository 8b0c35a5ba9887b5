// TLS integration tests: smtps:// and STARTTLS against aiosmtpd with the generated test PKI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kMessage = "Subject: tls\n\nsecret body\n.dot\n";
constexpr std::string_view kMessageOnWire = "Subject: tls\r\n\r\nsecret body\r\n.dot\r\n";

class TlsTest : public ::testing::Test {
 protected:
  std::string message_file() const { return dir_.write_file("mail.txt", kMessage); }

  // smtp[s]://127.0.0.1:PORT/client.example with the message and a recipient.
  std::vector<std::string> send_args(const std::string& url,
                                     std::vector<std::string> options = {}) const {
    return it::send_args({.url = url, .files = {message_file()}, .options = std::move(options)});
  }

  TempDir dir_;
};

TEST_F(TlsTest, SmtpsDeliversByteExact) {
  SmtpServer server(server_tls("--implicit-tls"));
  const auto run = run_smtpc(send_args(smtps_url(server), {"--cacert", test_cert("ca.pem"), "-v"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages[0].bytes, kMessageOnWire);
  EXPECT_THAT(run.err, HasSubstr("* SSL connection using TLSv1.3"));
  EXPECT_THAT(run.err, HasSubstr("*  subject: CN=localhost"));
  EXPECT_THAT(run.err, HasSubstr("*  issuer: CN=smtpc test CA"));
  EXPECT_THAT(run.err, HasSubstr("*  SSL certificate verify ok."));
  // The dialogue inside TLS is traced in plain text.
  EXPECT_THAT(run.err, HasSubstr("> MAIL FROM:<a@example.com>"));
}

TEST_F(TlsTest, StartTlsRequiredDeliversAndSaysEhloAgain) {
  SmtpServer server(server_tls("--starttls"));
  const auto run = run_smtpc(
      send_args(server.url("client.example"), {"--ssl-reqd", "--cacert", test_cert("ca.pem")}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(server.messages().size(), 1U);
  EXPECT_EQ(server.messages()[0].bytes, kMessageOnWire);
  const auto log = server.log_lines();
  ASSERT_GE(log.size(), 4U);
  EXPECT_EQ(log[0], "EHLO client.example");
  EXPECT_EQ(log[1], "STARTTLS");
  EXPECT_EQ(log[2], "EHLO client.example");  // RFC 3207: capabilities learnt again
  EXPECT_THAT(log[3], StartsWith("MAIL FROM:"));
}

TEST_F(TlsTest, SslTryUpgradesWhenOffered) {
  SmtpServer server(server_tls("--starttls"));
  const auto run = run_smtpc(
      send_args(server.url("client.example"), {"--ssl", "--cacert", test_cert("ca.pem")}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(server.log_lines(), Contains("STARTTLS"));
  EXPECT_THAT(run.err, Not(HasSubstr("WITHOUT encryption")));
}

TEST_F(TlsTest, SecuritySslReqdWithoutStartTlsSendsNoMail) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), {"--ssl-reqd"}));
  EXPECT_EQ(run.exit_code, 64) << run.err;
  EXPECT_THAT(run.err, HasSubstr("smtpc: (64)"));
  EXPECT_THAT(server.log_lines(), Not(Contains(StartsWith("MAIL"))));
  EXPECT_THAT(server.log_lines(), Not(Contains(StartsWith("RCPT"))));
  EXPECT_TRUE(server.messages().empty());
}

TEST_F(TlsTest, SslTryWithoutStartTlsDeliversAndWarns) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), {"--ssl"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("Warning: the server does not offer STARTTLS"));
  EXPECT_THAT(run.err, HasSubstr("WITHOUT encryption"));
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(TlsTest, SslTryWarningIsSilencedBySilent) {
  SmtpServer server;
  const auto run = run_smtpc(send_args(server.url("client.example"), {"--ssl", "-s"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
}

// --ssl tries STARTTLS; once the server has offered it, a certificate that fails
// verification ends the send (60): smtpc never carries on in plain text instead.
TEST_F(TlsTest, SecuritySslTryNeverFallsBackToPlainTextAfterABadCertificate) {
  SmtpServer server(server_tls("--starttls", "self-signed"));
  const auto run = run_smtpc(
      send_args(server.url("client.example"), {"--ssl", "--cacert", test_cert("ca.pem")}));
  EXPECT_EQ(run.exit_code, 60) << run.err;
  EXPECT_THAT(server.log_lines(), Not(Contains(StartsWith("MAIL"))));
  EXPECT_TRUE(server.messages().empty());
}

struct BadCertCase {
  const char* name;
  const char* reason;  // in smtpc's error message
};

class BadCertificateTest : public TlsTest, public ::testing::WithParamInterface<BadCertCase> {};

TEST_P(BadCertificateTest, SecurityRefusedWithExit60AndAcceptedWithInsecure) {
  SmtpServer server(server_tls("--implicit-tls", GetParam().name));
  const auto refused = run_smtpc(send_args(smtps_url(server), {"--cacert", test_cert("ca.pem")}));
  EXPECT_EQ(refused.exit_code, 60) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr(GetParam().reason));
  EXPECT_TRUE(server.messages().empty());

  const auto insecure = run_smtpc(send_args(smtps_url(server), {"-k"}));
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_EQ(server.messages().size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Certificates, BadCertificateTest,
                         ::testing::Values(BadCertCase{"self-signed", "self-signed certificate"},
                                           BadCertCase{"expired", "certificate has expired"},
                                           BadCertCase{"wrong-name", "IP address mismatch"}),
                         [](const ::testing::TestParamInfo<BadCertCase>& param_info) {
                           std::string name = param_info.param.name;
                           std::erase(name, '-');
                           return name;
                         });

TEST_F(TlsTest, SecurityWrongHostNameIsRefused) {
  SmtpServer server(server_tls("--implicit-tls", "wrong-name"));
  const std::string port = std::to_string(server.port());
  const auto run = run_smtpc(send_args(
      smtps_url(server, "localhost"),
      {"--cacert", test_cert("ca.pem"), "--resolve", "localhost:" + port + ":127.0.0.1"}));
  EXPECT_EQ(run.exit_code, 60) << run.err;
  EXPECT_THAT(run.err, HasSubstr("hostname mismatch"));
}

TEST_F(TlsTest, SystemTrustStoreDoesNotTrustTheTestCa) {
  SmtpServer server(server_tls("--implicit-tls"));
  const auto run = run_smtpc(send_args(smtps_url(server)));
  EXPECT_EQ(run.exit_code, 60) << run.err;
  EXPECT_TRUE(server.messages().empty());
}

// With no --cacert, the system store is looked up in its hashed directory (SSL_CERT_DIR,
// else OpenSSL's) and the bundle is not parsed (docs/performance.md): strace shows which
// files smtpc opens. A bundle named by SSL_CERT_FILE is still read, and a directory
// without hash links falls back to the bundle.
TEST_F(TlsTest, SystemTrustStoreIsLookedUpInTheHashedDirectory) {
  SmtpServer server(server_tls("--implicit-tls"));
  TempDir hashed;
  (void)hashed.write_file("test-ca.pem", read_file(test_cert("ca.pem")));
  const RunResult rehash = run_program({"/usr/bin/openssl", "rehash", hashed.path()});
  ASSERT_EQ(rehash.exit_code, 0) << rehash.err;
  const std::string trace = dir_.path() + "/openat.trace";
  std::vector<std::string> smtpc{SMTPC_BINARY};
  const auto send = send_args(smtps_url(server));
  smtpc.insert(smtpc.end(), send.begin(), send.end());
  // No SSL_CERT_FILE (some environments set one): that bundle would be read, as it should.
  std::vector<std::string> traced{"/usr/bin/env",    "-u", "SSL_CERT_FILE",
                                  "/usr/bin/strace", "-f", "-e",
                                  "trace=openat",    "-o", trace};
  traced.insert(traced.end(), smtpc.begin(), smtpc.end());
  // LeakSanitizer cannot stop a process that strace traces: off for this run (ASan build).
  const RunResult run =
      run_program(traced, "", {"SSL_CERT_DIR=" + hashed.path(), "ASAN_OPTIONS=detect_leaks=0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(server.messages().size(), 1U);
  const std::string opened = read_file(trace);
  EXPECT_THAT(opened, HasSubstr(hashed.path() + "/"));
  EXPECT_THAT(opened, Not(HasSubstr("cert.pem")));
  EXPECT_THAT(opened, Not(HasSubstr("ca-certificates.crt")));

  TempDir unhashed;
  const auto bundle_named = run_program(
      smtpc, "", {"SSL_CERT_DIR=" + unhashed.path(), "SSL_CERT_FILE=" + test_cert("ca.pem")});
  EXPECT_EQ(bundle_named.exit_code, 0) << bundle_named.err;
}

TEST_F(TlsTest, ResolveKeepsTheUrlHostForVerification) {
  SmtpServer server(server_tls("--implicit-tls"));
  const std::string port = std::to_string(server.port());
  const auto run = run_smtpc(send_args(
      "smtps://localhost:" + port + "/client.example",
      {"--cacert", test_cert("ca.pem"), "--resolve", "localhost:" + port + ":127.0.0.1", "-v"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("*   Trying 127.0.0.1:" + port));
  EXPECT_EQ(server.messages().size(), 1U);
}

TEST_F(TlsTest, ClientCertificateRequiredByTheServer) {
  auto options = server_tls("--implicit-tls");
  options.insert(options.end(), {"--client-ca", test_cert("client-ca.pem")});
  SmtpServer server(options);

  const auto without = run_smtpc(send_args(smtps_url(server), {"--cacert", test_cert("ca.pem")}));
  EXPECT_EQ(without.exit_code, 56) << without.err;
  EXPECT_THAT(without.err, HasSubstr("may require a client certificate: --cert"));
  EXPECT_TRUE(server.messages().empty());

  const auto with = run_smtpc(
      send_args(smtps_url(server), {"--cacert", test_cert("ca.pem"), "--cert",
                                    test_cert("client.pem"), "--key", test_cert("client.key")}));
  EXPECT_EQ(with.exit_code, 0) << with.err;

  const auto encrypted = run_smtpc(send_args(
      smtps_url(server), {"--cacert", test_cert("ca.pem"), "--cert", test_cert("client.pem"),
                          "--key", test_cert("client-encrypted.key"), "--pass", "secret-pass"}));
  EXPECT_EQ(encrypted.exit_code, 0) << encrypted.err;
  EXPECT_EQ(server.messages().size(), 2U);

  const auto wrong_pass = run_smtpc(send_args(
      smtps_url(server), {"--cacert", test_cert("ca.pem"), "--cert", test_cert("client.pem"),
                          "--key", test_cert("client-encrypted.key"), "--pass", "nope"}));
  EXPECT_EQ(wrong_pass.exit_code, 58) << wrong_pass.err;
}

TEST_F(TlsTest, SecurityPinnedPublicKey) {
  SmtpServer server(server_tls("--implicit-tls"));
  const std::string pin = split_lines(read_file(test_cert("server.pin"))).at(0);
  const auto match = run_smtpc(send_args(smtps_url(server), {"-k", "--pinnedpubkey", pin}));
  EXPECT_EQ(match.exit_code, 0) << match.err;

  const auto several =
      run_smtpc(send_args(smtps_url(server), {"-k", "--pinnedpubkey", "sha256//AAAA;" + pin}));
  EXPECT_EQ(several.exit_code, 0) << several.err;

  const auto mismatch = run_smtpc(
      send_args(smtps_url(server),
                {"-k", "--pinnedpubkey", "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}));
  EXPECT_EQ(mismatch.exit_code, 90) << mismatch.err;
  EXPECT_EQ(server.messages().size(), 2U);
}

TEST_F(TlsTest, TlsVersionBounds) {
  SmtpServer server(server_tls("--implicit-tls"));
  const auto tls12 = run_smtpc(
      send_args(smtps_url(server), {"--cacert", test_cert("ca.pem"), "--tls-max", "1.2", "-v"}));
  ASSERT_EQ(tls12.exit_code, 0) << tls12.err;
  EXPECT_THAT(tls12.err, HasSubstr("* SSL connection using TLSv1.2"));

  const auto contradictory =
      run_smtpc(send_args(smtps_url(server), {"--tlsv1.3", "--tls-max", "1.2"}));
  EXPECT_EQ(contradictory.exit_code, 2) << contradictory.err;
}

// STARTTLS response injection (the class of CVE-2021-22947): bytes after the reply to
// STARTTLS must never be read as replies.
TEST_F(TlsTest, SecurityStartTlsResponseInjectionIsRefused) {
  ScriptedServer server(
      "S 220 mx ready\nR\nSRAW 250-mx\\r\\n250 STARTTLS\\r\\n\nR\n"
      "SRAW 220 ready\\r\\n250 injected\\r\\n\nDRAIN 3\n");
  const auto run = run_smtpc(
      send_args(server.url("client.example"), {"--ssl-reqd", "--cacert", test_cert("ca.pem")}));
  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(run.err, HasSubstr("after its reply to STARTTLS"));
  EXPECT_THAT(server.received_lines(), Not(Contains(StartsWith("MAIL"))));
}

// A server that answers STARTTLS and then says nothing: --max-time ends the handshake
// with 28, and the message says where it stopped.
TEST_F(TlsTest, AServerSilentInTheHandshakeTimesOutAs28) {
  ScriptedServer server(
      "S 220 mx ready\nR\nSRAW 250-mx\\r\\n250 STARTTLS\\r\\n\nR\nS 220 ready\nSLEEP 5\n");
  const auto run =
      run_smtpc(send_args(server.url("client.example"),
                          {"--ssl-reqd", "--cacert", test_cert("ca.pem"), "--max-time", "1"}));
  EXPECT_EQ(run.exit_code, 28) << run.err;
  EXPECT_THAT(run.err, HasSubstr("timed out in the TLS handshake after 1 second (--max-time)"));
}

TEST_F(TlsTest, SecurityInjectionAfterRefusedStartTlsIsRefusedToo) {
  ScriptedServer server(
      "S 220 mx ready\nR\nSRAW 250-mx\\r\\n250 STARTTLS\\r\\n\nR\n"
      "SRAW 454 4.7.0 TLS not available\\r\\n250 injected\\r\\n\nDRAIN 3\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), {"--ssl"}));
  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_THAT(server.received_lines(), Not(Contains(StartsWith("MAIL"))));
}

TEST_F(TlsTest, SecurityRefusedStartTlsUnderSslReqdIs64) {
  ScriptedServer server(
      "S 220 mx ready\nR\nSRAW 250-mx\\r\\n250 STARTTLS\\r\\n\nR\n"
      "S 454 4.7.0 TLS not available\nR\nS 221 bye\nDRAIN 3\n");
  const auto run = run_smtpc(send_args(server.url("client.example"), {"--ssl-reqd"}));
  EXPECT_EQ(run.exit_code, 64) << run.err;
  EXPECT_THAT(run.err, HasSubstr("454 4.7.0 TLS not available"));
  const auto received = server.received_lines();
  EXPECT_THAT(received, Not(Contains(StartsWith("MAIL"))));
  EXPECT_THAT(received, Contains("QUIT"));
}

TEST_F(TlsTest, HandshakeFailureIs35) {
  // A plain-text server on an smtps:// URL: the handshake cannot succeed.
  SmtpServer server;
  const auto run = run_smtpc(send_args(
      "smtps://127.0.0.1:" + std::to_string(server.port()) + "/client.example", {"-m", "10"}));
  EXPECT_EQ(run.exit_code, 35) << run.err;
  EXPECT_THAT(run.err, HasSubstr(":SSL routines::wrong version number"));  // OpenSSL's text
}

// OpenSSL starts without its error texts and loads them when the first error is described
// (src/transport/openssl_errors.hpp): each message still names OpenSSL's library and
// reason, not "lib(20)::reason(524297)".
TEST_F(TlsTest, OpenSslsReasonIsInTheMessage) {
  SmtpServer server(server_tls("--implicit-tls"));
  const std::string garbage = dir_.write_file("garbage.pem", "not a certificate\n");
  const std::string ca = test_cert("ca.pem");
  const auto bad_cert =
      run_smtpc(send_args(smtps_url(server), {"--cacert", ca, "--cert", garbage}));
  EXPECT_EQ(bad_cert.exit_code, 58) << bad_cert.err;
  EXPECT_THAT(bad_cert.err, HasSubstr("cannot use client certificate " + garbage + ": error:"));
  EXPECT_THAT(bad_cert.err, HasSubstr(":SSL routines::PEM lib"));
  const auto other_key =
      run_smtpc(send_args(smtps_url(server), {"--cacert", ca, "--cert", test_cert("client.pem"),
                                              "--key", test_cert("server.key")}));
  EXPECT_EQ(other_key.exit_code, 58) << other_key.err;
  EXPECT_THAT(other_key.err, HasSubstr(":x509 certificate routines::key values mismatch"));
  const auto bad_ca = run_smtpc(send_args(smtps_url(server), {"--cacert", garbage}));
  EXPECT_EQ(bad_ca.exit_code, 77) << bad_ca.err;
  EXPECT_THAT(bad_ca.err, HasSubstr(":x509 certificate routines::no certificate or crl found"));
  EXPECT_TRUE(server.messages().empty());
}

constexpr const char* kCurl = "/usr/bin/curl";

// Runs smtpc, or curl with the same arguments.
RunResult run_as(const std::string& program, std::vector<std::string> args) {
  if (program == "smtpc") return run_smtpc(std::move(args));
  args.insert(args.begin(), program);
  return run_program(args);
}

// --crlfile: the CA's CRL lists revoked.pem, so a server presenting it is exit 60 (curl:
// "certificate revoked"), the good certificate still passes with the CRL loaded, and a
// file holding no CRL is 82 before connecting (curl: "error loading CRL file: FILE").
TEST_F(TlsTest, CrlFileRefusesARevokedServerCertificateAsCurl) {
  SmtpServer good(server_tls("--implicit-tls"));
  SmtpServer revoked(server_tls("--implicit-tls", "revoked"));
  const std::vector<std::string> crl{"--cacert", test_cert("ca.pem"), "--crlfile",
                                     test_cert("ca.crl")};
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    SCOPED_TRACE(program);
    const auto passes = run_as(program, send_args(smtps_url(good), crl));
    EXPECT_EQ(passes.exit_code, 0) << passes.err;
    const auto refused = run_as(program, send_args(smtps_url(revoked), crl));
    EXPECT_EQ(refused.exit_code, 60) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("revoked"));
    const auto without_crl =
        run_as(program, send_args(smtps_url(revoked), {"--cacert", test_cert("ca.pem")}));
    EXPECT_EQ(without_crl.exit_code, 0) << without_crl.err;
    const auto not_a_crl = run_as(
        program, send_args(smtps_url(good),
                           {"--cacert", test_cert("ca.pem"), "--crlfile", test_cert("ca.pem")}));
    EXPECT_EQ(not_a_crl.exit_code, 82) << not_a_crl.err;
    EXPECT_THAT(not_a_crl.err, HasSubstr("error loading CRL file: " + test_cert("ca.pem")));
  }
  EXPECT_EQ(good.messages().size(), 2U);
  EXPECT_EQ(revoked.messages().size(), 2U);  // only without --crlfile
}

// --cert-status against openssl s_server stapling OCSP responses made by the test CA: a
// "good" staple passes, "revoked" and none at all are 91 in curl's words, for smtpc and
// curl alike (curl, which speaks on after the handshake, is only compared where it fails).
TEST_F(TlsTest, CertStatusChecksTheStapledOcspResponseAsCurl) {
  const auto stapling = [](std::string_view response, TempDir& dir) {
    std::vector<std::string> args{"--cert",  test_cert("server.pem"),
                                  "--key",   test_cert("server.key"),
                                  "--chain", test_cert("ca.pem")};
    if (!response.empty()) args.insert(args.end(), {"--status-file", test_cert(response)});
    return std::make_unique<ServerProcess>(STAPLING_SERVER_SCRIPT, args, dir);
  };
  const auto url = [](const ServerProcess& server) {
    return "smtps://127.0.0.1:" + std::to_string(server.port()) + "/client.example";
  };
  TempDir good_dir, revoked_dir, none_dir;
  const auto good = stapling("ocsp-good.der", good_dir);
  const auto revoked = stapling("ocsp-revoked.der", revoked_dir);
  const auto none = stapling("", none_dir);
  const std::vector<std::string> check{"--cacert", test_cert("ca.pem"), "--cert-status"};

  auto handshake_only = [&](const ServerProcess& server, std::vector<std::string> extra) {
    std::vector<std::string> args{url(server), "--quit-after", "connect", "-v"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_smtpc(args);
  };
  const auto passes = handshake_only(*good, check);
  EXPECT_EQ(passes.exit_code, 0) << passes.err;
  EXPECT_THAT(passes.err, HasSubstr("SSL certificate status: good (0)"));
  const auto unchecked = handshake_only(*revoked, {"--cacert", test_cert("ca.pem")});
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.err;

  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    SCOPED_TRACE(program);
    auto args = send_args(url(*revoked), check);
    const auto refused = run_as(program, args);
    EXPECT_EQ(refused.exit_code, 91) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("SSL certificate revocation reason: (UNKNOWN) (-1)"));
    const auto missing = run_as(program, send_args(url(*none), check));
    EXPECT_EQ(missing.exit_code, 91) << missing.err;
    EXPECT_THAT(missing.err, HasSubstr("No OCSP response received"));
  }
}

// -w '%{certs}' and '%{num_certs}' (curl 7.88): each certificate the server sent, as curl's
// OpenSSL back end describes it; byte for byte what curl writes for the same server.
TEST_F(TlsTest, WriteOutCertsAsCurl) {
  SmtpServer server(server_tls("--implicit-tls"));
  std::vector<std::string> outputs;
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    const auto run = run_as(
        program, send_args(smtps_url(server),
                           {"--cacert", test_cert("ca.pem"), "-s", "-w", "%{num_certs}|%{certs}"}));
    EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
    outputs.push_back(run.out);
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_THAT(outputs[0], StartsWith("1|Subject:CN = localhost\nIssuer:CN = smtpc test CA\n"));
  EXPECT_THAT(outputs[0], HasSubstr("\nrsa(e):10001\n"));
  EXPECT_THAT(outputs[0], HasSubstr("-----END CERTIFICATE-----\n"));
  SmtpServer plain;
  const auto run = run_smtpc(send_args(plain.url("h"), {"-s", "-w", "[%{num_certs}|%{certs}]"}));
  EXPECT_EQ(run.out, "[0|]");
}

// The certificates are described only when -w may show them; a format read from a file is
// read after the transfer, so it gets them too (STARTTLS, as curl).
TEST_F(TlsTest, WriteOutFromAFileShowsTheCertificatesAsCurl) {
  SmtpServer server(server_tls("--starttls"));
  const std::string format = dir_.write_file("format.txt", "%{num_certs}|%{certs}");
  std::vector<std::string> outputs;
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    const auto run =
        run_as(program, send_args(server.url("h"), {"--ssl-reqd", "--cacert", test_cert("ca.pem"),
                                                    "-s", "-w", "@" + format}));
    EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
    outputs.push_back(run.out);
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_THAT(outputs[0], StartsWith("1|Subject:CN = localhost\n"));
}

// Without a -w that shows certificates none is described, and what the handshake found is
// still reported: %{ssl_verify_result} as curl's, for a verified and an unverified chain.
TEST_F(TlsTest, SslVerifyResultAsCurlWithoutDescribingTheChain) {
  SmtpServer good(server_tls("--implicit-tls"));
  SmtpServer self_signed(server_tls("--implicit-tls", "self-signed"));
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    SCOPED_TRACE(program);
    const auto verified = run_as(
        program, send_args(smtps_url(good),
                           {"--cacert", test_cert("ca.pem"), "-s", "-w", "%{ssl_verify_result}"}));
    EXPECT_EQ(verified.exit_code, 0) << verified.err;
    EXPECT_EQ(verified.out, "0");
    const auto insecure =
        run_as(program, send_args(smtps_url(self_signed), {"--cacert", test_cert("ca.pem"), "-k",
                                                           "-s", "-w", "%{ssl_verify_result}"}));
    EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
    EXPECT_EQ(insecure.out, "18");  // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
  }
}

// A client key encrypted in the traditional PEM form (Proc-Type: 4,ENCRYPTED, DEK-Info), as
// OpenSSL 1.x wrote them: OpenSSL finds the cipher by its legacy name, so this fails if
// smtpc ever initialises OpenSSL without its legacy cipher names (docs/performance.md).
TEST_F(TlsTest, ClientKeyInTraditionalEncryptedPemAsCurl) {
  auto options = server_tls("--implicit-tls");
  options.insert(options.end(), {"--client-ca", test_cert("client-ca.pem")});
  SmtpServer server(options);
  ASSERT_THAT(read_file(test_cert("client-encrypted-traditional.key")),
              HasSubstr("Proc-Type: 4,ENCRYPTED"));
  for (const std::string& program : {std::string("smtpc"), std::string(kCurl)}) {
    const auto run = run_as(
        program,
        send_args(smtps_url(server),
                  {"--cacert", test_cert("ca.pem"), "--cert", test_cert("client.pem"), "--key",
                   test_cert("client-encrypted-traditional.key"), "--pass", "secret-pass"}));
    EXPECT_EQ(run.exit_code, 0) << program << ": " << run.err;
  }
  EXPECT_EQ(server.messages().size(), 2U);
}

// A STARTTLS server that picks the TLS suite by the client's order (OpenSSL's and Postfix's
// default; Python's own prefers the server's) and records the one it picked.
SmtpServer client_order_server() {
  auto args = server_tls("--starttls");
  args.emplace_back("--tls-client-order");
  return SmtpServer(std::move(args));
}

// TLS 1.3: smtpc offers TLS_AES_128_GCM_SHA256 before TLS_AES_256_GCM_SHA384 (cheaper for a
// large message, docs/curl-differences.md), so such a server picks it; curl keeps OpenSSL's
// order and gets AES-256.
TEST_F(TlsTest, OffersAes128GcmFirstWhereCurlOffersAes256) {
  SmtpServer server = client_order_server();
  const std::vector<std::string> options{"--ssl-reqd", "--cacert", test_cert("ca.pem")};
  ASSERT_EQ(run_smtpc(send_args(server.url("h"), options)).exit_code, 0);
  ASSERT_EQ(run_as(kCurl, send_args(server.url("h"), options)).exit_code, 0);
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(messages[0].envelope.tls_cipher, "TLS_AES_128_GCM_SHA256");  // smtpc
  EXPECT_EQ(messages[1].envelope.tls_cipher, "TLS_AES_256_GCM_SHA384");  // curl
}

// --tls13-ciphers still decides the suites and their order.
TEST_F(TlsTest, Tls13CiphersOverrideTheDefaultOrder) {
  SmtpServer server = client_order_server();
  for (const std::string list :
       {"TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}) {
    const auto run = run_smtpc(send_args(
        server.url("h"), {"--ssl-reqd", "--cacert", test_cert("ca.pem"), "--tls13-ciphers", list}));
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(messages[0].envelope.tls_cipher, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(messages[1].envelope.tls_cipher, "TLS_CHACHA20_POLY1305_SHA256");
}

// The system's policy (openssl.cnf's Ciphersuites) is kept: AES-128 only moves ahead of
// AES-256 where the policy lists both, and is never added where it does not.
TEST_F(TlsTest, SecuritySystemCipherPolicyIsOnlyReordered) {
  SmtpServer server = client_order_server();
  const auto config = [this](std::string_view name, std::string_view suites) {
    return "OPENSSL_CONF=" +
           dir_.write_file(name,
                           "openssl_conf = init\n[init]\nssl_conf = ssl\n"
                           "[ssl]\nsystem_default = policy\n[policy]\nCiphersuites = " +
                               std::string(suites) + "\n");
  };
  const std::vector<std::string> policies{
      config("chacha-first.cnf",
             "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"),
      config("aes256-only.cnf", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"),
      config("aes256-first.cnf", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256")};
  for (const auto& policy : policies) {
    auto args = send_args(server.url("h"), {"--ssl-reqd", "--cacert", test_cert("ca.pem")});
    args.insert(args.begin(), SMTPC_BINARY);
    const auto run = run_program(args, "", {policy});
    ASSERT_EQ(run.exit_code, 0) << policy << ": " << run.err;
  }
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_EQ(messages[0].envelope.tls_cipher, "TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(messages[1].envelope.tls_cipher, "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(messages[2].envelope.tls_cipher, "TLS_AES_128_GCM_SHA256");
}

}  // namespace
}  // namespace smtpc::it
