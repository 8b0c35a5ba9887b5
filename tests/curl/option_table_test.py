#!/usr/bin/python3
"""Holds smtpc's option table (src/cli/command_line.cpp) against the installed curl 7.88.1's
`curl --help all`: every curl option is in the table with curl's short letter (or the
letter is one of smtpc's own options, documented); one that
smtpc accepts without acting on it says why; one that smtpc refuses is one curl cannot act
on for SMTP on Linux either (TLS-SRP, engines, --libcurl) or one that this curl refuses
itself, which is checked by running it. docs/curl-options.md must be what the table
makes of it. Exit 0 when all hold, 1 otherwise, 77 when the curl here is not 7.88.1.

Usage: option_table_test.py SOURCE_DIR [CURL]
"""
import os
import re
import subprocess
import sys

SKIP = 77
# What smtpc may refuse although curl acts on it for SMTP: what it cannot do here.
REFUSABLE = {
    "engine": "OpenSSL engines",
    "libcurl": "smtpc is not built on libcurl",
    "tlsuser": "TLS-SRP",
    "tlspassword": "TLS-SRP",
    "tlsauthtype": "TLS-SRP",
    "proxy-tlsuser": "TLS-SRP",
    "proxy-tlspassword": "TLS-SRP",
    "proxy-tlsauthtype": "TLS-SRP",
}


def curl_options(curl):
    """{long name: short letter or ""} from `curl --help all`."""
    out = subprocess.run([curl, "--help", "all"], capture_output=True, text=True,
                         check=True).stdout
    options = {}
    for line in out.splitlines():
        m = re.match(r"^\s*(?:-(\S), )?--([A-Za-z0-9.-]+)", line)
        if m:
            options[m.group(2)] = m.group(1) or ""
    return options


def table_rows(source_dir):
    out = subprocess.run([os.path.join(source_dir, "scripts/curl-options-doc"), "--rows"],
                         capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        name, short, kind, support, note = line.split("\t")
        rows[name] = {"short": short, "kind": kind, "support": support, "note": note}
    return rows


def curl_knows(curl, name):
    """Whether this curl takes --NAME at all (its hidden spellings are not in --help)."""
    result = subprocess.run([curl, "--" + name], capture_output=True, text=True)
    return "is unknown" not in result.stderr


def curl_refuses(curl, name, kind):
    """Whether this curl refuses the option before doing anything: exit 2 (PARAM_*)."""
    argv = [curl, "-s", "--" + name] + (["x"] if kind == "Value" else [])
    argv += ["smtp://127.0.0.1:1/", "--connect-timeout", "1"]
    return subprocess.run(argv, capture_output=True).returncode == 2


def main():
    source_dir = sys.argv[1]
    curl = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/curl"
    version = subprocess.run([curl, "--version"], capture_output=True, text=True).stdout.split()
    if len(version) < 2 or version[1] != "7.88.1":
        print("SKIP: %s is not curl 7.88.1" % curl)
        return SKIP
    curls = curl_options(curl)
    rows = table_rows(source_dir)
    problems = []
    for name, short in sorted(curls.items()):
        row = rows.get(name)
        if row is None and name.startswith("no-") and rows.get(name[3:], {}).get("kind") == \
                "Bool":
            continue  # --help shows the --no- spelling of a switch that is on by default
        if row is None:
            problems.append("--%s: curl has it; the option table does not" % name)
            continue
        reused = any(r["short"] == short and r["support"] == "Extension" for r in rows.values())
        if row["short"] != short and not (short and reused):
            problems.append("--%s: curl's short option is %r, the table's %r" % (
                name, short, row["short"]))
        if row["support"] == "Extension":
            problems.append("--%s: a curl option marked as smtpc's own" % name)
        if row["support"] in ("Accepted", "Refused", "Ignored") and not row["note"]:
            problems.append("--%s: %s without a reason" % (name, row["support"]))
        if row["support"] == "Refused" and name not in REFUSABLE:
            if not curl_refuses(curl, name, row["kind"]):
                problems.append("--%s: refused by smtpc, but curl 7.88.1 takes it: implement "
                                "it, or say why it cannot be (note: %s)" % (name, row["note"]))
    for name, row in sorted(rows.items()):
        if row["support"] == "Extension" or name in curls or "no-" + name in curls:
            continue
        if not curl_knows(curl, name) and "curl 8" not in row["note"]:
            problems.append("--%s: in the table as curl's, but curl 7.88.1 does not know it "
                            "(a curl 8 option's note says \"curl 8.N\")" % name)
    check = subprocess.run([os.path.join(source_dir, "scripts/curl-options-doc"), "--check"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        problems.append(check.stderr.strip())
    for problem in problems:
        print(problem)
    counts = {}
    for name in curls:
        row = rows.get(name) or rows.get(name[3:] if name.startswith("no-") else name, {})
        support = row.get("support", "missing")
        counts[support] = counts.get(support, 0) + 1
    print("curl 7.88.1's %d options: %s" % (len(curls), ", ".join(
        "%s %d" % (k, v) for k, v in sorted(counts.items()))))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
