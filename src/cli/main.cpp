// smtpc's entry point: parse, run the job, report errors the way curl does.
#include <fmt/format.h>
#include <openssl/opensslv.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "config.hpp"
#include "credentials.hpp"
#include "options.hpp"
#include "sendmail.hpp"
#include "smtpc/core/error.hpp"

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

// Direct delivery: each domain's outcome with -v or when one failed, then the first
// failure as the error line and its code as the exit status.
int report_mx_delivery(const smtpc::MxReport& report, const smtpc::cli::Options& options,
                       bool show_errors) {
  const smtpc::DomainOutcome* failure = report.first_failure();
  if ((failure != nullptr && show_errors) || (options.verbose > 0 && !options.silent)) {
    for (const auto& line : report.summary()) fmt::print(stderr, "smtpc: {}\n", line);
  }
  if (failure == nullptr) return 0;
  if (show_errors) {
    fmt::print(stderr, "smtpc: ({}) {}: {}\n", smtpc::to_int(failure->error->code()),
               failure->domain, failure->error->what());
  }
  return smtpc::to_int(failure->error->code());
}

}  // namespace

int main(int argc, char** argv) {
  using smtpc::ExitCode;
  if (smtpc::cli::is_sendmail_invocation(argc, argv)) return smtpc::cli::run_sendmail(argc, argv);
  smtpc::cli::Options options;
  CLI::App app{"smtpc: send mail over SMTP with curl's command line"};
  app.set_version_flag("-V,--version",
                       fmt::format("smtpc {} ({})", SMTPC_VERSION, OPENSSL_VERSION_TEXT));
  smtpc::cli::add_options(app, options);
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
        .show_warnings = !options.silent,
    });
    if (const auto mx = smtpc::cli::make_mx_options(options, spec)) {
      return report_mx_delivery(smtpc::run_mx_delivery(spec, *mx, tracer), options, show_errors);
    }
    const smtpc::SendResult result = smtpc::run_job(spec, tracer);
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
