#!/usr/bin/env python3
"""Drive the emulator's Tencent Lighthouse 2020-03-24 key-pair API with the official Python SDK.

tencentcloud-sdk-python-lighthouse (+ -common) is used as a customer would use it, with only its endpoint
changed: HttpProfile(protocol="http", endpoint="127.0.0.1:PORT"), default ClientProfile (TC3-HMAC-SHA256,
POST application/json, credential scope .../lighthouse/tc3_request), region ap-guangzhou.

Usage: tencent_lighthouse.py --endpoint http://127.0.0.1:PORT
Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, else the emulator's default account.
Prints one line per step and a last line `N passed, N failed`; stops at the first failure, printing the
HTTP exchange that failed (private keys and secrets redacted), and exits 1.
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
from tencentcloud.lighthouse.v20200324 import lighthouse_client, models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CREATED_TIME, Exchange, Pacer, capture_send, check, credentials, generate_key,  # noqa: E402
                    endpoint_parser, key_fields, parse_endpoint, run_flows, StepFailed)

REGION = "ap-guangzhou"
KEY_ID = re.compile(r"^lhkp-[0-9a-z]{8}$")
DUPLICATE = "InvalidParameterValue.DuplicateParameterValue"
SIGNATURE_FAILURE = "AuthFailure.SignatureFailure"

EXCHANGE = Exchange()
capture_send(requests.Session, EXCHANGE)
PACER = Pacer()


class Client:
    """The SDK client, each call paced (CreateKeyPair 20/s, ImportKeyPair 10/s, DescribeKeyPairs 100/s,
    DeleteKeyPairs 10/s per account: 8/s for all is under every one)."""

    def __init__(self, host, secret_id, secret_key):
        profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host, reqTimeout=15))
        self._client = lighthouse_client.LighthouseClient(
            credential.Credential(secret_id, secret_key), REGION, profile)

    def call(self, action, **fields):
        req = getattr(models, action + "Request")()
        req.from_json_string(json.dumps(fields))
        PACER.wait(action)
        resp = getattr(self._client, action)(req)
        check(resp.RequestId, "%s response has no RequestId" % action)
        return resp


def expect_error(call, code):
    try:
        call()
    except TencentCloudSDKException as e:
        check(e.code == code, "expected TencentCloudSDKException code %s, got %s (%s)" % (code, e.code, e.message))
        check(bool(e.requestId), "error %s has no RequestId" % code)
        return code
    raise StepFailed("expected TencentCloudSDKException %s, but the call succeeded" % code)


def steps(host, secret_id, secret_key, tmpdir):
    client = Client(host, secret_id, secret_key)
    suffix = secrets.token_hex(4)
    created_name, imported_name = "c_lh_" + suffix, "i_lh_" + suffix  # letters/digits/underscore, <= 25
    state = {}

    def describe(**fields):
        resp = client.call("DescribeKeyPairs", **fields)
        check(isinstance(resp.TotalCount, int), "DescribeKeyPairs response has no TotalCount")
        check(isinstance(resp.KeyPairSet, list), "DescribeKeyPairs response has no KeyPairSet")
        return resp

    def create():
        key = client.call("CreateKeyPair", KeyName=created_name).KeyPair
        check(key is not None, "CreateKeyPair response has no KeyPair")
        check(KEY_ID.match(key.KeyId or ""), "KeyId %r is not lhkp-xxxxxxxx" % key.KeyId)
        check(key.KeyName == created_name, "KeyName %r != %r" % (key.KeyName, created_name))
        pem = key.PrivateKey or ""
        check(pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n"), "PrivateKey is not a PEM 'BEGIN RSA PRIVATE KEY' block")
        check(pem.rstrip("\n").endswith("-----END RSA PRIVATE KEY-----"), "PrivateKey PEM has no END line")
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        derived = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                    serialization.PublicFormat.OpenSSH).decode()
        check((key.PublicKey or "").startswith("ssh-rsa "), "PublicKey %r is not ssh-rsa" % key.PublicKey)
        check(key_fields(key.PublicKey) == key_fields(derived), "PublicKey is not the public half of PrivateKey")
        check(key.CreatedTime is None or CREATED_TIME.match(key.CreatedTime),
              "CreatedTime %r is neither null nor YYYY-MM-DDThh:mm:ssZ" % key.CreatedTime)
        state["created"], state["created_public"] = key.KeyId, key.PublicKey
        return "%s, %d-bit RSA, public half matches" % (key.KeyId, private.key_size)

    def import_():
        public = generate_key(tmpdir, imported_name, "rsa", 2048)
        resp = client.call("ImportKeyPair", KeyName=imported_name, PublicKey=public)
        check(KEY_ID.match(resp.KeyId or ""), "KeyId %r is not lhkp-xxxxxxxx" % resp.KeyId)
        check(resp.KeyId != state["created"], "ImportKeyPair returned the created key's KeyId")
        state["imported"], state["imported_public"] = resp.KeyId, public
        return resp.KeyId

    def describe_by_ids():
        ids = [state["created"], state["imported"]]
        resp = describe(KeyIds=ids)
        found = {k.KeyId: k for k in resp.KeyPairSet}
        check(resp.TotalCount == 2 and sorted(found) == sorted(ids),
              "TotalCount %r, KeyIds %s; expected %s" % (resp.TotalCount, sorted(found), sorted(ids)))
        for key_id, name, public in [(state["created"], created_name, state["created_public"]),
                                     (state["imported"], imported_name, state["imported_public"])]:
            key = found[key_id]
            check(key.KeyName == name, "%s: KeyName %r != %r" % (key_id, key.KeyName, name))
            check(key_fields(key.PublicKey) == key_fields(public), "%s: PublicKey differs from the one created/imported" % key_id)
            check(not key.PrivateKey, "%s: DescribeKeyPairs returned a PrivateKey" % key_id)
            check(CREATED_TIME.match(key.CreatedTime or ""), "%s: CreatedTime %r is not YYYY-MM-DDThh:mm:ssZ"
                  % (key_id, key.CreatedTime))
        return "TotalCount 2, both keys"

    def describe_by_name():
        resp = describe(Filters=[{"Name": "key-name", "Values": [created_name]}])
        ids = [k.KeyId for k in resp.KeyPairSet]
        check(resp.TotalCount == 1 and ids == [state["created"]],
              "filter key-name=%s: TotalCount %r, KeyIds %s; expected only %s"
              % (created_name, resp.TotalCount, ids, state["created"]))
        return "1 key"

    def duplicate():
        return expect_error(lambda: client.call("CreateKeyPair", KeyName=created_name), DUPLICATE)

    def wrong_secret():
        bad = Client(host, secret_id, secret_key + "x")
        return expect_error(lambda: bad.call("DescribeKeyPairs"), SIGNATURE_FAILURE)

    def delete():
        ids = [state["created"], state["imported"]]
        client.call("DeleteKeyPairs", KeyIds=ids)
        return "deleted %s" % ", ".join(ids)

    def describe_after_delete():
        resp = describe(KeyIds=[state["created"], state["imported"]])
        check(resp.TotalCount == 0 and not resp.KeyPairSet,
              "by KeyIds after delete: TotalCount %r, KeyPairSet %s" % (resp.TotalCount, [k.KeyId for k in resp.KeyPairSet]))
        resp = describe(Filters=[{"Name": "key-name", "Values": [suffix]}])
        check(resp.TotalCount == 0 and not resp.KeyPairSet,
              "filter key-name=%s after delete: TotalCount %r" % (suffix, resp.TotalCount))
        return "gone (by KeyIds and by name filter)"

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
    _, host = parse_endpoint(parser)
    secret_id, secret_key = credentials()
    with tempfile.TemporaryDirectory(prefix="interop-lighthouse-") as tmpdir:
        flows = [("lighthouse sdk", steps(host, secret_id, secret_key, tmpdir))]
        return run_flows(flows, secret_key, lambda: EXCHANGE.describe(secret_key))


if __name__ == "__main__":
    sys.exit(main())
