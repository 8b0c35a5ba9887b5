#!/usr/bin/python3
"""Runs one of curl 7.88.1's own SMTP test files (tests/curl-data/testNNN) against a client.

The client is smtpc, or curl itself to show that this runner reads the files as curl's
runtests.pl does. What this file re-implements from curl-7_88_1's tests/:
- getpart.pm: sections and parts of a test file, attributes, nonewline;
- runtests.pl: %VARIABLE, %b64[]b64%, %hex[]hex% and %repeat[]% substitution, <setenv>,
  <precheck>, <file> parts, the added --output/--include/--trace-ascii/--trace-time options,
  the command run by /bin/sh with <stdin> redirected, and the checks of <errorcode>,
  <stdout>, <reply><data>, <protocol> (with <strip>/<strippart>), <upload>, <proxy> and
  <verify><file>, all compared byte for byte;
- ftpserver.pl's SMTP server: the curl greeting, EHLO/HELO/MAIL/RCPT/DATA/VRFY/EXPN/HELP/
  NOOP/RSET/QUIT, and <servercmd>'s REPLY, REPLYLF, "REPLY \"CMD ARG\"", COUNT, DELAY,
  CAPA and AUTH, read again for each connection;
- sws as an HTTP CONNECT proxy (test 1320): the request is logged, the tunnel goes to
  127.0.0.1 and the CONNECT's port.
Where this server is knowingly stricter or looser than ftpserver.pl it says so below.

Exit status: 0 the test passed (or, for a documented exception, failed exactly in the
documented part); 1 it failed; 77 it does not apply here (ctest's SKIP_RETURN_CODE).
"""
import argparse
import base64
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
HOSTIP = "127.0.0.1"
CLIENT_TIMEOUT = 60


# ---------------------------------------------------------------------------------------
# Test files (getpart.pm). Lines are bytes decoded as latin-1, so every byte survives.

class TestFile:
    def __init__(self, lines):
        self.lines = lines

    def _part_lines(self, section, part):
        """getpart(): the lines of <section><part>...</part>, None when there is no part."""
        found = None
        inside = 0
        start_part = re.compile(r"^ *<" + re.escape(part) + r"[ >]")
        end_part = re.compile(r"^ *</" + re.escape(part) + r"[ >]")
        start_section = re.compile(r"^ *<" + re.escape(section))
        end_section = re.compile(r"^ *</" + re.escape(section))
        for line in self.lines:
            if not inside and start_section.match(line):
                inside = 1
            elif inside >= 1 and start_part.match(line):
                if inside > 1:
                    found.append(line)
                else:
                    found = []
                inside += 1
            elif inside >= 2 and end_part.match(line):
                if inside > 2:
                    found.append(line)
                inside -= 1
            elif inside >= 1 and end_section.match(line):
                return found
            elif inside >= 2:
                found.append(line)
        return found

    def part(self, section, part):
        return self._part_lines(section, part) or []

    def exists(self, section, part):
        return self._part_lines(section, part) is not None

    def attrs(self, section, part):
        """getpartattr(): the attributes of <part ...> in <section>."""
        inside = False
        for line in self.lines:
            if not inside and re.match(r"^ *<" + re.escape(section), line):
                inside = True
            if inside:
                m = re.match(r"^ *<" + re.escape(part) + r" ([^>]*)", line)
                if m:
                    return dict((k, v1 if v1 else v2) for k, _, v1, v2 in re.findall(
                        r' *([^=]*)= *("([^"]*)"|([^> ]*))', m.group(1)))
                if re.match(r"^ *</" + re.escape(section) + ">", line):
                    break
        return {}

    def text(self, section, part, chomp_attr=True):
        lines = list(self.part(section, part))
        if chomp_attr and lines and self.attrs(section, part).get("nonewline"):
            lines[-1] = lines[-1][:-1] if lines[-1].endswith("\n") else lines[-1]
        return "".join(lines)


def substitute(line, variables):
    """runtests.pl's subVariables() and subBase64() on one line."""
    for name, value in variables:
        line = line.replace("%" + name, value)

    def percent_decode(s):
        return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), s)

    m = re.search(r"%b64\[(.*)\]b64%", line, re.I)
    if m:
        encoded = base64.b64encode(percent_decode(m.group(1)).encode("latin-1")).decode()
        line = line[:m.start()] + encoded + line[m.end():]
    m = re.search(r"%hex\[(.*)\]hex%", line, re.I)
    if m:
        line = line[:m.start()] + percent_decode(m.group(1)) + line[m.end():]
    m = re.search(r"%repeat\[(\d+) x (.*)\]%", line, re.I)
    if m:
        line = line[:m.start()] + percent_decode(m.group(2)) * int(m.group(1)) + line[m.end():]
    return line


