// The settings codec: every field stored and read back, unknown names and bad values
// refused, format 1 (written by smtpc before the codec) read, paths made absolute.
#include "smtpc/settings/settings_codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "smtpc/core/error.hpp"

namespace smtpc::settings {
namespace {

// A value different from the default in every stored field.
DeliverySettings every_field_set() {
  DeliverySettings s;
  s.destination = {.url = "smtps://bob@mail.example.com:465/ehlo.example",
                   .user = "bob",
                   .proxy = "socks5h://pu@127.0.0.1:1080",
                   .preproxy = "socks4://127.0.0.1:1081",
                   .proxy_user = "pu",
                   .account_file = "/etc/smtpc.conf",
                   .account = "work",
                   .oauth2_bearer_needed = true};
  s.connect = {.connect_timeout = 2.5,
               .max_time = 0.1,
               .resolve = {"a:25:127.0.0.1", "b:25:127.0.0.2"},
               .connect_to = {"::relay:2525"},
               .ip_family = IpFamily::V6,
               .interface = "if!lo",
               .local_port = LocalPortRange{40000, 40009},
               .proto = "=smtps",
               .proto_default = "smtps",
               .limit_rate = 2048,
               .speed_limit = 100,
               .speed_time = 7,
               .tcp_nodelay = false,
               .keepalive = false,
               .keepalive_time = 30,
               .tcp_fastopen = true,
               .happy_eyeballs_ms = 150,
               .unix_socket = "/run/smtp.sock",
               .abstract_unix_socket = true,
               .haproxy_protocol = true};
  s.proxy = {.proxy_type = ProxyType::Socks5h, .noproxy = "localhost", .user_agent = "ua/1"};
  s.proxy_tls = {.proxy_insecure = true,
                 .proxy_cacert = "/pca.pem",
                 .proxy_capath = "/pca",
                 .proxy_cert = "/pc.pem",
                 .proxy_key = "/pk.pem",
                 .proxy_ciphers = "AES128-SHA",
                 .proxy_tls13_ciphers = "TLS_AES_256_GCM_SHA384",
                 .proxy_crlfile = "/pcrl.pem",
                 .proxy_pinnedpubkey = "sha256//BBBB"};
  s.tls = {.ssl = true,
           .ssl_reqd = true,
           .insecure = true,
           .cacert = "/ca.pem",
           .capath = "/ca",
           .cert = "/c.pem",
           .key = "/k.pem",
           .tlsv1_3 = true,
           .tls_max = "1.3",
           .ciphers = "ECDHE",
           .tls13_ciphers = "TLS_AES_128_GCM_SHA256",
           .curves = "X25519",
           .pinnedpubkey = "sha256//AAAA",
           .crlfile = "/crl.pem",
           .cert_status = true};
  s.auth = {.disallow_username_in_url = true,
            .password_file = "/pw",
            .password_command = "pass show mail",
            .netrc = true,
            .netrc_optional = true,
            .netrc_file = "/netrc",
            .login_options = "AUTH=PLAIN",
            .sasl_authzid = "boss",
            .sasl_ir = true,
            .mail_auth = "<>",
            .allow_plaintext_auth = true};
  s.envelope = {.no_pipelining = true, .no_chunking = true, .mail_rcpt_allowfails = true};
  s.dkim = {.keys = {"/k1.pem", "/k2.pem"},
            .selectors = {"s1", "s2"},
            .domain = "example.com",
            .domain_on_command_line = true,
            .canonicalization = "simple",
            .headers = "From:To"};
  s.mx = {.mx = true, .dns_servers = "127.0.0.1:5353,[::1]:53", .mx_port = 2525};
  return s;
}

TEST(SettingsCodec, EveryStoredFieldComesBackAsItWasWritten) {
  const DeliverySettings written = every_field_set();
  const SettingLines lines = encode(written);
  const DeliverySettings read = decode(lines);
  EXPECT_EQ(read.destination, written.destination);
  EXPECT_EQ(read.connect, written.connect);
  EXPECT_EQ(read.proxy, written.proxy);
  EXPECT_EQ(read.proxy_tls, written.proxy_tls);
  EXPECT_EQ(read.tls, written.tls);
  EXPECT_EQ(read.auth, written.auth);
  EXPECT_EQ(read.envelope, written.envelope);
  EXPECT_EQ(read.dkim, written.dkim);
  EXPECT_EQ(read.mx, written.mx);
  // Every name of the table was written: none is left out of encode.
  std::set<std::string> names;
  for (const auto& [name, value] : lines) names.insert(name);
  for (const auto name : field_names()) EXPECT_TRUE(names.contains(std::string(name))) << name;
}

TEST(SettingsCodec, WhatAQueueRunHasOfItsOwnIsNotStored) {
  DeliverySettings s;
  s.output.verbose = 2;
  s.retry.retry = 5;
  s.dsn.dsn_notify = "never";  // the envelope keeps the parameters it made
  const DeliverySettings read = decode(encode(s));
  EXPECT_EQ(read.output, OutputSettings{});
  EXPECT_EQ(read.retry, RetrySettings{});
  EXPECT_EQ(read.dsn, DsnSettings{});
}

TEST(SettingsCodec, NamesAreTheCodecsOwnNotOptionSpellings) {
  for (const auto name : field_names()) {
    EXPECT_NE(name.find('.'), std::string_view::npos) << name;
    EXPECT_EQ(name.find('-'), std::string_view::npos) << name;
  }
}

TEST(SettingsCodec, AnUnknownNameOrABadValueIsRefusedNotSkipped) {
  // A newer smtpc's setting might be what keeps the message safe (a pinned key...): an
  // entry holding one must not be sent without it.
  EXPECT_THROW((void)decode({{"tls.pinned_everything", "yes"}}), Error);
  EXPECT_THROW((void)decode({{"tls.insecure", "1"}}), Error);
  EXPECT_THROW((void)decode({{"connect.ip_family", "ipv5"}}), Error);
  EXPECT_THROW((void)decode({{"connect.local_port", "1-99999"}}), Error);
  EXPECT_THROW((void)decode({{"connect.connect_timeout", "soon"}}), Error);
  EXPECT_THROW((void)decode({{"connect.limit_rate", "-1"}}), Error);
}

TEST(SettingsCodec, ALineBreakInAValueIsRefused) {
  DeliverySettings s;
  s.tls.ciphers = "A\nsetting tls.insecure yes";
  EXPECT_THROW((void)encode(s), Error);
}

TEST(SettingsCodec, PathsAreMadeAbsoluteAndAnAbstractSocketIsLeftAlone) {
  DeliverySettings s;
  s.dkim.keys = {"dkim.pem", "/abs.pem"};
  s.tls.crlfile = "crl.pem";
  s.tls.cert = "pkcs11:token=x";
  s.destination.account_file = "conf";
  s.connect.unix_socket = "sock";
  s.connect.abstract_unix_socket = true;
  make_paths_absolute(s);
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(s.dkim.keys, (std::vector<std::string>{cwd + "/dkim.pem", "/abs.pem"}));
  EXPECT_EQ(s.tls.crlfile, cwd + "/crl.pem");
  EXPECT_EQ(s.tls.cert, "pkcs11:token=x");
  EXPECT_EQ(s.destination.account_file, cwd + "/conf");
  EXPECT_EQ(s.connect.unix_socket, "sock");
  s.connect.abstract_unix_socket = false;
  make_paths_absolute(s);
  EXPECT_EQ(s.connect.unix_socket, cwd + "/sock");
}

// The "set KEY VALUE" lines of an envelope file.
SettingLines format1_lines(const std::string& path) {
  std::ifstream in(path);
  SettingLines lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("set ")) continue;
    const auto space = line.find(' ', 4);
    lines.emplace_back(line.substr(4, space - 4),
                       space == std::string::npos ? "" : line.substr(space + 1));
  }
  return lines;
}

