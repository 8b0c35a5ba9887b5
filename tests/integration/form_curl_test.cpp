// -F/--form-string against curl 7.88 as the oracle: the same command lines run with curl and
// with smtpc against fresh local servers; the stored messages must be equal byte for byte
// once the (random) boundaries are masked, Python's email package must read both alike,
// and the exit codes must match, failures included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace smtpc::it {
namespace {

constexpr const char* kCurl = "/usr/bin/curl";

// Reads a message with Python's email package; prints each part's type, file name,
// disposition and the SHA-256 of its decoded content, and any parser defects.
constexpr std::string_view kSummary = R"(import email, email.policy, hashlib, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.compat32)
for part in msg.walk():
    payload = b'' if part.is_multipart() else (part.get_payload(decode=True) or b'')
    print(part.get_content_type(), part.get_filename(), part.get('Content-Disposition'),
          hashlib.sha256(payload).hexdigest(), [type(d).__name__ for d in part.defects])
)";

struct Outcome {
  RunResult run;
  std::vector<Message> messages;
};

// The fixture files every command line may name as {DIR}/NAME.
std::map<std::string, std::string> fixture_files() {
  std::string binary;
  for (int i = 0; i < 300 * 1024; ++i) binary += static_cast<char>((i * 7 + i / 251) & 0xFF);
  std::string qp = std::string(80, 'A') + "\r\n";
  for (int i = 0; i < 20; ++i) qp += "caf\xC3\xA9 ";
  qp += " \r\n" + std::string(75, 'x') + "\r\n" + std::string(74, 'y') + "=\r\n" +
        std::string(76, 'z') + "tab\t\r\nlast line with = and trailing blank ";
  return {
      {"body.html", "<html><body><p>HTML</p></body></html>\r\n"},
      {"notes.txt", "plain text file\r\nsecond line\r\n"},
      {"file.pdf", "%PDF-1.4 not really a pdf\r\n"},
      {"data.bin", binary},
      {"exact57.bin", std::string(57, 'q')},
      {"qp.txt", qp},
      {"eight.txt", "caf\xC3\xA9\r\n"},
      {"hdrs.txt", "X-A: 1\n  continued\n# comment\nX-B: two  \r\n\n"},
      {"q\"uote.txt", "quoted name\r\n"},
  };
}

Outcome run_against_server(const std::string& program, const std::vector<std::string>& args,
                           const TempDir& dir, const std::string& stdin_data) {
  SmtpServer server;
  std::vector<std::string> argv{program,       server.url("client.example"),
                                "--mail-from", "a@example.com",
                                "--mail-rcpt", "b@example.com"};
  for (std::string arg : args) {
    for (auto at = arg.find("{DIR}"); at != std::string::npos; at = arg.find("{DIR}")) {
      arg.replace(at, 5, dir.path());
    }
    argv.push_back(arg);
  }
  Outcome outcome;
  outcome.run = run_program(argv, stdin_data, {"HOME=" + dir.path()});
  outcome.messages = server.messages();
  return outcome;
}

// Every boundary (24 dashes and 16 hex digits, curl's and smtpc's alike) replaced by
// "BOUNDARY-n", n counting distinct boundaries in order of appearance.
std::string mask_boundaries(const std::string& message) {
  static const std::regex kBoundary("-{24}[0-9a-fA-F]{16}");
  std::map<std::string, std::string> names;
  std::string out;
  auto begin = std::sregex_iterator(message.begin(), message.end(), kBoundary);
  std::size_t copied = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& match = *it;
    const auto position = static_cast<std::size_t>(match.position());
    out.append(message, copied, position - copied);
    auto [entry, added] = names.try_emplace(match.str(), "");
    if (added) entry->second = "BOUNDARY-" + std::to_string(names.size());
    out += entry->second;
    copied = position + static_cast<std::size_t>(match.length());
  }
  out.append(message, copied);
  return out;
}

std::string python_summary(const TempDir& dir, const std::string& message, std::string_view name) {
  const std::string script = dir.write_file("summary.py", kSummary);
  const std::string path = dir.write_file(name, message);
  const RunResult run = run_program({"/usr/bin/python3", script, path});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.out;
}

class FormCurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kCurl, X_OK) != 0) GTEST_SKIP() << "curl is not installed";
    for (const auto& [name, content] : fixture_files()) (void)dir_.write_file(name, content);
  }

  // Runs both; returns smtpc's outcome after checking it against curl's.
  // `well_formed`: Python's parser must find no defects (false where the command line
  // itself asks for odd header lines).
  Outcome expect_same(const std::vector<std::string>& args, const std::string& stdin_data = "",
                      bool well_formed = true) {
    SCOPED_TRACE(::testing::PrintToString(args));
    const Outcome curl = run_against_server(kCurl, args, dir_, stdin_data);
    Outcome smtpc = run_against_server(SMTPC_BINARY, args, dir_, stdin_data);
    EXPECT_EQ(smtpc.run.exit_code, curl.run.exit_code)
        << "curl: " << curl.run.err << "\nsmtpc: " << smtpc.run.err;
    EXPECT_EQ(smtpc.messages.size(), curl.messages.size());
    if (smtpc.messages.size() != curl.messages.size()) return smtpc;
    for (std::size_t i = 0; i < curl.messages.size(); ++i) {
      const std::string expected = mask_boundaries(curl.messages[i].bytes);
      EXPECT_EQ(mask_boundaries(smtpc.messages[i].bytes), expected);
      const std::string summary = python_summary(dir_, curl.messages[i].bytes, "curl.eml");
      EXPECT_EQ(python_summary(dir_, smtpc.messages[i].bytes, "smtpc.eml"), summary);
      if (well_formed) {
        EXPECT_THAT(summary, ::testing::Not(::testing::HasSubstr("Defect")));
      }
      EXPECT_EQ(smtpc.messages[i].envelope.mail_from, curl.messages[i].envelope.mail_from);
      EXPECT_EQ(smtpc.messages[i].envelope.rcpt_tos, curl.messages[i].envelope.rcpt_tos);
    }
    return smtpc;
  }

  TempDir dir_;
};

TEST_F(FormCurlTest, AlternativeTextAndHtmlWithAPdfAsCurlsDocsShow) {
  const Outcome out = expect_same(
      {"-H", "Subject: example sending a MIME-formatted message", "-H", "From: a@example.com", "-H",
       "To: b@example.com", "-F", "=(;type=multipart/alternative", "-F",
       "=This is the plain text part;encoder=quoted-printable", "-F",
       "=<{DIR}/body.html;type=text/html", "-F", "=)", "-F", "=@{DIR}/file.pdf;encoder=base64"});
  ASSERT_EQ(out.messages.size(), 1U);
  EXPECT_THAT(out.messages[0].bytes,
              ::testing::HasSubstr("Content-Disposition: attachment; filename=\"file.pdf\""));
}

TEST_F(FormCurlTest, Base64AttachmentsStreamedInCurlsLines) {
  expect_same({"-F", "=@{DIR}/data.bin;encoder=base64", "-F", "=@{DIR}/exact57.bin;encoder=base64",
               "-F", "=<{DIR}/data.bin;encoder=base64"});
}

TEST_F(FormCurlTest, QuotedPrintableLongLinesAndEightBitText) {
  expect_same({"-F", "=<{DIR}/qp.txt;encoder=quoted-printable", "-F",
               "=@{DIR}/qp.txt;encoder=quoted-printable;type=text/plain; charset=utf-8", "-F",
               "=caf\xC3\xA9 au lait " + std::string(90, '=') + ";encoder=quoted-printable"});
}

TEST_F(FormCurlTest, PartsReadFromFiles) {
  expect_same({"-F", "=<{DIR}/body.html", "-F", "=<{DIR}/notes.txt", "-F", "=<{DIR}/file.pdf", "-F",
               "=<{DIR}/eight.txt;encoder=8bit", "-F", "=<{DIR}/notes.txt;encoder=7bit"});
}

