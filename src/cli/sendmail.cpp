// sendmail mode: sendmail's command line -> Options -> the usual job, sysexits on failure.
#include "sendmail.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "config.hpp"
#include "options.hpp"
#include "queue_cli.hpp"
#include "report.hpp"
#include "sendmail_session.hpp"
#include "smtpc/compose/address_list.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/job/job.hpp"
#include "smtpc/queue/location.hpp"
#include "smtpc/smtp/dsn.hpp"
#include "system_spool.hpp"

namespace smtpc::cli {
namespace {

[[noreturn]] void usage(const std::string& what) { throw Error(ExitCode::FailedInit, what); }

std::string base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The queue options of the config file (queue-dir). A config that this user cannot read
// (root's /etc/smtpc.conf, mode 0600, for www-data) is no reason to leave the queue alone:
// each entry names its own settings. One given with -C must be readable.
Options queue_options(const SendmailArgs& parsed) {
  Options options;
  const auto path = config_file_for(parsed.config);
  if (!path) return options;
  try {
    apply_account(load_config(*path), parsed.account, options);
  } catch (const Error&) {
    if (parsed.config) throw;
    options = Options{};
  }
  return options;
}

// -bp and -q. A queue run prints nothing unless -v (Postfix's sendmail -q is silent too):
// cron mails any output, and a "deferred" line mailed during an outage would be queued in
// turn. Failures stay queued (or move to failed/); the run itself succeeded.
int run_sendmail_queue(const SendmailArgs& parsed) {
  const Options options = queue_options(parsed);
  const std::string directory = queue_directory(options);
  if (parsed.mode == SendmailArgs::Mode::QueueList) return list_queue(directory, stdout);
  const bool show = parsed.verbose > 0;
  auto run = [&parsed, show](const std::string& dir) {
    return run_queue(dir, parsed.force_queue_run, parsed.verbose, show, std::nullopt);
  };
  (void)run(directory);
  // Root's queue run also delivers the per-uid queues of the system spool, each as its user.
  if (::geteuid() == 0 && !options.queue_dir && directory == queue::kSystemSpool) {
    (void)run_user_queues(directory, run);
  }
  return 0;
}

// The relay and account settings: $SMTPC_URL, the config file (-C, else the user's own),
// its account (-a). `path` is set to the config file read.
Options relay_options(const SendmailArgs& parsed, std::optional<std::string>& path) {
  Options options;
  options.mail_from = parsed.from;
  if (const char* url = std::getenv("SMTPC_URL"); url != nullptr && *url != '\0') {
    options.url = url;
  }
  path = config_file_for(parsed.config);
  if (path) {
    apply_account(load_config(*path), parsed.account, options);
  } else if (parsed.account) {
    usage("-a given but no config file was found");
  }
  if (options.url.empty()) {
    usage(
        "no SMTP server configured: set url in ~/.config/smtpc/config (or /etc/smtpc.conf), "
        "or SMTPC_URL");
  }
  options.verbose = parsed.verbose;
  return options;
}

}  // namespace

SendmailArgs parse_sendmail_args(const std::vector<std::string>& args) {
  SendmailArgs out;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // The value of -x: attached ("-fADDR") or the next argument ("-f ADDR").
    auto value = [&](std::size_t prefix) -> std::string {
      if (arg.size() > prefix) return arg.substr(prefix);
      if (i + 1 >= args.size()) usage(fmt::format("option {} needs an argument", arg));
      return args[++i];
    };
    if (options_done || arg.empty() || arg.front() != '-' || arg == "-") {
      for (auto& mailbox : parse_address_list(arg)) {
        out.recipients.push_back(std::move(mailbox.address));
      }
      continue;
    }
    if (arg == "--") {
      options_done = true;
    } else if (arg == "--sendmail") {
      continue;
    } else if (arg.find_first_not_of("tiv", 1) == std::string::npos) {  // -t, -i, -v, -ti...
      for (const char c : std::string_view(arg).substr(1)) {
        if (c == 't') out.read_recipients = true;
        if (c == 'i') out.ignore_dots = true;
        if (c == 'v') ++out.verbose;
      }
    } else if (arg == "-oi") {
      out.ignore_dots = true;
    } else if (arg.starts_with("-f") || arg.starts_with("-r")) {
      out.from = value(2);
    } else if (arg.starts_with("-F")) {
      out.full_name = value(2);
    } else if (arg.starts_with("-C")) {
      out.config = value(2);
    } else if (arg.starts_with("-a")) {
      out.account = value(2);
    } else if (arg.starts_with("-N")) {
      out.dsn_notify = value(2);  // sendmail's DSN options, as msmtp reads them
    } else if (arg.starts_with("-R")) {
      out.dsn_return = value(2);
    } else if (arg.starts_with("-V")) {
      out.dsn_envid = value(2);
    } else if (arg == "-bm" || arg.starts_with("-o")) {
      // Deliver mail (the default) and sendmail's -o options: accepted, no effect.
      if (arg == "-o") (void)value(2);
    } else if (arg.size() >= 2 && std::string_view("BLXhO").find(arg[1]) != std::string::npos) {
      (void)value(2);  // body type, ...: accepted, no effect
    } else if (arg == "-bs") {
      out.mode = SendmailArgs::Mode::SmtpSession;
    } else if (arg == "-bp") {
      out.mode = SendmailArgs::Mode::QueueList;
    } else if (arg == "-q" || arg == "-qf") {
      out.mode = SendmailArgs::Mode::QueueRun;
      out.force_queue_run = true;
    } else if (arg.size() > 2 && arg.starts_with("-q") &&
               std::string_view("0123456789").find(arg[2]) != std::string_view::npos &&
               arg.find_first_not_of("0123456789smhdw", 2) == std::string::npos) {
      out.mode = SendmailArgs::Mode::QueueRun;  // -q15m: one run of what is due (cron)
    } else if (arg.starts_with("-b") || arg.starts_with("-q")) {
      usage(fmt::format("{}: smtpc's sendmail mode only sends mail (-bm)", arg));
    } else {
      usage(fmt::format("unknown option {}", arg));
    }
  }
  return out;
}

