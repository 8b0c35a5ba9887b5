// curl as the oracle: the same command lines, options in various orders, run with curl
// 7.88 and with smtpc against fresh local servers; exit codes, what the servers received
// and stored, and what was written to stdout must match.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

using ::testing::HasSubstr;

constexpr const char* kCurl = "/usr/bin/curl";
constexpr std::string_view kMessage = "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n";

struct Outcome {
  RunResult run;
  std::vector<std::string> log;
  std::vector<Message> messages;
};

// Runs `program` with `args`, where {URL} and {URL2} are URLs of one fresh server (EHLO
// names h1 and h2) and {DIR} a directory holding mail.txt, mail2.txt and curl.cfg.
Outcome run_against_server(const std::string& program, const std::vector<std::string>& args,
                           const std::string& stdin_data = "", const std::string& config = "") {
  SmtpServer server;
  TempDir dir;
  dir.write_file("mail.txt", kMessage);
  dir.write_file("mail2.txt", "Subject: second\r\n\r\nbody two\r\n");
  dir.write_file("empty.txt", "");
  const std::vector<std::pair<std::string, std::string>> replacements{
      {"{URL}", server.url("h1")}, {"{URL2}", server.url("h2")}, {"{DIR}", dir.path()}};
  auto substitute = [&](std::string text) {
    for (const auto& [from, to] : replacements) {
      for (auto at = text.find(from); at != std::string::npos; at = text.find(from)) {
        text.replace(at, from.size(), to);
      }
    }
    return text;
  };
  dir.write_file("curl.cfg", substitute(config));
  std::vector<std::string> argv{program};
  for (const auto& arg : args) argv.push_back(substitute(arg));
  Outcome outcome;
  outcome.run = run_program(argv, stdin_data, {"HOME=" + dir.path()});
  outcome.log = server.log_lines();
  outcome.messages = server.messages();
  return outcome;
}

// `same_connection`: false where curl reuses its connection for the next URL to the same
// server (no new EHLO, docs/curl-differences.md): then the command logs differ by design.
void expect_same(const std::vector<std::string>& args, const std::string& stdin_data = "",
                 const std::string& config = "", bool compare_stdout = true,
                 bool same_connection = true) {
  SCOPED_TRACE(::testing::PrintToString(args));
  const Outcome curl = run_against_server(kCurl, args, stdin_data, config);
  const Outcome smtpc = run_against_server(SMTPC_BINARY, args, stdin_data, config);
  EXPECT_EQ(smtpc.run.exit_code, curl.run.exit_code)
      << "curl: " << curl.run.err << "\nsmtpc: " << smtpc.run.err;
  if (same_connection) {
    EXPECT_EQ(smtpc.log, curl.log);
  }
  ASSERT_EQ(smtpc.messages.size(), curl.messages.size());
  for (std::size_t i = 0; i < curl.messages.size(); ++i) {
    EXPECT_EQ(smtpc.messages[i].bytes, curl.messages[i].bytes);
    EXPECT_EQ(smtpc.messages[i].envelope.mail_from, curl.messages[i].envelope.mail_from);
    EXPECT_EQ(smtpc.messages[i].envelope.rcpt_tos, curl.messages[i].envelope.rcpt_tos);
  }
  if (compare_stdout) {
    EXPECT_EQ(smtpc.run.out, curl.run.out);
  }
}

// A reader that went away (`smtpc ... | head -c0`) is a write error, exit 23 as curl's, not a
// death by SIGPIPE (exit 141 in a shell) in the middle of the dialogue.
TEST(CurlDropIn, AClosedStandardOutputIsAWriteErrorAsCurl) {
  // The pipe's read end is closed before the program starts: with `program | true` the
  // output could reach the pipe before true had exited, and the write then succeeded.
  auto exit_code_behind_closed_pipe = [](const std::string& program) {
    const std::vector<std::string> args{"-c",
                                        "import os, subprocess, sys\n"
                                        "read_end, write_end = os.pipe()\n"
                                        "os.close(read_end)\n"
                                        "sys.exit(subprocess.call(sys.argv[1:], stdout=write_end))",
                                        program,
                                        "-s",
                                        "{URL}",
                                        "--mail-rcpt",
                                        "a@example.com",
                                        "-X",
                                        "VRFY"};
    return run_against_server("/usr/bin/python3", args).run.exit_code;
  };
  const int curl = exit_code_behind_closed_pipe(kCurl);
  ASSERT_EQ(curl, 23);
  EXPECT_EQ(exit_code_behind_closed_pipe(SMTPC_BINARY), curl);
}

