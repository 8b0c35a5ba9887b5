// --queue, --queue-run, --queue-list and --retry: messages kept on disk until accepted.
#include "queue_cli.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <thread>

#include "command_line.hpp"
#include "config.hpp"
#include "report.hpp"

namespace smtpc::cli {
namespace {

// An envelope address as --mail-from/--mail-rcpt write it, with the parameters written
// after it: "<a@example.com> NOTIFY=NEVER", so that the queue run sends them again.
std::string written_address(const std::string& path, std::string_view parameters) {
  if (parameters.empty()) return path;
  return fmt::format("<{}> {}", path, parameters);
}

using Clock = std::chrono::steady_clock;

// Queue backoff: first retry after this many seconds, doubling up to the cap
// ($SMTPC_QUEUE_BACKOFF=BASE[:CAP] changes them, e.g. for tests).
constexpr std::int64_t kBackoffBase = 300;
constexpr std::int64_t kBackoffCap = 4 * 3600;

std::pair<std::int64_t, std::int64_t> backoff_limits() {
  std::int64_t base = kBackoffBase;
  std::int64_t cap = kBackoffCap;
  if (const char* env = std::getenv("SMTPC_QUEUE_BACKOFF"); env != nullptr && *env != '\0') {
    const std::string text = env;
    const auto colon = text.find(':');
    try {
      base = std::stoll(text.substr(0, colon));
      if (colon != std::string::npos) cap = std::stoll(text.substr(colon + 1));
    } catch (const std::exception&) {
      throw Error(ExitCode::FailedInit,
                  fmt::format("SMTPC_QUEUE_BACKOFF=\"{}\": expected SECONDS[:CAP]", text));
    }
  }
  return {std::max<std::int64_t>(base, 0), std::max(cap, base)};
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || std::string_view("-._~").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

// The URL without its password: the queue never holds a secret.
std::string url_without_password(const std::string& text, const SmtpUrl& url) {
  if (!url.password) return text;
  std::string out = url.scheme == Scheme::Smtps ? "smtps://" : "smtp://";
  if (url.user) {
    out += percent_encode(*url.user);
    if (url.login_options) out.append(1, ';').append(percent_encode(*url.login_options));
    out += "@";
  }
  out += url.host_is_ipv6_literal ? "[" + url.host + "]" : url.host;
  out += fmt::format(":{}/{}", url.port, percent_encode(url.ehlo_name));
  return out;
}

// `path` made absolute against the current directory ("-" and PKCS#11 URIs as they are).
std::string absolute_path(const std::string& path) {
  if (path.empty() || path == "-" || path.starts_with("/") || path.starts_with("pkcs11:")) {
    return path;
  }
  std::error_code error;
  const auto absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

std::string seconds_text(double seconds) { return fmt::format("{}", seconds); }

// A reading of message `index` of the job, as run_job would open it.
std::unique_ptr<MessageSource> open_message_reading(const JobSpec& spec, std::size_t index) {
  return spec.messages.at(index).open();
}

std::size_t message_count(const JobSpec& spec) { return spec.messages.size(); }

// The job that sends `paths` (queued copies) with the settings of `spec`.
JobSpec job_for_paths(const JobSpec& spec, const std::vector<std::string>& paths) {
  JobSpec job = spec;
  job.messages.clear();
  for (const auto& path : paths) job.messages.push_back(MessageOrigin::file(path));
  return job;
}

std::string describe(const Error& error) {
  return fmt::format("({}) {}", to_int(error.code()), error.what());
}

// Each message's outcome after run_job returned or threw.
std::vector<MessageResult> outcomes(std::size_t count, const SendResult* result,
                                    const Error* job_error) {
  std::vector<MessageResult> messages(count);
  if (result != nullptr) {
    for (std::size_t i = 0; i < count && i < result->messages.size(); ++i) {
      messages[i] = result->messages[i];
    }
  }
  for (auto& message : messages) {
    if (message.outcome != MessageOutcome::Accepted && !message.error && job_error != nullptr) {
      message.error = *job_error;
    }
  }
  return messages;
}

// Sleeps `delay`, a retry's pause.
void pause_for(std::chrono::milliseconds delay) {
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000.0)));
}

const char* retry_reason(FailureKind kind, const Options& options) {
  if (options.retry_all_errors) return "(retrying all errors)";
  switch (kind) {
    case FailureKind::Connect:
      return ": connection refused";
    case FailureKind::Transient:
      return ": transient error";
    default:
      return "";
  }
}

// --mail-rcpt-allowfails: the message went to the accepted recipients; those refused for
// now (4xx) get a queue entry of their own, with the same message.
void queue_refused_for_now(queue::Queue& store, const queue::LockedEntry& sent,
                           const MessageResult& result, const queue::Settings& settings,
                           const JobSpec& spec, std::size_t index, bool show_errors) {
  std::vector<std::string> later;
  std::string reasons;
  for (const auto& refused : result.refused) {
    if (!refused.reply.code.transient()) continue;
    later.push_back(refused.address);
    if (reasons.empty()) reasons = refused.reply.summary();
  }
  if (later.empty()) return;
  std::string names;
  for (const auto& address : later) {
    names += fmt::format("{}<{}>", names.empty() ? "" : ", ", address);
  }
  try {
    const queue::Entry& entry = sent.entry();
    const auto reading = MessageOrigin::file(sent.message_path()).open();
    queue::LockedEntry added =
        store.add(entry.reverse_path, later, settings, *reading, entry.address_parameters);
    const auto [base, cap] = backoff_limits();
    queue::EntryState state;
    state.attempts = 1;
    state.last_attempt = unix_now();
    state.next_attempt = state.last_attempt + queue::backoff_seconds(1, base, cap);
    state.last_error = reasons;
    added.update(state);
    if (show_errors) {
      fmt::print(stderr, "smtpc: queued as {} for {} ({}): {}\n", added.entry().id, names,
                 message_name(spec, index), reasons);
    }
  } catch (const Error& error) {
    // The others have the message: it must not be sent to them again, so nothing is thrown.
    if (show_errors) {
      fmt::print(stderr, "Warning: {} refused for now ({}) and NOT queued: {}\n", names, reasons,
                 error.what());
    }
  }
}

}  // namespace

