"""Shared helpers for the interop scripts (standard library only, so any venv or interpreter can use it).

- steps and checks: `StepFailed`, `check`, `run_flows` (one line per step, `N passed, N failed` last);
- redaction of private keys, request signatures and the secret key from anything printed;
- `Pacer`: keeps each action under the emulator's documented per-account rate limits;
- ssh-keygen helpers: fresh keys, the public half of a PEM private key (`ssh-keygen -y` on a file of mode
  600 that is removed at once), MD5 fingerprints (`ssh-keygen -l -E md5`);
- `capture_send`: records the last HTTP exchange of a requests-style `Session` class, for failure reports;
- `endpoint_parser` and `parse_endpoint`: every script's `--endpoint http://127.0.0.1:PORT`.
"""

import argparse
import os
import re
import subprocess
import time
from collections import defaultdict, deque
from urllib.parse import urlparse

DEFAULT_SECRET_ID = "AKIDKEYPAIRCONTRACTEMULATOR0000"
DEFAULT_SECRET_KEY = "keypair-contract-emulator-secret"
CREATED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class StepFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StepFailed(message)


def credentials():
    """The emulator account run.sh exported, else the emulator's default account."""
    return (os.environ.get("TENCENTCLOUD_SECRET_ID") or DEFAULT_SECRET_ID,
            os.environ.get("TENCENTCLOUD_SECRET_KEY") or DEFAULT_SECRET_KEY)


