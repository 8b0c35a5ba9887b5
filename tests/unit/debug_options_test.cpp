// --serverinfo, --quit-after and --dsn-* on the command line, and the --serverinfo report.
#include <gtest/gtest.h>

#include "options.hpp"
#include "parse_args.hpp"
#include "serverinfo.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

JobSpec spec_for(std::vector<std::string> args) { return make_job_spec(testing::parse_args(args)); }

ExitCode code_of(std::vector<std::string> args) {
  try {
    (void)spec_for(std::move(args));
  } catch (const Error& error) {
    return error.code();
  }
  return ExitCode::Ok;
}

TEST(DebugOptions, ServerInfoIsADialogueWithoutMail) {
  const auto spec = spec_for({"--serverinfo", "smtp://mx.example"});
  EXPECT_EQ(spec.session.quit_after, Stage::Auth);
  EXPECT_EQ(spec.session.tls, TlsPolicy::Opportunistic);
  EXPECT_EQ(spec_for({"--serverinfo", "--ssl-reqd", "smtp://h"}).session.tls, TlsPolicy::Required);
  EXPECT_EQ(spec_for({"--serverinfo", "smtps://h"}).session.tls, TlsPolicy::Implicit);
  EXPECT_EQ(code_of({"--serverinfo", "smtp://h", "--mail-rcpt", "a@x"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"--serverinfo", "smtp://h", "--quit-after", "ehlo"}), ExitCode::FailedInit);
}

TEST(DebugOptions, QuitAfterStages) {
  EXPECT_EQ(spec_for({"smtp://h", "--quit-after", "greeting"}).session.quit_after, Stage::Greeting);
  // At mail and later, an envelope without a message: no -T needed.
  const auto rcpt = spec_for({"smtp://h", "--quit-after", "rcpt", "--mail-rcpt", "a@x"});
  EXPECT_EQ(rcpt.session.quit_after, Stage::Rcpt);
  EXPECT_EQ(rcpt.session.mode, SessionMode::SendMail);
  EXPECT_TRUE(rcpt.messages.empty());
  EXPECT_EQ(spec_for({"smtp://h", "--quit-after", "mail"}).session.mode, SessionMode::SendMail);
  EXPECT_EQ(code_of({"smtp://h", "--quit-after", "rcpt"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--quit-after", "data"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--quit-after", "body"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"--mx", "--quit-after", "rcpt", "--mail-rcpt", "a@x"}), ExitCode::FailedInit);
}

TEST(DebugOptions, DsnOptions) {
  const auto spec =
      spec_for({"smtp://h", "--mail-rcpt", "a@x", "-T", "m", "--dsn-notify", "failure,delay",
                "--dsn-return", "hdrs", "--dsn-envid", "x1", "--dsn-required"});
  EXPECT_EQ(spec.session.dsn.notify, "FAILURE,DELAY");
  EXPECT_EQ(spec.session.dsn.ret, "HDRS");
  EXPECT_EQ(spec.session.dsn.envid, "x1");
  EXPECT_TRUE(spec.session.dsn.required);
  EXPECT_FALSE(spec_for({"smtp://h"}).session.dsn.requested());
  EXPECT_EQ(code_of({"smtp://h", "--dsn-notify", "never,failure"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--dsn-return", "all"}), ExitCode::FailedInit);
  EXPECT_EQ(code_of({"smtp://h", "--dsn-required"}), ExitCode::FailedInit);
}

TEST(ServerInfoReport, HumanSizes) {
  EXPECT_EQ(human_size(512), "512 bytes");
  EXPECT_EQ(human_size(1024), "1 KiB");
  EXPECT_EQ(human_size(10485760), "10 MiB");
  EXPECT_EQ(human_size(10240000), "9.8 MiB");
  EXPECT_EQ(human_size(36700160), "35 MiB");
}

Reply reply_of(std::string_view text) {
  std::string wire;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    wire += std::string(text.substr(start, end - start)) + "\r\n";
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parse_reply(wire);
}

TEST(ServerInfoReport, CapabilitiesSideBySideAndCertificateFacts) {
  const auto spec = spec_for({"--serverinfo", "smtp://mx.example:587"});
  JobProgress progress;
  progress.connected = true;
  progress.server.greeting = reply_of("220 mx.example ESMTP");
  progress.server.hello_plain =
      reply_of("250-mx.example\n250-SIZE 10485760\n250-STARTTLS\n250 HELP");
  progress.server.starttls = reply_of("220 go ahead");
  progress.server.hello_tls =
      reply_of("250-mx.example\n250-SIZE 10485760\n250-AUTH PLAIN LOGIN\n250-DSN\n250 HELP");
  TlsDetails tls;
  tls.version = "TLSv1.3";
  tls.cipher = "TLS_AES_256_GCM_SHA384";
  CertificateFacts cert;
  cert.subject = "CN=mx.example";
  cert.issuer = "CN=Example CA";
  cert.alt_names = {"DNS:mx.example"};
  cert.not_before = "2026-01-01";
  cert.not_after = "2027-01-01";
  cert.days_left = 36;
  cert.sha256_fingerprint = "AB:CD";
  cert.public_key_pin = "sha256//pin=";
  cert.public_key = "RSA 2048 bits";
  tls.chain = {cert};
  tls.verified = true;
  tls.verify_result = "ok";
  progress.tls_details = tls;

  const std::string text = serverinfo_text(spec, progress);
  EXPECT_NE(text.find("Server:       mx.example port 587\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Greeting:     220 mx.example ESMTP\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Capabilities          before TLS               after TLS\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  STARTTLS            yes                      no\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  SIZE                10 MiB (10485760 bytes)  10 MiB (10485760 bytes)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  AUTH                no                       PLAIN LOGIN\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  DSN                 no                       yes\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("TLS:          STARTTLS\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  valid                2026-01-01 to 2027-01-01 (36 days left)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  pin                  sha256//pin=  (--pinnedpubkey)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Verification: ok"), std::string::npos) << text;
  EXPECT_NE(text.find("AUTH:         not tried (no credentials"), std::string::npos) << text;

  const std::string json = serverinfo_json(spec, progress);
  EXPECT_NE(json.find("\"capabilities_after_tls\":{"), std::string::npos) << json;
  EXPECT_NE(json.find("\"pin\":\"sha256//pin=\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"dsn\":true"), std::string::npos) << json;
}

TEST(ServerInfoReport, RefusedCertificateIsStillShown) {
  const auto spec = spec_for({"--serverinfo", "smtps://mx.example"});
  JobProgress progress;
  progress.connected = true;
  TlsDetails tls;
  tls.version = "TLSv1.3";
  tls.cipher = "TLS_AES_128_GCM_SHA256";
  CertificateFacts cert;
  cert.subject = "CN=other.example";
  cert.days_left = -3;
  tls.chain = {cert};
  tls.verify_result = "hostname mismatch";
  progress.tls_details = tls;
  const std::string text = serverinfo_text(spec, progress);
  EXPECT_NE(text.find("TLS:          implicit TLS (smtps://)"), std::string::npos) << text;
  EXPECT_NE(text.find("CN=other.example"), std::string::npos) << text;
  EXPECT_NE(text.find("EXPIRED 3 days ago"), std::string::npos) << text;
  EXPECT_NE(text.find("Verification: FAILED: hostname mismatch\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace smtpc::cli
