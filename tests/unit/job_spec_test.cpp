// A JobSpec made from DeliverySettings below cli/ (smtpc/delivery/job_spec.hpp): this test
// links smtpc_delivery and the TLS functions only, no cli/ code, as a queue run makes its jobs.
#include "smtpc/delivery/job_spec.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "smtpc/core/base64.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/delivery/queue_run.hpp"

namespace smtpc::delivery {
namespace {

// A file holding `text` that goes away with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_((std::filesystem::temp_directory_path() /
               ("smtpc-jobspec-" + std::to_string(::getpid()) + "-" + std::to_string(count_++)))
                  .string()) {
    std::ofstream(path_) << text;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { std::filesystem::remove(path_); }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static inline int count_ = 0;
  std::string path_;
};

// The base64 of PLAIN's "\0USER\0PASSWORD": what the job's authenticator would send.
std::string plain_login(JobSpec& spec) {
  EXPECT_TRUE(spec.session.auth.authenticator);
  if (!spec.session.auth.authenticator) return "";
  auto command = spec.session.auth.authenticator->start({"PLAIN"});
  // Without --sasl-ir the response answers the server's empty challenge.
  if (command && command->line == "AUTH PLAIN")
    command = spec.session.auth.authenticator->respond("");
  if (!command) return "";
  const std::string_view line = command->line;
  return std::string(line.substr(line.rfind(' ') + 1));
}

