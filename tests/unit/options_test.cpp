// Command line -> JobSpec: curl's spellings, modes, and usage errors.
#include "options.hpp"

#include <gtest/gtest.h>

#include "expect_error.hpp"
#include "parse_args.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

JobSpec spec_for(const std::vector<std::string>& args) {
  return make_job_spec(testing::parse_args(args));
}

ExitCode code_of(std::vector<std::string> args) {
  return smtpc::testing::code_of([&] { (void)spec_for(std::move(args)); });
}

TEST(Options, CurlStyleSend) {
  const auto spec =
      spec_for({"smtp://mail.example.com:2525/client.example.com", "--mail-from", "me@example.com",
                "--mail-rcpt", "a@example.com", "--mail-rcpt", "<b@example.com>", "-T", "-", "-v"});
  EXPECT_EQ(spec.url.host, "mail.example.com");
  EXPECT_EQ(spec.url.port, 2525);
  EXPECT_EQ(spec.session.ehlo_name, "client.example.com");
  EXPECT_EQ(spec.session.reverse_path, "me@example.com");
  EXPECT_EQ(spec.session.forward_paths,
            (std::vector<std::string>{"a@example.com", "b@example.com"}));
  EXPECT_EQ(spec.session.mode, SessionMode::SendMail);
  ASSERT_EQ(spec.messages.size(), 1U);
  EXPECT_EQ(spec.messages.front().name(), "standard input");
  EXPECT_EQ(spec.session.tls, TlsPolicy::None);
}

TEST(Options, NoPathLeavesEhloNameForTheHostName) {
  const auto spec = spec_for({"smtp://h", "--mail-rcpt", "a@x", "-T", "mail.txt"});
  EXPECT_EQ(spec.session.ehlo_name, "");  // never the upload file's name
}

TEST(Options, MissingMailFromIsNullReversePath) {
  EXPECT_EQ(spec_for({"smtp://h", "--mail-rcpt", "a@x", "-T", "f"}).session.reverse_path, "");
}

TEST(Options, ModesWithoutUpload) {
  EXPECT_EQ(spec_for({"smtp://h"}).session.mode, SessionMode::Help);
  EXPECT_EQ(spec_for({"smtp://h", "--mail-rcpt", "a@x"}).session.mode, SessionMode::Verify);
}