TEST_F(FormCurlTest, PartHeadersInlineAndFromAFile) {
  expect_same({"-F", "=hello;headers=X-One: 1;headers=\"X-Two: a;b\"", "-F",
               "=@{DIR}/notes.txt;headers=@{DIR}/hdrs.txt;type=text/x-foo", "-F",
               "=hi;headers=Content-Type: text/x-h", "-F",
               "=hi;headers=Content-Disposition: inline;headers=Content-Transfer-Encoding: "
               "7bit;encoder=base64"});
}

TEST_F(FormCurlTest, FileNamesAndNames) {
  expect_same({"-F", "=@{DIR}/notes.txt;filename=renamed.pdf", "-F",
               "=inline text;filename=made-up.html", "-F", "nm=hello", "-F",
               "f=@{DIR}/q\"uote.txt;filename=x\"y\\z.txt", "-F", "=@{DIR}/q\"uote.txt"});
}

TEST_F(FormCurlTest, TypesWithParametersAndQuotedValues) {
  expect_same({"-F", "=text;type=text/plain; charset=utf-8; format=flowed", "-F",
               "=x;type=application/json", "-F",
               "=\"a;b\\\"c\" ;type= text/html ; charset=x ;filename=\"q;\\\\f.txt\"", "-F",
               "=  spaced  ;encoder= base64 ", "-F", "=x;foo=bar", "-F", "=hello;encoder=BASE64",
               "-F", "=@{DIR}/notes.txt;filename="});
}

TEST_F(FormCurlTest, FormStringTakesAtAndAngleLiterally) {
  expect_same({"--form-string", "=@{DIR}/notes.txt;type=text/html", "--form-string", "n=<x",
               "--form-string", "=(", "-F", "=after"});
}

TEST_F(FormCurlTest, NestedAndEmptyMultipartsAndSeveralFiles) {
  expect_same({"-F", "=(;type=multipart/related;headers=X-Level: 1",
               "-F", "=(;type=multipart/alternative",
               "-F", "=plain",
               "-F", "=<{DIR}/body.html",
               "-F", "=)",
               "-F", "=(",
               "-F", "=)",
               "-F", "part=@{DIR}/notes.txt,{DIR}/file.pdf",
               "-F", "=)",
               "-F", "=(",
               "-F", "=unclosed"},
              "", false);  // Python calls an empty multipart a defect; curl writes it all the same
}

TEST_F(FormCurlTest, TopLevelHeadersFromH) {
  expect_same({"-H", "Content-Type: multipart/related", "-H", "MIME-Version: 2.0", "-H", "X-Semi;",
               "-H", "Subject:   spaced  ", "-H", "From: Someone <a@example.com>", "-F", "=hi"},
              "", false);
  expect_same({"-H", "@{DIR}/hdrs.txt", "-F", "=hi"}, "", false);
}

TEST_F(FormCurlTest, StandardInputParts) {
  expect_same({"-F", "=@-;type=text/csv"}, "a,b\r\n1,2\r\n");
  expect_same({"-F", "=<-;encoder=base64"}, "from standard input\r\n");
}

TEST_F(FormCurlTest, ErrorsWithCurlsExitCodes) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-F", "=@{DIR}/missing.pdf"},             // 26
           {"-F", "=<{DIR}/missing.html"},            // 26
           {"-F", "=<{DIR}/eight.txt;encoder=7bit"},  // 26, curl mid-DATA
           {"-F", "=x;encoder=foo"},
           {"-F", "=x;encoder="},                  // 43
           {"-F", "=@"},                           // 26                  // 43
           {"-F", "=)"},                           // 2
           {"-F", "nothing"},                      // 2
           {"-F", "=x;type=texthtml"},             // 2
           {"-F", "=x", "-T", "{DIR}/notes.txt"},  // 2
       }) {
    const Outcome out = expect_same(args);
    EXPECT_NE(out.run.exit_code, 0);
    EXPECT_THAT(out.run.err, ::testing::StartsWith("smtpc: "));
    EXPECT_EQ(split_lines(out.run.err).size(), 1U) << out.run.err;
  }
}

}  // namespace
}  // namespace smtpc::it