def endpoint_parser(doc):
    """An argument parser described by the first line of `doc`, with `--endpoint` (default:
    $KEYPAIR_EMULATOR_ENDPOINT); a script adds its own options, then calls `parse_endpoint`."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--endpoint", default=os.environ.get("KEYPAIR_EMULATOR_ENDPOINT"),
                        help="emulator address, http://127.0.0.1:PORT (default: $KEYPAIR_EMULATOR_ENDPOINT)")
    return parser


def parse_endpoint(parser):
    """The parsed arguments and the endpoint's `host:port`; an endpoint that is not plain http://HOST:PORT
    is a usage error (exit 2) that says what was given."""
    args = parser.parse_args()
    url = urlparse(args.endpoint or "")
    if url.scheme != "http" or not url.netloc or url.path not in ("", "/"):
        parser.error("--endpoint http://127.0.0.1:PORT is required, got %r" % args.endpoint)
    return args, url.netloc


# ---------------------------------------------------------------------------------------------
# Redaction

_REDACT = [
    # a PEM block, also one cut short by a truncation
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----(\\n|\n)?|$)", re.S),
     "<private key redacted>"),
    (re.compile(r'("(?:PrivateKey|PrivateKeyBody|secretkey)"\s*:\s*")(?:[^"\\]|\\.)*("|$)', re.S), r"\1<redacted>\2"),
    # a request's signature: TC3 and ACS3 Authorization headers, v1 and RPC query or form parameters
    (re.compile(r"(\bSignature=)[^,&\s\"']+"), r"\1<redacted>"),
]


def redact(text, secret_key, limit=None):
    """text without private keys or the secret key, then cut to `limit` characters."""
    text = str(text)
    for pattern, replacement in _REDACT:
        text = pattern.sub(replacement, text)
    if secret_key:
        text = text.replace(secret_key, "<secret redacted>")
    return text[:limit] if limit else text


# ---------------------------------------------------------------------------------------------
# Pacing


class Pacer:
    """At most `per_second` calls of one action in any 1.05 s window. The emulator enforces the documented
    limits per account and action (the lowest: 10/s) on a sliding one-second window."""

    def __init__(self, per_second=8):
        self.per_second = per_second
        self._calls = defaultdict(deque)

    def wait(self, action):
        calls = self._calls[action]
        while len(calls) >= self.per_second:
            wait = calls[0] + 1.05 - time.monotonic()
            if wait <= 0:
                calls.popleft()
            else:
                time.sleep(wait)
        calls.append(time.monotonic())


# ---------------------------------------------------------------------------------------------
# ssh-keygen


def _run(argv):
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def key_fields(line):
    """The `type base64` part of an OpenSSH public key line (the comment is not compared)."""
    return " ".join((line or "").split()[:2])


def generate_key(tmpdir, name, key_type="rsa", bits=None):
    """A fresh key made by ssh-keygen; returns its OpenSSH public key line."""
    path = os.path.join(tmpdir, name)
    argv = ["ssh-keygen", "-q", "-t", key_type, "-N", "", "-C", name, "-f", path]
    if bits:
        argv[4:4] = ["-b", str(bits)]
    proc = _run(argv)
    check(proc.returncode == 0, "ssh-keygen -t %s failed: %s" % (key_type, proc.stderr.strip()))
    with open(path + ".pub") as f:
        return f.read().strip()


def public_half(pem, tmpdir):
    """`ssh-keygen -y` of a PEM private key, written to a file of mode 600 that is removed at once."""
    path = os.path.join(tmpdir, "private-%d" % time.monotonic_ns())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(pem if pem.endswith("\n") else pem + "\n")
        proc = _run(["ssh-keygen", "-y", "-f", path])
    finally:
        os.remove(path)
    check(proc.returncode == 0, "ssh-keygen -y cannot read the private key: %s" % proc.stderr.strip())
    return proc.stdout.strip()


def md5_fingerprint(public_line, tmpdir):
    """What `ssh-keygen -l -E md5` prints after `MD5:` for an OpenSSH public key line."""
    path = os.path.join(tmpdir, "public-%d.pub" % time.monotonic_ns())
    with open(path, "w") as f:
        f.write(public_line + "\n")
    try:
        proc = _run(["ssh-keygen", "-l", "-E", "md5", "-f", path])
    finally:
        os.remove(path)
    match = re.search(r"\bMD5:([0-9a-f]{2}(?::[0-9a-f]{2}){15})\b", proc.stdout)
    check(proc.returncode == 0 and match, "ssh-keygen -l -E md5 failed: %s" % (proc.stderr.strip() or proc.stdout))
    return match.group(1)


# ---------------------------------------------------------------------------------------------
# HTTP capture (requests and its vendored copies)


class Exchange:
    """The last HTTP request a patched Session sent and the response it got."""

    def __init__(self):
        self.request = self.response = None

    def describe(self, secret_key):
        request = self.request
        if request is None:
            return "  (no HTTP request was sent)"
        lines = ["  request:  %s %s" % (request.method, request.url)]
        for name, value in request.headers.items():
            lines.append("    %s: %s" % (name, value))
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if body:
            lines.append("    body: %s" % body)
        response = self.response
        if response is None:
            lines.append("  response: none (connection failed?)")
        else:
            lines.append("  response: HTTP %s, Content-Type: %s" % (
                response.status_code, response.headers.get("Content-Type")))
            lines.append("    body: %s" % redact(response.text, secret_key, 2000))
        return redact("\n".join(lines), secret_key)


def capture_send(session_cls, exchange):
    """Wraps session_cls.send so that `exchange` always holds the last request and response."""
    original = session_cls.send

    def send(session, request, **kwargs):
        exchange.request, exchange.response = request, None
        response = original(session, request, **kwargs)
        exchange.response = response
        return response

    session_cls.send = send


# ---------------------------------------------------------------------------------------------
# Running steps


def run_flows(flows, secret_key, describe_failure=None):
    """flows: list of (label prefix, [(step name, callable returning a detail)][, describe_failure]). A flow
    stops at its first failing step (the later ones build on it); the next flow still runs.
    describe_failure() returns the lines to print after a failure: the flow's own, else the one given
    here. Prints `N passed, N failed` last; returns the exit status."""
    passed = failed = 0
    for prefix, steps, *own in flows:
        describe = own[0] if own else describe_failure
        for name, step in steps:
            label = "%s: %s" % (prefix, name)
            try:
                detail = step()
            except StepFailed as e:
                failure = str(e)
            except Exception as e:  # a crash in a client or in a check fails this step too
                failure = "%s: %s" % (type(e).__name__, e)
            else:
                passed += 1
                print("ok   %s — %s" % (label, detail), flush=True)
                continue
            failed += 1
            print("FAIL %s — %s" % (label, redact(failure, secret_key)), flush=True)
            print(redact(describe(), secret_key), flush=True)
            break
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0