SysExit sendmail_exit_code(const Error& error, SendmailStage stage) {
  switch (stage) {
    case SendmailStage::Arguments:
      return SysExit::Usage;
    case SendmailStage::Configuration:
      return SysExit::Config;
    case SendmailStage::Message:
      switch (error.code()) {
        case ExitCode::UnsupportedProtocol:
        case ExitCode::UrlMalformat:
          return SysExit::Config;
        case ExitCode::ReadError:
          return SysExit::IoErr;
        default:
          return SysExit::DataErr;
      }
    case SendmailStage::Delivery:
      break;
  }
  return policy_for(error.kind()).sysexit;  // the one table (smtpc/core/failure.hpp)
}

bool is_sendmail_invocation(int argc, char** argv) {
  if (argc > 0 && argv[0] != nullptr &&
      (base_name(argv[0]) == "sendmail" || base_name(argv[0]) == "mailq")) {
    return true;
  }
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--sendmail") return true;
  }
  return false;
}

namespace {

// Whether --help or -h comes before "--".
bool asks_for_help(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

void print_help(const std::string& program) {
  fmt::print(
      "Usage: {0} [-t] [-i|-oi] [-f ADDRESS] [-F NAME] [-C FILE] [-a ACCOUNT] [RECIPIENT...]\n"
      "smtpc's sendmail mode: reads a message from standard input and sends it through the\n"
      "relay of the config file (man 5 smtpc.conf), as cron and mail(1) expect.\n"
      " -t           add the recipients of To, Cc and Bcc (Bcc is removed)\n"
      " -i, -oi      a line holding only \".\" does not end the message\n"
      " -f ADDRESS   envelope sender (-r too); -F NAME: the name of an added From\n"
      " -C FILE      config file; -a ACCOUNT: its account; -v: the SMTP dialogue\n"
      "Example: printf 'To: me@example.com\\nSubject: hi\\n\\nhello\\n' | {0} -t -oi\n"
      "Exit codes are sysexits(3) values. More: man smtpc (SENDMAIL MODE), "
      "/usr/share/doc/smtpc/cron.md\n",
      program);
}

}  // namespace

int run_sendmail(int argc, char** argv) {
  const std::string program = argc > 0 && argv[0] != nullptr ? base_name(argv[0]) : "sendmail";
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  // sendmail itself has no --help; ours answers it before reading a message.
  if (asks_for_help(args)) {
    print_help(program);
    return 0;
  }
  SendmailStage stage = SendmailStage::Arguments;
  try {
    SendmailArgs parsed = parse_sendmail_args(args);
    if (program == "mailq") parsed.mode = SendmailArgs::Mode::QueueList;
    if (parsed.mode == SendmailArgs::Mode::SmtpSession) {
      stage = SendmailStage::Configuration;
      std::optional<std::string> path;
      Options options = relay_options(parsed, path);
      stage = SendmailStage::Delivery;
      return run_smtp_session(options,
                              {.config_path = path, .account = parsed.account, .sendmail = true});
    }
    if (parsed.mode != SendmailArgs::Mode::Send) {
      stage = SendmailStage::Configuration;
      return run_sendmail_queue(parsed);
    }
    // A bad -N, -R or -V is a usage error (EX_USAGE), found before anything is read.
    (void)make_dsn_request(parsed.dsn_notify, parsed.dsn_return, parsed.dsn_envid, false);
    if (!parsed.read_recipients && parsed.recipients.empty()) {
      usage("no recipients: give them as arguments, or -t to read them from the message");
    }

    stage = SendmailStage::Configuration;
    std::optional<std::string> path;
    Options options = relay_options(parsed, path);

    stage = SendmailStage::Message;
    options.mail_rcpt = parsed.recipients;
    options.upload_file.emplace("-");
    options.verbose = parsed.verbose;
    options.compose.sendmail = true;
    options.compose.read_recipients = parsed.read_recipients;
    options.compose.stop_at_lone_dot = !parsed.ignore_dots;
    options.compose.full_name = parsed.full_name;
    options.debug.dsn_notify = parsed.dsn_notify;
    options.debug.dsn_return = parsed.dsn_return;
    options.debug.dsn_envid = parsed.dsn_envid;
    const JobSpec spec = make_job_spec(options);

    stage = SendmailStage::Delivery;
    Tracer tracer(TraceOptions{.verbosity = options.verbose});
    StderrNotices notices(true);
    // Queued first, as every sendmail does: a transient failure exits 0 with the message
    // queued, and a delivery flushes what waits for the same server.
    const QueueContext context{.config_path = path, .account = parsed.account, .sendmail = true};
    return send_reliably(options, spec, context, tracer, notices);
  } catch (const ConfigPermissionError& error) {
    fmt::print(stderr, "{}: {}\n", program, error.what());
    return static_cast<int>(SysExit::NoPerm);
  } catch (const Error& error) {
    fmt::print(stderr, "{}: {}\n", program, escape_controls(error.what()));  // may quote a server
    return static_cast<int>(sendmail_exit_code(error, stage));
  } catch (const std::exception& error) {
    fmt::print(stderr, "{}: internal error: {}\n", program, error.what());
    return static_cast<int>(SysExit::Software);
  }
}

}  // namespace smtpc::cli
