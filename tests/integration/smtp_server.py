"""A real SMTP server (Debian's aiosmtpd 1.4.3) that spools messages and logs commands, for tests.

Run with /usr/bin/python3. It listens on loopback only (127.0.0.1, 127.0.0.2 or ::1), on a
free port or --port, which it writes to --port-file once it accepts connections, and stops
cleanly on SIGTERM/SIGINT.

Spool: every accepted message becomes DIR/NNNN.eml (the bytes after un-dot-stuffing,
exactly as aiosmtpd hands them over) and then DIR/NNNN.json with the envelope
{"mail_from": ..., "rcpt_tos": [...], "mail_options": [...], "rcpt_options": [...],
"tls_cipher": the suite the connection negotiated, "" in plain text}.
The null reverse-path (MAIL FROM:<>) is recorded as "". The .json file is written
last, so a reader that sees it also sees the complete .eml.

Log: every command line received from the client, one per line, without its line end,
appended and flushed before the server replies to it. DATA content is not logged.

Peers (--peers FILE): each client's address and port ("127.0.0.2 40001"), one connection a
line, appended when the connection is accepted.

Strict pipelining (--reject-pipelined-after-data), as Haraka does: a client may pipeline
nothing behind the end of a message's data (the "." line after DATA, or the chunk of
BDAT ... LAST). When the data has ended, the server waits PIPELINED_AFTER_DATA_WAIT
(50 ms) before it produces the reply to the end of data, so that whatever the client
wrote together with (or right after) the end mark has arrived, and then counts the bytes
already received but not yet read. Every command line that starts within those bytes is
answered "503 5.5.1 Bad sequence of commands - pipelined after end of DATA" and not
carried out (QUIT and RSET included; the bytes of a BDAT chunk so refused are read and
dropped). Bytes that arrive after that check are served normally, so a client that waits
for the reply to the end of data before it sends more is never refused.

Refusing one message (--refuse-message SIZE:STAGE:REPLY, repeatable): the transaction
whose MAIL FROM carries SIZE=<SIZE> (the client's declared size, which stays the same when
the client retries the transaction; needs --size-limit so that SIZE is offered) is answered
REPLY at STAGE: "mail" (the MAIL command; no sender is set), "rcpt" (every RCPT of that
transaction; no recipient is added) or "data" (the end of data, DATA's "." or BDAT LAST;
the message is not spooled). REPLY is "CODE TEXT"; a 421 reply is followed by closing the
connection; "CLOSE" closes the connection without replying.

DSN (--dsn): the EHLO reply offers DSN (RFC 3461), MAIL accepts RET=FULL|HDRS and
ENVID=xtext, RCPT accepts NOTIFY=NEVER|SUCCESS,FAILURE,DELAY and ORCPT=type;xtext. Each is
checked (501 5.5.4 for a bad value, a repeated parameter, or bad xtext) and recorded as
sent, case kept, in the spooled JSON as "dsn_mail" (a list) and "dsn_rcpt" (one string
per accepted recipient, its parameters separated by spaces). Without --dsn these parameters get aiosmtpd's 555.
"""

import argparse
import asyncio
import base64
import binascii
import hmac
import json
import os
import re
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import MISSING, SMTP, AuthResult

NULL_PATH = "<>"
# --reject-pipelined-after-data: how long the reply to the end of data is held before the
# server looks for commands pipelined behind it (smtpc writes them within microseconds).
PIPELINED_AFTER_DATA_WAIT = 0.05
PIPELINED_AFTER_DATA_REPLY = "503 5.5.1 Bad sequence of commands - pipelined after end of DATA"


DSN_MAIL_KEYS = ("RET", "ENVID")
DSN_RCPT_KEYS = ("NOTIFY", "ORCPT")
XTEXT = re.compile(r"^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})+$")