FailureKind classify_failure(const Error& error, MessageOutcome outcome) {
  if (outcome == MessageOutcome::Unconfirmed) return FailureKind::Unconfirmed;
  if (const auto& reply = error.reply()) {
    if (reply->code.transient()) return FailureKind::Transient;
    if (reply->code.permanent()) return FailureKind::Permanent;
  }
  switch (error.code()) {
    case ExitCode::CouldntConnect:
      return FailureKind::Connect;
    case ExitCode::CouldntResolveHost:
    case ExitCode::OperationTimedout:
    case ExitCode::SslConnectError:
      return FailureKind::Transient;
    case ExitCode::WeirdServerReply:  // the connection ended or garbled before the end of data
    case ExitCode::SendError:
    case ExitCode::RecvError:
      return error.reply() ? FailureKind::Permanent : FailureKind::Transient;
    default:
      return FailureKind::Permanent;
  }
}

bool retry_allows(FailureKind kind, const Options& options) {
  if (options.retry_all_errors) return true;
  switch (kind) {
    case FailureKind::Transient:
      return true;
    case FailureKind::Connect:
      return options.retry_connrefused;
    case FailureKind::Permanent:
    case FailureKind::Unconfirmed:
      return false;
  }
  return false;
}

QueueContext config_in_use(const Options& options) {
  QueueContext context;
  const ComposeOptions& c = options.compose;
  if (!c.config && !c.account && !options.url.empty()) return context;
  context.config_path = c.config;
  if (!context.config_path) context.config_path = find_user_config_file();
  if (context.config_path) context.account = c.account;
  return context;
}