TEST(CurlDropIn, UrlOptionFirstAsInEverythingCurl) {
  expect_same({"--url", "{URL}", "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com",
               "--upload-file", "{DIR}/mail.txt"});
}

TEST(CurlDropIn, UploadBeforeTheUrl) {
  expect_same({"-T", "{DIR}/mail.txt", "--mail-from", "a@example.com", "--mail-rcpt",
               "b@example.com", "{URL}"});
}

TEST(CurlDropIn, CombinedFlagsAndAttachedValues) {
  expect_same({"-sS", "--mail-rcpt", "b@example.com", "--mail-rcpt", "c@example.com",
               "-T{DIR}/mail.txt", "{URL}"});
}

TEST(CurlDropIn, UploadFromStandardInputWithOptionsCurlIgnores) {
  expect_same({"{URL}", "--fail", "-L", "--compressed", "-A", "agent/1", "--no-progress-meter",
               "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", "-",
               "--http1.1", "--anyauth"},
              std::string(kMessage));
}

TEST(CurlDropIn, CaseInsensitiveLongOptionsAndPrefixes) {
  expect_same({"--MAIL-FROM", "a@example.com", "--Mail-Rcpt", "b@example.com", "--upload",
               "{DIR}/mail.txt", "{URL}", "--silent"});
}

TEST(CurlDropIn, ConfigFile) {
  expect_same({"-K", "{DIR}/curl.cfg"}, "",
              "# curl config\n"
              "url = \"{URL}\"\n"
              "mail-from = a@example.com\n"
              "--mail-rcpt b@example.com\n"
              "upload-file: \"{DIR}/mail.txt\"\n"
              "silent\n");
}

TEST(CurlDropIn, ConfigFromStandardInput) {
  SmtpServer server;
  TempDir dir;
  const std::string mail = dir.write_file("mail.txt", kMessage);
  const std::string config =
      "url = " + server.url("h1") + "\nmail-rcpt = b@example.com\nupload-file = " + mail + "\n";
  const RunResult curl = run_program({kCurl, "-s", "-K", "-"}, config);
  const RunResult smtpc = run_program({SMTPC_BINARY, "-s", "-K", "-"}, config);
  EXPECT_EQ(curl.exit_code, 0) << curl.err;
  EXPECT_EQ(smtpc.exit_code, 0) << smtpc.err;
  ASSERT_EQ(server.messages().size(), 2U);
  EXPECT_EQ(server.messages()[0].bytes, server.messages()[1].bytes);
}

TEST(CurlDropIn, VrfyOutputWithCrlf) { expect_same({"{URL}", "--mail-rcpt", "b@example.com"}); }

TEST(CurlDropIn, HelpOutputWithCrlf) { expect_same({"{URL}"}); }

TEST(CurlDropIn, CustomRequests) {
  expect_same({"-X", "EXPN", "--mail-rcpt", "staff", "{URL}"});
  expect_same({"{URL}", "--request", "NOOP"});
  expect_same({"{URL}", "-X", "rset"});
  expect_same({"-I", "{URL}"});
}

TEST(CurlDropIn, SeveralUrlsInOrder) {
  expect_same({"-T", "{DIR}/mail.txt", "{URL}", "--mail-rcpt", "b@example.com", "-T",
               "{DIR}/mail2.txt", "{URL2}"},
              "", "", true, false);
  // The second URL has no -T of its own: VRFY, as curl does.
  expect_same({"-T", "{DIR}/mail.txt", "{URL}", "--mail-rcpt", "b@example.com", "{URL2}"}, "", "",
              true, false);
  // smtpc: one connection per URL, each with its own EHLO name.
  const Outcome smtpc =
      run_against_server(SMTPC_BINARY, {"-T", "{DIR}/mail.txt", "{URL}", "--mail-rcpt",
                                        "b@example.com", "-T", "{DIR}/mail2.txt", "{URL2}"});
  EXPECT_THAT(smtpc.log, ::testing::ElementsAre(
                             "EHLO h1", "MAIL FROM:<>", "RCPT TO:<b@example.com>", "DATA", "QUIT",
                             "EHLO h2", "MAIL FROM:<>", "RCPT TO:<b@example.com>", "DATA", "QUIT"));
}

