// smtpc's entry point: parse curl's command line, run each transfer in order, report
// errors the way curl does.
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include "command_line.hpp"
#include "config.hpp"
#include "credentials.hpp"
#include "dkim_cli.hpp"
#include "option_table.hpp"
#include "options.hpp"
#include "output_file.hpp"
#include "queue_cli.hpp"
#include "report.hpp"
#include "sendmail.hpp"
#include "serverinfo.hpp"
#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "version.hpp"
#include "write_out.hpp"

namespace {

using smtpc::ExitCode;

struct FileCloser {
  void operator()(std::FILE* file) const {
    if (file != nullptr && file != stdout && file != stderr) std::fclose(file);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// "-" is stdout and "%" stderr, as in curl's --trace-ascii.
FilePtr open_output(const std::string& path, std::string_view option) {
  if (path == "-") return FilePtr(stdout);
  if (path == "%") return FilePtr(stderr);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    throw smtpc::Error(
        smtpc::ExitCode::WriteError,
        fmt::format("{}: cannot open \"{}\": {}", option, path, std::strerror(errno)));
  }
  return FilePtr(file);
}

// curl stops the remaining transfers after these (tool_operate.c is_fatal_error).
bool is_fatal(int code) {
  return code == smtpc::to_int(ExitCode::FailedInit) ||
         code == smtpc::to_int(ExitCode::UnsupportedProtocol);
}

// What -w reports of the connection: as far as the job got, times from the transfer's start.
void record_connection(const smtpc::JobProgress& progress,
                       std::chrono::steady_clock::time_point start,
                       smtpc::cli::TransferReport& report) {
  const auto& connection = progress.connection;
  auto seconds = [start](const std::optional<std::chrono::steady_clock::time_point>& at) {
    return at ? std::chrono::duration<double>(*at - start).count() : 0.0;
  };
  report.time_namelookup = seconds(connection.resolved);
  report.time_connect = seconds(connection.connected);
  report.time_appconnect = seconds(progress.tls_connected);
  report.num_connects = connection.connected ? 1 : 0;
  report.remote_ip = connection.remote_ip;
  report.remote_port = connection.remote_port;
  report.local_ip = connection.local_ip;
  report.local_port = connection.local_port;
  if (progress.tls_details) {
    report.ssl_verify_result = progress.tls_details->verify_code;
    for (const auto& cert : progress.tls_details->chain) report.certs.push_back(cert.certinfo);
  }
  report.size_upload = static_cast<long long>(progress.body_bytes_sent);
}

// One transfer: one URL with its options. Returns its exit code; prints its error.
int run_transfer(smtpc::cli::Options options) {
  const bool show_errors = !options.silent || options.show_error;
  smtpc::cli::TransferReport report;
  report.url = options.url;
  const auto start = std::chrono::steady_clock::now();
  // -w goes out after every transfer, whichever way it ended.
  auto finish = [&](int exit_code) {
    report.exit_code = exit_code;
    report.time_total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.write_out) {
      try {
        smtpc::cli::write_out(*options.write_out, report);
      } catch (const smtpc::Error& error) {
        if (show_errors) fmt::print(stderr, "smtpc: {}\n", error.what());
      }
    }
    return exit_code;
  };
  smtpc::cli::OutputSettings output_settings{
      .output = options.output,
      .output_dir = options.output_dir,
      .create_dirs = options.create_dirs,
      .clobber = options.clobber,
      .remove_on_error = options.remove_on_error,
  };
  std::optional<std::string> output_written;  // the -o file this transfer created
  int code = 0;
  try {
    if (options.queue_list) {
      return smtpc::cli::list_queue(smtpc::cli::queue_directory(options), stdout);
    }
    if (options.queue_run) {
      return smtpc::cli::run_queue(smtpc::cli::queue_directory(options),
                                   {.force = options.force,
                                    .verbose = options.verbose,
                                    .show_errors = show_errors,
                                    .only_url = std::nullopt,
                                    .lifetime = options.queue_lifetime});
    }
    if (options.dkim.keygen) return smtpc::cli::run_dkim_keygen(options.dkim, stdout);
    const smtpc::cli::QueueContext queue_context = smtpc::cli::config_in_use(options);
    smtpc::cli::apply_config_profile(options);  // --account-file, -a, or no URL given
    if (options.unused_account_login && options.verbose > 0 && !options.silent) {
      fmt::print(stderr, "* {}: its login is not used: direct delivery (--mx) never logs in\n",
                 *options.unused_account_login);
    }
    if (options.dkim.check) {
      return smtpc::cli::run_dkim_check(options.dkim, options.dns_servers, stdout);
    }
    options.url = smtpc::cli::effective_url(options);  // --proto-default
    if (options.remote_name) output_settings.output = smtpc::cli::remote_file_name(options.url);
    if (options.proto && !options.silent) {
      std::vector<std::string> unknown;
      (void)smtpc::cli::protocol_allowed(*options.proto, "smtp", &unknown);
      for (const auto& name : unknown) {
        fmt::print(stderr, "Warning: unrecognized protocol '{}'\n", name);
      }
    }
    report.url = options.url;
    if (options.head && options.upload_file) {
      throw smtpc::Error(ExitCode::FailedInit,
                         "You can only select one request method! You asked for both an "
                         "upload (-T, --upload-file) and HEAD (-I, --head).");
    }
    const smtpc::JobSpec spec = smtpc::cli::make_job_spec(options);
    // curl makes -o's directories before the transfer, whatever it then writes.
    if (const auto path = smtpc::cli::output_path(output_settings); path && options.create_dirs) {
      smtpc::cli::create_parent_dirs(*path);
    }
    auto add_size = [&report](const std::string& path) {
      struct stat info {};
      if (path != "-" && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
        report.size_upload += static_cast<long long>(info.st_size);
      }
    };
    if (options.upload_file) add_size(*options.upload_file);
    for (const auto& path : options.more_upload_files) add_size(path);
    if (options.compose.dump_message) {
      smtpc::cli::write_message(spec, stdout);
      return 0;
    }
    FilePtr trace_file;
    if (options.trace_ascii) trace_file = open_output(*options.trace_ascii, "--trace-ascii");
    smtpc::Tracer tracer(smtpc::TraceOptions{
        .verbosity = options.verbose,
        .verbose_stream = stderr,
        .ascii_stream = trace_file.get(),
        .with_time = options.trace_time,
        .ids = options.trace_ids ? std::optional<std::size_t>(options.transfer_id) : std::nullopt,
    });
    smtpc::cli::StderrNotices notices(!options.silent);
    if (options.debug.serverinfo || options.debug.serverinfo_json) {
      // -w '%{json}' writes the report as JSON, in place of the report on stdout.
      const bool json_in_write_out =
          options.write_out && options.write_out->find("%{json}") != std::string::npos;
      return finish(smtpc::cli::run_serverinfo(spec, tracer, notices, options.debug.serverinfo_json,
                                               json_in_write_out ? nullptr : stdout,
                                               report.serverinfo_json.emplace()));
    }
    if (const auto mx = smtpc::cli::make_mx_options(options, spec)) {
      if (options.queue || options.retry > 0) {
        throw smtpc::Error(ExitCode::FailedInit, "--queue and --retry do not work with --mx yet");
      }
      return finish(
          smtpc::cli::report_mx_delivery(smtpc::run_mx_delivery(spec, *mx, tracer, notices),
                                         options.verbose > 0 && !options.silent, show_errors));
    }
    if (options.queue || options.retry > 0) {
      if (spec.session.mode != smtpc::SessionMode::SendMail) {
        throw smtpc::Error(ExitCode::FailedInit,
                           "--queue and --retry need a message to send (-T or a composed one)");
      }
      return smtpc::cli::send_reliably(options, spec, queue_context, tracer, notices);
    }
    smtpc::JobProgress progress;
    try {
      // The meter ends its line when it goes out of scope, before any report or error.
      smtpc::cli::ProgressMeter meter(smtpc::cli::progress_style(options), stderr, start,
                                      smtpc::cli::terminal_columns());
      smtpc::cli::StderrNotices job_notices(!options.silent, &meter);
      report.result = smtpc::run_job(spec, tracer, job_notices, progress);
      record_connection(progress, start, report);
    } catch (const smtpc::SendFailure& failure) {
      record_connection(progress, start, report);
      report.result = failure.result();
      smtpc::cli::report_messages(failure.result(), spec, !options.silent, show_errors);
      // As curl, the text received before the failure is written.
      if (!failure.result().output.empty() && !options.head) {
        smtpc::cli::write_output(output_settings, failure.result().output, output_written);
      }
      throw;
    } catch (const smtpc::Error&) {
      record_connection(progress, start, report);
      throw;
    }
    smtpc::cli::report_messages(*report.result, spec, !options.silent, show_errors);
    // As curl, a transfer that succeeds without output still creates the -o/-O file.
    if (options.xattr)
      output_settings.origin_url = smtpc::cli::url_without_credentials(options.url);
    smtpc::cli::write_output(output_settings,
                             options.head ? std::vector<std::string>{} : report.result->output,
                             output_written);
  } catch (const smtpc::cli::UsageError& error) {
    if (show_errors) fmt::print(stderr, "smtpc: {}\n", error.what());
    code = smtpc::to_int(error.code());
    report.error = error.what();
  } catch (const smtpc::Error& error) {
    if (show_errors) {
      // The message may quote the server (a reply, a certificate name): made inert.
      fmt::print(stderr, "smtpc: ({}) {}\n", smtpc::to_int(error.code()),
                 smtpc::escape_controls(error.what()));
    }
    code = smtpc::to_int(error.code());
    report.error = error.what();
    if (error.reply()) report.error_reply = error.reply()->code.value();
  } catch (const std::exception& error) {
    if (show_errors) {
      fmt::print(stderr, "smtpc: (2) internal error: {}\n", smtpc::escape_controls(error.what()));
    }
    code = smtpc::to_int(ExitCode::FailedInit);
    report.error = error.what();
  }
  if (code != 0 && options.remove_on_error && output_written) {
    if (options.verbose > 0 && !options.silent) {
      fmt::print(stderr, "Note: Removing output file: {}\n", *output_written);
    }
    std::remove(output_written->c_str());
  }
  return finish(code);
}

}  // namespace

