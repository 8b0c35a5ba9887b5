// ServerSession (sendmail -bs) driven with canned client dialogues.
#include "smtpc/smtp/server_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smtpc {
namespace {

using Action = ServerStep::Action;

// Feeds `lines`; returns what the session wrote, with "[DATA ...]" for the body it handed
// over and "[DELIVER]" where the driver delivers (accepting each message).
std::string play(ServerSession& session, const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    const ServerStep step = session.on_line(line);
    switch (step.action) {
      case Action::Reply:
      case Action::Close:
        out += step.text;
        break;
      case Action::BodyData:
        out += "[DATA " + step.text.substr(0, step.text.size() - 2) + "]";
        break;
      case Action::EndOfData:
        out += "[DELIVER " + session.transaction().reverse_path + " ->";
        for (const auto& rcpt : session.transaction().forward_paths) out += " " + rcpt;
        out += ']';
        out += session.on_delivered(true, "OK");
        break;
    }
  }
  return out;
}

TEST(ServerSession, OneMessageWithPipelinedEnvelope) {
  ServerSession session("host.example");
  EXPECT_EQ(session.greeting(), "220 host.example ESMTP smtpc (sendmail -bs)\r\n");
  EXPECT_EQ(play(session, {"EHLO client", "MAIL FROM:<a@x.example> BODY=8BITMIME SMTPUTF8",
                           "RCPT TO:<b@x.example>", "RCPT TO:<c@x.example>", "DATA", "Subject: s",
                           "", "..leading dot", ".", "QUIT"}),
            "250-host.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250 HELP\r\n"
            "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n"
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "[DATA Subject: s][DATA ][DATA .leading dot]"
            "[DELIVER a@x.example -> b@x.example c@x.example]250 2.0.0 OK\r\n"
            "221 2.0.0 host.example closing\r\n");
}

TEST(ServerSession, RefusesAuthStartTlsAndCommandsOutOfOrder) {
  ServerSession fresh("h");
  const std::string out =
      play(fresh, {"MAIL FROM:<a@x>", "EHLO c", "AUTH PLAIN AGEAYg==", "STARTTLS", "RCPT TO:<b@x>",
                   "DATA", "MAIL FROM:<a@x> AUTH=<>", "MAIL FROM:<>", "MAIL FROM:<>", "DATA",
                   "RSET", "RCPT TO:<b@x>", "BDAT 1", "NOOP"});
  EXPECT_EQ(out.substr(out.find("250 HELP\r\n") + 10),
            "502 5.5.1 AUTH is not offered: the client is local\r\n"
            "502 5.5.1 STARTTLS is not offered: the client is local\r\n"
            "503 5.5.1 MAIL first\r\n503 5.5.1 MAIL first\r\n"
            "555 5.5.4 unsupported MAIL parameter\r\n250 2.1.0 OK\r\n"
            "503 5.5.1 nested MAIL command\r\n554 5.5.1 no valid recipients\r\n"
            "250 2.0.0 OK\r\n503 5.5.1 MAIL first\r\n500 5.5.1 command unrecognized\r\n"
            "250 2.0.0 OK\r\n");
  EXPECT_EQ(out.substr(0, 30), "503 5.5.1 EHLO or HELO first\r\n");
}

TEST(ServerSession, AFailedDeliveryGivesTheDriversReplyAndANewTransaction) {
  ServerSession session("h");
  (void)play(session, {"HELO c", "MAIL FROM:<>", "RCPT TO:<root>", "DATA", "x"});
  EXPECT_EQ(session.on_line(".").action, Action::EndOfData);
  EXPECT_EQ(session.transaction().reverse_path, "");
  EXPECT_EQ(session.transaction().forward_paths, std::vector<std::string>{"root"});
  EXPECT_EQ(session.on_delivered(false, "451 4.3.0 not sent\r\nX: injected"),
            "451 4.3.0 not sentX: injected\r\n");
  EXPECT_EQ(play(session, {"RCPT TO:<b@x>", std::string(3000, 'A')}),
            "503 5.5.1 MAIL first\r\n500 5.5.2 line too long\r\n");
}

}  // namespace
}  // namespace smtpc
