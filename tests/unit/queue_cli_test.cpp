// What --queue and --retry make of each failure, and what a queued entry remembers.
#include "queue_cli.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "options.hpp"
#include "smtpc/core/error.hpp"

namespace smtpc::cli {
namespace {

// What each failure means for --queue and --retry: tests/unit/failure_property_test.cpp.

bool holds(const queue::Settings& settings, std::string_view text) {
  return std::any_of(settings.begin(), settings.end(), [text](const auto& pair) {
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
  EXPECT_EQ(settings.front().first, "url");
  EXPECT_EQ(settings.front().second, "smtp://bob@mail.example.com:2525/client.example");
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

}  // namespace
}  // namespace smtpc::cli