int main(int argc, char** argv) {
  // A core dump would hold the password and the message: none is written, and the user's
  // other processes cannot ptrace smtpc or read its memory (issue 19, item 5).
  ::prctl(PR_SET_DUMPABLE, 0);
  // As curl: a peer or a reader that went away is a write error (EPIPE) to report, not a
  // signal that kills smtpc mid-dialogue (OpenSSL writes to the socket with write(2)).
  std::signal(SIGPIPE, SIG_IGN);
  if (smtpc::cli::is_sendmail_invocation(argc, argv)) return smtpc::cli::run_sendmail(argc, argv);
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  // --help [all|CATEGORY], as curl's: rendered from the option table.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "-h" && args[i] != "--help") continue;
    const std::string topic =
        i + 1 < args.size() && !args[i + 1].starts_with('-') ? args[i + 1] : std::string();
    std::string_view program = argc > 0 ? argv[0] : "smtpc";
    if (const auto slash = program.rfind('/'); slash != std::string_view::npos) {
      program.remove_prefix(slash + 1);
    }
    const std::string text =
        smtpc::cli::render_help(smtpc::cli::describe_options(), topic, program);
    if (text.empty()) {
      fmt::print(stderr, "smtpc: ({}) --help: no category \"{}\"; try --help all\n",
                 smtpc::to_int(ExitCode::FailedInit), topic);
      return smtpc::to_int(ExitCode::FailedInit);
    }
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  smtpc::cli::CommandLine command_line;
  try {
    command_line = smtpc::cli::parse_command_line(args);
  } catch (const smtpc::cli::UsageError& error) {
    fmt::print(stderr, "smtpc: {}\nsmtpc: try 'smtpc --help' for more information\n", error.what());
    return smtpc::to_int(error.code());
  } catch (const smtpc::Error& error) {
    fmt::print(stderr, "smtpc: ({}) {}\n", smtpc::to_int(error.code()), error.what());
    return smtpc::to_int(error.code());
  }
  smtpc::cli::scrub_secrets(argc, argv, command_line.secrets);
  if (!command_line.operations.front().silent) {
    for (const auto& warning : command_line.warnings) fmt::print(stderr, "Warning: {}\n", warning);
  }
  if (command_line.help) {  // -M/--manual, or --help after "--"-less parsing above
    std::fputs(smtpc::cli::render_help(smtpc::cli::describe_options(), "all", "smtpc").c_str(),
               stdout);
    return 0;
  }
  if (command_line.version) {
    fmt::print("{}\n", smtpc::cli::version_text());
    return 0;
  }
  const auto& first = command_line.operations.front();
  if (first.stderr_file && *first.stderr_file != "-") {
    if (std::freopen(first.stderr_file->c_str(), "w", stderr) == nullptr) {
      fmt::print(stdout, "smtpc: --stderr: cannot open {}\n", *first.stderr_file);
      return smtpc::to_int(ExitCode::WriteError);
    }
  }
  int code = 0;
  // --rate: curl waits before each transfer but the first until its interval has passed.
  std::optional<std::chrono::steady_clock::time_point> last_start;
  std::size_t transfer_id = 0;  // --trace-ids: curl numbers transfers from 0
  for (const auto& operation : command_line.operations) {
    if (operation.outputs.size() > std::max<std::size_t>(operation.urls.size(), 1) &&
        !operation.silent) {
      fmt::print(stderr, "Warning: Got more output options than URLs\n");
    }
    for (auto& transfer : smtpc::cli::expand_transfers(operation)) {
      if (last_start && transfer.rate_ms) {
        std::this_thread::sleep_until(*last_start + std::chrono::milliseconds(*transfer.rate_ms));
      }
      last_start = std::chrono::steady_clock::now();
      transfer.transfer_id = transfer_id++;
      code = run_transfer(std::move(transfer));
      if (is_fatal(code) || (code != 0 && operation.fail_early)) return code;
    }
  }
  return code;
}
