"""Verifies the DKIM signatures of messages with two independent verifiers, for tests.

Run with /usr/bin/python3:
    dkim_verify.py --dns 127.0.0.1:PORT --expect N MESSAGE...

Every message must carry exactly N DKIM-Signature fields, and each one must verify with
dkimpy (Debian's python3-dkim) and with OpenDKIM's library (opendkim-tools brings it), both
asking the DNS server at --dns (the tests' dnsmasq) for SELECTOR._domainkey.DOMAIN.

dkimpy is given the server through its dnsfunc hook. OpenDKIM's library (libopendkim, what
opendkim-testmsg and the milter run; called here through ctypes as the milter calls it, field by
field, because Debian 12's opendkim-testmsg refuses every message with "dkim_chunk(): Syntax
error") only reads
/etc/resolv.conf, which names no port, so it runs in its own user, mount and network
namespace (unshare -rmn): there /etc/resolv.conf is a bind mount naming 127.0.0.1, and a
relay on the namespace's 127.0.0.1:53 passes each query through a Unix socket to a relay
outside, which asks the --dns server. Each signature is checked alone by OpenDKIM (the
message with the other DKIM-Signature fields removed), since it reports one verdict per
message.

Prints one line per signature and verifier; exits 1 if anything fails to verify.

    dkim_verify.py --record KEYFILE
prints the DNS TXT record for a PEM private key ("v=DKIM1; k=rsa; p=..."), made with
python3-cryptography, independently of smtpc.
"""

import argparse
import base64
import ctypes
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading

import dkim
import dns.message
import dns.query
import dns.rdatatype

DKIM_STAT_OK = 0  # libopendkim's dkim.h


def dkimpy_results(message, server, port):
    def dnsfunc(name, timeout=5):
        query = dns.message.make_query(name.decode() if isinstance(name, bytes) else name, "TXT")
        answer = dns.query.udp(query, server, timeout=timeout, port=port)
        for rrset in answer.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                for record in rrset:
                    return b"".join(record.strings)
        return None

    verifier = dkim.DKIM(message)
    results = []
    for i in range(len(signature_spans(message))):
        try:
            results.append((bool(verifier.verify(idx=i, dnsfunc=dnsfunc)), ""))
        except dkim.DKIMException as error:  # a body hash mismatch is raised, not returned
            results.append((False, str(error)))
    return results


def signature_spans(message):
    """(start, end) of each DKIM-Signature field, folding included."""
    header = message.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    return [(m.start(), m.end()) for m in
            re.finditer(rb"(?im)^DKIM-Signature:.*\r\n(?:[ \t].*\r\n)*", header)]


def with_only(message, keep):
    spans = signature_spans(message)
    out = b""
    last = 0
    for i, (start, end) in enumerate(spans):
        out += message[last:start]
        if i == keep:
            out += message[start:end]
        last = end
    return out + message[last:]


def opendkim_verify(message):
    """libopendkim's verdict on a message with one signature: (passed, why not)."""
    lib = ctypes.CDLL("libopendkim.so.11")
    lib.dkim_init.restype = ctypes.c_void_p
    lib.dkim_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.dkim_verify.restype = ctypes.c_void_p
    lib.dkim_verify.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p,
                                ctypes.POINTER(ctypes.c_int)]
    lib.dkim_eom.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.dkim_free.argtypes = [ctypes.c_void_p]
    lib.dkim_close.argtypes = [ctypes.c_void_p]
    lib.dkim_getresultstr.restype = ctypes.c_char_p
    lib.dkim_header.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.dkim_eoh.argtypes = [ctypes.c_void_p]
    lib.dkim_body.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    handle = lib.dkim_init(None, None)
    status = ctypes.c_int()
    verifier = lib.dkim_verify(handle, b"dkim_verify.py", None, ctypes.byref(status))
    header, _, body = message.partition(b"\r\n\r\n")
    if not body and not message.endswith(b"\r\n\r\n"):
        header = message[:-2] if message.endswith(b"\r\n") else message
    # As the milter is fed by the MTA: each field (folding kept, no final CRLF), the end of
    # the header section, the body.
    fields = re.split(rb"\r\n(?![ \t])", header)
    try:
        result = DKIM_STAT_OK
        for field in fields:
            if result == DKIM_STAT_OK and field:
                result = lib.dkim_header(verifier, field, len(field))
        if result == DKIM_STAT_OK:
            result = lib.dkim_eoh(verifier)
        if result == DKIM_STAT_OK and body:
            result = lib.dkim_body(verifier, body, len(body))
        if result == DKIM_STAT_OK:
            result = lib.dkim_eom(verifier, None)
        return result == DKIM_STAT_OK, lib.dkim_getresultstr(result).decode()
    finally:
        lib.dkim_free(verifier)
        lib.dkim_close(handle)


