#!/usr/bin/env python3
"""Drive the emulator's legacy Tencent CVM endpoint (/v2/index.php) with the legacy SDK, qcloudapi-sdk-python.

The legacy SDK talks TLS only, to a fixed host per module (`cvm` => cvm.api.qcloud.com). It is used through its
generic module (`QcloudApi(<any other module name>, {"endpoint": "127.0.0.1:PORT", ...})`, which signs
`METHOD + endpoint + /v2/index.php?...` itself), and the ONLY change is its transport: the module global
`QcloudApi.common.request.MyHTTPSConnection`, the connection class its `ApiRequest` opens, is swapped for a
plain `http.client.HTTPConnection` with the same small interface (`request`, `send` counting
`request_length`). Signing, parameters, Nonce, headers and the HTTP exchange stay the SDK's own.

Each signature method runs CreateKeyPair with Version=2017-03-12 (so the answer is an API 3.0 envelope):
  HmacSHA1   — the SDK default: GET, every parameter in the query; region `gz` (the legacy short code)
  HmacSHA256 — `method: POST` (form body); region `ap-guangzhou`
valid (then DescribeKeyPairs with the CVM API 3.0 Python SDK on the same account must show the key),
duplicate name, invalid name, missing ProjectId, wrong secret key; then DeleteKeyPairs (API 3.0 SDK).

Usage: tencent_legacy.py --endpoint http://127.0.0.1:PORT
Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, else the emulator's default account.
Prints one line per step and `N passed, N failed` last; a failing flow prints the HTTP exchange (private
keys and secrets redacted) and the script exits 1.
"""

import http.client
import json
import os
import re
import secrets
import sys
from urllib.parse import urlparse

import QcloudApi.common.request as qcloud_request
import requests
from cryptography.hazmat.primitives import serialization
from QcloudApi.common.api_exception import ApiServerNetworkException
from QcloudApi.qcloudapi import QcloudApi
from tencentcloud.common import credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cvm.v20170312 import cvm_client, models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Exchange, Pacer, capture_send, check, credentials, endpoint_parser, key_fields,  # noqa: E402
                    parse_endpoint, redact, run_flows)

KEY_ID = re.compile(r"^skey-[0-9a-z]{8}$")
MODES = [  # (label, SDK config, legacy region)
    ("HmacSHA1 GET", {"SignatureMethod": "HmacSHA1"}, "gz"),
    ("HmacSHA256 POST", {"SignatureMethod": "HmacSHA256", "method": "POST"}, "ap-guangzhou"),
]
PACER = Pacer()  # CVM: 10 requests/s per account and action; legacy CreateKeyPair is a CVM CreateKeyPair


# ---------------------------------------------------------------------------------------------
# The adapter: the legacy SDK's connection class, minus TLS (and minus its HTTPS_PROXY tunnel).

class PlainHTTPConnection(http.client.HTTPConnection):
    """Stands in for QcloudApi.common.request.MyHTTPSConnection(host): same constructor, same
    `request_length` bookkeeping; records the last request for failure reports."""

    last_request = None

    def __init__(self, host, port=None):
        http.client.HTTPConnection.__init__(self, host, port)
        self.request_length = 0

    def send(self, data):
        http.client.HTTPConnection.send(self, data)
        self.request_length += len(data)

    def request(self, method, url, body=None, headers={}):
        self.request_length = 0
        PlainHTTPConnection.last_request = (method, "http://%s:%s%s" % (self.host, self.port, url), dict(headers), body)
        http.client.HTTPConnection.request(self, method, url, body, headers)


qcloud_request.MyHTTPSConnection = PlainHTTPConnection

# ---------------------------------------------------------------------------------------------

SDK_EXCHANGE = Exchange()          # the API 3.0 SDK's last exchange (requests)
capture_send(requests.Session, SDK_EXCHANGE)
LAST = {"kind": None, "response": None}  # which client spoke last, and the legacy SDK's answer


def describe_failure():
    if LAST["kind"] == "sdk":
        return SDK_EXCHANGE.describe(None)
    if PlainHTTPConnection.last_request is None:
        return "  (no HTTP request was sent)"
    method, url, headers, body = PlainHTTPConnection.last_request
    lines = ["  request (legacy SDK):  %s %s" % (method, url),
             "    Host: %s (added by http.client)" % urlparse(url).netloc]
    lines += ["    %s: %s" % kv for kv in headers.items()]
    if body:
        lines.append("    body: %s" % body)
    status, header, data = LAST["response"] or (None, {}, b"")
    if status is None:
        lines.append("  response: none (connection failed?)")
    else:
        lines.append("  response: HTTP %s, Content-Type: %s" % (status, header.get("content-type") or header.get("Content-Type")))
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        lines.append("    body: %s" % redact(text, None, 2000))
    return "\n".join(lines)


