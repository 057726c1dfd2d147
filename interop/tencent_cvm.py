#!/usr/bin/env python3
"""Drive the emulator's Tencent CVM 2017-03-12 key-pair API with the official Python SDK.

The SDK (tencentcloud-sdk-python-cvm + -common) is used as a customer would use it, with only its
endpoint changed: HttpProfile(protocol="http", endpoint="127.0.0.1:PORT"). The same flow runs once
per signing/transport mode:

  tc3-post     default profile: TC3-HMAC-SHA256, POST application/json
  hmac-sha256  ClientProfile(signMethod="HmacSHA256"): signature v1, POST form
  tc3-get      HttpProfile(reqMethod="GET"): TC3-HMAC-SHA256, GET with the parameters in the query

Usage: tencent_cvm.py --endpoint http://127.0.0.1:PORT [--mode MODE ...]
Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, else the emulator's default account.

Prints one line per step and a last line `N passed, N failed`; stops at the first failure, printing
the HTTP exchange that failed (private keys and secrets redacted), and exits 1. Private keys and
secret keys are never printed.
"""

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from urllib.parse import urlparse

import requests
from cryptography.hazmat.primitives import serialization
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cvm.v20170312 import cvm_client, models

DEFAULT_SECRET_ID = "AKIDKEYPAIRCONTRACTEMULATOR0000"
DEFAULT_SECRET_KEY = "keypair-contract-emulator-secret"
REGION = "ap-guangzhou"
MODES = ("tc3-post", "hmac-sha256", "tc3-get")
KEY_ID = re.compile(r"^skey-[0-9a-z]{8}$")
CREATED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class StepFailed(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Wire capture: remembers the last HTTP exchange so a failure can show what the SDK sent and got.

_last_exchange = {}
_original_send = requests.Session.send


def _recording_send(session, request, **kwargs):
    _last_exchange.clear()
    _last_exchange["request"] = request
    response = _original_send(session, request, **kwargs)
    _last_exchange["response"] = response
    return response


requests.Session.send = _recording_send

_REDACT = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----\\?n?", re.S),
     "<private key redacted>"),
    (re.compile(r'("PrivateKey"\s*:\s*")[^"]*(")'), r"\1<redacted>\2"),
]


def _redact(text, secret_key):
    for pattern, replacement in _REDACT:
        text = pattern.sub(replacement, text)
    if secret_key:
        text = text.replace(secret_key, "<secret redacted>")
    return text


def describe_last_exchange(secret_key):
    request = _last_exchange.get("request")
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
    response = _last_exchange.get("response")
    if response is None:
        lines.append("  response: none (connection failed?)")
    else:
        lines.append("  response: HTTP %s, Content-Type: %s" % (
            response.status_code, response.headers.get("Content-Type")))
        lines.append("    body: %s" % _redact(response.text, secret_key)[:2000])  # redact, then cut
    return _redact("\n".join(lines), secret_key)


# ---------------------------------------------------------------------------------------------


class Paced:
    """Keeps calls of each action under the documented limit of 10 requests/s per account, which
    the emulator enforces (RequestLimitExceeded); three modes back to back would otherwise pass it."""

    PER_SECOND = 8
    _calls = defaultdict(deque)  # shared by every client: the limit is per account, not per client

    def __init__(self, client):
        self._client = client

    def __getattr__(self, action):
        method = getattr(self._client, action)

        def paced(*args, **kwargs):
            calls = self._calls[action]
            while len(calls) >= self.PER_SECOND:
                wait = calls[0] + 1.05 - time.monotonic()
                if wait <= 0:
                    calls.popleft()
                else:
                    time.sleep(wait)
            calls.append(time.monotonic())
            return method(*args, **kwargs)

        return paced


def make_client(host, mode, secret_id, secret_key):
    http = HttpProfile(protocol="http", endpoint=host, reqTimeout=15)
    if mode == "tc3-get":
        http.reqMethod = "GET"
    if mode == "hmac-sha256":
        profile = ClientProfile(signMethod="HmacSHA256", httpProfile=http)
    else:
        profile = ClientProfile(httpProfile=http)
    return Paced(cvm_client.CvmClient(credential.Credential(secret_id, secret_key), REGION, profile))


def request(model, **fields):
    req = model()
    req.from_json_string(json.dumps(fields))
    return req


def check(condition, message):
    if not condition:
        raise StepFailed(message)


def expect_error(call, code):
    try:
        call()
    except TencentCloudSDKException as e:
        check(e.code == code, "expected TencentCloudSDKException code %s, got %s (%s)" % (code, e.code, e.message))
        check(bool(e.requestId), "error %s has no RequestId" % code)
        return e
    raise StepFailed("expected TencentCloudSDKException %s, but the call succeeded" % code)