def relay_outside(sock_path, server, port):
    """Unix datagram socket -> the DNS server, answers back to the sender."""
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    unix.bind(sock_path)

    def serve():
        while True:
            data, sender = unix.recvfrom(65535)
            if data == b"stop":
                return
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.settimeout(5)
            try:
                udp.sendto(data, (server, port))
                answer, _ = udp.recvfrom(65535)
                unix.sendto(answer, sender)
            except OSError:
                pass
            finally:
                udp.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return unix


def inner(sock_path, messages):
    """Inside the namespaces: resolv.conf, the :53 relay, then opendkim-testmsg."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    workdir = os.path.dirname(sock_path)
    resolv = os.path.join(workdir, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n")
    subprocess.run(["mount", "--bind", resolv, "/etc/resolv.conf"], check=True)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 53))

    def serve():
        while True:
            data, client = udp.recvfrom(65535)
            unix = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            unix.bind(os.path.join(workdir, "in-%d.sock" % threading.get_ident()) + str(id(data)))
            unix.settimeout(5)
            try:
                unix.sendto(data, sock_path)
                answer, _ = unix.recvfrom(65535)
                udp.sendto(answer, client)
            except OSError:
                pass
            finally:
                unix.close()

    threading.Thread(target=serve, daemon=True).start()
    failed = False
    for path in messages:
        with open(path, "rb") as f:
            message = f.read()
        for i in range(len(signature_spans(message))):
            ok, detail = opendkim_verify(with_only(message, i))
            print("%s signature %d opendkim: %s%s" % (path, i, "pass" if ok else "FAIL",
                                                       "" if ok else " (" + detail + ")"))
            failed = failed or not ok
    return 1 if failed else 0


def key_record(path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    with open(path, "rb") as f:
        public = serialization.load_pem_private_key(f.read(), None).public_key()
    if isinstance(public, ed25519.Ed25519PublicKey):
        kind = "ed25519"
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        kind = "rsa"
        raw = public.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=%s; p=%s" % (kind, base64.b64encode(raw).decode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", help="print the DNS record of this private key")
    parser.add_argument("--dns", help="HOST:PORT of the DNS server")
    parser.add_argument("--expect", type=int, default=1, help="signatures per message")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("messages", nargs="*")
    args = parser.parse_args()
    if args.record:
        print(key_record(args.record))
        return 0
    if args.inner:
        return inner(args.inner, args.messages)

    server, port = args.dns.rsplit(":", 1)
    failed = False
    for path in args.messages:
        with open(path, "rb") as f:
            message = f.read()
        results = dkimpy_results(message, server, int(port))
        if len(results) != args.expect:
            print("%s: %d DKIM-Signature fields, expected %d" % (path, len(results), args.expect))
            failed = True
        for i, (ok, why) in enumerate(results):
            print("%s signature %d dkimpy: %s%s" % (path, i, "pass" if ok else "FAIL",
                                                     " (" + why + ")" if why else ""))
            failed = failed or not ok

    with tempfile.TemporaryDirectory() as workdir:
        sock_path = os.path.join(workdir, "dns.sock")
        relay = relay_outside(sock_path, server, int(port))
        run = subprocess.run(["unshare", "-rmn", sys.executable, os.path.abspath(__file__),
                              "--inner", sock_path] + [os.path.abspath(m) for m in args.messages],
                             capture_output=True, timeout=600)
        sys.stdout.write(run.stdout.decode(errors="replace"))
        sys.stdout.write(run.stderr.decode(errors="replace"))
        failed = failed or run.returncode != 0
        relay.sendto(b"stop", sock_path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