TEST(SettingsCodec, FormatOneAsTheQueueWroteItBeforeTheCodecIsRead) {
  // tests/data/queue-format1/README says how smtpc at ac88194 wrote it.
  const std::string envelope = std::string(SMTPC_SOURCE_DIR) +
                               "/tests/data/queue-format1/all-settings/"
                               "20261207T075205-23b0d4c6e8b3/envelope";
  const SettingLines lines = format1_lines(envelope);
  ASSERT_GT(lines.size(), 40U);
  const DeliverySettings s = decode_format1(lines);
  EXPECT_EQ(s.destination.url, "smtp://alice@mail.example.com:2525/ehlo.example");
  EXPECT_EQ(s.destination.user, "alice");
  EXPECT_TRUE(s.destination.oauth2_bearer_needed);
  EXPECT_TRUE(s.tls.ssl_reqd);
  EXPECT_TRUE(s.tls.insecure);
  EXPECT_EQ(s.tls.cacert, "/tmp/fx/ca.pem");
  EXPECT_EQ(s.tls.capath, "/etc/ssl/certs");
  EXPECT_EQ(s.tls.cert, "/tmp/fx/client.pem");
  EXPECT_EQ(s.tls.key, "/tmp/fx/client.key");
  EXPECT_TRUE(s.tls.tlsv1_3);
  EXPECT_EQ(s.tls.tls_max, "1.3");
  EXPECT_EQ(s.tls.ciphers, "ECDHE");
  EXPECT_EQ(s.tls.tls13_ciphers, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(s.tls.curves, "X25519");
  EXPECT_EQ(s.tls.pinnedpubkey, "sha256//AAAA");
  EXPECT_EQ(s.connect.resolve, (std::vector<std::string>{"mail.example.com:2525:127.0.0.1"}));
  EXPECT_EQ(s.connect.connect_to, (std::vector<std::string>{"::127.0.0.1:1"}));
  EXPECT_EQ(s.connect.ip_family, IpFamily::V6);
  EXPECT_EQ(s.connect.interface, "if!lo");
  EXPECT_EQ(s.connect.local_port, (LocalPortRange{40000, 40009}));
  EXPECT_EQ(s.connect.limit_rate, 2048U);
  EXPECT_TRUE(s.connect.tcp_nodelay);
  EXPECT_FALSE(s.connect.keepalive);
  EXPECT_EQ(s.connect.keepalive_time, 7);
  EXPECT_EQ(s.connect.connect_timeout, 0.5);
  EXPECT_EQ(s.connect.max_time, 30.0);
  EXPECT_TRUE(s.envelope.no_pipelining);
  EXPECT_TRUE(s.envelope.no_chunking);
  EXPECT_TRUE(s.envelope.mail_rcpt_allowfails);
  EXPECT_EQ(s.dkim.keys, (std::vector<std::string>{"dkim.pem"}));  // as format 1 kept it
  EXPECT_EQ(s.dkim.selectors, (std::vector<std::string>{"sel"}));
  EXPECT_EQ(s.dkim.domain, "example.com");
  EXPECT_TRUE(s.dkim.domain_on_command_line);
  EXPECT_EQ(s.dkim.canonicalization, "simple");
  EXPECT_EQ(s.dkim.headers, "From:To");
  EXPECT_EQ(s.auth.password_file, "/tmp/fx/pw");
  EXPECT_TRUE(s.auth.netrc_optional);
  EXPECT_FALSE(s.auth.netrc);
  EXPECT_EQ(s.auth.netrc_file, "/tmp/fx/netrc");
  EXPECT_EQ(s.auth.login_options, "AUTH=PLAIN");
  EXPECT_EQ(s.auth.sasl_authzid, "boss");
  EXPECT_TRUE(s.auth.sasl_ir);
  EXPECT_EQ(s.auth.mail_auth, "<>");
  EXPECT_TRUE(s.auth.allow_plaintext_auth);
}

TEST(SettingsCodec, TheMxGroupIsStoredAndAFormatTwoEntryWrittenBeforeItReadsWithout) {
  DeliverySettings s;
  s.mx = {.mx = true, .dns_servers = "127.0.0.1:5353", .mx_port = 2525};
  EXPECT_EQ(decode(encode(s)).mx, s.mx);
  // Unused, the group is not written: the smtpc before it still reads the entry.
  for (const auto& [name, value] : encode(DeliverySettings{})) {
    EXPECT_FALSE(name.starts_with("mx.")) << name;
  }
  EXPECT_THROW((void)decode({{"mx.port", "25x"}}), Error);
  EXPECT_THROW((void)decode({{"mx.direct", "1"}}), Error);
  // tests/data/queue-format2/README says how smtpc at 0c6abb0 wrote it, before "mx.*".
  const std::string envelope = std::string(SMTPC_SOURCE_DIR) +
                               "/tests/data/queue-format2/before-mx/"
                               "20261207T104153-20a5d3f3247f/envelope";
  SettingLines lines;
  std::ifstream in(envelope);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("setting ")) continue;
    const auto space = line.find(' ', 8);
    lines.emplace_back(line.substr(8, space - 8), line.substr(space + 1));
  }
  ASSERT_GT(lines.size(), 20U);
  const DeliverySettings old = decode(lines);
  EXPECT_EQ(old.destination.url, "smtp://fixture.invalid:59999/client.example");
  EXPECT_EQ(old.connect.limit_rate, 1048576U);
  EXPECT_EQ(old.mx, MxSettings{});
}

TEST(SettingsCodec, FormatOneKeysItNeverKnewAreIgnoredAsBefore) {
  const DeliverySettings s =
      decode_format1({{"url", "smtp://h"}, {"no-such-key", "1"}, {"ipv4", "1"}});
  EXPECT_EQ(s.destination.url, "smtp://h");
  EXPECT_EQ(s.connect.ip_family, IpFamily::V4);
}

}  // namespace
}  // namespace smtpc::settings
