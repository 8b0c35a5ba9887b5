#!/usr/bin/python3
"""--proxy-header side by side with curl 7.88.1: the CONNECT request that reaches an HTTP
proxy (run_curl_test.py's ConnectProxy, which logs it) is the same bytes for curl and for
smtpc given curl's User-Agent; and -v shows a Proxy-Authorization given that way redacted.

Usage: proxy_header_test.py SMTPC [CURL]. Exit 0, 1 on a difference, 77 without curl 7.88.1.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_curl_test as harness  # noqa: E402

CASES = [
    ["--proxy-header", "X-Test: 1"],
    ["--proxy-header", "Proxy-Connection:", "--proxy-header", "X-Empty;",
     "--proxy-header", "Host: mx.example:25"],
    ["--proxy-header", "user-agent: mine/1", "--proxy-header", "no separator"],
]


def connect_requests(clients, extra_args):
    """What each client's CONNECT request was, through one proxy to one server."""
    log = harness.ServerLog()
    server = harness.SmtpServer(harness.TestFile([]), log)
    proxy = harness.ConnectProxy(log)
    results = []
    try:
        for client in clients:
            log.proxy_input.clear()
            argv = [client, "-s", "-p", "-x", "http://127.0.0.1:%d" % proxy.port, "-A",
                    "curl/7.88.1", "smtp://127.0.0.1:%d/1" % server.port, "--mail-rcpt", "user"]
            code = subprocess.run(argv + extra_args, capture_output=True, timeout=30).returncode
            results.append((code, "".join(log.proxy_input)))
    finally:
        server.stop()
        proxy.stop()
    return results


def main():
    smtpc = sys.argv[1]
    curl = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/curl"
    if harness.client_version(curl) != "7.88.1":
        print("SKIP: %s is not curl 7.88.1" % curl)
        return 77
    failures = 0
    for case in CASES:
        want, got = connect_requests([curl, smtpc], case)
        if got != want or want[0] != 0:
            failures += 1
            print("%s:\n  curl  %r\n  smtpc %r" % (case, want, got))
    # A credential given as a header is a credential: -v must not show it.
    log = harness.ServerLog()
    server = harness.SmtpServer(harness.TestFile([]), log)
    proxy = harness.ConnectProxy(log)
    try:
        verbose = subprocess.run(
            [smtpc, "-v", "-p", "-x", "http://127.0.0.1:%d" % proxy.port, "--proxy-header",
             "proxy-authorization: Bearer s3cr3t-token", "smtp://127.0.0.1:%d/1" % server.port,
             "--mail-rcpt", "user"], capture_output=True, text=True, timeout=30)
    finally:
        server.stop()
        proxy.stop()
    if "s3cr3t" in verbose.stderr or "proxy-authorization: [redacted]" not in verbose.stderr:
        failures += 1
        print("-v shows the --proxy-header credential, or no redacted line:\n" + verbose.stderr)
    if "s3cr3t" not in "".join(log.proxy_input):
        failures += 1
        print("the Proxy-Authorization header did not reach the proxy")
    print("%d of %d checks differ" % (failures, len(CASES) + 2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