queue::Settings queue_settings(const Options& options, const QueueContext& context,
                               std::vector<std::string>& warnings) {
  queue::Settings s;
  auto put = [&s](const char* key, const std::string& value) { s.emplace_back(key, value); };
  auto flag = [&put](const char* key, bool on) {
    if (on) put(key, "1");
  };
  auto opt = [&put](const char* key, const std::optional<std::string>& value) {
    if (value) put(key, *value);
  };
  const SmtpUrl url = options.url.empty() ? SmtpUrl{} : parse_smtp_url(options.url, true);
  put("url", url_without_password(options.url, url));
  flag("ssl", options.ssl);
  flag("ssl-reqd", options.ssl_reqd);
  flag("insecure", options.insecure);
  // Paths absolute: a queue run works from another directory, and must not trust what
  // lies under the same relative name there.
  auto path = [&put](const char* key, const std::optional<std::string>& value) {
    if (value) put(key, absolute_path(*value));
  };
  path("cacert", options.cacert);
  path("capath", options.capath);
  path("cert", options.cert);
  path("key", options.key);
  flag("tlsv1.3", options.tlsv1_3);
  opt("tls-max", options.tls_max);
  opt("ciphers", options.ciphers);
  opt("tls13-ciphers", options.tls13_ciphers);
  opt("curves", options.curves);
  opt("pinnedpubkey", options.pinnedpubkey);
  for (const auto& entry : options.resolve) put("resolve", entry);
  for (const auto& entry : options.connect_to) put("connect-to", entry);
  flag("ipv4", options.ip_family == IpFamily::V4);
  flag("ipv6", options.ip_family == IpFamily::V6);
  opt("interface", options.interface);
  if (options.local_port) {
    put("local-port", fmt::format("{}-{}", options.local_port->first, options.local_port->last));
  }
  if (options.limit_rate > 0) put("limit-rate", std::to_string(options.limit_rate));
  flag("no-tcp-nodelay", !options.tcp_nodelay);
  flag("no-keepalive", !options.keepalive);
  if (options.keepalive_time) put("keepalive-time", std::to_string(*options.keepalive_time));
  if (options.connect_timeout) put("connect-timeout", seconds_text(*options.connect_timeout));
  if (options.max_time) put("max-time", seconds_text(*options.max_time));
  flag("no-pipelining", options.no_pipelining);
  flag("no-chunking", options.no_chunking);
  flag("mail-rcpt-allowfails", options.mail_rcpt_allowfails);

  // The login: the user name and where the password comes from, never the password.
  bool password_given = url.password.has_value();
  if (options.user) {
    const auto colon = options.user->find(':');
    put("user", options.user->substr(0, colon));
    password_given = password_given || colon != std::string::npos;
  } else if (url.user) {
    put("user", *url.user);
  }
  path("password-file", options.password_file);
  opt("password-command", options.password_command);
  flag("netrc", options.netrc);
  flag("netrc-optional", options.netrc_optional);
  path("netrc-file", options.netrc_file);
  opt("login-options", options.login_options);
  opt("sasl-authzid", options.sasl_authzid);
  flag("sasl-ir", options.sasl_ir);
  opt("mail-auth", options.mail_auth);
  flag("allow-plaintext-auth", options.allow_plaintext_auth);
  path("config", context.config_path);
  opt("account", context.account);

  bool config_password = false;
  if (context.config_path && password_given) {
    try {
      const ConfigFile config = load_config(*context.config_path);
      const auto account = config.accounts.find(context.account.value_or("default"));
      config_password = account != config.accounts.end() && account->second.contains("password");
    } catch (const Error&) {
      config_password = false;
    }
  }
  if (password_given && !config_password && !options.password_file && !options.password_command) {
    warnings.emplace_back(
        "the password given on the command line is not kept in the queue: a queue run takes "
        "it from SMTPC_PASSWORD, --netrc, a password file or the config file");
  }
  if (options.oauth2_bearer) {
    flag("oauth2-bearer-needed", true);
    warnings.emplace_back(
        "the --oauth2-bearer token is not kept in the queue: a queue run cannot log in with it");
  }
  if (options.pass) {
    warnings.emplace_back("the --pass pass phrase is not kept in the queue");
  }
  return s;
}