def split_dsn(arg, keys):
    """Splits a MAIL/RCPT argument into (the rest, the DSN parameters in `keys`, error)."""
    words = arg.split() if arg else []
    kept, dsn, seen = words[:1], [], set()
    for word in words[1:]:
        key, _, value = word.partition("=")
        if key.upper() not in keys:
            kept.append(word)
            continue
        key = key.upper()
        if key in seen:
            return arg, [], f"{key} given twice"
        seen.add(key)
        dsn.append(word)
        if key == "RET" and value.upper() not in ("FULL", "HDRS"):
            return arg, [], "RET must be FULL or HDRS"
        if key == "ENVID" and (not XTEXT.match(value) or len(value) > 100):
            return arg, [], "ENVID is not xtext"
        if key == "NOTIFY":
            items = value.upper().split(",")
            if not (items == ["NEVER"] or (len(set(items)) == len(items) and
                                           set(items) <= {"SUCCESS", "FAILURE", "DELAY"})):
                return arg, [], "bad NOTIFY"
        if key == "ORCPT":
            kind, semi, address = value.partition(";")
            if not semi or not kind or not XTEXT.match(address):
                return arg, [], "ORCPT must be type;xtext"
    return " ".join(kept), dsn, None


def write_atomically(path, data):
    """Writes `data` (bytes) to `path` via a temporary file and rename."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class CommandLog:
    """Appends received command lines to a file (or nowhere)."""

    def __init__(self, path):
        self._file = open(path, "ab", buffering=0) if path else None

    def record(self, line):
        if self._file is not None:
            self._file.write(line.rstrip(b"\r\n") + b"\n")


class LoggingReader:
    """Wraps the protocol's StreamReader and logs each command line it hands out.

    aiosmtpd 1.4.3 reads commands with readuntil() (separator b"\\n"), DATA lines with
    readuntil(b"\\r\\n") and AUTH responses with readline(); commands and AUTH responses
    are logged, DATA lines are not.

    For --reject-pipelined-after-data it also counts what it hands out: mark_end_of_data()
    notes how many bytes are buffered but unread, and `pipelined` tells whether the last
    command line started within those bytes.
    """

    _OWN = ("_inner", "_log", "_leftover", "pipelined")

    def __init__(self, inner, log):
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_leftover", 0)
        object.__setattr__(self, "pipelined", False)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __setattr__(self, name, value):
        if name in self._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self._inner, name, value)

    def mark_end_of_data(self):
        """The data has ended: what is buffered now was sent behind the end of data."""
        self._leftover = len(self._inner._buffer)

    def _consumed(self, data):
        """Accounts for `data` handed out; true if it started within the leftover bytes."""
        started_in_leftover = self._leftover > 0
        self._leftover = max(0, self._leftover - len(data))
        return started_in_leftover

    async def readuntil(self, separator=b"\n"):
        line = await self._inner.readuntil(separator)
        started_in_leftover = self._consumed(line)
        if separator == b"\n":
            self.pipelined = started_in_leftover
            self._log.record(line)
        return line

    async def readline(self):
        line = await self._inner.readline()
        self._consumed(line)
        self._log.record(line)
        return line

    async def readexactly(self, n):
        data = await self._inner.readexactly(n)
        self._consumed(data)
        return data

    async def read(self, n=-1):
        data = await self._inner.read(n)
        self._consumed(data)
        return data


class TestSMTP(SMTP):
    """aiosmtpd's SMTP with command logging and optional fault behaviour."""

    def __init__(self, handler, *, options, log, **kwargs):
        super().__init__(handler, **kwargs)
        self._options = options
        self._log = log
        self._bdat_chunks = []
        self._bdat_count = 0
        self.close_after_reply = False  # set by the handler: reply, then close
        self.close_without_reply = False  # set by the handler: close instead of replying
        self._closing = False
        if options.reject_pipelined_after_data:
            self._smtp_methods = {name: self._refusing_pipelined(name, method)
                                  for name, method in self._smtp_methods.items()}

    def connection_made(self, transport):
        """With --peers: appends the client's address, "IP PORT", before the greeting."""
        if self._options.peers:
            host, port = transport.get_extra_info("peername")[:2]
            with open(self._options.peers, "a", encoding="ascii") as f:
                f.write(f"{host} {port}\n")
        super().connection_made(transport)

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(LoggingReader(reader, self._log), writer)

    def _refusing_pipelined(self, name, method):
        """`method`, or 503 when its command line was pipelined behind the end of data."""
        async def command(arg):
            if not self._reader.pipelined:
                await method(arg)
                return
            words = arg.split() if arg else []
            if name == "BDAT" and words and words[0].isdigit():
                await self._reader.readexactly(int(words[0]))  # the chunk goes unread
            await self.push(PIPELINED_AFTER_DATA_REPLY)
        return command

    async def _call_handler_hook(self, command, *args):
        if command == "DATA" and self._options.reject_pipelined_after_data:
            # The data has ended (DATA's "." or BDAT LAST): before replying, let what the
            # client wrote behind it arrive, then note it as pipelined after the data.
            await asyncio.sleep(PIPELINED_AFTER_DATA_WAIT)
            self._reader.mark_end_of_data()
        return await super()._call_handler_hook(command, *args)

    async def push(self, status):
        """Replies, unless the handler asked to close the connection instead or after."""
        if self._closing:
            return
        if self.close_without_reply:
            self._closing = True
            self.transport.close()
            return
        await super().push(status)
        if self.close_after_reply:
            self._closing = True
            self.transport.close()

    async def smtp_MAIL(self, arg):
        """aiosmtpd knows BODY=7BIT and 8BITMIME only; with --chunking, BINARYMIME too;
        with --dsn, RET and ENVID."""
        dsn = []
        if self._options.dsn:
            arg, dsn, error = split_dsn(arg, DSN_MAIL_KEYS)
            if error:
                await self.push(f"501 5.5.4 {error}")
                return
        binary = False
        if arg and self._options.chunking:
            words = arg.split()
            kept = [w for w in words if w.upper() != "BODY=BINARYMIME"]
            binary = len(kept) != len(words)
            arg = " ".join(kept)
        await super().smtp_MAIL(arg)
        if binary and self.envelope.mail_from is not None:
            self.envelope.mail_options.append("BODY=BINARYMIME")
        if self.envelope.mail_from is not None:
            self.envelope.dsn_mail = dsn
            self.envelope.dsn_rcpt = []

    async def smtp_RCPT(self, arg):
        """With --dsn: NOTIFY and ORCPT, recorded per accepted recipient."""
        if not self._options.dsn:
            await super().smtp_RCPT(arg)
            return
        arg, dsn, error = split_dsn(arg, DSN_RCPT_KEYS)
        if error:
            await self.push(f"501 5.5.4 {error}")
            return
        before = len(self.envelope.rcpt_tos)
        await super().smtp_RCPT(arg)
        if len(self.envelope.rcpt_tos) > before:
            self.envelope.dsn_rcpt.append(" ".join(dsn))

    async def smtp_BDAT(self, arg):
        """RFC 3030 BDAT, which aiosmtpd lacks: exactly N bytes follow the command line."""
        words = arg.split() if arg else []
        if not self._options.chunking or not words or not words[0].isdigit() or len(words) > 2 \
                or (len(words) == 2 and words[1].upper() != "LAST"):
            await self.push("501 5.5.4 Syntax: BDAT size [LAST]")
            return
        chunk = await self._reader.readexactly(int(words[0]))
        if not self.envelope.rcpt_tos:
            await self.push("503 5.5.1 need RCPT command")
            return
        self._bdat_chunks.append(chunk)
        self._bdat_count += 1
        if len(words) == 1:
            await self.push(f"250 2.0.0 {len(chunk)} octets received")
            return
        self.envelope.original_content = b"".join(self._bdat_chunks)
        self.envelope.content = self.envelope.original_content
        self.envelope.bdat_commands = self._bdat_count
        self._bdat_chunks, self._bdat_count = [], 0
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)

    async def smtp_EHLO(self, hostname):
        if self._options.helo_only:
            await self.push("502 5.5.2 command not recognized")
            return
        await super().smtp_EHLO(hostname)


