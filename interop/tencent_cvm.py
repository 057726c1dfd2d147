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

Prints one line per step and a last line `N passed, N failed`. A mode stops at its first failure
(its later steps build on it), printing the HTTP exchange that failed (private keys and secrets
redacted); the next mode still runs; any failure exits 1. Private keys and secret keys are never
printed.
"""

import json
import os
import re
import secrets
import sys
import tempfile

import requests
from cryptography.hazmat.primitives import serialization
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cvm.v20170312 import cvm_client, models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CREATED_TIME, Exchange, Pacer, StepFailed, capture_send, check, credentials,  # noqa: E402
                    endpoint_parser, generate_key, key_fields, parse_endpoint, run_flows)

REGION = "ap-guangzhou"
MODES = ("tc3-post", "hmac-sha256", "tc3-get")
KEY_ID = re.compile(r"^skey-[0-9a-z]{8}$")

# The last HTTP exchange, so a failure can show what the SDK sent and got.
EXCHANGE = Exchange()
capture_send(requests.Session, EXCHANGE)
# One pacer for every client: the limit is per account, not per client.
PACER = Pacer()


class Paced:
    """Keeps calls of each action under the documented limit of 10 requests/s per account, which
    the emulator enforces (RequestLimitExceeded); three modes back to back would otherwise pass it."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, action):
        method = getattr(self._client, action)

        def paced(*args, **kwargs):
            PACER.wait(action)
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


def expect_error(call, code):
    try:
        call()
    except TencentCloudSDKException as e:
        check(e.code == code, "expected TencentCloudSDKException code %s, got %s (%s)" % (code, e.code, e.message))
        check(bool(e.requestId), "error %s has no RequestId" % code)
        return e
    raise StepFailed("expected TencentCloudSDKException %s, but the call succeeded" % code)


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
        check(key_fields(key.PublicKey) == key_fields(derived),
              "PublicKey is not the public half of PrivateKey")
        state["created"] = key.KeyId
        state["created_public"] = key.PublicKey
        return "%s, %d-bit RSA, public half matches" % (key.KeyId, private.key_size)

    def import_():
        public = generate_key(tmpdir, "%s_%s" % (mode, suffix), "rsa", 2048)
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
        check(key_fields(key.PublicKey or "") == key_fields(public),
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
    parser = endpoint_parser(__doc__)
    parser.add_argument("--mode", action="append", choices=MODES,
                        help="run only this mode (repeatable; default: all three)")
    args, host = parse_endpoint(parser)
    secret_id, secret_key = credentials()
    with tempfile.TemporaryDirectory(prefix="interop-sdk-") as tmpdir:
        flows = [("sdk %s" % mode, flow(mode, host, secret_id, secret_key, tmpdir)) for mode in args.mode or MODES]
        return run_flows(flows, secret_key, lambda: EXCHANGE.describe(secret_key))


if __name__ == "__main__":
    sys.exit(main())