Options options_for_entry(const queue::Entry& entry) {
  Options o;
  for (const auto& [key, value] : entry.settings) {
    const bool on = value == "1";
    if (key == "url") o.url = value;
    if (key == "ssl") o.ssl = on;
    if (key == "ssl-reqd") o.ssl_reqd = on;
    if (key == "insecure") o.insecure = on;
    if (key == "cacert") o.cacert = value;
    if (key == "capath") o.capath = value;
    if (key == "cert") o.cert = value;
    if (key == "key") o.key = value;
    if (key == "tlsv1.3") o.tlsv1_3 = on;
    if (key == "tls-max") o.tls_max = value;
    if (key == "ciphers") o.ciphers = value;
    if (key == "tls13-ciphers") o.tls13_ciphers = value;
    if (key == "curves") o.curves = value;
    if (key == "pinnedpubkey") o.pinnedpubkey = value;
    if (key == "resolve") o.resolve.push_back(value);
    if (key == "connect-to") o.connect_to.push_back(value);
    if (key == "ipv4" && on) o.ip_family = IpFamily::V4;
    if (key == "ipv6" && on) o.ip_family = IpFamily::V6;
    if (key == "interface") o.interface = value;
    if (key == "local-port") o.local_port = local_port_range(value);
    if (key == "limit-rate") o.limit_rate = std::strtoull(value.c_str(), nullptr, 10);
    if (key == "no-tcp-nodelay") o.tcp_nodelay = !on;
    if (key == "no-keepalive") o.keepalive = !on;
    if (key == "keepalive-time") o.keepalive_time = std::strtol(value.c_str(), nullptr, 10);
    if (key == "connect-timeout") o.connect_timeout = std::strtod(value.c_str(), nullptr);
    if (key == "max-time") o.max_time = std::strtod(value.c_str(), nullptr);
    if (key == "no-pipelining") o.no_pipelining = on;
    if (key == "no-chunking") o.no_chunking = on;
    if (key == "mail-rcpt-allowfails") o.mail_rcpt_allowfails = on;
    if (key == "user") o.user = value;
    if (key == "password-file") o.password_file = value;
    if (key == "password-command") o.password_command = value;
    if (key == "netrc") o.netrc = on;
    if (key == "netrc-optional") o.netrc_optional = on;
    if (key == "netrc-file") o.netrc_file = value;
    if (key == "login-options") o.login_options = value;
    if (key == "sasl-authzid") o.sasl_authzid = value;
    if (key == "sasl-ir") o.sasl_ir = on;
    if (key == "mail-auth") o.mail_auth = value;
    if (key == "allow-plaintext-auth") o.allow_plaintext_auth = on;
  }
  // A password kept in the config file is read from it again, now.
  if (const auto path = entry.setting("config")) {
    const ConfigFile config = load_config(*path);
    const auto account = config.accounts.find(entry.setting("account").value_or("default"));
    if (account != config.accounts.end() && o.user && o.user->find(':') == std::string::npos &&
        !o.password_file && !o.password_command) {
      if (const auto password = account->second.find("password");
          password != account->second.end()) {
        *o.user += ":" + password->second;
      }
    }
  }
  o.mail_from = written_address(entry.reverse_path, entry.address_parameters.reverse_path);
  o.mail_rcpt.clear();
  for (const auto& rcpt : entry.forward_paths) {
    o.mail_rcpt.push_back(written_address(rcpt, entry.address_parameters.of(rcpt)));
  }
  return o;
}