def load_test(path, variables, features):
    """prepro(): %if/%else/%endif by feature, then the substitutions, line by line."""
    with open(path, "rb") as f:
        raw = f.read().decode("latin-1")
    out = []
    show = True
    for line in raw.splitlines(keepends=True):
        m = re.match(r"^ *%if (.*)", line)
        if m:
            cond = m.group(1).strip()
            negate = cond.startswith("!")
            show = (cond.lstrip("!") in features) != negate
            continue
        if re.match(r"^ *%else", line):
            show = not show
            continue
        if re.match(r"^ *%endif", line):
            show = True
            continue
        if show:
            out.append(substitute(line, variables))
    return TestFile(out)


# ---------------------------------------------------------------------------------------
# The SMTP server (ftpserver.pl with --proto smtp).

WELCOME = ("220-        _   _ ____  _     \r\n"
           "220-    ___| | | |  _ \\| |    \r\n"
           "220-   / __| | | | |_) | |    \r\n"
           "220-  | (__| |_| |  _ {| |___ \r\n"
           "220    \\___|\\___/|_| \\_\\_____|\r\n")


def perl_qq(text):
    """The escapes of Perl's qq{} that servercmd lines use (\\r, \\n, \\t, \\\\)."""
    return re.sub(r"\\(.)", lambda m: {"r": "\r", "n": "\n", "t": "\t"}.get(m.group(1),
                                                                           m.group(1)), text)


def perl_true(value):
    return value is not None and value != "" and value != "0"


class ServerLog:
    """What log/server.input and log/upload.NNN hold for runtests.pl."""

    def __init__(self):
        self.lock = threading.Lock()
        self.input = []       # every byte read as commands, as read
        self.uploads = {}     # EHLO name -> the bytes DATA stored
        self.proxy_input = []


class SmtpServer:
    def __init__(self, test, log):
        self.test = test
        self.log = log
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOSTIP, 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        # ftpserver.pl keeps these two across connections.
        self.smtp_type = ""
        self.smtp_client = ""
        self.stopping = False
        self.active = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(10)

    # One connection at a time, as ftpserver.pl behind sockfilt.
    def _serve(self):
        while not self.stopping:
            try:
                readable, _, _ = select.select([self.listener], [], [], 0.05)
                if not readable:
                    continue
                with self.lock:  # taken and counted at once: see smtp_busy()
                    conn, _ = self.listener.accept()
                    self.active += 1
            except (OSError, ValueError):
                return
            with conn:
                try:
                    Connection(self, conn).run()
                except OSError:
                    pass
            with self.lock:
                self.active -= 1