TEST(CurlDropIn, NextSeparatesOptions) {
  expect_same({"{URL}", "--mail-rcpt", "b@example.com", "-T", "{DIR}/mail.txt", "--next", "{URL2}",
               "--mail-rcpt", "c@example.com", "-T", "{DIR}/mail2.txt"},
              "", "", true, false);
}

TEST(CurlDropIn, ExitCodeOfSeveralTransfersIsTheLast) {
  const std::string closed = "smtp://127.0.0.1:" + std::to_string(closed_port()) + "/x";
  expect_same({"-s", "--mail-rcpt", "b@example.com", closed, "{URL}"});
  expect_same({"-s", "--mail-rcpt", "b@example.com", "{URL}", closed});
}

TEST(CurlDropIn, WriteOut) {
  expect_same({"-s", "{URL}", "--mail-rcpt", "b@example.com", "-T", "{DIR}/mail.txt", "-w",
               "%{response_code} %{exitcode} %{scheme} %{size_upload} %{errormsg}\\n"});
  expect_same({"-s", "{URL}", "-w", "code=%{response_code}%{stderr}x"});
}

// curl sends an empty upload: DATA, then at once ".", and the server stores an empty
// message. smtpc sends the same lines and warns on stderr.
TEST(CurlDropIn, EmptyUploadIsSentAsCurlSendsIt) {
  expect_same({"{URL}", "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T",
               "{DIR}/empty.txt"});
  expect_same({"{URL}", "--mail-from", "a@example.com", "--mail-rcpt", "b@example.com", "-T", "-"},
              "");
  const Outcome smtpc =
      run_against_server(SMTPC_BINARY, {"{URL}", "--mail-from", "a@example.com", "--mail-rcpt",
                                        "b@example.com", "-T", "{DIR}/empty.txt"});
  EXPECT_THAT(smtpc.run.err, HasSubstr("Warning: the upload from"));
  ASSERT_EQ(smtpc.messages.size(), 1U);
  EXPECT_EQ(smtpc.messages[0].bytes, "");
}

// curl 8.16 sends what follows "<address>" after the path; 7.88 (the oracle here) keeps it
// inside the brackets, which servers refuse. smtpc does as 8.16 (docs/curl-differences.md).
TEST(CurlDropIn, ParametersAfterTheAddressAsCurl816SendsThem) {
  const std::vector<std::string> args{"{URL}",         "--mail-from",   "<a@example.com> RET=HDRS",
                                      "--mail-rcpt",   "b@example.com", "-T",
                                      "{DIR}/mail.txt"};
  const Outcome curl = run_against_server(kCurl, args);
  const Outcome smtpc = run_against_server(SMTPC_BINARY, args);
  EXPECT_THAT(curl.log, ::testing::Contains("MAIL FROM:<a@example.com> RET=HDRS>"));
  EXPECT_THAT(smtpc.log, ::testing::Contains("MAIL FROM:<a@example.com> RET=HDRS"));
  // This server offers no DSN: both are refused (555), as curl 8.16 would be.
  EXPECT_EQ(curl.run.exit_code, 55);
  EXPECT_EQ(smtpc.run.exit_code, 55) << smtpc.run.err;
  EXPECT_TRUE(smtpc.messages.empty());
}

TEST(CurlDropIn, UsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--mail-rpct", "a@example.com", "{URL}"},
        {"{URL}", "--mail-rcpt"},
        {"--no-mail-from", "a@example.com", "{URL}"},
        {"--mail", "x", "{URL}"},
        {"--fail", "--fail-with-body", "{URL}"},
        {"-I", "-T", "{DIR}/mail.txt", "--mail-rcpt", "b@example.com", "{URL}"}}) {
    expect_same(args, "", "", false);
  }
  const RunResult run = run_smtpc({"--mail-rpct", "a@example.com", "smtp://127.0.0.1"});
  EXPECT_EQ(run.err,
            "smtpc: option --mail-rpct: is unknown; did you mean --mail-rcpt?\n"
            "smtpc: try 'smtpc --help' for more information\n");
}

}  // namespace
}  // namespace smtpc::it
