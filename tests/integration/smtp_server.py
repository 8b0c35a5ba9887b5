"""A real SMTP server (Debian's aiosmtpd 1.4.3) that spools messages and logs commands, for tests.

Run with /usr/bin/python3. It listens on loopback only, on a free port that it writes
to --port-file once it accepts connections, and stops cleanly on SIGTERM/SIGINT.

Spool: every accepted message becomes DIR/NNNN.eml (the bytes after un-dot-stuffing,
exactly as aiosmtpd hands them over) and then DIR/NNNN.json with the envelope
{"mail_from": ..., "rcpt_tos": [...], "mail_options": [...], "rcpt_options": [...]}.
The null reverse-path (MAIL FROM:<>) is recorded as "". The .json file is written
last, so a reader that sees it also sees the complete .eml.

Log: every command line received from the client, one per line, without its line end,
appended and flushed before the server replies to it. DATA content is not logged.
"""

import argparse
import base64
import binascii
import hmac
import asyncio
import json
import os
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import MISSING, SMTP, AuthResult

NULL_PATH = "<>"


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
    """

    def __init__(self, inner, log):
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __setattr__(self, name, value):
        setattr(self._inner, name, value)

    async def readuntil(self, separator=b"\n"):
        line = await self._inner.readuntil(separator)
        if separator == b"\n":
            self._log.record(line)
        return line

    async def readline(self):
        line = await self._inner.readline()
        self._log.record(line)
        return line


class TestSMTP(SMTP):
    """aiosmtpd's SMTP with command logging and optional fault behaviour."""

    def __init__(self, handler, *, options, log, **kwargs):
        super().__init__(handler, **kwargs)
        self._options = options
        self._log = log
        self._bdat_chunks = []
        self._bdat_count = 0

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(LoggingReader(reader, self._log), writer)

    async def smtp_MAIL(self, arg):
        """aiosmtpd knows BODY=7BIT and 8BITMIME only; with --chunking, BINARYMIME too."""
        binary = False
        if arg and self._options.chunking:
            words = arg.split()
            kept = [w for w in words if w.upper() != "BODY=BINARYMIME"]
            binary = len(kept) != len(words)
            arg = " ".join(kept)
        await super().smtp_MAIL(arg)
        if binary and self.envelope.mail_from is not None:
            self.envelope.mail_options.append("BODY=BINARYMIME")

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

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._options.reject_mail:
            return self._options.reject_mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == NULL_PATH:
            return "501 5.1.3 null forward-path"
        if address.lower() in self._refused:
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._options.data_reply:
            return self._options.data_reply
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
            }
            write_atomically(stem + ".json", json.dumps(meta).encode("ascii"))
        return "250 OK: queued"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "::1"],
                        help="loopback address to listen on")
    parser.add_argument("--port-file", required=True, help="where to write the port")
    parser.add_argument("--spool", help="directory for NNNN.eml and NNNN.json")
    parser.add_argument("--log", help="file to append received command lines to")
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
    parser.add_argument("--pipelining", action="store_true", help="offer PIPELINING (RFC 2920)")
    parser.add_argument("--chunking", action="store_true",
                        help="offer CHUNKING and accept BDAT (RFC 3030)")
    parser.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8 (RFC 6531)")
    parser.add_argument("--auth-user", action="append", default=[], metavar="USER:PASSWORD",
                        help="accept this login for PLAIN, LOGIN and CRAM-MD5 (repeatable)")
    parser.add_argument("--auth-token", action="append", default=[], metavar="USER:TOKEN",
                        help="accept this bearer token for XOAUTH2 and OAUTHBEARER (repeatable)")
    parser.add_argument("--auth-mechanisms", metavar="LIST",
                        help="comma-separated mechanisms to offer (default: all)")
    parser.add_argument("--auth-required", action="store_true",
                        help="refuse MAIL before a successful AUTH (530)")
    parser.add_argument("--auth-require-tls", action="store_true",
                        help="offer AUTH only inside TLS")
    options = parser.parse_args(argv)
    if (options.starttls or options.implicit_tls) and not (options.tls_cert and options.tls_key):
        parser.error("--starttls and --implicit-tls need --tls-cert and --tls-key")
    return options


def make_tls_context(options):
    """The server's TLS context, or None when the options ask for no TLS."""
    if not (options.tls_cert and options.tls_key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(options.tls_cert, options.tls_key)
    if options.client_ca:
        context.load_verify_locations(options.client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def make_protocol_factory(options, loop):
    """The one place that turns options into an SMTP protocol instance (add TLS/AUTH here)."""
    handler = SpoolHandler(options)
    log = CommandLog(options.log)
    starttls_context = make_tls_context(options) if options.starttls else None
    all_mechanisms = {"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"}
    offered = (set(m.strip().upper() for m in options.auth_mechanisms.split(","))
               if options.auth_mechanisms else all_mechanisms)
    # Without logins to check, offer no AUTH at all (aiosmtpd would offer PLAIN and LOGIN).
    auth = dict(auth_exclude_mechanism=sorted(all_mechanisms))
    if options.auth_user or options.auth_token:
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
    server = await loop.create_server(
        make_protocol_factory(options, loop), host=options.host, port=0,
        ssl=make_tls_context(options) if options.implicit_tls else None)
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
