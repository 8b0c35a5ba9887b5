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
#include "smtpc/delivery/delivery.hpp"
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

// A plain send keeps nothing and never retries, so the engine has nothing to tell.
class NoDeliveryEvents final : public smtpc::delivery::DeliveryEvents {
 public:
  void queue_unavailable(const smtpc::Error& /*error*/) override {}
  void retrying(smtpc::FailureKind /*kind*/, std::chrono::milliseconds /*delay*/,
                int /*retries_left*/) override {}
  void delivered_with_problem(std::size_t /*index*/, std::string_view /*problem*/) override {}
  void recipients_deferred(std::size_t /*index*/, const std::vector<std::string>& /*recipients*/,
                           std::string_view /*reason*/, std::string_view /*id*/,
                           std::string_view /*problem*/) override {}
};

// One transfer: one URL with its options. run() returns its exit code, having printed its
// report and error line; everything it sends goes through the delivery engine, and this
// class only turns options into requests and the engine's reports into curl's output.
class Transfer {
 public:
  explicit Transfer(smtpc::cli::Options options)
      : options_(std::move(options)),
        show_errors_(!options_.silent || options_.show_error),
        start_(std::chrono::steady_clock::now()),
        output_settings_{
            .output = options_.output,
            .output_dir = options_.output_dir,
            .create_dirs = options_.create_dirs,
            .clobber = options_.clobber,
            .remove_on_error = options_.remove_on_error,
        } {
    report_.url = options_.url;
  }

  int run() {
    int code = 0;
    try {
      const Ended ended = perform();
      return ended.transfer ? finish(ended.code) : ended.code;
    } catch (const smtpc::cli::UsageError& error) {
      if (show_errors_) fmt::print(stderr, "smtpc: {}\n", error.what());
      code = smtpc::to_int(error.code());
      report_.error = error.what();
    } catch (const smtpc::Error& error) {
      if (show_errors_) {
        // The message may quote the server (a reply, a certificate name): made inert.
        fmt::print(stderr, "smtpc: ({}) {}\n", smtpc::to_int(error.code()),
                   smtpc::escape_controls(error.what()));
      }
      code = smtpc::to_int(error.code());
      report_.error = error.what();
      if (error.reply()) report_.error_reply = error.reply()->code.value();
    } catch (const std::exception& error) {
      if (show_errors_) {
        fmt::print(stderr, "smtpc: (2) internal error: {}\n", smtpc::escape_controls(error.what()));
      }
      code = smtpc::to_int(ExitCode::FailedInit);
      report_.error = error.what();
    }
    if (code != 0 && options_.remove_on_error && output_written_) {
      if (options_.verbose > 0 && !options_.silent) {
        fmt::print(stderr, "Note: Removing output file: {}\n", *output_written_);
      }
      std::remove(output_written_->c_str());
    }
    return finish(code);
  }

 private:
  // How a step ended: its exit code, and whether it was a transfer that -w reports (the
  // queue and DKIM tools, --dump-message and --queue/--retry sends are not).
  struct Ended {
    int code = 0;
    bool transfer = true;
  };

  // -w goes out after every transfer, whichever way it ended.
  int finish(int exit_code) {
    report_.exit_code = exit_code;
    report_.time_total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (options_.write_out) {
      try {
        smtpc::cli::write_out(*options_.write_out, report_);
      } catch (const smtpc::Error& error) {
        if (show_errors_) fmt::print(stderr, "smtpc: {}\n", error.what());
      }
    }
    return exit_code;
  }