class SpoolHandler:
    """aiosmtpd handler: applies the refusal options, checks logins, spools messages.

    PLAIN and LOGIN are aiosmtpd's own; CRAM-MD5 (RFC 2195), XOAUTH2 and OAUTHBEARER
    (RFC 7628) are implemented here, since aiosmtpd has none of them.
    """

    def __init__(self, options):
        self._options = options
        self.passwords = dict(entry.split(":", 1) for entry in options.auth_user)
        self.tokens = dict(entry.split(":", 1) for entry in options.auth_token)
        self._refused = {address.lower() for address in options.refuse_rcpt}
        self._refusals = {}  # (SIZE, stage) -> reply
        for entry in options.refuse_message:
            size, stage, reply = entry.split(":", 2)
            self._refusals[(size, stage)] = reply
        self._count = 0
        if options.spool:
            os.makedirs(options.spool, exist_ok=True)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        extra = []
        if self._options.pipelining:
            extra.append("250-PIPELINING")
        if self._options.chunking:
            extra.extend(["250-CHUNKING", "250-BINARYMIME"])
        if self._options.dsn:
            extra.append("250-DSN")
        return responses[:-1] + extra + responses[-1:]

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        """aiosmtpd's authenticator hook for PLAIN and LOGIN."""
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = self.passwords.get(login) == password
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    async def auth_CRAM__MD5(self, server, args):
        challenge = f"<{os.getpid()}.{time.time_ns()}@mx.test.example>".encode()
        response = await server.challenge_auth(challenge)
        if response is MISSING:
            return AuthResult(success=False, handled=True)
        user, _, digest = response.partition(b" ")
        password = self.passwords.get(user.decode("utf-8", "replace"))
        if password is None:
            return AuthResult(success=False, handled=False)
        expected = hmac.new(password.encode(), challenge, "md5").hexdigest().encode()
        return AuthResult(success=hmac.compare_digest(digest, expected), handled=False,
                          auth_data=user.decode())

    async def _bearer(self, server, args, parse, error_response):
        if len(args) > 1:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except binascii.Error:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        user, token = parse(blob)
        if user is not None and self.tokens.get(user) == token:
            return AuthResult(success=True, handled=False, auth_data=user)
        # Both mechanisms report the failure in a challenge the client must answer.
        answer = await server.challenge_auth(b'{"status":"invalid_token"}')
        if answer is not MISSING and answer != error_response:
            await server.push("501 5.5.2 unexpected answer to the error challenge")
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server, args):
        def parse(blob):
            fields = dict(f.split("=", 1) for f in blob.decode().split("\x01") if "=" in f)
            token = fields.get("auth", "")
            return fields.get("user"), token[7:] if token.startswith("Bearer ") else None
        return await self._bearer(server, args, parse, b"")

    async def auth_OAUTHBEARER(self, server, args):
        def parse(blob):
            header, _, rest = blob.decode().partition("\x01")
            user = next((p[2:] for p in header.split(",") if p.startswith("a=")), None)
            fields = dict(f.split("=", 1) for f in rest.split("\x01") if "=" in f)
            token = fields.get("auth", "")
            return user, token[7:] if token.startswith("Bearer ") else None
        return await self._bearer(server, args, parse, b"\x01")

    async def auth_EXTERNAL(self, server, args):
        """RFC 4422 appendix A: the verified TLS client certificate is the login. The
        authorization identity ("=" or an empty line for none) must be empty or the
        certificate's common name, which must be --auth-external's."""
        if len(args) > 1:
            encoded = args[1].encode()
        else:
            await server.push("334 ")
            encoded = (await server._reader.readline()).strip()
        try:
            authzid = b"" if encoded == b"=" else base64.b64decode(encoded, validate=True)
        except binascii.Error:
            await server.push("501 5.5.2 Can't decode base64")
            return AuthResult(success=False, handled=True)
        ssl_object = server.transport.get_extra_info("ssl_object")
        certificate = ssl_object.getpeercert() if ssl_object is not None else None
        names = [value for rdn in (certificate or {}).get("subject", ())
                 for key, value in rdn if key == "commonName"]
        common_name = self._options.auth_external
        ok = common_name in names and authzid.decode("utf-8", "replace") in ("", common_name)
        return AuthResult(success=ok, handled=False, auth_data=common_name if ok else None)

    def _refusal(self, server, stage, mail_options):
        """The --refuse-message reply for this transaction at `stage`, or None."""
        size = next((o[len("SIZE="):] for o in mail_options if o.startswith("SIZE=")), None)
        reply = self._refusals.get((size, stage))
        if reply == "CLOSE":
            server.close_without_reply = True
            return "421 4.3.0 closing (never sent)"
        if reply is not None and reply.startswith("421"):
            server.close_after_reply = True
        return reply

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._options.reject_mail:
            return self._options.reject_mail
        refusal = self._refusal(server, "mail", mail_options)
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == NULL_PATH:
            return "501 5.1.3 null forward-path"
        if address.lower() in self._refused:
            return f"550 5.1.1 <{address}>: no such user"
        refusal = self._refusal(server, "rcpt", envelope.mail_options)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._options.data_reply:
            return self._options.data_reply
        refusal = self._refusal(server, "data", envelope.mail_options)
        if refusal:
            return refusal
        if self._options.spool:
            self._count += 1
            stem = os.path.join(self._options.spool, f"{self._count:04d}")
            content = envelope.original_content
            assert isinstance(content, bytes)
            write_atomically(stem + ".eml", content)
            mail_from = "" if envelope.mail_from == NULL_PATH else envelope.mail_from
            meta = {
                "mail_from": mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "mail_options": list(envelope.mail_options),
                "rcpt_options": list(envelope.rcpt_options),
                "bdat_commands": getattr(envelope, "bdat_commands", 0),
                "dsn_mail": getattr(envelope, "dsn_mail", []),
                "dsn_rcpt": getattr(envelope, "dsn_rcpt", []),
                "tls_cipher": tls_cipher(server),
            }
            write_atomically(stem + ".json", json.dumps(meta).encode("ascii"))
        return "250 OK: queued"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1",
                        choices=["127.0.0.1", "127.0.0.2", "::1"],
                        help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on (default: a free one)")
    parser.add_argument("--port-file", required=True, help="where to write the port")
    parser.add_argument("--unix", metavar="PATH",
                        help="listen on this Unix socket instead of TCP ('@NAME': Linux's "
                             "abstract namespace); the port file then says 0")
    parser.add_argument("--spool", help="directory for NNNN.eml and NNNN.json")
    parser.add_argument("--log", help="file to append received command lines to")
    parser.add_argument("--peers", help="file to append each client's address to, 'IP PORT' "
                                        "a line, as the connection is accepted")
    parser.add_argument("--refuse-rcpt", action="append", default=[], metavar="ADDR",
                        help="answer RCPT for ADDR with 550 5.1.1 (repeatable)")
    parser.add_argument("--helo-only", action="store_true",
                        help="answer EHLO with 502; HELO works")
    parser.add_argument("--size-limit", type=int, default=0, metavar="N",
                        help="advertise SIZE N and refuse bigger messages")
    parser.add_argument("--data-reply", metavar="'CODE TEXT'",
                        help="reply to the end of data with this instead of 250")
    parser.add_argument("--reject-mail", metavar="'CODE TEXT'",
                        help="reply to MAIL with this")
    parser.add_argument("--refuse-message", action="append", default=[],
                        metavar="SIZE:STAGE:REPLY",
                        help="answer the transaction whose MAIL has SIZE=SIZE with REPLY at "
                             "STAGE (mail, rcpt or data); REPLY 'CLOSE' closes the connection "
                             "instead, a 421 REPLY closes it after replying (repeatable)")
    parser.add_argument("--reject-pipelined-after-data", action="store_true",
                        help="answer 503 5.5.1 to every command pipelined behind the end of "
                             "a message's data, as Haraka does (see above)")
    parser.add_argument("--hostname", default="mx.test.example",
                        help="name in the greeting and EHLO reply")
    parser.add_argument("--tls-cert", metavar="PEM", help="server certificate (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PEM", help="server private key")
    parser.add_argument("--starttls", action="store_true",
                        help="offer STARTTLS (needs --tls-cert/--tls-key)")
    parser.add_argument("--require-starttls", action="store_true",
                        help="refuse everything but EHLO/STARTTLS/QUIT before TLS")
    parser.add_argument("--implicit-tls", action="store_true",
                        help="TLS from the first byte, as on port 465 (smtps://)")
    parser.add_argument("--client-ca", metavar="PEM",
                        help="require a client certificate signed by this CA")
    parser.add_argument("--tls-client-order", action="store_true",
                        help="choose the TLS suite by the client's order, not the server's")
    parser.add_argument("--pipelining", action="store_true", help="offer PIPELINING (RFC 2920)")
    parser.add_argument("--chunking", action="store_true",
                        help="offer CHUNKING and accept BDAT (RFC 3030)")
    parser.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8 (RFC 6531)")
    parser.add_argument("--dsn", action="store_true",
                        help="offer DSN and check and record its parameters (RFC 3461)")
    parser.add_argument("--auth-user", action="append", default=[], metavar="USER:PASSWORD",
                        help="accept this login for PLAIN, LOGIN and CRAM-MD5 (repeatable)")
    parser.add_argument("--auth-token", action="append", default=[], metavar="USER:TOKEN",
                        help="accept this bearer token for XOAUTH2 and OAUTHBEARER (repeatable)")
    parser.add_argument("--auth-external", metavar="CN",
                        help="offer EXTERNAL: the TLS client certificate with this common name "
                             "logs in (needs --client-ca)")
    parser.add_argument("--auth-mechanisms", metavar="LIST",
                        help="comma-separated mechanisms to offer (default: all)")
    parser.add_argument("--auth-required", action="store_true",
                        help="refuse MAIL before a successful AUTH (530)")
    parser.add_argument("--auth-require-tls", action="store_true",
                        help="offer AUTH only inside TLS")
    options = parser.parse_args(argv)
    if (options.starttls or options.implicit_tls) and not (options.tls_cert and options.tls_key):
        parser.error("--starttls and --implicit-tls need --tls-cert and --tls-key")
    for entry in options.refuse_message:
        size, _, rest = entry.partition(":")
        stage, _, reply = rest.partition(":")
        if not size.isdigit() or stage not in ("mail", "rcpt", "data") or not reply:
            parser.error(f"--refuse-message {entry!r}: expected SIZE:mail|rcpt|data:REPLY")
    return options


