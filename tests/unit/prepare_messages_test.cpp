// prepare_messages: the message policy of compose/: which messages go out, which header
// fields they get, and what they add to the envelope.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "expect_error.hpp"
#include "smtpc/compose/compose.hpp"
#include "smtpc/compose/long_lines.hpp"
#include "smtpc/sys/host_name.hpp"

namespace smtpc {
namespace {

using Paths = std::vector<std::string>;

std::string read_all(const MessageOrigin& origin) {
  const auto source = origin.open();
  std::string out;
  std::vector<char> buffer(4096);
  while (const std::size_t n = source->read(buffer)) out.append(buffer.data(), n);
  return out;
}

std::string header_of(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

void expect_error(ExitCode code, const MessageRequest& request, EnvelopeRequest envelope = {},
                  std::string_view part = {}) {
  testing::expect_error(
      code, [&] { (void)prepare_messages(request, envelope); }, part);
}

class PrepareMessagesTest : public ::testing::Test {
 protected:
  PrepareMessagesTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("smtpc-prepare-" + std::to_string(::getpid()) + "-" + random_hex(4));
    std::filesystem::create_directories(dir_);
  }
  ~PrepareMessagesTest() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& content) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(PrepareMessagesTest, NothingAskedIsNoMessage) {
  EnvelopeRequest envelope{std::nullopt, {"a@x"}};
  EXPECT_TRUE(prepare_messages(MessageRequest{}, envelope).empty());
  EXPECT_EQ(envelope.recipients, (Paths{"a@x"}));
}

TEST_F(PrepareMessagesTest, PlainUploadsGoAsTheyAre) {
  MessageRequest request;
  request.uploads = {file("1.eml", "Subject: one\n\nbody\n"), file("2.eml", "Subject: two\n\n")};
  EnvelopeRequest envelope{std::nullopt, {"a@x"}};
  const auto messages = prepare_messages(request, envelope);
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(read_all(messages[0]), "Subject: one\n\nbody\n");
  EXPECT_EQ(read_all(messages[1]), "Subject: two\n\n");
  EXPECT_FALSE(envelope.sender);  // curl's behaviour: MAIL FROM:<>
}

TEST_F(PrepareMessagesTest, ReadRecipientsAddsThemAndTakesTheSenderFromFrom) {
  MessageRequest request;
  request.uploads = {file("m.eml",
                          "From: Me <me@b\xC3\xBC"
                          "cher.example>\nTo: anna@b\xC3\xBC"
                          "cher.example\nBcc: hidden@x\n\nbody\n")};
  request.read_recipients = true;
  EnvelopeRequest envelope{std::nullopt, {"extra@x"}};
  const auto messages = prepare_messages(request, envelope);
  ASSERT_EQ(messages.size(), 1U);
  // As written: finalize_envelope converts them, after every source.
  EXPECT_EQ(envelope.recipients, (Paths{"extra@x",
                                        "anna@b\xC3\xBC"
                                        "cher.example",
                                        "hidden@x"}));
  EXPECT_EQ(envelope.sender,
            "me@b\xC3\xBC"
            "cher.example");
  const std::string header = header_of(read_all(messages[0]));
  EXPECT_EQ(header.find("Bcc"), std::string::npos) << header;
  EXPECT_NE(header.find("\r\nDate: "), std::string::npos) << header;
  // A Message-ID is ASCII: the sender's domain in A-labels.
  EXPECT_NE(header.find("@xn--bcher-kva.example>\r\n"), std::string::npos) << header;
}

TEST_F(PrepareMessagesTest, GivenSenderWins) {
  MessageRequest request;
  request.uploads = {file("m.eml", "From: header@x\nTo: a@x\n\nbody\n")};
  request.read_recipients = true;
  EnvelopeRequest envelope{"given@x", {}};
  (void)prepare_messages(request, envelope);
  EXPECT_EQ(envelope.sender, "given@x");
}

TEST_F(PrepareMessagesTest, HeaderFieldsEditEveryUpload) {
  MessageRequest request;
  request.uploads = {file("1.eml", "Subject: one\n\n1\n"), file("2.eml", "Subject: two\n\n2\n")};
  request.headers = {{"X-Test", "1"}};
  EnvelopeRequest envelope{std::nullopt, {"a@x"}};
  const auto messages = prepare_messages(request, envelope);
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(read_all(messages[0]), "Subject: one\r\nX-Test: 1\r\n\r\n1\n");
  EXPECT_EQ(read_all(messages[1]), "Subject: two\r\nX-Test: 1\r\n\r\n2\n");
  EXPECT_EQ(read_all(messages[1]), "Subject: two\r\nX-Test: 1\r\n\r\n2\n");  // and again
  EXPECT_FALSE(envelope.sender);  // -H alone leaves the envelope to the command line
}

TEST_F(PrepareMessagesTest, ReadRecipientsTakesOneMessage) {
  MessageRequest request;
  request.uploads = {file("1.eml", "To: a@x\n\n1\n"), file("2.eml", "To: b@x\n\n2\n")};
  request.read_recipients = true;
  expect_error(ExitCode::FailedInit, request, {}, "-t takes the recipients from one message");
}

TEST_F(PrepareMessagesTest, SendmailModeAddsFromDateAndMessageId) {
  MessageRequest request;
  request.uploads = {file("m.eml", "Subject: cron\n\nbody\n")};
  request.sendmail = true;
  request.full_name = "Cron Daemon";
  EnvelopeRequest envelope{std::nullopt, {"a@x"}};
  const auto messages = prepare_messages(request, envelope);
  ASSERT_TRUE(envelope.sender);
  EXPECT_EQ(envelope.sender->substr(envelope.sender->find('@') + 1), local_host_name());
  const std::string header = header_of(read_all(messages.at(0)));
  EXPECT_EQ(header.find("From: Cron Daemon <" + *envelope.sender + ">\r\nSubject: cron\r\n"), 0U)
      << header;
  EXPECT_NE(header.find("\r\nDate: "), std::string::npos) << header;
  EXPECT_NE(header.find("\r\nMessage-ID: <"), std::string::npos) << header;
}

TEST_F(PrepareMessagesTest, NoAutoHeadersLeavesDateAndMessageIdOut) {
  MessageRequest request;
  request.uploads = {file("m.eml", "To: a@x\n\nbody\n")};
  request.read_recipients = true;
  request.auto_headers = false;
  EnvelopeRequest envelope;
  EXPECT_EQ(read_all(prepare_messages(request, envelope).at(0)), "To: a@x\r\n\r\nbody\n");
}

TEST_F(PrepareMessagesTest, ComposedMessageShowsTheRecipientsNotInCc) {
  MessageRequest request;
  request.subject = "hi";
  request.text = TextInput{TextInput::From::Argument, "text"};
  request.headers = {{"Cc", "c@example.com"}};
  EnvelopeRequest envelope{"me@example.com", {"you@example.com", "c@example.com"}};
  const auto messages = prepare_messages(request, envelope);
  const std::string message = read_all(messages.at(0));
  EXPECT_NE(message.find("From: me@example.com\r\nTo: you@example.com\r\nCc: c@example.com\r\n"
                         "Subject: hi\r\n"),
            std::string::npos)
      << message;
  EXPECT_EQ(read_all(messages.at(0)), message);  // the same bytes each time
}

// Parameters written after an envelope address ("<a@b> NOTIFY=NEVER") are the envelope's:
// the header fields show the mailboxes alone.
TEST_F(PrepareMessagesTest, ComposedMessageLeavesWrittenParametersOutOfTheHeader) {
  MessageRequest request;
  request.subject = "hi";
  request.text = TextInput{TextInput::From::Argument, "text"};
  EnvelopeRequest envelope{"<me@example.com> RET=HDRS", {"you@example.com NOTIFY=NEVER"}};
  const auto messages = prepare_messages(request, envelope);
  const std::string message = read_all(messages.at(0));
  EXPECT_NE(message.find("From: me@example.com\r\nTo: you@example.com\r\nSubject: hi\r\n"),
            std::string::npos)
      << message;
  EXPECT_EQ(envelope.recipients, (Paths{"you@example.com NOTIFY=NEVER"}));  // as written
}

TEST_F(PrepareMessagesTest, ComposedMessageGivesTheSenderFromItsFromField) {
  MessageRequest request;
  request.text = TextInput{TextInput::From::File, file("body.txt", "from a file\n")};
  request.headers = {{"From", "Ops <ops@example.com>"}};
  EnvelopeRequest envelope{std::nullopt, {"a@x"}};
  const auto messages = prepare_messages(request, envelope);
  EXPECT_EQ(envelope.sender, "ops@example.com");
  EXPECT_NE(read_all(messages.at(0)).find("\r\n\r\nfrom a file\r\n"), std::string::npos);
}

TEST_F(PrepareMessagesTest, UsageErrors) {
  MessageRequest no_sender;
  no_sender.subject = "x";
  no_sender.text = TextInput{};
  expect_error(ExitCode::FailedInit, no_sender, {std::nullopt, {"a@x"}}, "needs a sender");

  MessageRequest with_upload = no_sender;
  with_upload.uploads = {"m.eml"};
  expect_error(ExitCode::FailedInit, with_upload, {"me@x", {"a@x"}}, "-T cannot be combined");

  MessageRequest mime_field = no_sender;
  mime_field.headers = {{"Content-Type", "text/html"}};
  expect_error(ExitCode::FailedInit, mime_field, {"me@x", {"a@x"}}, "MIME fields");

  MessageRequest missing;
  missing.uploads = {(dir_ / "absent.eml").string()};
  missing.headers = {{"X-Test", "1"}};
  expect_error(ExitCode::ReadError, missing, {}, "absent.eml");
}

// cron's mail: bare local names in the envelope and the header get the mail domain, and a
// local recipient with an alias goes there (issue 23 item 2).
TEST_F(PrepareMessagesTest, SendmailModeQualifiesBareLocalNames) {
  MessageRequest request;
  request.uploads = {file("m.eml",
                          "From: root (Cron Daemon)\nTo: root\nCc: alice, b@x.example\n"
                          "Bcc: bob\nReply-To: ops\nSender: c@x.example\nSubject: s\n\nbody\n")};
  request.sendmail = true;
  request.read_recipients = true;
  request.local_names =
      LocalNames([] { return std::string("example.org"); }, {{"root", {"admin@example.com"}}});
  EnvelopeRequest envelope{"daemon", {"carol"}};
  const auto messages = prepare_messages(request, envelope);
  EXPECT_EQ(envelope.sender, "daemon@example.org");
  EXPECT_EQ(envelope.recipients,
            (std::vector<std::string>{"carol@example.org", "admin@example.com", "alice@example.org",
                                      "b@x.example", "bob@example.org"}));
  const std::string header = header_of(read_all(messages.at(0)));
  EXPECT_EQ(header.find("From: Cron Daemon <root@example.org>\r\nTo: admin@example.com\r\n"
                        "Cc: alice@example.org, b@x.example\r\nReply-To: ops@example.org\r\n"
                        "Sender: c@x.example\r\nSubject: s\r\n"),
            0U)
      << header;
}

TEST_F(PrepareMessagesTest, SendmailModeShowsANullSenderAsMailerDaemon) {
  for (const char* null_sender : {"<>", ""}) {
    MessageRequest request;
    request.uploads = {file("m.eml", "Subject: bounce\n\nbody\n")};
    request.sendmail = true;
    request.local_names = LocalNames([] { return std::string("example.org"); }, {});
    EnvelopeRequest envelope{null_sender, {"a@x.example"}};
    const auto messages = prepare_messages(request, envelope);
    EXPECT_EQ(header_of(read_all(messages.at(0))).find("From: MAILER-DAEMON@example.org\r\n"), 0U)
        << null_sender;
  }
}

TEST(Aliases, ParsesMsmtpsFormat) {
  const AliasMap aliases = parse_aliases(
      "# local names\nroot: admin@example.com\nOps: a@example.com,\n  b@example.com\n"
      "default: catchall@example.com\n",
      "aliases");
  EXPECT_EQ(aliases.at("root"), std::vector<std::string>{"admin@example.com"});
  EXPECT_EQ(aliases.at("ops"), (std::vector<std::string>{"a@example.com", "b@example.com"}));
  const LocalNames names([] { return std::string("example.org"); }, aliases);
  EXPECT_EQ(names.expand("OPS").size(), 2U);
  EXPECT_EQ(names.expand("anyone"), std::vector<std::string>{"catchall@example.com"});
  EXPECT_EQ(names.expand("x@y.example"), std::vector<std::string>{"x@y.example"});
  EXPECT_EQ(names.qualify("root"), "root@example.org");  // the sender is never aliased
  try {
    (void)parse_aliases("root admin@example.com\n", "/etc/aliases");
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "/etc/aliases:1: expected \"name: address, ...\"");
  }
}

TEST(LongLines, BrokenAfter998CharactersWithAFoldingSpace) {
  LongLineBreaker breaker(4);
  std::string out;
  breaker.feed("abcdefghij\nab", out);
  breaker.feed("cd\r\nabcd", out);
  EXPECT_EQ(out, "abcd\r\n efg\r\n hij\nabcd\r\nabcd");
  EXPECT_TRUE(breaker.broke());
  LongLineBreaker exact;
  std::string line(998, 'x');
  out.clear();
  exact.feed(line + "\r\n", out);
  EXPECT_EQ(out, line + "\r\n");
  EXPECT_FALSE(exact.broke());
}

}  // namespace
}  // namespace smtpc