int send_reliably(const Options& options, const JobSpec& spec, const QueueContext& context,
                  Tracer& tracer, Notices& notices) {
  const bool show = !options.silent;
  const bool show_errors = !options.silent || options.show_error;
  if (options.retry < 0) throw Error(ExitCode::FailedInit, "--retry: expected a count, 0 or more");
  for (const auto* value : {&options.retry_delay, &options.retry_max_time}) {
    if (*value && (!std::isfinite(**value) || **value < 0 || **value > 1e9)) {
      throw Error(ExitCode::FailedInit,
                  "--retry-delay and --retry-max-time take seconds, 0 or more");
    }
  }
  const bool use_queue = options.queue || context.sendmail;
  const std::size_t count = message_count(spec);

  // Every message is on disk before the first attempt: in the queue, or with --retry alone
  // in a private spool that goes away at the end.
  std::optional<std::string> spool_dir;
  struct SpoolRemover {
    std::optional<std::string>* dir;
    ~SpoolRemover() {
      if (*dir) {
        std::error_code ignored;
        std::filesystem::remove_all(**dir, ignored);
      }
    }
  } spool_remover{&spool_dir};
  std::optional<queue::Queue> store;
  bool queued = use_queue;  // false: a private spool that goes away, whatever happens
  if (use_queue) {
    try {
      store.emplace(queue_directory(options));
    } catch (const Error& error) {
      // sendmail mode: the relay may well be up, and a queue that cannot be opened must not
      // stand between it and the message. A transient failure then exits EX_TEMPFAIL.
      if (!context.sendmail) throw;
      if (show_errors) {
        fmt::print(stderr, "Warning: {}: sending without a queue (a failure is not retried)\n",
                   error.what());
      }
      queued = false;
    }
  }
  if (!store) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/smtpc-retry-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error(ExitCode::WriteError,
                  fmt::format("--retry: cannot create a spool in {}", pattern));
    }
    spool_dir = pattern;
    store.emplace(pattern + "/queue");
  }
  std::vector<std::string> warnings;
  const queue::Settings settings =
      use_queue ? queue_settings(options, context, warnings) : queue::Settings{};
  std::vector<std::optional<queue::LockedEntry>> entries;
  for (std::size_t i = 0; i < count; ++i) {
    std::unique_ptr<MessageSource> reading;
    try {
      reading = open_message_reading(spec, i);
    } catch (const Error&) {
      for (auto& entry : entries) entry->remove();  // nothing was sent: nothing stays
      throw;
    }
    try {
      entries.emplace_back(store->add(spec.session.reverse_path, spec.session.forward_paths,
                                      settings, *reading, spec.session.address_parameters));
    } catch (const Error& error) {
      // Nothing is sent when the message cannot be kept: it would be lost on a failure.
      for (auto& entry : entries) entry->remove();
      if (error.code() == ExitCode::ReadError) throw;
      throw Error(error.code(),
                  fmt::format("cannot queue {}: {}", message_name(spec, i), error.what()));
    }
  }

  std::vector<MessageResult> final(count);
  std::vector<bool> done(count, false);  // accepted, refused for good, or stopped
  std::optional<Error> first_error;
  const auto start = Clock::now();
  int retries_left = options.retry;
  std::chrono::milliseconds backoff{1000};
  for (;;) {
    std::vector<std::size_t> sending;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < count; ++i) {
      if (!done[i]) {
        sending.push_back(i);
        paths.push_back(entries[i]->message_path());
      }
    }
    const JobSpec job = job_for_paths(spec, paths);
    std::vector<MessageResult> results;
    std::optional<Error> job_error;
    try {
      const SendResult result = run_job(job, tracer, notices);
      results = outcomes(paths.size(), &result, nullptr);
    } catch (const SendFailure& failure) {
      job_error = failure;
      results = outcomes(paths.size(), &failure.result(), &*job_error);
    } catch (const Error& error) {
      job_error = error;
      results = outcomes(paths.size(), nullptr, &*job_error);
    }
    bool retryable = false;
    std::optional<FailureKind> first_kind;
    for (std::size_t k = 0; k < sending.size(); ++k) {
      const std::size_t i = sending[k];
      final[i] = results[k];
      if (results[k].outcome == MessageOutcome::Accepted) {
        done[i] = true;
        if (use_queue) {
          queue_refused_for_now(*store, *entries[i], results[k], settings, spec, i, show_errors);
        }
        if (const auto problem = entries[i]->settle_delivered(); problem && show_errors) {
          fmt::print(stderr, "Warning: {}: delivered, but {}\n", message_name(spec, i), *problem);
        }
        entries[i].reset();
        continue;
      }
      const Error error =
          results[k].error.value_or(job_error.value_or(Error(ExitCode::SendError, "not sent")));
      const FailureKind kind = classify_failure(error, results[k].outcome);
      if (!first_kind) first_kind = kind;
      if (kind == FailureKind::Permanent && !options.retry_all_errors) {
        done[i] = true;  // reported below; never queued
      } else if (retry_allows(kind, options)) {
        retryable = true;
      }
    }
    const bool any_left = std::find(done.begin(), done.end(), false) != done.end();
    if (!any_left || !retryable || retries_left <= 0) break;
    std::chrono::milliseconds delay =
        options.retry_delay && *options.retry_delay > 0 ? to_ms(*options.retry_delay) : backoff;
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::minutes(10));
    if (options.retry_max_time && *options.retry_max_time > 0) {
      const auto elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      const auto limit = to_ms(*options.retry_max_time);
      if (elapsed >= limit) break;
      delay = std::min(delay, limit - elapsed);
    }
    if (show) {
      const auto seconds = static_cast<double>(delay.count()) / 1000.0;
      fmt::print(stderr, "Warning: Problem {}. Will retry in {} seconds. {} retr{} left.\n",
                 retry_reason(first_kind.value_or(FailureKind::Transient), options), seconds,
                 retries_left, retries_left == 1 ? "y" : "ies");
    }
    --retries_left;
    pause_for(delay);
  }

  // The report, as main gives it without --queue, then what stays queued.
  SendResult combined;
  combined.messages = final;
  report_messages(combined, spec, show, show_errors);
  for (std::size_t i = 0; i < count; ++i) {
    if (final[i].outcome != MessageOutcome::Accepted && !first_error) {
      first_error = final[i].error.value_or(Error(ExitCode::SendError, "not sent"));
    }
  }
  if (!first_error) {
    if (context.sendmail && queued) {
      // Delivered: the server is back, so what waits for it goes now too.
      try {
        (void)run_queue(store->directory(), true, options.verbose, show_errors,
                        settings.empty() ? std::nullopt : std::optional(settings.front().second));
      } catch (const Error& error) {
        if (show_errors) fmt::print(stderr, "Warning: flushing the queue: {}\n", error.what());
      }
    }
    return 0;
  }
  if (show_errors && !context.sendmail) {
    fmt::print(stderr, "smtpc: ({}) {}\n", to_int(first_error->code()), first_error->what());
  }
  std::optional<Error> not_queued;  // the first failure that the queue did not take
  bool warned = false;
  const auto [base, cap] = backoff_limits();
  for (std::size_t i = 0; i < count; ++i) {
    if (!entries[i]) continue;  // accepted
    const Error error = final[i].error.value_or(*first_error);
    const FailureKind kind = classify_failure(error, final[i].outcome);
    if (!queued || kind == FailureKind::Permanent) {
      entries[i]->remove();
      if (!not_queued) not_queued = error;
      continue;
    }
    queue::EntryState state;
    state.attempts = 1;
    state.last_attempt = unix_now();
    state.next_attempt = state.last_attempt + queue::backoff_seconds(1, base, cap);
    state.last_error = describe(error);
    state.unconfirmed = kind == FailureKind::Unconfirmed;
    try {
      entries[i]->update(state);
    } catch (const Error& update_error) {
      // The entry is whole and queued; only its attempt count could not be recorded.
      if (show_errors) fmt::print(stderr, "Warning: {}\n", update_error.what());
    }
    if (!warned && show) {
      for (const auto& warning : warnings) fmt::print(stderr, "Warning: {}\n", warning);
      warned = true;
    }
    if (show_errors) {
      fmt::print(stderr, "smtpc: queued as {}: {}{}\n", entries[i]->entry().id,
                 count > 1 ? message_name(spec, i) + ": " : "", describe(error));
    }
  }
  if (context.sendmail) {
    // sendmail's promise: exit 0 once the queue has taken every message not delivered.
    if (not_queued) throw *not_queued;
    return 0;
  }
  return to_int(first_error->code());
}

