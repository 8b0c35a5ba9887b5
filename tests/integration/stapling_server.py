"""openssl s_server on 127.0.0.1 stapling an OCSP response, for the --cert-status tests.

Python's ssl module cannot staple (RFC 6066 §8), so this wraps `openssl s_server
-status_file`. Run with /usr/bin/python3. It starts s_server on a free loopback port with
--cert/--key (and --chain, sent after the certificate), staples --status-file when given,
writes the port to --port-file once it accepts connections, and runs until SIGTERM. It
speaks no SMTP: the tests stop after the TLS handshake (--quit-after connect) or fail in it.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port, deadline):
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--chain", help="certificates sent after --cert (the issuer)")
    parser.add_argument("--status-file", help="DER OCSP response to staple")
    options = parser.parse_args(argv)
    port = free_port()
    command = ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", options.cert,
               "-key", options.key, "-quiet"]
    if options.chain:
        command += ["-cert_chain", options.chain]
    if options.status_file:
        command += ["-status_file", options.status_file]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)

    def stop(*_):
        server.terminate()
        server.wait(timeout=5)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not wait_listening(port, time.monotonic() + 10):
        print("openssl s_server did not start", file=sys.stderr)
        stop()
    with open(options.port_file + ".tmp", "w", encoding="ascii") as out:
        out.write(f"{port}\n")
    os.replace(options.port_file + ".tmp", options.port_file)
    server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