class Connection:
    def __init__(self, server, sock):
        self.server = server
        self.sock = sock
        self.buffer = ""
        self._customize()

    # customize(): <servercmd> is read again for each connection.
    def _customize(self):
        self.capabilities = []
        self.auth_mechs = []
        self.full_text_reply = {}
        self.command_reply = {}
        self.custom_count = {}
        self.delay = {}
        for line in self.server.test.part("reply", "servercmd"):
            line = line.rstrip("\n")
            m = re.search(r'REPLY "([A-Z]+ [A-Za-z0-9+-/=*. ]+)" (.*)', line)
            if m:
                self.full_text_reply[m.group(1)] = perl_qq(m.group(2))
                continue
            m = re.search(r"REPLY(LF|) ([A-Za-z0-9+/=*]*) (.*)", line)
            if m:
                ending = "\n" if m.group(1) == "LF" else "\r\n"
                self.command_reply[m.group(2)] = perl_qq(m.group(3)) + ending
                continue
            m = re.search(r"COUNT ([A-Z]+) (.*)", line)
            if m:
                self.custom_count[m.group(1)] = int(m.group(2))
                continue
            m = re.search(r"DELAY ([A-Z]+) (\d*)", line)
            if m:
                self.delay[m.group(1)] = int(m.group(2) or 0)
                continue
            m = re.search(r"CAPA (.*)", line)
            if m:
                # Words split at spaces outside double quotes; the quotes are dropped.
                self.capabilities = [w[1:-1] if len(w) > 1 and w[0] == w[-1] == '"' else w
                                     for w in re.findall(r'"[^"]*"|[^ ]+', m.group(1))]
                continue
            m = re.search(r"AUTH (.*)", line)
            if m:
                self.auth_mechs = m.group(1).split(" ")

    def send(self, text):
        self.sock.sendall(text.encode("latin-1"))

    def _read(self):
        data = self.sock.recv(65536)
        return data.decode("latin-1") if data else None

    def run(self):
        welcome = self.command_reply.pop("welcome", "")
        if welcome:
            self.send(welcome if welcome.endswith("\r\n") else welcome + "\r\n")
        else:
            self.send(WELCOME)
        while True:
            # ftpserver.pl collects input until it ends in CRLF; this server takes one
            # CRLF-ended line at a time, so a client that pipelines is not refused here.
            while "\r\n" not in self.buffer:
                data = self._read()
                if data is None:
                    return
                self.buffer += data
            line, self.buffer = self.buffer.split("\r\n", 1)
            with self.server.log.lock:
                self.server.log.input.append(line + "\r\n")
            if not self._command(line.rstrip("\r\n")):
                # ftpserver.pl stops answering (and logging) but keeps the connection.
                self.buffer = ""
                while self._read() is not None:
                    pass
                return

    def _command(self, full):
        m = re.fullmatch(r"([A-Za-z]{3,4})(\s(.*))?", full)
        if m:
            cmd, arg = m.group(1), m.group(3)
        elif full == "*" or re.fullmatch(r"[A-Za-z0-9+/]{0,512}={0,2}", full):
            cmd, arg = full, ""  # SASL cancellation or a base64 response
        else:
            self.send("500 Unrecognized command\r\n")
            return False
        if self.delay.get(cmd):
            time.sleep(self.delay[cmd])
        text = self.full_text_reply.get(cmd + " " + arg if perl_true(arg) else cmd)
        if text:
            self.send(text + "\r\n")
            return True
        text = self.command_reply.get(cmd)
        if text:
            if self.custom_count.get(cmd):
                self.custom_count[cmd] -= 1
                if self.custom_count[cmd] == 0:
                    self.command_reply[cmd] = ""
            self.send(text)
            return True
        handler = getattr(self, "smtp_" + cmd.upper(), None) if cmd.isalpha() else None
        if handler:
            handler(arg)
        else:
            self.send("500 %s is not dealt with!\r\n" % cmd)
        return True

    def _reply_data(self):
        """getreplydata(): <reply><data>, or <dataN> for an EHLO name above 10000."""
        num = re.sub(r"^[^0-9]*", "", self.server.smtp_client)
        if num and int(num) > 10000:
            data = self.server.test.part("reply", "data%d" % (int(num) % 10000))
            if data:
                return data
        return self.server.test.part("reply", "data")

    def smtp_EHLO(self, client):
        client = client or "[127.0.0.1]"
        self.server.smtp_type = "ESMTP"
        lines = ["ESMTP pingpong test server Hello " + client] + self.capabilities
        if self.auth_mechs:
            lines.append("AUTH " + " ".join(self.auth_mechs))
        self.send("".join("250%s%s\r\n" % ("-" if i < len(lines) - 1 else " ", d)
                          for i, d in enumerate(lines)))
        self.server.smtp_client = client

    def smtp_HELO(self, client):
        client = client or "[127.0.0.1]"
        self.server.smtp_type = "SMTP"
        self.send("250 SMTP pingpong test server Hello %s\r\n" % client)
        self.server.smtp_client = client

    def smtp_MAIL(self, args):
        if not perl_true(args):
            self.send("501 Unrecognized parameter\r\n")
            return
        sender, size = None, 0
        for element in args.split(" "):
            m = re.fullmatch(r"FROM:(.*)", element)
            if m:
                sender = m.group(1)
            m = re.fullmatch(r"SIZE=(\d+)", element)
            if m:
                size = int(m.group(1))
        if not sender:
            self.send("501 Invalid address\r\n")
            return
        limits = [int(c[5:]) for c in self.capabilities if re.fullmatch(r"SIZE \d+", c)]
        if limits and size > limits[0]:
            self.send("552 Message size too large\r\n")
        else:
            self.send("250 Sender OK\r\n")

    def _utf8_allowed(self):
        return "SMTPUTF8" in self.capabilities

    def smtp_RCPT(self, args):
        m = re.match(r"TO:(.*)", args or "")
        if not m:
            self.send("501 Unrecognized parameter\r\n")
            return
        word = r"[a-zA-Z0-9\x80-\xff._%+-]" if self._utf8_allowed() else r"[a-zA-Z0-9._%+-]"
        label = r"[a-zA-Z0-9\x80-\xff-]" if self._utf8_allowed() else r"[a-zA-Z0-9-]"
        if re.fullmatch(r"<%s+@(%s+\.)+[a-zA-Z]{2,4}>" % (word, label), m.group(1)):
            self.send("250 Recipient OK\r\n")
        else:
            self.send("501 Invalid address\r\n")

    def smtp_DATA(self, args):
        if perl_true(args):
            self.send("501 Unrecognized parameter\r\n")
            return
        if not re.fullmatch(r"\d*", self.server.smtp_client):
            self.send("501 Invalid arguments\r\n")
            return
        self.send("354 Show me the mail\r\n")
        raw = self.buffer
        self.buffer = ""
        end = re.compile(r"(?:^|\r\n)\.\r\n")
        while not end.search(raw):
            data = self._read()
            if data is None:
                break
            raw += data
        m = end.search(raw)
        if m:
            # ftpserver.pl stores the whole chunk that holds the end marker; this server
            # stops at the marker, so that a command pipelined behind it stays a command.
            raw, self.buffer = raw[:m.end()], raw[m.end():]
        with self.server.log.lock:
            self.server.log.uploads[self.server.smtp_client] = raw
        self.send("250 OK, data received!\r\n")

    def smtp_NOOP(self, args):
        self.send("501 Unrecognized parameter\r\n" if perl_true(args) else "250 OK\r\n")

    def smtp_RSET(self, args):
        self.send("501 Unrecognized parameter\r\n" if perl_true(args) else "250 Resetting\r\n")

    def smtp_HELP(self, args):
        if self.server.smtp_client == "verifiedserver":
            self.send("214 WE ROOLZ: %d\r\n" % os.getpid())
            return
        self.send("214-This server supports the following commands:\r\n")
        self.send("214 HELO EHLO RCPT DATA RSET MAIL VRFY EXPN QUIT HELP%s\r\n"
                  % (" AUTH" if self.auth_mechs else ""))

    def smtp_VRFY(self, args):
        username = (args or "").split(" ", 1)[0]
        if username == "":
            self.send("501 Unrecognized parameter\r\n")
            return
        word = r"[a-zA-Z0-9\x80-\xff._%+-]" if self._utf8_allowed() else r"[a-zA-Z0-9._%+-]"
        label = r"[a-zA-Z0-9\x80-\xff-]" if self._utf8_allowed() else r"[a-zA-Z0-9-]"
        if not re.fullmatch(r"%s+(@(%s+\.)+[a-zA-Z]{2,4})?" % (word, label), username):
            self.send("501 Invalid address\r\n")
            return
        data = self._reply_data()
        if not data:
            external = re.fullmatch(r"[a-zA-Z0-9._%+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,4}",
                                    username)
            data = ["250 <%s>\r\n" % username if external
                    else "250 <%s@example.com>\r\n" % username]
        self.send("".join(data))

    def smtp_EXPN(self, list_name):
        if not perl_true(list_name):
            self.send("501 Unrecognized parameter\r\n")
            return
        self.send("".join(self._reply_data()))

    def smtp_QUIT(self, args):
        self.send("221 curl %s server signing off\r\n" % self.server.smtp_type)