TEST(JobSpecFromSettings, EveryGroupTakesItsPlaceWithoutAnyCommandLine) {
  const TempFile message("Subject: s\r\n\r\nbody\r\n");
  const TempFile password("filesecret\n");
  settings::DeliverySettings s;
  s.destination.url = "smtps://mail.example.com:465/ehlo.example";
  s.destination.user = "alice";
  s.auth.password_file = password.path();
  s.auth.mail_auth = "<alice@example.com>";
  s.tls.cacert = "/etc/ca.pem";
  s.tls.tlsv1_3 = true;
  s.connect.resolve = {"mail.example.com:465:127.0.0.1"};
  s.connect.connect_timeout = 2.5;
  s.connect.keepalive_time = 30;
  s.connect.speed_limit = 100;
  s.envelope.no_pipelining = true;
  s.envelope.mail_rcpt_allowfails = true;
  s.dsn.dsn_notify = "never";
  s.proxy.noproxy = "*";
  JobRequest request;
  request.envelope = {"<a@example.com> RET=HDRS", {"b@example.com"}};
  request.message.uploads = {message.path()};

  JobSpec spec = make_job_spec(s, {}, request);
  EXPECT_EQ(spec.url.host, "mail.example.com");
  EXPECT_EQ(spec.session.ehlo_name, "ehlo.example");
  EXPECT_EQ(spec.session.tls, TlsPolicy::Implicit);
  EXPECT_EQ(spec.session.mode, SessionMode::SendMail);
  EXPECT_EQ(spec.session.reverse_path, "a@example.com");
  EXPECT_EQ(spec.session.address_parameters.reverse_path, "RET=HDRS");
  EXPECT_EQ(spec.session.forward_paths, std::vector<std::string>{"b@example.com"});
  EXPECT_FALSE(spec.session.use_pipelining);
  EXPECT_TRUE(spec.session.allow_rcpt_failures);
  EXPECT_EQ(spec.session.dsn.notify, "NEVER");
  EXPECT_EQ(spec.session.auth.mail_auth, "alice@example.com");
  EXPECT_EQ(spec.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(spec.tls.min_version, TlsVersion::Tls13);
  ASSERT_EQ(spec.resolve.size(), 1U);
  EXPECT_EQ(spec.resolve[0].addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(spec.connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(spec.socket.keepalive_seconds, 30);
  EXPECT_EQ(spec.speed_limit.bytes_per_second, 100U);
  EXPECT_EQ(spec.speed_limit.period, std::chrono::seconds(30));
  EXPECT_EQ(spec.route.no_proxy, "*");
  ASSERT_EQ(spec.messages.size(), 1U);
  EXPECT_EQ(plain_login(spec), base64_encode(std::string("\0alice\0filesecret", 17)));
}

TEST(JobSpecFromSettings, SecretsAsGivenComeBeforeTheDestinationsSecretFreeForm) {
  settings::DeliverySettings s;
  s.destination.url = "smtp://relay.example";
  Secrets secrets;
  secrets.url = "smtp://bob:urlsecret@other.example";
  JobSpec spec = make_job_spec(s, secrets, {});
  EXPECT_EQ(spec.url.host, "other.example");
  EXPECT_EQ(plain_login(spec), base64_encode(std::string("\0bob\0urlsecret", 14)));
  // -u comes before the URL's user, as curl has it.
  secrets.user = "carol:clisecret";
  spec = make_job_spec(s, secrets, {});
  EXPECT_EQ(plain_login(spec), base64_encode(std::string("\0carol\0clisecret", 16)));
}

TEST(JobSpecFromSettings, NoUrlIsAUsageErrorUnlessDirectDelivery) {
  settings::DeliverySettings s;
  try {
    (void)make_job_spec(s, {}, {});
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::FailedInit);
    EXPECT_STREQ(error.what(), "no URL specified");
  }
  const TempFile message("Subject: s\r\n\r\nbody\r\n");
  s.mx = {.mx = true, .dns_servers = "127.0.0.1:5353", .mx_port = 2525};
  JobRequest request;
  request.envelope = {"a@example.com", {"b@example.org"}};
  request.message.uploads = {message.path()};
  const JobSpec spec = make_job_spec(s, {}, request);
  const auto mx = make_mx_options(s.mx, spec);
  ASSERT_TRUE(mx);
  EXPECT_EQ(mx->port, 2525);
  ASSERT_EQ(mx->dns_servers.size(), 1U);
  // Direct delivery never logs in: a login in the settings is refused.
  s.destination.user = "alice";
  EXPECT_THROW((void)make_job_spec(s, {}, request), Error);
}

TEST(JobSpecFromSettings, DirectDeliveryIsMxOrAUrlWithoutAHost) {
  settings::MxSettings mx;
  mx.mx = true;
  settings::ConnectSettings connect;
  EXPECT_TRUE(is_direct_delivery("", mx, connect));
  EXPECT_TRUE(is_direct_delivery("smtp:///client.example", {}, connect));
  EXPECT_FALSE(is_direct_delivery("smtp://relay.example", {}, connect));
  EXPECT_FALSE(is_direct_delivery("", {}, connect));
  EXPECT_FALSE(is_direct_delivery("smtp://[bad", {}, connect));  // the job reports it
  // --proto-default's scheme makes "relay.example" a URL with a host.
  connect.proto_default = "smtps";
  EXPECT_FALSE(is_direct_delivery("relay.example", {}, connect));
}

TEST(JobSpecFromSettings, TheProxyComesFromTheEnvironmentWhenTheSettingsNameNone) {
  settings::DeliverySettings s;
  const std::map<std::string, std::string> env{{"smtp_proxy", "socks5h://u:p@127.0.0.1:1080"}};
  const EnvLookup lookup = [&env](const char* name) -> const char* {
    const auto found = env.find(name);
    return found == env.end() ? nullptr : found->second.c_str();
  };
  const ConnectRoute route = make_connect_route(s, {}, Scheme::Smtp, lookup);
  ASSERT_TRUE(route.proxy);
  EXPECT_EQ(route.proxy->port, 1080);
  ASSERT_EQ(route.trace_notes.size(), 1U);
  EXPECT_EQ(route.trace_notes[0],
            "Uses proxy env variable smtp_proxy == 'socks5h://u:[redacted]@127.0.0.1:1080'");
  s.destination.proxy = "";  // -x "": no proxy at all
  EXPECT_FALSE(make_connect_route(s, {}, Scheme::Smtp, lookup).proxy);
}

// Account files as a queue run sees them: one keeps alice's password, and each look-up is
// counted.
class OnePassword final : public AccountPasswords {
 public:
  [[nodiscard]] std::optional<std::string> password(
      const std::string& file, const std::optional<std::string>& account) const override {
    ++lookups;
    if (file == "/etc/smtpc.conf" && account == "work") return "keptsecret";
    return std::nullopt;
  }
  mutable int lookups = 0;
};

TEST(JobForEntry, APasswordKeptInTheAccountFileIsReadAgainAtQueueRunTime) {
  queue::Entry entry;
  entry.reverse_path = "alice@example.com";
  entry.forward_paths = {"b@example.com", "c@example.com"};
  entry.address_parameters.forward_paths.emplace("b@example.com", "NOTIFY=NEVER");
  entry.settings.destination.url = "smtp://relay.example:587";
  entry.settings.destination.user = "alice";
  entry.settings.destination.account_file = "/etc/smtpc.conf";
  entry.settings.destination.account = "work";
  const OnePassword passwords;
  JobSpec spec = job_for_entry(entry, "/dev/null", passwords);
  EXPECT_EQ(passwords.lookups, 1);
  EXPECT_EQ(plain_login(spec), base64_encode(std::string("\0alice\0keptsecret", 17)));
  EXPECT_EQ(spec.session.forward_paths, entry.forward_paths);
  EXPECT_EQ(spec.session.address_parameters.of("b@example.com"), "NOTIFY=NEVER");
  ASSERT_EQ(spec.messages.size(), 1U);

  // A password file named in the settings is the source: the account file is not read.
  const TempFile password("filesecret\n");
  entry.settings.auth.password_file = password.path();
  spec = job_for_entry(entry, "/dev/null", passwords);
  EXPECT_EQ(passwords.lookups, 1);
  EXPECT_EQ(plain_login(spec), base64_encode(std::string("\0alice\0filesecret", 17)));
}

}  // namespace
}  // namespace smtpc::delivery