namespace {

constexpr std::int64_t kDefaultLifetime = 5 * 86400;  // Postfix's maximal_queue_lifetime

std::string lifetime_text(std::int64_t seconds) {
  if (seconds % 86400 == 0) return fmt::format("{}d", seconds / 86400);
  if (seconds % 3600 == 0) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}s", seconds);
}

// The text left in failed/ID/report: what a bounce would tell the sender.
std::string bounce_report(const queue::Entry& entry, std::string_view why,
                          std::string_view last_error) {
  std::string report =
      fmt::format("This message could not be delivered: {}.\n\nQueue entry: {}\nFrom: <{}>\n", why,
                  entry.id, entry.reverse_path);
  for (const auto& rcpt : entry.forward_paths) report += fmt::format("To: <{}>\n", rcpt);
  if (const auto url = entry.setting("url")) report += fmt::format("Via: {}\n", *url);
  report += fmt::format("Attempts: {}\n", entry.state.attempts);
  if (!last_error.empty()) report += fmt::format("Last error: {}\n", last_error);
  report += "The message is kept beside this report, in the file \"message\".\n";
  return report;
}

// One pass over the queue: each entry on its own, so that one that cannot be read, sent
// or updated is reported and the run goes on to the next.
class QueueRun {
 public:
  QueueRun(const std::string& directory, const QueueRunSettings& settings)
      : store_(directory),
        settings_(settings),
        tracer_(TraceOptions{.verbosity = settings.verbose}),
        notices_(settings.show_errors) {}

  int run() {
    store_.clean_leftovers();
    for (const auto& broken : store_.list_unreadable()) {
      report_error(broken.id, ExitCode::ReadError,
                   fmt::format("unreadable, skipped: {}", broken.reason));
    }
    for (const auto& listed : store_.list()) {
      if (settings_.only_url && listed.setting("url") != settings_.only_url) continue;
      try {
        visit(listed);
      } catch (const Error& error) {
        report_error(listed.id, error.code(), error.what());
      }
    }
    if (settings_.verbose > 0) {
      fmt::print(stderr, "smtpc: queue run: {} sent, {} deferred, {} failed, {} not yet due\n",
                 sent_, deferred_, failed_, waiting_);
    }
    return exit_code_;
  }