class Legacy:
    """QcloudApi through its generic module, pointed at the emulator."""

    def __init__(self, host, secret_id, secret_key, config, region):
        self.config = dict(config, endpoint=host, secretId=secret_id, secretKey=secret_key, Region=region)

    def call(self, action, params):
        """The SDK's answer, parsed: the `Response` object of the API 3.0 envelope."""
        PACER.wait(action)
        LAST["kind"], LAST["response"] = "legacy", None
        PlainHTTPConnection.last_request = None
        api = QcloudApi("keypair_emulator", dict(self.config))  # not a known module: the generic Base
        try:
            data = api.call(action, params, req_timeout=15)
        except ApiServerNetworkException as e:  # the SDK's answer to any non-200 status
            LAST["response"] = (e.status, e.header, e.data)
            raise
        LAST["response"] = (200, {"content-type": "application/json"}, data)
        try:
            body = json.loads(data)
        except ValueError:
            raise AssertionError("the answer is not JSON")
        check(isinstance(body.get("Response"), dict), "the answer has no API 3.0 `Response` object")
        check(body["Response"].get("RequestId"), "the answer has no Response.RequestId")
        return body["Response"]

    def expect_error(self, code, params):
        response = self.call("CreateKeyPair", params)
        error = response.get("Error") or {}
        check(error.get("Code") == code, "expected Response.Error.Code %s, got %r" % (code, error.get("Code") or response))
        check(error.get("Message"), "error %s has no Message" % code)
        return code


class Api3:
    """The CVM API 3.0 Python SDK on the same account (TC3, ap-guangzhou)."""

    def __init__(self, host, secret_id, secret_key):
        profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host, reqTimeout=15))
        self._client = cvm_client.CvmClient(credential.Credential(secret_id, secret_key), "ap-guangzhou", profile)

    def call(self, action, **fields):
        req = getattr(models, action + "Request")()
        req.from_json_string(json.dumps(fields))
        PACER.wait(action)
        LAST["kind"] = "sdk"
        return getattr(self._client, action)(req)


def steps(label, config, region, host, secret_id, secret_key):
    legacy = Legacy(host, secret_id, secret_key, config, region)
    api3 = Api3(host, secret_id, secret_key)
    name = "leg_%s_%s" % (config["SignatureMethod"][4:].lower(), secrets.token_hex(4))  # e.g. leg_sha1_1a2b3c4d
    state = {}

    def params(**overrides):
        p = {"Version": "2017-03-12", "KeyName": name, "ProjectId": 0}
        p.update(overrides)
        return {k: v for k, v in p.items() if v is not None}

    def create():
        response = legacy.call("CreateKeyPair", params())
        check("Error" not in response, "CreateKeyPair failed: %r" % response.get("Error"))
        key = response.get("KeyPair") or {}
        check(KEY_ID.match(key.get("KeyId") or ""), "KeyId %r is not skey-xxxxxxxx" % key.get("KeyId"))
        check(key.get("KeyName") == name, "KeyName %r != %r" % (key.get("KeyName"), name))
        check(key.get("ProjectId") == 0, "ProjectId %r != 0" % key.get("ProjectId"))
        pem = key.get("PrivateKey") or ""
        check(pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n"), "PrivateKey is not a PEM 'BEGIN RSA PRIVATE KEY' block")
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        derived = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                    serialization.PublicFormat.OpenSSH).decode()
        check(key_fields(key.get("PublicKey")) == key_fields(derived), "PublicKey is not the public half of PrivateKey")
        state["id"], state["public"] = key["KeyId"], key["PublicKey"]
        return "%s (region %s), %d-bit RSA, public half matches" % (key["KeyId"], region, private.key_size)

    def visible():
        resp = api3.call("DescribeKeyPairs", KeyIds=[state["id"]])
        keys = resp.KeyPairSet or []
        check(resp.TotalCount == 1 and len(keys) == 1 and keys[0].KeyId == state["id"],
              "TotalCount %r, KeyIds %s; expected %s" % (resp.TotalCount, [k.KeyId for k in keys], state["id"]))
        check(keys[0].KeyName == name, "KeyName %r != %r" % (keys[0].KeyName, name))
        check(key_fields(keys[0].PublicKey) == key_fields(state["public"]), "PublicKey differs from the created one")
        check(not keys[0].PrivateKey, "DescribeKeyPairs returned a PrivateKey")
        return "%s in ap-guangzhou, same name and public key" % state["id"]

    def delete():
        api3.call("DeleteKeyPairs", KeyIds=[state["id"]])
        resp = api3.call("DescribeKeyPairs", KeyIds=[state["id"]])
        check(resp.TotalCount == 0 and not resp.KeyPairSet, "after DeleteKeyPairs: TotalCount %r" % resp.TotalCount)
        return "deleted %s; DescribeKeyPairs finds none" % state["id"]

    return ("legacy %s" % label, [
        ("CreateKeyPair", create),
        ("API 3.0 DescribeKeyPairs sees the key", visible),
        ("CreateKeyPair duplicate name", lambda: legacy.expect_error("InvalidKeyPairName.Duplicate", params())),
        ("CreateKeyPair invalid name", lambda: legacy.expect_error(
            "InvalidKeyPairNameIncludeIllegalChar", params(KeyName="bad-name.%s" % secrets.token_hex(2)))),
        ("CreateKeyPair without ProjectId", lambda: legacy.expect_error("MissingParameter", params(ProjectId=None))),
        ("wrong secret key", lambda: Legacy(host, secret_id, secret_key + "x", config, region).expect_error(
            "AuthFailure.SignatureFailure", params(KeyName=name + "_x"))),
        ("API 3.0 DeleteKeyPairs (cleanup)", delete),
    ])


def main():
    parser = endpoint_parser(__doc__)
    _, host = parse_endpoint(parser)
    secret_id, secret_key = credentials()
    flows = [steps(label, config, region, host, secret_id, secret_key) for label, config, region in MODES]
    return run_flows(flows, secret_key, describe_failure)


if __name__ == "__main__":
    sys.exit(main())