def tls_cipher(server):
    """The TLS suite the connection negotiated ("TLS_AES_128_GCM_SHA256"), "" in plain text."""
    ssl_object = server.transport.get_extra_info("ssl_object")
    cipher = ssl_object.cipher() if ssl_object is not None else None
    return cipher[0] if cipher else ""


def make_tls_context(options):
    """The server's TLS context, or None when the options ask for no TLS."""
    if not (options.tls_cert and options.tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(options.tls_cert, options.tls_key)
    if options.tls_client_order:
        # Python prefers the server's order; OpenSSL's and Postfix's defaults follow the client's.
        context.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    if options.client_ca:
        context.load_verify_locations(options.client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def make_protocol_factory(options, loop):
    """The one place that turns options into an SMTP protocol instance (add TLS/AUTH here)."""
    handler = SpoolHandler(options)
    log = CommandLog(options.log)
    starttls_context = make_tls_context(options) if options.starttls else None
    all_mechanisms = {"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER", "EXTERNAL"}
    offered = (set(m.strip().upper() for m in options.auth_mechanisms.split(","))
               if options.auth_mechanisms else all_mechanisms - {"EXTERNAL"})
    if options.auth_external:
        offered.add("EXTERNAL")
    # Without logins to check, offer no AUTH at all (aiosmtpd would offer PLAIN and LOGIN).
    auth = dict(auth_exclude_mechanism=sorted(all_mechanisms))
    if options.auth_user or options.auth_token or options.auth_external:
        auth = dict(authenticator=handler.authenticate, auth_required=options.auth_required,
                    auth_require_tls=options.auth_require_tls,
                    auth_exclude_mechanism=sorted(all_mechanisms - offered))

    def factory():
        return TestSMTP(
            handler,
            options=options,
            log=log,
            data_size_limit=options.size_limit or None,
            decode_data=False,
            hostname=options.hostname,
            ident="smtpc-test-server",
            timeout=120,
            loop=loop,
            tls_context=starttls_context,
            enable_SMTPUTF8=options.smtputf8,
            require_starttls=options.require_starttls,
            **auth,
        )

    return factory


async def serve(options):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: stop.done() or stop.set_result(None))
    tls = make_tls_context(options) if options.implicit_tls else None
    if options.unix:
        # An abstract name starts with a NUL byte (unix(7)).
        path = "\0" + options.unix[1:] if options.unix.startswith("@") else options.unix
        server = await loop.create_unix_server(make_protocol_factory(options, loop), path=path,
                                               ssl=tls)
        port = 0
    else:
        server = await loop.create_server(
            make_protocol_factory(options, loop), host=options.host, port=options.port,
            reuse_address=True, ssl=tls)
        port = server.sockets[0].getsockname()[1]
    write_atomically(options.port_file, f"{port}\n".encode("ascii"))
    try:
        await stop
    finally:
        server.close()
        await server.wait_closed()


def main(argv):
    options = parse_args(argv)
    asyncio.run(serve(options))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
