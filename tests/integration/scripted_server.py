"""A raw-socket fake SMTP server that plays a script on one connection, for fault tests.

Run with /usr/bin/python3. It listens on loopback only (127.0.0.1, or ::1 with
--host ::1) on a free port, writes the port to --port-file once listening, serves
exactly one connection, appends every byte received to --log, and exits.

Script lines (blank lines and lines starting with '#' are ignored):
  S <text>        send <text> followed by CRLF
  SRAW <escaped>  send exactly these bytes; Python escapes (\\r \\n \\xNN \\\\) are decoded
  SREPEAT <n> <c> send character <c> n times, with no line end (for overlong lines)
  R               read one line from the client (up to LF)
  RDATA           read lines until one that is "." (the end of DATA)
  DRAIN [secs]    read until the client closes the connection (default 5 s)
  SLEEP <secs>    do nothing for a while
  TRUNCATE <size> <path>  cut the file at <path> to <size> bytes (a file that shrinks
                  while the client sends it)
  CLOSE           close the connection (the script ends)

If the client closes while a script step waits to read, the rest of the script is
skipped. SIGTERM ends the server at once.
"""

import argparse
import codecs
import os
import signal
import socket
import sys
import time


class ClientGone(Exception):
    """The client closed the connection or reset it."""


class Connection:
    """One accepted client: buffered line reads, with every received byte logged."""

    def __init__(self, sock, log_path):
        self._sock = sock
        self._buffer = b""
        self._log = open(log_path, "ab", buffering=0) if log_path else None

    def _receive(self, timeout=None):
        self._sock.settimeout(timeout)
        try:
            chunk = self._sock.recv(65536)
        except ConnectionResetError as error:
            raise ClientGone() from error
        if not chunk:
            raise ClientGone()
        if self._log is not None:
            self._log.write(chunk)
        self._buffer += chunk

    def read_line(self):
        while b"\n" not in self._buffer:
            self._receive(timeout=60)
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line + b"\n"

    def read_data(self):
        while self.read_line().rstrip(b"\r\n") != b".":
            pass

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._receive(timeout=max(0.01, deadline - time.monotonic()))
            except socket.timeout:
                return

    def send(self, data):
        try:
            self._sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as error:
            raise ClientGone() from error

    def close(self):
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


def parse_script(text):
    """Returns the script as (verb, argument) pairs; raises ValueError on a bad line."""
    steps = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        verb, _, argument = raw.partition(" ")
        if verb not in {"S", "SRAW", "SREPEAT", "R", "RDATA", "DRAIN", "SLEEP", "TRUNCATE",
                        "CLOSE"}:
            raise ValueError(f"script line {number}: unknown step {verb!r}")
        steps.append((verb, argument))
    return steps


def play(connection, steps):
    for verb, argument in steps:
        if verb == "S":
            connection.send(argument.encode("utf-8") + b"\r\n")
        elif verb == "SRAW":
            connection.send(codecs.escape_decode(argument.encode("utf-8"))[0])
        elif verb == "SREPEAT":
            count, _, character = argument.partition(" ")
            connection.send(character.encode("utf-8") * int(count))
        elif verb == "R":
            connection.read_line()
        elif verb == "RDATA":
            connection.read_data()
        elif verb == "DRAIN":
            connection.drain(float(argument or 5))
        elif verb == "SLEEP":
            time.sleep(float(argument))
        elif verb == "TRUNCATE":
            size, _, path = argument.partition(" ")
            os.truncate(path, int(size))
        elif verb == "CLOSE":
            return


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "::1"])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on (default: a free one); --mx tests put two "
                             "servers on one port, at 127.0.0.1 and ::1")
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", help="file to append every received byte to")
    parser.add_argument("--accept-timeout", type=float, default=60,
                        help="give up when no client connects within this time")
    options = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with open(options.script, encoding="utf-8") as f:
        steps = parse_script(f.read())

    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((options.host, options.port))
    listener.listen(1)
    write_atomically(options.port_file, f"{listener.getsockname()[1]}\n".encode("ascii"))

    listener.settimeout(options.accept_timeout)
    try:
        sock, _ = listener.accept()
    except socket.timeout:
        print("scripted_server: no client connected", file=sys.stderr)
        return 1
    listener.close()
    connection = Connection(sock, options.log)
    try:
        play(connection, steps)
    except ClientGone:
        pass
    except socket.timeout:
        print("scripted_server: timed out waiting for the client", file=sys.stderr)
    finally:
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
