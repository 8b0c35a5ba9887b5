// What --queue and --retry make of each failure, and what a queued entry remembers.
#include "queue_cli.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "options.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/delivery/queue_run.hpp"
#include "smtpc/settings/settings_codec.hpp"
#include "string_source.hpp"

namespace smtpc::cli {
namespace {

using testing_support::StringSource;

// What each failure means for --queue and --retry: tests/unit/failure_property_test.cpp.

// A queue run's account files: none keeps a password.
class NoPasswords final : public delivery::AccountPasswords {
 public:
  [[nodiscard]] std::optional<std::string> password(
      const std::string&, const std::optional<std::string>&) const override {
    return std::nullopt;
  }
};

// The job a queue run sends for `entry`, its message /dev/null.
JobSpec job_for(const queue::Entry& entry) {
  return delivery::job_for_entry(entry, "/dev/null", NoPasswords{});
}

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
  const std::string password_file =
      (std::filesystem::temp_directory_path() / ("smtpc-qcli-pw-" + std::to_string(::getpid())))
          .string();
  std::ofstream(password_file) << "filesecret\n";
  options.password_file = password_file;
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
  const JobSpec back = job_for(entry);
  EXPECT_EQ(back.url.scheme, Scheme::Smtps);
  EXPECT_EQ(back.url.host, "mail.example.com");
  EXPECT_EQ(back.session.tls, TlsPolicy::Implicit);
  EXPECT_FALSE(back.tls.verify_peer);
  EXPECT_EQ(back.tls.ca_file, options.cacert);
  EXPECT_EQ(back.connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_FALSE(back.session.use_pipelining);
  EXPECT_TRUE(back.session.allow_rcpt_failures);
  ASSERT_EQ(back.resolve.size(), 1U);
  EXPECT_EQ(back.resolve[0].host, "mail.example.com");
  EXPECT_EQ(back.connect_to, options.connect_to);
  EXPECT_EQ(back.ip_family, IpFamily::V6);
  EXPECT_EQ(back.interface, "if!lo");
  EXPECT_EQ(back.local_port, options.local_port);
  EXPECT_FALSE(back.socket.tcp_nodelay);
  EXPECT_EQ(back.socket.keepalive_seconds, 30);
  EXPECT_EQ(back.tls.curves, "X25519");
  EXPECT_EQ(back.max_send_speed, 2048U);
  EXPECT_EQ(back.session.reverse_path, "alice@example.com");
  EXPECT_EQ(back.session.forward_paths, entry.forward_paths);
  EXPECT_EQ(back.messages.size(), 1U);
  EXPECT_TRUE(back.session.auth.authenticator);  // alice, her password read from the file
  std::filesystem::remove(password_file);
}

TEST(QueueCli, ParametersWrittenAfterAddressesComeBackWithTheEntry) {
  queue::Entry entry;
  entry.reverse_path = "alice@example.com";
  entry.forward_paths = {"b@example.com", "c@example.com"};
  entry.address_parameters.reverse_path = "RET=HDRS";
  entry.address_parameters.forward_paths.emplace("b@example.com", "NOTIFY=NEVER");
  entry.settings.destination.url = "smtp://mail.example.com";
  const JobSpec back = job_for(entry);
  EXPECT_EQ(back.session.reverse_path, "alice@example.com");
  EXPECT_EQ(back.session.forward_paths,
            (std::vector<std::string>{"b@example.com", "c@example.com"}));
  EXPECT_EQ(back.session.address_parameters.reverse_path, "RET=HDRS");
  EXPECT_EQ(back.session.address_parameters.of("b@example.com"), "NOTIFY=NEVER");
  EXPECT_EQ(back.session.address_parameters.of("c@example.com"), "");
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
    queue::Entry entry = entries[0];
    const std::string cwd = std::filesystem::current_path().string();
    EXPECT_EQ(entry.settings.dkim.keys, (std::vector<std::string>{cwd + "/dkim.pem"}));
    EXPECT_EQ(entry.settings.dkim.selectors, options.dkim.selectors);
    entry.settings.dkim = {};  // make_job_spec would read the key
    const JobSpec spec = job_for(entry);
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