  // The tools that send nothing, then the options made into a job, then the send.
  Ended perform() {
    if (options_.queue_list) {
      return {smtpc::cli::list_queue(smtpc::cli::queue_directory(options_), stdout), false};
    }
    if (options_.queue_run) {
      return {smtpc::cli::run_queue(smtpc::cli::queue_directory(options_),
                                    {.force = options_.force,
                                     .verbose = options_.verbose,
                                     .show_errors = show_errors_,
                                     .only_url = std::nullopt,
                                     .lifetime = options_.queue_lifetime}),
              false};
    }
    if (options_.dkim.keygen) return {smtpc::cli::run_dkim_keygen(options_.dkim, stdout), false};
    const smtpc::cli::QueueContext queue_context = smtpc::cli::config_in_use(options_);
    smtpc::cli::apply_config_profile(options_);  // --account-file, -a, or no URL given
    if (options_.unused_account_login && options_.verbose > 0 && !options_.silent) {
      fmt::print(stderr, "* {}: its login is not used: direct delivery (--mx) never logs in\n",
                 *options_.unused_account_login);
    }
    if (options_.dkim.check) {
      return {smtpc::cli::run_dkim_check(options_.dkim, options_.dns_servers, stdout), false};
    }
    options_.url = smtpc::cli::effective_url(options_);  // --proto-default
    if (options_.remote_name) output_settings_.output = smtpc::cli::remote_file_name(options_.url);
    warn_of_unknown_protocols();
    report_.url = options_.url;
    if (options_.head && options_.upload_file) {
      throw smtpc::Error(ExitCode::FailedInit,
                         "You can only select one request method! You asked for both an "
                         "upload (-T, --upload-file) and HEAD (-I, --head).");
    }
    const smtpc::JobSpec spec = smtpc::cli::make_job_spec(options_);
    // curl makes -o's directories before the transfer, whatever it then writes.
    if (const auto path = smtpc::cli::output_path(output_settings_); path && options_.create_dirs) {
      smtpc::cli::create_parent_dirs(*path);
    }
    count_upload_sizes();
    if (options_.compose.dump_message) {
      smtpc::cli::write_message(spec, stdout);
      return {0, false};
    }
    return send(spec, queue_context);
  }

  void warn_of_unknown_protocols() const {
    if (!options_.proto || options_.silent) return;
    std::vector<std::string> unknown;
    (void)smtpc::cli::protocol_allowed(*options_.proto, "smtp", &unknown);
    for (const auto& name : unknown)
      fmt::print(stderr, "Warning: unrecognized protocol '{}'\n", name);
  }

  // -w's size_upload before the send: the -T files' sizes (the job corrects it after).
  void count_upload_sizes() {
    auto add_size = [this](const std::string& path) {
      struct stat info {};
      if (path != "-" && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
        report_.size_upload += static_cast<long long>(info.st_size);
      }
    };
    if (options_.upload_file) add_size(*options_.upload_file);
    for (const auto& path : options_.more_upload_files) add_size(path);
  }

  // The send the options ask for: --serverinfo's probe, --mx, --queue/--retry, or plain.
  Ended send(const smtpc::JobSpec& spec, const smtpc::cli::QueueContext& queue_context) {
    FilePtr trace_file;
    if (options_.trace_ascii) trace_file = open_output(*options_.trace_ascii, "--trace-ascii");
    smtpc::Tracer tracer(smtpc::TraceOptions{
        .verbosity = options_.verbose,
        .verbose_stream = stderr,
        .ascii_stream = trace_file.get(),
        .with_time = options_.trace_time,
        .ids = options_.trace_ids ? std::optional<std::size_t>(options_.transfer_id) : std::nullopt,
    });
    smtpc::cli::StderrNotices notices(!options_.silent);
    if (options_.debug.serverinfo || options_.debug.serverinfo_json) {
      // -w '%{json}' writes the report as JSON, in place of the report on stdout.
      const bool json_in_write_out =
          options_.write_out && options_.write_out->find("%{json}") != std::string::npos;
      return {smtpc::cli::run_serverinfo(spec, tracer, notices, options_.debug.serverinfo_json,
                                         json_in_write_out ? nullptr : stdout,
                                         report_.serverinfo_json.emplace())};
    }
    if (const auto mx = smtpc::cli::make_mx_options(options_, spec)) {
      if (options_.queue || options_.retry > 0) {
        throw smtpc::Error(ExitCode::FailedInit, "--queue and --retry do not work with --mx yet");
      }
      return {send_once(spec, tracer, notices, mx)};
    }
    if (options_.queue || options_.retry > 0) {
      if (spec.session.mode != smtpc::SessionMode::SendMail) {
        throw smtpc::Error(ExitCode::FailedInit,
                           "--queue and --retry need a message to send (-T or a composed one)");
      }
      return {smtpc::cli::send_reliably(options_, spec, queue_context, tracer, notices), false};
    }
    smtpc::cli::ProgressMeter meter(smtpc::cli::progress_style(options_), stderr, start_,
                                    smtpc::cli::terminal_columns());
    smtpc::cli::StderrNotices job_notices(!options_.silent, &meter);
    return {send_once(spec, tracer, job_notices, std::nullopt, &meter)};
  }

