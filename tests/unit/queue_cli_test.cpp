// What --queue and --retry make of each failure, and what a queued entry remembers.
#include "queue_cli.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "options.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/settings/settings_codec.hpp"
#include "string_source.hpp"

namespace smtpc::cli {
namespace {

using testing_support::StringSource;

// What each failure means for --queue and --retry: tests/unit/failure_property_test.cpp.

bool holds(const queue::Settings& settings, std::string_view text) {
  const auto lines = settings::encode(settings);
  return std::any_of(lines.begin(), lines.end(), [text](const auto& pair) {
    return pair.first.find(text) != std::string::npos ||
           pair.second.find(text) != std::string::npos;
  });
}

TEST(QueueSettings, SecurityNeverHoldASecret) {
  Options options;
  options.url = "smtp://bob:urlsecret@mail.example.com:2525/client.example";
  options.user = "alice:clisecret";
  options.oauth2_bearer = "tokensecret";
  options.pass = "keysecret";
  options.ssl_reqd = true;
  options.resolve = {"mail.example.com:2525:127.0.0.1"};
  std::vector<std::string> warnings;
  const auto settings = queue_settings(options, {}, warnings);
  for (const char* secret : {"urlsecret", "clisecret", "tokensecret", "keysecret"}) {
    EXPECT_FALSE(holds(settings, secret)) << secret;
  }
  EXPECT_EQ(settings.destination.url, "smtp://bob@mail.example.com:2525/client.example");
  EXPECT_EQ(warnings.size(), 3U);  // the password, the token, the pass phrase
}

TEST(QueueSettings, AnEntryIsSentWithTheSettingsItWasQueuedWith) {
  Options options;
  options.url = "smtps://mail.example.com";
  options.user = "alice";
  options.password_file = "/run/secrets/smtp";
  options.ssl_reqd = true;
  options.insecure = true;
  options.cacert = "/etc/ca.pem";
  options.connect_timeout = 2.5;
  options.no_pipelining = true;
  options.mail_rcpt_allowfails = true;
  options.resolve = {"mail.example.com:465:127.0.0.1"};
  options.connect_to = {"::relay.example:2525", ":::"};
  options.ip_family = IpFamily::V6;
  options.interface = "if!lo";
  options.local_port = LocalPortRange{40000, 40009};
  options.tcp_nodelay = false;
  options.keepalive_time = 30;
  options.curves = "X25519";
  options.limit_rate = 2048;
  std::vector<std::string> warnings;
  queue::Entry entry;
  entry.settings = queue_settings(options, {}, warnings);
  EXPECT_TRUE(warnings.empty());
  entry.reverse_path = "alice@example.com";
  entry.forward_paths = {"b@example.com"};
  const Options back = options_for_entry(entry);
  EXPECT_EQ(back.url, options.url);
  EXPECT_EQ(back.user, "alice");
  EXPECT_EQ(back.password_file, options.password_file);
  EXPECT_TRUE(back.ssl_reqd);
  EXPECT_TRUE(back.insecure);
  EXPECT_EQ(back.cacert, options.cacert);
  EXPECT_EQ(back.connect_timeout, 2.5);
  EXPECT_TRUE(back.no_pipelining);
  EXPECT_TRUE(back.mail_rcpt_allowfails);
  EXPECT_EQ(back.resolve, options.resolve);
  EXPECT_EQ(back.connect_to, options.connect_to);
  EXPECT_EQ(back.ip_family, IpFamily::V6);
  EXPECT_EQ(back.interface, "if!lo");
  EXPECT_EQ(back.local_port, options.local_port);
  EXPECT_FALSE(back.tcp_nodelay);
  EXPECT_TRUE(back.keepalive);
  EXPECT_EQ(back.keepalive_time, 30);
  EXPECT_EQ(back.curves, "X25519");
  EXPECT_EQ(back.limit_rate, 2048U);
  EXPECT_EQ(back.mail_from, "alice@example.com");
  EXPECT_EQ(back.mail_rcpt, entry.forward_paths);
}

TEST(QueueCli, ParametersWrittenAfterAddressesComeBackWithTheEntry) {
  queue::Entry entry;
  entry.reverse_path = "alice@example.com";
  entry.forward_paths = {"b@example.com", "c@example.com"};
  entry.address_parameters.reverse_path = "RET=HDRS";
  entry.address_parameters.forward_paths.emplace("b@example.com", "NOTIFY=NEVER");
  const Options back = options_for_entry(entry);
  EXPECT_EQ(back.mail_from, "<alice@example.com> RET=HDRS");
  EXPECT_EQ(back.mail_rcpt,
            (std::vector<std::string>{"<b@example.com> NOTIFY=NEVER", "c@example.com"}));
}

// Settings the queue did not keep before the codec (issue 24's proxies, -Y/-y, --crlfile,
// --cert-status) and a DKIM key named relatively: written into a real queue directory, read
// back and turned into the job a queue run sends.
TEST(QueueSettings, AQueuedEntryKeepsProxiesSpeedLimitsCrlCertStatusAndAbsoluteDkimKeys) {
  Options options;
  options.url = "smtp://mail.example.com:2525";
  options.proxy = "socks5h://pu:proxysecret@127.0.0.1:1080";
  options.proxy_type = ProxyType::Socks5h;
  options.preproxy = "socks4://127.0.0.1:1081";
  options.proxy_user = "other:proxysecret2";
  options.noproxy = "localhost";
  options.speed_limit = 100;
  options.speed_time = 7;
  options.crlfile = "crl.pem";
  options.cert_status = true;
  options.dkim.keys = {"dkim.pem"};
  options.dkim.selectors = {"sel"};
  std::vector<std::string> warnings;
  const queue::Settings settings = queue_settings(options, {}, warnings);
  EXPECT_FALSE(holds(settings, "proxysecret"));
  EXPECT_NE(
      std::find(warnings.begin(), warnings.end(), "the proxy's password is not kept in the queue"),
      warnings.end());

  std::string root = (std::filesystem::temp_directory_path() / "smtpc-qs-XXXXXX").string();
  ASSERT_NE(::mkdtemp(root.data()), nullptr);
  {
    queue::Queue store(root + "/queue");
    StringSource message("Subject: s\r\n\r\nbody\r\n");
    (void)store.add("a@example.com", {"b@example.com"}, settings, message);
    const auto entries = store.list();
    ASSERT_EQ(entries.size(), 1U);
    Options back = options_for_entry(entries[0]);
    const std::string cwd = std::filesystem::current_path().string();
    EXPECT_EQ(back.dkim.keys, (std::vector<std::string>{cwd + "/dkim.pem"}));
    EXPECT_EQ(back.dkim.selectors, options.dkim.selectors);
    EXPECT_EQ(back.crlfile, cwd + "/crl.pem");
    back.dkim = {};  // make_job_spec would read the key
    back.upload_file = "/dev/null";
    const JobSpec spec = make_job_spec(back);
    EXPECT_EQ(spec.speed_limit.bytes_per_second, 100U);
    EXPECT_EQ(spec.speed_limit.period, std::chrono::seconds(7));
    EXPECT_EQ(spec.tls.crl_file, cwd + "/crl.pem");
    EXPECT_TRUE(spec.tls.verify_status);
    ASSERT_TRUE(spec.route.proxy);
    EXPECT_EQ(spec.route.proxy->type, ProxyType::Socks5h);
    EXPECT_EQ(spec.route.proxy->port, 1080);
    EXPECT_EQ(spec.route.proxy->user, "pu");
    ASSERT_TRUE(spec.route.preproxy);
    EXPECT_EQ(spec.route.preproxy->port, 1081);
    EXPECT_EQ(spec.route.no_proxy, "localhost");
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace smtpc::cli
