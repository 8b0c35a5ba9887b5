"""Reads a spooled message with Python's email parser and checks it against expectations.

Usage: /usr/bin/python3 parse_mail.py MESSAGE.eml [--subject TEXT] [--body-file FILE]
       [--html-file FILE] [--attachment NAME=PATH]... [--absent-header NAME]...

Prints a JSON summary of what the parser read (subject, body, attachment names, types and
SHA-256 digests, parser defects) and then one "MISMATCH: ..." line per failed expectation.
Exits 0 when every expectation holds, 1 otherwise. Attachments are compared by the
SHA-256 of their decoded bytes with the original file's.
"""

import argparse
import email
import email.policy
import hashlib
import json
import sys


def sha256_of_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8").replace("\r\n", "\n")


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("message")
    parser.add_argument("--subject")
    parser.add_argument("--body-file")
    parser.add_argument("--html-file")
    parser.add_argument("--attachment", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--absent-header", action="append", default=[], metavar="NAME")
    options = parser.parse_args(argv)

    with open(options.message, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)

    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    attachments = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        attachments.append({
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        })
    defects = [repr(d) for d in message.defects]
    for part in message.walk():
        defects += [repr(d) for d in part.defects]
    summary = {
        "subject": message["subject"],
        "from": message["from"],
        "to": message["to"],
        "headers": list(message.keys()),
        "body": plain.get_content().replace("\r\n", "\n") if plain else None,
        "html": html.get_content().replace("\r\n", "\n") if html else None,
        "attachments": attachments,
        "defects": defects,
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))

    mismatches = []
    if defects:
        mismatches.append(f"parser defects: {defects}")
    if options.subject is not None and summary["subject"] != options.subject:
        mismatches.append(f"subject {summary['subject']!r} != {options.subject!r}")
    if options.body_file is not None and summary["body"] != read_text(options.body_file):
        mismatches.append("text body differs")
    if options.html_file is not None and summary["html"] != read_text(options.html_file):
        mismatches.append("html body differs")
    expected = []
    for item in options.attachment:
        name, path = item.split("=", 1)
        expected.append((name, sha256_of_file(path)))
    actual = [(a["filename"], a["sha256"]) for a in attachments]
    if options.attachment and actual != expected:
        mismatches.append(f"attachments {actual} != {expected}")
    for name in options.absent_header:
        if name in message:
            mismatches.append(f"header {name} is present: {message[name]!r}")
    for line in mismatches:
        print("MISMATCH: " + line)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