class ConnectProxy:
    """sws as runtests.pl starts it for http-proxy (--connect 127.0.0.1): logs the request
    and tunnels to 127.0.0.1 at the CONNECT's port."""

    def __init__(self, log):
        self.log = log
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((HOSTIP, 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def stop(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(4096)
            if not data:
                client.close()
                return
            head += data
        request, rest = head.split(b"\r\n\r\n", 1)
        with self.log.lock:
            self.log.proxy_input.append((request + b"\r\n\r\n").decode("latin-1"))
        m = re.match(rb"CONNECT \S+:(\d+) ", request)
        if not m:
            client.sendall(b"HTTP/1.1 400 Bad request\r\n\r\n")
            client.close()
            return
        upstream = socket.create_connection((HOSTIP, int(m.group(1))))
        client.sendall(b"HTTP/1.1 200 Mighty fine indeed\r\n\r\n")
        if rest:
            upstream.sendall(rest)

        def pump(src, dst):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
        pump(client, upstream)


# ---------------------------------------------------------------------------------------
# Running one test (runtests.pl's singletest()).

# runtests.pl's features of curl 7.88.1 as Debian builds it (`curl -V`; a release build, so
# no "debug"). smtpc is held to the same files: where it lacks one (NTLM), catalog.txt says.
FEATURES = {"SSL", "crypto", "idn", "IDN", "Mime", "NTLM", "proxy", "http", "ipv6",
            "unix-sockets", "TLS-SRP", "libz", "Largefile", "GSS-API", "HSTS",
            "alt-svc", "threadsafe", "PSL", "OpenSSL"}


def feature_missing(test):
    for line in test.part("client", "features"):
        name = line.strip()
        if not name:
            continue
        wanted = not name.startswith("!")
        if (name.lstrip("!") in FEATURES) != wanted:
            return name
    return None


def installed_locales():
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except OSError:
        return set()
    return {l.strip().lower().replace("utf-8", "utf8") for l in out.splitlines()}


def test_environment(test, home):
    env = dict(os.environ)
    # runtests.pl: no proxy from the environment, no CA overrides, a home of its own.
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "smtp_proxy",
                 "no_proxy", "ftps_proxy", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY",
                 "SMTP_PROXY", "NO_PROXY", "FTPS_PROXY", "SSL_CERT_DIR", "SSL_CERT_PATH",
                 "CURL_CA_BUNDLE"):
        env.pop(name, None)
    env.update({"HOME": home, "CURL_HOME": home, "XDG_CONFIG_HOME": home, "COLUMNS": "79",
                "CURL_ENTROPY": "12345678", "CURL_FORCETIME": "1"})
    locales = None
    test_set = set()
    for line in test.part("client", "setenv"):
        line = line.rstrip("\n")
        m = re.match(r"([^=]*)=(.*)", line)
        if not m:
            continue
        name, value = m.group(1), m.group(2)
        test_set.add(name)
        if not value:
            env.pop(name, None)
            continue
        if name in ("LC_ALL", "LC_CTYPE", "LANG") and value.lower().endswith(".utf-8"):
            # The tests ask for "a UTF-8 locale" (their precheck says so) and name
            # en_US.UTF-8; where that is not installed, C.UTF-8 is one.
            locales = locales if locales is not None else installed_locales()
            if value.lower().replace("utf-8", "utf8") not in locales:
                value = "C.UTF-8"
        env[name] = value
    # Bytes for the child: the test's values as the file holds them (latin-1 carries them).
    return {os.fsencode(k): (v.encode("latin-1") if k in test_set else os.fsencode(v))
            for k, v in env.items()}


def run_precheck(test, env, cwd):
    lines = test.part("client", "precheck")
    command = lines[0].strip() if lines else ""
    if not command:
        return None
    if command.split(" ")[0] == "chkhostname":
        # curl's chkhostname checks its LD_PRELOAD'ed gethostname(); no test that runs
        # here sends the host name (curl 7.88's NTLM sends "WORKSTATION").
        return None
    result = subprocess.run(["/bin/sh", "-c", command.encode("latin-1")], env=env, cwd=cwd,
                            capture_output=True)
    return None if result.returncode == 0 else "precheck failed: " + command


def write_client_files(test, logdir_parent):
    for suffix in ("", "1", "2", "3", "4"):
        part = "file" + suffix
        attrs = test.attrs("client", part)
        content = test.text("client", part)
        name = attrs.get("name")
        if not name and not content:
            continue
        path = os.path.join(logdir_parent, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode("latin-1"))


def apply_strippart(rules, lines):
    """<strippart>/<stripfile>: the Perl statements curl's tests use, each run on every line:
    s/REGEX/TEXT/ and $_ = '' if /REGEX/ (a line made empty is dropped by the caller)."""
    for rule in rules:
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            continue
        m = re.fullmatch(r"s/((?:[^/\\]|\\.)*)/((?:[^/\\]|\\.)*)/([gi]*)", rule)
        if m:
            pattern = re.compile(m.group(1), re.I if "i" in m.group(3) else 0)
            count = 0 if "g" in m.group(3) else 1
            # The replacements in curl's SMTP tests are plain text ($1 and the like unused).
            replacement = re.sub(r"\\(.)", r"\1", m.group(2))
            lines = [pattern.sub(lambda _: replacement, l, count=count) for l in lines]
            continue
        m = re.fullmatch(r"\$_ = '' if /((?:[^/\\]|\\.)*)/", rule)
        if m:
            lines = ["" if re.search(m.group(1), l) else l for l in lines]
            continue
        raise SystemExit("unsupported <strippart>/<stripfile> rule: " + rule)
    return lines


def split_lines(text):
    return text.splitlines(keepends=True)


def show(text):
    """Line ends made visible: a bare LF or CR is a difference that matters here."""
    return (text.replace("\r\n", "\0").replace("\n", "[LF]\n").replace("\r", "[CR]")
            .replace("\0", "[CRLF]\n"))


def client_version(client):
    out = subprocess.run([client, "--version"], capture_output=True, text=True,
                         timeout=CLIENT_TIMEOUT).stdout
    words = out.split()
    return words[1] if len(words) > 1 else "0"


def run_test(number, data_dir, client, keep, difference):
    """SKIP, or the failures (see verify()) with the documented difference and without."""
    workdir = tempfile.mkdtemp(prefix="curl-test%s-" % number)
    try:
        return _run_test_in(number, data_dir, client, workdir, difference)
    finally:
        if keep:
            print("kept: " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _run_test_in(number, data_dir, client, workdir, difference):
    log = ServerLog()
    os.makedirs(os.path.join(workdir, "log"))
    path = os.path.join(data_dir, "test%s" % number)

    # The ports are known before the file is read, as runtests.pl's servers are started.
    probe = load_test(path, [], FEATURES)
    servers_wanted = " ".join(probe.part("client", "server")).split()
    if any(s not in ("smtp", "http-proxy") for s in servers_wanted):
        print("SKIP: needs servers %s" % servers_wanted)
        return SKIP
    missing = feature_missing(probe)
    if missing:
        print("SKIP: feature %s" % missing)
        return SKIP

    smtp = SmtpServer(None, log)
    proxy = ConnectProxy(log) if "http-proxy" in servers_wanted else None
    variables = [("SMTP6PORT", "0"), ("SMTPPORT", str(smtp.port)),
                 ("PROXYPORT", str(proxy.port if proxy else 0)),
                 ("HOST6IP", "::1"), ("HOSTIP", HOSTIP), ("CLIENT6IP", "::1"),
                 ("CLIENTIP", HOSTIP), ("CURL", client), ("POSIX_PWD", workdir),
                 ("FILE_PWD", workdir), ("PWD", workdir), ("VERSION", client_version(client)),
                 ("TESTNUMBER", str(number)), ("LOGDIR", "log"), ("SRCDIR", data_dir),
                 ("USER", os.environ.get("USER", "nobody"))]
    test = load_test(path, variables, FEATURES)
    smtp.test = test
    try:
        return _shoot(number, test, client, workdir, log, smtp, difference)
    finally:
        smtp.stop()
        if proxy:
            proxy.stop()


def _shoot(number, test, client, workdir, log, smtp, difference):
    env = test_environment(test, workdir)
    why = run_precheck(test, env, workdir)
    if why:
        print("SKIP: " + why)
        return SKIP
    write_client_files(test, workdir)

    command = "".join(test.part("client", "command")[:1]).replace("\n", "")
    command_attrs = test.attrs("client", "command")
    options = command_attrs.get("option", "")
    expected_stdout = test.part("verify", "stdout")
    added = ""
    if "no-output" not in options and (not expected_stdout or "force-output" in options):
        added += " --output log/curl%s.out " % number
    if "no-include" not in options:
        added += " --include"
    added += " --trace-ascii log/trace%s --trace-time " % number
    shell_command = shlex.quote(client) + " " + added + command
    if test.exists("client", "stdin"):
        with open(os.path.join(workdir, "log", "stdin-for-%s" % number), "wb") as f:
            f.write(test.text("client", "stdin").encode("latin-1"))
        shell_command += " <log/stdin-for-%s" % number
    shell_command += " >log/stdout%s 2>log/stderr%s" % (number, number)
    print("command: " + shell_command)

    # Bytes, as in the test file (latin-1 here is only a way to carry them). A session of
    # its own, so that a client that hangs is killed with the shell that started it.
    shell = subprocess.Popen(["/bin/sh", "-c", shell_command.encode("latin-1")], cwd=workdir,
                             env=env, start_new_session=True)
    try:
        exit_code = shell.wait(timeout=CLIENT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()
        hung = [("errorcode", "the client ran longer than %d s: killed" % CLIENT_TIMEOUT)]
        return hung, hung
    # The client has exited: its connections are closed and the server has read them.
    deadline = time.time() + 5
    while time.time() < deadline and smtp_busy(smtp):
        time.sleep(0.01)
    return (verify(number, test, workdir, log, exit_code, difference),
            verify(number, test, workdir, log, exit_code) if difference else None)


def smtp_busy(smtp):
    """Whether the server still has a connection to read, open or waiting to be taken."""
    with smtp.lock:
        if smtp.active:
            return True
        readable, _, _ = select.select([smtp.listener], [], [], 0)
        return bool(readable)


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except FileNotFoundError:
        return ""


class Outcome:
    """One side of the comparison: each checked part's text, and the exit codes allowed."""

    def __init__(self):
        self.parts = {}  # part name -> text
        self.exit_codes = []


def strip_protocol(test, text):
    """<strip> drops matching lines, <strippart> edits them (on the client's side only)."""
    lines = split_lines(text)
    for pattern in test.part("verify", "strip"):
        lines = [l for l in lines if not re.search(pattern.rstrip("\n"), l)]
    return lines


def expected_outcome(test):
    want = Outcome()
    if test.part("verify", "stdout"):
        want.parts["stdout"] = test.text("verify", "stdout")
    for part in ("protocol", "proxy"):
        if test.part("verify", part):
            want.parts[part] = "".join(strip_protocol(test, test.text("verify", part)))
    if test.part("reply", "data") and not test.attrs("reply", "data").get("nocheck"):
        want.parts["data"] = test.text("reply", "data")
    if test.part("verify", "upload"):
        want.parts["upload"] = test.text("verify", "upload")
    for suffix in ("", "1", "2", "3", "4"):
        if test.exists("verify", "file" + suffix):
            name = test.attrs("verify", "file" + suffix).get("name")
            want.parts["file " + name] = test.text("verify", "file" + suffix, False)
    codes = "".join(test.part("verify", "errorcode")).strip() or "0"
    want.exit_codes = [int(c) for c in re.split(r" *, *", codes)]
    return want


def actual_outcome(number, test, workdir, log, exit_code, want):
    got = Outcome()
    got.exit_codes = [exit_code]
    logdir = os.path.join(workdir, "log")
    with log.lock:
        got.server_saw_nothing = not log.input
        server_input = {"protocol": "".join(log.input), "proxy": "".join(log.proxy_input)}
        upload = log.uploads.get(str(number), "")
    strippart = test.part("verify", "strippart")
    for part in want.parts:
        if part == "stdout":
            lines = split_lines(read_file(os.path.join(logdir, "stdout%s" % number)))
            text = "".join(l for l in apply_strippart(test.part("verify", "stripfile"), lines)
                           if l)
        elif part in server_input:
            text = "".join(apply_strippart(strippart, strip_protocol(test,
                                                                     server_input[part])))
        elif part == "data":
            text = read_file(os.path.join(logdir, "curl%s.out" % number))
        elif part == "upload":
            text = "".join(apply_strippart(strippart, split_lines(upload)))
        else:  # "file NAME"
            name = part[len("file "):]
            suffix = next(s for s in ("", "1", "2", "3", "4")
                          if test.attrs("verify", "file" + s).get("name") == name)
            lines = split_lines(read_file(os.path.join(workdir, name)))
            text = "".join(l for l in apply_strippart(
                test.part("verify", "stripfile" + suffix), lines) if l)
        got.parts[part] = text
    return got


# The documented differences (docs/curl-differences.md), each as the change it makes to
# what curl's test expects. A test listed with one passes only if smtpc does exactly what
# the test expects, changed that way: any other difference is still a failure.

def sent_as_crlf(want, test, argument):
    """smtpc sends every bare LF of the message as CRLF."""
    if "upload" in want.parts:
        want.parts["upload"] = re.sub(r"(?<!\r)\n", "\r\n", want.parts["upload"])


def checked_before_connecting(want, test, argument):
    """smtpc refuses the command line before connecting: exit ARGUMENT, nothing sent."""
    want.parts = {}
    want.exit_codes = [int(argument)]
    want.nothing_sent = True


def no_ntlm(want, test, argument):
    """smtpc has no NTLM: the NTLM exchange is left out; with nothing but NTLM offered it
    ends after EHLO with QUIT and exit 67 ("no usable mechanism")."""
    lines = split_lines(want.parts["protocol"])
    kept = [l for l in lines if not (l.startswith("AUTH NTLM") or l.startswith("TlRMTVNT")
                                     or l == "*\r\n")]
    if not any(l.startswith("AUTH ") for l in kept):
        kept = kept[:1] + ["QUIT\r\n"]
        want.exit_codes = [67]
        want.parts.pop("upload", None)
        want.nothing_uploaded = True
    want.parts["protocol"] = "".join(kept)


def own_user_agent(want, test, argument):
    """smtpc names itself in an HTTP proxy's CONNECT: User-Agent: smtpc/VERSION."""
    want.parts["proxy"] = want.parts["proxy"].replace("User-Agent: curl/",
                                                      "User-Agent: smtpc/")


DIFFERENCES = {
    "sent-as-crlf": sent_as_crlf,
    "checked-before-connecting": checked_before_connecting,
    "no-ntlm": no_ntlm,
    "own-user-agent": own_user_agent,
}


def verify(number, test, workdir, log, exit_code, difference=None):
    """The failures found, as (part, message); none means the test passed."""
    want = expected_outcome(test)
    if difference:
        name, _, argument = difference.partition(":")
        DIFFERENCES[name](want, test, argument)
    got = actual_outcome(number, test, workdir, log, exit_code, want)
    failures = []
    for part, text in want.parts.items():
        if got.parts[part] != text:
            failures.append((part, "%s differs:\n--- expected\n%s\n--- got\n%s" % (
                part, show(text), show(got.parts[part]))))
    if getattr(want, "nothing_sent", False) and not got.server_saw_nothing:
        failures.append(("protocol", "the server was sent commands:\n" +
                         show("".join(log.input))))
    if getattr(want, "nothing_uploaded", False) and log.uploads:
        failures.append(("upload", "a message was uploaded"))
    if exit_code not in want.exit_codes:
        failures.append(("errorcode", "errorcode differs: expected %s, got %d" % (
            ", ".join(map(str, want.exit_codes)), exit_code)))
    if failures:
        stderr = read_file(os.path.join(workdir, "log", "stderr%s" % number))
        failures.append(("", "client's stderr:\n" + stderr.rstrip()))
    return failures


def read_catalog(path):
    """tests/curl/catalog.txt: NUMBER skip REASON, or NUMBER differs RULE REASON."""
    catalog = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            words = line.split(None, 2)
            if words[1] == "differs":
                rule, _, reason = words[2].partition(" ")
                catalog[words[0]] = ("differs", rule, reason.strip())
            else:
                catalog[words[0]] = (words[1], None, words[2] if len(words) > 2 else "")
    return catalog


def report(failures):
    for _, message in failures:
        print(message)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--client", required=True, help="the smtpc or curl binary")
    parser.add_argument("--data", required=True, help="the directory of curl's test files")
    parser.add_argument("--catalog", required=True, help="tests/curl/catalog.txt")
    parser.add_argument("--oracle", action="store_true",
                        help="the client is curl 7.88.1: no documented difference applies")
    parser.add_argument("--require-version", help="skip (77) unless the client is this version")
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    parser.add_argument("tests", nargs="+", help="test numbers")
    args = parser.parse_args()
    catalog = read_catalog(args.catalog)
    client = os.path.abspath(args.client) if os.sep in args.client else shutil.which(
        args.client)
    if args.require_version and client_version(client) != args.require_version:
        print("SKIP: %s is not version %s" % (client, args.require_version))
        return SKIP
    passed, failed, skipped = [], [], []
    for number in args.tests:
        kind, rule, reason = catalog.get(number, ("run", None, ""))
        if kind == "skip":
            print("test %s: SKIP: %s" % (number, reason))
            skipped.append(number)
            continue
        difference = rule if kind == "differs" and not args.oracle else None
        result = run_test(number, os.path.abspath(args.data), client, args.keep, difference)
        if result == SKIP:
            skipped.append(number)
            continue
        failures, failures_as_curl_expects = result
        if failures:
            print("test %s FAILED" % number)
            report(failures)
            failed.append(number)
        elif difference and not failures_as_curl_expects:
            print("test %s FAILED: it passes as curl's file expects, so the documented "
                  "difference %s no longer holds: take it out of the catalog" % (number, rule))
            failed.append(number)
        elif difference:
            print("test %s: OK, with the documented difference %s (%s); as curl's file "
                  "expects:" % (number, rule, reason))
            report(failures_as_curl_expects)
            passed.append(number)
        else:
            print("test %s: OK" % number)
            passed.append(number)
    if len(args.tests) > 1:
        print("%d passed, %d failed%s, %d skipped" % (
            len(passed), len(failed), " (" + " ".join(failed) + ")" if failed else "",
            len(skipped)))
    if failed:
        return 1
    return SKIP if skipped and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