 private:
  bool due(const queue::Entry& entry) const {
    return settings_.force || entry.state.next_attempt <= unix_now();
  }

  void visit(const queue::Entry& listed) {
    if (!due(listed) && !listed.state.delivered) {
      ++waiting_;
      return;
    }
    std::optional<queue::LockedEntry> locked = store_.try_lock(listed.id);
    if (!locked) return;  // another run is sending it, or has sent it
    if (locked->entry().state.delivered) return settle(*locked, std::nullopt);
    if (!due(locked->entry())) {
      ++waiting_;
      return;
    }
    const std::int64_t lifetime = settings_.lifetime.value_or(kDefaultLifetime);
    if (unix_now() - locked->entry().created > lifetime) return expire(*locked, lifetime);
    send(*locked);
  }

  void send(queue::LockedEntry& locked) {
    std::optional<JobSpec> spec;
    try {
      Options options = options_for_entry(locked.entry());
      options.upload_file = locked.message_path();
      options.verbose = settings_.verbose;
      spec = make_job_spec(options);
    } catch (const Error& error) {
      // A configuration error (no password, no URL...) does not heal by waiting.
      return fail(locked, error, "a configuration error");
    }
    try {
      const SendResult result = run_job(*spec, tracer_, notices_);
      settle(locked, result.messages.empty() ? std::nullopt : result.messages[0].final_reply);
    } catch (const Error& error) {
      MessageOutcome outcome = MessageOutcome::NotSent;
      if (const auto* failure = dynamic_cast<const SendFailure*>(&error);
          failure != nullptr && !failure->result().messages.empty()) {
        outcome = failure->result().messages[0].outcome;
      }
      const FailureKind kind = classify_failure(error, outcome);
      if (kind == FailureKind::Permanent && error.reply()) {
        return fail(locked, error, "refused for good");
      }
      defer(locked, error, kind);
    }
  }

  // The server has it: the entry goes, or is marked delivered when it cannot go.
  void settle(queue::LockedEntry& locked, const std::optional<Reply>& reply) {
    const bool already = locked.entry().state.delivered;
    if (const auto problem = locked.settle_delivered()) {
      if (settings_.show_errors) {
        fmt::print(stderr, "Warning: {}: delivered, but {}\n", locked.entry().id, *problem);
      }
    }
    if (already) return;
    ++sent_;
    if (settings_.verbose > 0) {
      fmt::print(stderr, "smtpc: {}: sent: {}\n", locked.entry().id, reply ? reply->summary() : "");
    }
  }

  void fail(queue::LockedEntry& locked, const Error& error, std::string_view why) {
    note_exit(error.code());
    locked.move_to_failed(describe(error), bounce_report(locked.entry(), why, describe(error)));
    ++failed_;
    if (settings_.show_errors) {
      fmt::print(stderr, "smtpc: {}: {}, moved to failed/: {}\n", locked.entry().id, why,
                 describe(error));
    }
  }

  void expire(queue::LockedEntry& locked, std::int64_t lifetime) {
    note_exit(ExitCode::SendError);
    const std::string why =
        fmt::format("still not delivered after the queue lifetime ({})", lifetime_text(lifetime));
    const std::string& last_error = locked.entry().state.last_error;
    locked.move_to_failed(why + (last_error.empty() ? "" : ": " + last_error),
                          bounce_report(locked.entry(), why, last_error));
    ++failed_;
    if (settings_.show_errors) {
      fmt::print(stderr, "smtpc: {}: {}, moved to failed/: {}\n", locked.entry().id, why,
                 last_error);
    }
  }

  void defer(queue::LockedEntry& locked, const Error& error, FailureKind kind) {
    note_exit(error.code());
    const auto [base, cap] = backoff_limits();
    queue::EntryState state = locked.entry().state;
    ++state.attempts;
    state.last_attempt = unix_now();
    const std::int64_t delay = queue::backoff_seconds(state.attempts, base, cap);
    state.next_attempt = state.last_attempt + delay;
    state.last_error = describe(error);
    state.unconfirmed = state.unconfirmed || kind == FailureKind::Unconfirmed;
    locked.update(state);
    ++deferred_;
    if (settings_.show_errors) {
      fmt::print(stderr, "smtpc: {}: deferred (attempt {}, next in {} s): {}\n", locked.entry().id,
                 state.attempts, delay, describe(error));
    }
  }