TEST(Options, TimeoutsInSeconds) {
  const auto spec =
      spec_for({"smtp://h", "--connect-timeout", "2.5", "-m", "10", "--mail-rcpt", "a@x"});
  EXPECT_EQ(spec.connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(spec.max_time, std::chrono::milliseconds(10000));
}

TEST(Options, TlsPolicies) {
  EXPECT_EQ(spec_for({"smtps://h"}).session.tls, TlsPolicy::Implicit);
  EXPECT_EQ(spec_for({"smtp://h", "--ssl"}).session.tls, TlsPolicy::Try);
  EXPECT_EQ(spec_for({"smtp://h", "--ssl-reqd"}).session.tls, TlsPolicy::Required);
}

TEST(Options, UsageErrors) {
  EXPECT_EQ(code_of({"smtp://h", "-T", "mail.txt"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"--mail-rcpt", "a@x"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--mail-rcpt", "<a@x", "-T", "f"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--mail-rcpt", "", "-T", "f"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--mail-from", "a\r\nRSET", "--mail-rcpt", "b", "-T", "f"}),
            ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "-m", "-3"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"http://h"}), ExitCode::UnsupportedProtocol);
  EXPECT_EQ(code_of({"smtp://h:70000"}), ExitCode::UrlMalformat);
}

TEST(Options, TlsDefaultsAreSafe) {
  const auto tls = spec_for({"smtps://h"}).tls;
  EXPECT_TRUE(tls.verify_peer);
  EXPECT_EQ(tls.min_version, TlsVersion::Tls12);
  EXPECT_FALSE(tls.max_version.has_value());
  EXPECT_FALSE(tls.pinned_public_key.has_value());
  EXPECT_FALSE(tls.client_cert.has_value());
}

TEST(Options, TlsOptionsMapToSettings) {
  const auto tls =
      spec_for({"smtps://h", "-k", "--cacert", "ca.pem", "--capath", "/etc/ssl", "--cert", "c.pem",
                "--key", "c.key", "--pass", "pw", "--tlsv1.3", "--tls-max", "1.3", "--ciphers",
                "ECDHE-RSA-AES128-GCM-SHA256", "--pinnedpubkey", "sha256//abc="})
          .tls;
  EXPECT_FALSE(tls.verify_peer);
  EXPECT_EQ(tls.ca_file, "ca.pem");
  EXPECT_EQ(tls.ca_path, "/etc/ssl");
  EXPECT_EQ(tls.client_cert, "c.pem");
  EXPECT_EQ(tls.client_key, "c.key");
  EXPECT_EQ(tls.key_password, "pw");
  EXPECT_EQ(tls.min_version, TlsVersion::Tls13);
  EXPECT_EQ(tls.max_version, TlsVersion::Tls13);
  EXPECT_EQ(tls.ciphers, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(tls.pinned_public_key, "sha256//abc=");
}

// Describing each certificate costs a TLS send about a tenth of its start-up: only a -w that
// may show them (%{certs}, %{num_certs}, or a format read from a file later) asks for it.
TEST(Options, OnlyAWriteOutThatMayShowCertificatesAsksToDescribeThem) {
  EXPECT_FALSE(spec_for({"smtps://h"}).tls.describe_chain);
  EXPECT_FALSE(spec_for({"smtps://h", "-w", "%{ssl_verify_result} %{json}"}).tls.describe_chain);
  EXPECT_TRUE(spec_for({"smtps://h", "-w", "%{certs}"}).tls.describe_chain);
  EXPECT_TRUE(spec_for({"smtps://h", "-w", "n=%{num_certs}\\n"}).tls.describe_chain);
  EXPECT_TRUE(spec_for({"smtps://h", "-w", "@format.txt"}).tls.describe_chain);
  EXPECT_TRUE(spec_for({"smtps://h", "-w", "@-"}).tls.describe_chain);
}

TEST(Options, TlsUsageErrors) {
  EXPECT_EQ(code_of({"smtps://h", "--tls-max", "1.1"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtps://h", "--tlsv1.3", "--tls-max", "1.2"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtps://h", "--pinnedpubkey", "md5//x"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtps://h", "--key", "k.pem"}), ExitCode::FailedInit);
}

TEST(Options, ProxyTlsOptionsMapToTheRouteNotToTheServer) {
  const auto spec = spec_for({"smtps://h",
                              "--mail-rcpt",
                              "a@x",
                              "-T",
                              "mail.txt",
                              "-x",
                              "https://proxy:8443",
                              "--proxy-insecure",
                              "--proxy-cacert",
                              "pca.pem",
                              "--proxy-capath",
                              "/p",
                              "--proxy-cert",
                              "pc.pem:secret",
                              "--proxy-key",
                              "pc.key",
                              "--proxy-ciphers",
                              "AES128-SHA",
                              "--proxy-tls13-ciphers",
                              "TLS_AES_128_GCM_SHA256",
                              "--proxy-crlfile",
                              "p.crl",
                              "--proxy-pinnedpubkey",
                              "sha256//p=",
                              "--cacert",
                              "ca.pem"});
  ASSERT_TRUE(spec.route.proxy.has_value());
  EXPECT_EQ(spec.route.proxy->type, ProxyType::Https);
  EXPECT_EQ(spec.route.proxy->port, 8443);
  const TlsOptions& proxy = spec.route.proxy_tls;
  EXPECT_FALSE(proxy.verify_peer);
  EXPECT_EQ(proxy.ca_file, "pca.pem");
  EXPECT_EQ(proxy.ca_path, "/p");
  EXPECT_EQ(proxy.client_cert, "pc.pem");
  EXPECT_EQ(proxy.key_password, "secret");
  EXPECT_EQ(proxy.client_key, "pc.key");
  EXPECT_EQ(proxy.ciphers, "AES128-SHA");
  EXPECT_EQ(proxy.tls13_ciphers, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(proxy.crl_file, "p.crl");
  EXPECT_EQ(proxy.pinned_public_key, "sha256//p=");
  // The mail server's TLS keeps its own settings.
  EXPECT_TRUE(spec.tls.verify_peer);
  EXPECT_EQ(spec.tls.ca_file, "ca.pem");
  EXPECT_FALSE(spec.tls.client_cert.has_value());
  EXPECT_FALSE(spec.tls.pinned_public_key.has_value());
}

TEST(Options, ProxyTlsUsageErrors) {
  const std::vector<std::string> send{"smtp://h", "--mail-rcpt", "a@x", "-T", "mail.txt"};
  const auto with = [&send](std::vector<std::string> more) {
    auto args = send;
    args.insert(args.end(), more.begin(), more.end());
    return code_of(args);
  };
  EXPECT_EQ(with({"-x", "https://p", "--proxy-key", "k.pem"}), ExitCode::FailedInit);
  EXPECT_EQ(with({"-x", "https://p", "--proxy-pinnedpubkey", "md5//x"}), ExitCode::FailedInit);
  EXPECT_EQ(with({"--preproxy", "https://p", "-x", "http://q"}), ExitCode::FailedInit);
  EXPECT_EQ(with({"-x", "https://p", "--proxy-cert-type", "DER"}), ExitCode::FailedInit);
}

TEST(Options, ResolveEntries) {
  const auto spec = spec_for({"smtps://mail.example.com", "--resolve",
                              "mail.example.com:465:127.0.0.1", "--resolve", "h:25:[::1]"});
  ASSERT_EQ(spec.resolve.size(), 2U);
  EXPECT_EQ(spec.resolve[0].host, "mail.example.com");
  EXPECT_EQ(spec.resolve[0].port, 465);
  EXPECT_EQ(spec.resolve[0].addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(spec.resolve[1].addresses, std::vector<std::string>{"::1"});
  EXPECT_EQ(code_of({"smtp://h", "--resolve", "h:25"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--resolve", "h:x:127.0.0.1"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--resolve", ":25:127.0.0.1"}), ExitCode::FailedInit);
}

TEST(Options, CombinedShortFlags) {
  const Options options = testing::parse_args({"-sSv", "smtp://h"});
  EXPECT_TRUE(options.silent);
  EXPECT_TRUE(options.show_error);
  EXPECT_EQ(options.verbose, 1);
}

TEST(Options, SecurityCustomRequestWithALineBreakIsRefused) {
  EXPECT_EQ(code_of({"smtp://h", "-X", "NOOP\r\nRSET"}), ExitCode::FailedInit);
  EXPECT_EQ(spec_for({"smtp://h", "-X", "EXPN", "--mail-rcpt", "staff"}).session.custom_request,
            "EXPN");
}

}  // namespace
}  // namespace smtpc::cli