  // A plain send or --mx: one attempt through the delivery engine, keeping nothing; then
  // curl's report. Returns 0, or throws the error the attempt ended with.
  int send_once(const smtpc::JobSpec& spec, smtpc::Tracer& tracer, smtpc::Notices& notices,
                const std::optional<smtpc::MxOptions>& mx,
                smtpc::cli::ProgressMeter* meter = nullptr) {
    NoDeliveryEvents events;
    smtpc::delivery::Keeping keep_nothing;
    keep_nothing.nothing = true;
    smtpc::delivery::DeliveryReport delivered =
        smtpc::delivery::deliver(spec, {}, keep_nothing, tracer, notices, events, mx);
    // The meter's line ends before any report or error.
    if (meter != nullptr) meter->finish();
    if (delivered.direct) {
      return smtpc::cli::report_mx_delivery(*delivered.direct,
                                            options_.verbose > 0 && !options_.silent, show_errors_);
    }
    record_connection(delivered.progress, start_, report_);
    if (delivered.conversed) {
      smtpc::SendResult result{{}, std::move(delivered.output)};
      for (auto& message : delivered.messages) result.messages.push_back(std::move(message.result));
      smtpc::cli::report_messages(result, spec, !options_.silent, show_errors_);
      write_output_file(result.output, !delivered.attempt_error);
      report_.result = std::move(result);
    }
    if (delivered.attempt_error) throw *delivered.attempt_error;
    return 0;
  }

  // As curl: the text received is written also before a failure; a transfer that succeeds
  // without any creates the -o/-O file empty, and only then --xattr marks the file.
  void write_output_file(const std::vector<std::string>& output, bool succeeded) {
    const bool text = !output.empty() && !options_.head;
    if (!text && !succeeded) return;
    if (succeeded && options_.xattr) {
      output_settings_.origin_url = smtpc::cli::url_without_credentials(options_.url);
    }
    smtpc::cli::write_output(output_settings_, text ? output : std::vector<std::string>{},
                             output_written_);
  }

  smtpc::cli::Options options_;
  bool show_errors_;
  std::chrono::steady_clock::time_point start_;
  smtpc::cli::OutputSettings output_settings_;
  smtpc::cli::TransferReport report_;
  std::optional<std::string> output_written_;  // the -o file this transfer created
};

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
  for (auto& operation : command_line.operations) {
    if (operation.outputs.size() > std::max<std::size_t>(operation.urls.size(), 1) &&
        !operation.silent) {
      fmt::print(stderr, "Warning: Got more output options than URLs\n");
    }
    const bool fail_early = operation.fail_early;
    for (auto& transfer : smtpc::cli::expand_transfers(std::move(operation))) {
      if (last_start && transfer.rate_ms) {
        std::this_thread::sleep_until(*last_start + std::chrono::milliseconds(*transfer.rate_ms));
      }
      last_start = std::chrono::steady_clock::now();
      transfer.transfer_id = transfer_id++;
      code = Transfer(std::move(transfer)).run();
      if (is_fatal(code) || (code != 0 && fail_early)) return code;
    }
  }
  return code;
}
