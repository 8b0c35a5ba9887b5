// smtpc's entry point: parse, run the job, report errors the way curl does.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config.hpp"
#include "credentials.hpp"
#include "option_table.hpp"
#include "options.hpp"
#include "queue_cli.hpp"
#include "report.hpp"
#include "sendmail.hpp"
#include "smtpc/core/error.hpp"
#include "version.hpp"

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  using smtpc::ExitCode;
  if (smtpc::cli::is_sendmail_invocation(argc, argv)) return smtpc::cli::run_sendmail(argc, argv);
  smtpc::cli::Options options;
  CLI::App app{"smtpc: send mail over SMTP with curl's command line"};
  smtpc::cli::register_program_options(app, options, smtpc::cli::version_text);
  // --help [all|CATEGORY], as curl's: rendered from the option table.
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg != "-h" && arg != "--help") continue;
    const std::string_view topic = i + 1 < argc && argv[i + 1][0] != '-' ? argv[i + 1] : "";
    std::string_view program = argv[0];
    if (const auto slash = program.rfind('/'); slash != std::string_view::npos) {
      program.remove_prefix(slash + 1);
    }
    const std::string text =
        smtpc::cli::render_help(smtpc::cli::describe_options(app), topic, program);
    if (text.empty()) {
      fmt::print(stderr, "smtpc: ({}) --help: no category \"{}\"; try --help all\n",
                 smtpc::to_int(ExitCode::FailedInit), topic);
      return smtpc::to_int(ExitCode::FailedInit);
    }
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    fmt::print(stderr, "smtpc: ({}) {}\nsmtpc: try 'smtpc --help' for more information\n",
               smtpc::to_int(ExitCode::FailedInit), error.what());
    return smtpc::to_int(ExitCode::FailedInit);
  }

  smtpc::cli::scrub_secrets(argc, argv);
  const bool show_errors = !options.silent || options.show_error;
  try {
    if (options.queue_list) {
      return smtpc::cli::list_queue(smtpc::cli::queue_directory(options), stdout);
    }
    if (options.queue_run) {
      return smtpc::cli::run_queue(smtpc::cli::queue_directory(options), options.force,
                                   options.verbose, show_errors, std::nullopt);
    }
    const smtpc::cli::QueueContext queue_context = smtpc::cli::config_in_use(options);
    smtpc::cli::apply_config_profile(options);  // --config, -a, or no URL given
    const smtpc::JobSpec spec = smtpc::cli::make_job_spec(options);
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
    });
    smtpc::cli::StderrNotices notices(!options.silent);
    if (const auto mx = smtpc::cli::make_mx_options(options, spec)) {
      if (options.queue || options.retry > 0) {
        throw smtpc::Error(ExitCode::FailedInit, "--queue and --retry do not work with --mx yet");
      }
      return smtpc::cli::report_mx_delivery(smtpc::run_mx_delivery(spec, *mx, tracer, notices),
                                            options.verbose > 0 && !options.silent, show_errors);
    }
    if (options.queue || options.retry > 0) {
      if (spec.session.mode != smtpc::SessionMode::SendMail) {
        throw smtpc::Error(ExitCode::FailedInit,
                           "--queue and --retry need a message to send (-T or a composed one)");
      }
      return smtpc::cli::send_reliably(options, spec, queue_context, tracer, notices);
    }
    smtpc::SendResult result;
    try {
      result = smtpc::run_job(spec, tracer, notices);
    } catch (const smtpc::SendFailure& failure) {
      smtpc::cli::report_messages(failure.result(), spec, !options.silent);
      throw;
    }
    smtpc::cli::report_messages(result, spec, !options.silent);
    if (!result.output.empty()) {
      FilePtr output = open_output(options.output.value_or("-"), "--output");
      for (const auto& line : result.output) fmt::print(output.get(), "{}\n", line);
      if (std::fflush(output.get()) != 0) {
        throw smtpc::Error(ExitCode::WriteError, "failed writing the output");
      }
    }
    return 0;
  } catch (const smtpc::Error& error) {
    if (show_errors)
      fmt::print(stderr, "smtpc: ({}) {}\n", smtpc::to_int(error.code()), error.what());
    return smtpc::to_int(error.code());
  } catch (const std::exception& error) {
    if (show_errors) fmt::print(stderr, "smtpc: (2) internal error: {}\n", error.what());
    return smtpc::to_int(ExitCode::FailedInit);
  }
}