def ssh_public_key_fields(line):
    """The `type base64` part of an OpenSSH public key line (the comment is not compared)."""
    return " ".join(line.split()[:2])


def generate_openssh_key(tmpdir, name):
    path = os.path.join(tmpdir, name)
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", name, "-f", path],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with open(path + ".pub") as f:
        return f.read().strip()


def describe(client, **fields):
    resp = client.DescribeKeyPairs(request(models.DescribeKeyPairsRequest, **fields))
    check(resp.RequestId, "DescribeKeyPairs response has no RequestId")
    check(isinstance(resp.TotalCount, int), "DescribeKeyPairs response has no TotalCount")
    check(isinstance(resp.KeyPairSet, list), "DescribeKeyPairs response has no KeyPairSet")
    return resp


def flow(mode, host, secret_id, secret_key, tmpdir):
    """Yields (step name, callable returning a short detail) for one mode, in order."""
    client = make_client(host, mode, secret_id, secret_key)
    tag = mode.replace("-", "")[:6]
    suffix = secrets.token_hex(3)
    created_name = "c_%s_%s" % (tag, suffix)   # letters/digits/underscore, <= 25 chars
    imported_name = "i_%s_%s" % (tag, suffix)
    state = {}

    def create():
        resp = client.CreateKeyPair(request(models.CreateKeyPairRequest, KeyName=created_name, ProjectId=0))
        check(resp.RequestId, "CreateKeyPair response has no RequestId")
        key = resp.KeyPair
        check(key is not None, "CreateKeyPair response has no KeyPair")
        check(KEY_ID.match(key.KeyId or ""), "KeyId %r is not skey-xxxxxxxx" % key.KeyId)
        check(key.KeyName == created_name, "KeyName %r != %r" % (key.KeyName, created_name))
        check(key.ProjectId == 0, "ProjectId %r != 0" % key.ProjectId)
        pem = key.PrivateKey or ""
        check(pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n"),
              "PrivateKey is not a PEM 'BEGIN RSA PRIVATE KEY' block")
        check(pem.rstrip("\n").endswith("-----END RSA PRIVATE KEY-----"), "PrivateKey PEM has no END line")
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        derived = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                    serialization.PublicFormat.OpenSSH).decode()
        check((key.PublicKey or "").startswith("ssh-rsa "), "PublicKey %r is not ssh-rsa" % key.PublicKey)
        check(ssh_public_key_fields(key.PublicKey) == ssh_public_key_fields(derived),
              "PublicKey is not the public half of PrivateKey")
        state["created"] = key.KeyId
        state["created_public"] = key.PublicKey
        return "%s, %d-bit RSA, public half matches" % (key.KeyId, private.key_size)

    def import_():
        public = generate_openssh_key(tmpdir, "%s_%s" % (mode, suffix))
        resp = client.ImportKeyPair(request(models.ImportKeyPairRequest,
                                            KeyName=imported_name, ProjectId=0, PublicKey=public))
        check(resp.RequestId, "ImportKeyPair response has no RequestId")
        check(KEY_ID.match(resp.KeyId or ""), "KeyId %r is not skey-xxxxxxxx" % resp.KeyId)
        check(resp.KeyId != state["created"], "ImportKeyPair returned the created key's KeyId")
        state["imported"] = resp.KeyId
        state["imported_public"] = public
        return resp.KeyId

    def check_key(key, key_id, name, public):
        check(key.KeyId == key_id, "KeyId %r != %r" % (key.KeyId, key_id))
        check(key.KeyName == name, "%s: KeyName %r != %r" % (key_id, key.KeyName, name))
        check(key.ProjectId == 0, "%s: ProjectId %r != 0" % (key_id, key.ProjectId))
        check(ssh_public_key_fields(key.PublicKey or "") == ssh_public_key_fields(public),
              "%s: PublicKey differs from the one created/imported" % key_id)
        check(not key.PrivateKey, "%s: DescribeKeyPairs returned a PrivateKey" % key_id)
        check(CREATED_TIME.match(key.CreatedTime or ""), "%s: CreatedTime %r is not YYYY-MM-DDThh:mm:ssZ"
              % (key_id, key.CreatedTime))

    def describe_by_ids():
        ids = [state["created"], state["imported"]]
        resp = describe(client, KeyIds=ids)
        check(resp.TotalCount == 2, "TotalCount %r != 2" % resp.TotalCount)
        found = {k.KeyId: k for k in resp.KeyPairSet}
        check(sorted(found) == sorted(ids), "KeyPairSet holds %s, expected %s" % (sorted(found), sorted(ids)))
        check_key(found[state["created"]], state["created"], created_name, state["created_public"])
        check_key(found[state["imported"]], state["imported"], imported_name, state["imported_public"])
        return "TotalCount 2, both keys"

    def describe_by_name():
        resp = describe(client, Filters=[{"Name": "key-name", "Values": [created_name]}])
        ids = [k.KeyId for k in resp.KeyPairSet]
        check(resp.TotalCount == 1 and ids == [state["created"]],
              "filter key-name=%s: TotalCount %r, KeyIds %s; expected only %s"
              % (created_name, resp.TotalCount, ids, state["created"]))
        resp = describe(client, Filters=[{"Name": "key-name", "Values": [created_name, imported_name]}])
        ids = sorted(k.KeyId for k in resp.KeyPairSet)
        expected = sorted([state["created"], state["imported"]])
        check(resp.TotalCount == 2 and ids == expected,
              "filter key-name in (created, imported): TotalCount %r, KeyIds %s; expected %s"
              % (resp.TotalCount, ids, expected))
        return "one value: 1 key; two values: 2 keys"

    def duplicate():
        expect_error(lambda: client.CreateKeyPair(
            request(models.CreateKeyPairRequest, KeyName=created_name, ProjectId=0)),
            "InvalidKeyPairName.Duplicate")
        return "InvalidKeyPairName.Duplicate"

    def wrong_secret():
        bad = make_client(host, mode, secret_id, secret_key + "x")
        expect_error(lambda: bad.DescribeKeyPairs(models.DescribeKeyPairsRequest()), "AuthFailure.SignatureFailure")
        return "AuthFailure.SignatureFailure"

    def delete():
        ids = [state["created"], state["imported"]]
        resp = client.DeleteKeyPairs(request(models.DeleteKeyPairsRequest, KeyIds=ids))
        check(resp.RequestId, "DeleteKeyPairs response has no RequestId")
        return "deleted %s" % ", ".join(ids)

    def describe_after_delete():
        resp = describe(client, Filters=[{"Name": "key-name", "Values": [created_name, imported_name]}])
        check(resp.TotalCount == 0 and not resp.KeyPairSet,
              "filter by name after delete: TotalCount %r, KeyPairSet %s"
              % (resp.TotalCount, [k.KeyId for k in resp.KeyPairSet]))
        resp = describe(client, KeyIds=[state["created"], state["imported"]])
        check(resp.TotalCount == 0 and not resp.KeyPairSet,
              "by KeyIds after delete: TotalCount %r, KeyPairSet %s"
              % (resp.TotalCount, [k.KeyId for k in resp.KeyPairSet]))
        return "gone (by name filter and by KeyIds)"

    return [
        ("CreateKeyPair", create),
        ("ImportKeyPair", import_),
        ("DescribeKeyPairs by KeyIds", describe_by_ids),
        ("DescribeKeyPairs by key-name filter", describe_by_name),
        ("CreateKeyPair duplicate name", duplicate),
        ("wrong secret key", wrong_secret),
        ("DeleteKeyPairs", delete),
        ("DescribeKeyPairs after delete", describe_after_delete),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default=os.environ.get("KEYPAIR_EMULATOR_ENDPOINT"),
                        help="emulator address, http://127.0.0.1:PORT (default: $KEYPAIR_EMULATOR_ENDPOINT)")
    parser.add_argument("--mode", action="append", choices=MODES,
                        help="run only this mode (repeatable; default: all three)")
    args = parser.parse_args()
    if not args.endpoint:
        parser.error("--endpoint http://127.0.0.1:PORT is required")
    url = urlparse(args.endpoint)
    if url.scheme != "http" or not url.netloc:
        parser.error("--endpoint must look like http://127.0.0.1:PORT, got %r" % args.endpoint)
    secret_id = os.environ.get("TENCENTCLOUD_SECRET_ID") or DEFAULT_SECRET_ID
    secret_key = os.environ.get("TENCENTCLOUD_SECRET_KEY") or DEFAULT_SECRET_KEY

    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="interop-sdk-") as tmpdir:
        for mode in args.mode or MODES:
            for name, step in flow(mode, url.netloc, secret_id, secret_key, tmpdir):
                label = "sdk %s: %s" % (mode, name)
                try:
                    detail = step()
                except StepFailed as e:
                    failure = str(e)
                except TencentCloudSDKException as e:
                    failure = "unexpected TencentCloudSDKException code %s: %s (requestId %s)" % (
                        e.code, e.message, e.requestId)
                except Exception as e:  # a crash in the SDK or in the check is a failure of this step too
                    failure = "%s: %s" % (type(e).__name__, e)
                else:
                    passed += 1
                    print("ok   %s — %s" % (label, detail), flush=True)
                    continue
                failed += 1
                print("FAIL %s — %s" % (label, _redact(failure, secret_key)), flush=True)
                print(describe_last_exchange(secret_key), flush=True)
                print("%d passed, %d failed" % (passed, failed), flush=True)
                return 1
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