  void report_error(const std::string& id, ExitCode code, std::string_view what) {
    note_exit(code);
    if (settings_.show_errors) fmt::print(stderr, "smtpc: {}: {}\n", id, what);
  }

  void note_exit(ExitCode code) {
    if (exit_code_ == 0) exit_code_ = to_int(code);
  }

  queue::Queue store_;
  const QueueRunSettings& settings_;
  Tracer tracer_;
  StderrNotices notices_;
  int exit_code_ = 0;
  int sent_ = 0;
  int deferred_ = 0;
  int failed_ = 0;
  int waiting_ = 0;
};

}  // namespace

int run_queue(const std::string& directory, const QueueRunSettings& settings) {
  return QueueRun(directory, settings).run();
}

int run_queue(const std::string& directory, bool force, int verbose, bool show_errors,
              const std::optional<std::string>& only_url) {
  return run_queue(directory, QueueRunSettings{.force = force,
                                               .verbose = verbose,
                                               .show_errors = show_errors,
                                               .only_url = only_url,
                                               .lifetime = std::nullopt});
}

int list_queue(const std::string& directory, std::FILE* out) {
  const queue::Queue store(directory);
  const auto now = unix_now();
  auto age = [now](std::int64_t then) {
    const std::int64_t s = std::max<std::int64_t>(now - then, 0);
    if (s < 120) return fmt::format("{}s", s);
    if (s < 7200) return fmt::format("{}m", s / 60);
    if (s < 172800) return fmt::format("{}h", s / 3600);
    return fmt::format("{}d", s / 86400);
  };
  auto print = [&](const queue::Entry& entry, bool failed) {
    fmt::print(out, "{}  {} bytes  queued {} ago  attempts {}", entry.id, entry.size,
               age(entry.created), entry.state.attempts);
    if (!failed && entry.state.next_attempt > now) {
      fmt::print(out, "  next in {}", age(now - (entry.state.next_attempt - now)));
    }
    if (failed) fmt::print(out, "  FAILED");
    auto with_parameters = [](std::string_view parameters) {
      return parameters.empty() ? std::string() : fmt::format(" {}", parameters);
    };
    fmt::print(out, "\n  from <{}>{}\n", entry.reverse_path,
               with_parameters(entry.address_parameters.reverse_path));
    for (const auto& rcpt : entry.forward_paths) {
      fmt::print(out, "  to <{}>{}\n", rcpt, with_parameters(entry.address_parameters.of(rcpt)));
    }
    if (const auto url = entry.setting("url")) fmt::print(out, "  via {}\n", *url);
    if (!entry.state.last_error.empty()) {
      fmt::print(out, "  last error: {}\n", entry.state.last_error);
    }
    if (entry.state.unconfirmed) {
      fmt::print(out,
                 "  may already have been delivered: an end of data went unanswered "
                 "(a resend may duplicate it)\n");
    }
    if (entry.state.delivered) {
      fmt::print(out, "  delivered; its removal failed: the next queue run removes it\n");
    }
    if (entry.owner != ::geteuid()) fmt::print(out, "  owned by uid {}: never sent\n", entry.owner);
  };
  const auto entries = store.list();
  for (const auto& entry : entries) print(entry, false);
  const auto unreadable = store.list_unreadable();
  for (const auto& broken : unreadable) {
    fmt::print(out, "{}  unreadable: {}\n", broken.id, broken.reason);
  }
  const auto failed = store.list_failed();
  for (const auto& entry : failed) print(entry, true);
  const std::size_t total = entries.size() + unreadable.size();
  if (total == 0) {
    fmt::print(out, "Mail queue is empty ({})\n", store.directory());
  } else {
    fmt::print(out, "{} message{} queued in {}", total, total == 1 ? "" : "s", store.directory());
    if (!unreadable.empty()) fmt::print(out, " ({} unreadable)", unreadable.size());
    fmt::print(out, "\n");
  }
  if (!failed.empty()) fmt::print(out, "{} in failed/\n", failed.size());
  return std::fflush(out) == 0 ? 0 : to_int(ExitCode::WriteError);
}

}  // namespace smtpc::cli
