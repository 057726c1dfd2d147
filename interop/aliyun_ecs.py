#!/usr/bin/env python3
"""Drive the emulator's Alibaba Cloud ECS 2014-05-26 key-pair API with both official Python SDKs.

  tea   alibabacloud-ecs20140526 on alibabacloud-tea-openapi: Config(endpoint="127.0.0.1:PORT",
        protocol="http"), ACS3-HMAC-SHA256 signature, no retries (its default)
  core  aliyun-python-sdk-ecs on aliyun-python-sdk-core: request.set_endpoint("127.0.0.1:PORT"),
        set_protocol_type("http"), RPC signature 1.0 (HMAC-SHA1), AcsClient(auto_retry=False)

Both read HTTP_PROXY / HTTPS_PROXY and ignore NO_PROXY, so this script drops the proxy variables first.
Each flow, region cn-hangzhou, fresh random names: CreateKeyPair (KeyPairFingerPrint = `ssh-keygen -l -E
md5` of the public half of PrivateKeyBody, derived with `ssh-keygen -y`), ImportKeyPair of a fresh RSA and
a fresh ECDSA key (fingerprints as ssh-keygen's), DescribeKeyPairs by name, duplicate name
(KeyPair.AlreadyExist, 400), unknown region (InvalidRegionId.NotFound, 404), wrong secret
(SignatureDoesNotMatch, 400), DeleteKeyPairs (KeyPairNames as a JSON array), DescribeKeyPairs after delete.

Usage: aliyun_ecs.py --endpoint http://127.0.0.1:PORT [--sdk tea|core ...]
Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, else TENCENTCLOUD_SECRET_ID / _KEY (run.sh exports the
emulator's default account there; it is valid for every product), else the emulator's default account.
Prints one line per step and `N passed, N failed` last; a failing flow prints the HTTP exchange (private
keys and secrets redacted) and the script exits 1.
"""

import json
import os
import re
import secrets
import sys
import tempfile

for _name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)

import requests  # noqa: E402  (after the proxy variables are gone)
from alibabacloud_ecs20140526 import models as tea_models  # noqa: E402
from alibabacloud_ecs20140526.client import Client as EcsClient  # noqa: E402
from alibabacloud_tea_openapi.models import Config  # noqa: E402
from aliyunsdkcore.acs_exception.exceptions import ServerException  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402
from aliyunsdkcore.vendored import requests as vendored_requests  # noqa: E402
from aliyunsdkecs.request.v20140526 import (CreateKeyPairRequest, DeleteKeyPairsRequest,  # noqa: E402
                                            DescribeKeyPairsRequest, ImportKeyPairRequest)
from darabonba.policy.retry import RetryOptions  # noqa: E402
from darabonba.runtime import RuntimeOptions  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CREATED_TIME, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Exchange, Pacer,  # noqa: E402
                    StepFailed, capture_send, check, endpoint_parser, generate_key, key_fields, md5_fingerprint,
                    parse_endpoint, public_half, run_flows)

REGION = "cn-hangzhou"
BAD_REGION = "cn-nowhere-1"
KEY_PAIR_ID = re.compile(r"^ssh-[0-9a-z]+$")
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
SDKS = ("tea", "core")

TEA_EXCHANGE, CORE_EXCHANGE = Exchange(), Exchange()
capture_send(requests.Session, TEA_EXCHANGE)             # darabonba (tea) sends with requests
capture_send(vendored_requests.Session, CORE_EXCHANGE)   # aliyunsdkcore with its vendored copy
LAST = {"exchange": TEA_EXCHANGE}
PACER = Pacer()  # no documented ECS key-pair QPS; stay polite anyway


class ApiError(Exception):
    """An error answer, as either SDK reported it: HTTP status, code, message, request id."""

    def __init__(self, status, code, message, request_id):
        Exception.__init__(self, "HTTP %s %s: %s (RequestId %s)" % (status, code, message, request_id))
        self.status, self.code, self.message, self.request_id = status, code, message, request_id


# ---------------------------------------------------------------------------------------------
# The two SDKs behind one small interface: create/import_/describe/delete return the response body as
# a dict with the API's own field names; errors raise ApiError.


class Tea:
    name = "tea"

    def __init__(self, host, access_key_id, access_key_secret):
        config = Config(access_key_id=access_key_id, access_key_secret=access_key_secret, endpoint=host,
                        protocol="http", region_id=REGION, connect_timeout=5000, read_timeout=15000,
                        retry_options=RetryOptions({"retryable": False}))
        self._client = EcsClient(config)
        self._runtime = RuntimeOptions(autoretry=False)

    def _call(self, action, request):
        PACER.wait(action)
        LAST["exchange"] = TEA_EXCHANGE
        method = getattr(self._client, re.sub(r"(?<!^)([A-Z])", r"_\1", action).lower() + "_with_options")
        try:
            resp = method(request, self._runtime)
        except Exception as e:
            if getattr(e, "code", None) is None or getattr(e, "status_code", None) is None:
                raise
            data = getattr(e, "data", None) or {}
            # tea puts `code: <status>, <Message> request id: <id>` in e.message; the body's Message is in data
            raise ApiError(e.status_code, e.code, data.get("Message", e.message), data.get("RequestId"))
        check(resp.status_code == 200, "%s: HTTP %s" % (action, resp.status_code))
        return resp.body.to_map()

    def create(self, region, name):
        return self._call("CreateKeyPair", tea_models.CreateKeyPairRequest(region_id=region, key_pair_name=name))

    def import_(self, region, name, public):
        return self._call("ImportKeyPair", tea_models.ImportKeyPairRequest(
            region_id=region, key_pair_name=name, public_key_body=public))

    def describe(self, region, name, include_public_key=False):
        return self._call("DescribeKeyPairs", tea_models.DescribeKeyPairsRequest(
            region_id=region, key_pair_name=name, include_public_key=include_public_key or None))

    def delete(self, region, names):
        return self._call("DeleteKeyPairs", tea_models.DeleteKeyPairsRequest(
            region_id=region, key_pair_names=json.dumps(names)))


class Core:
    name = "core"

    def __init__(self, host, access_key_id, access_key_secret):
        self._host, self._id, self._secret = host, access_key_id, access_key_secret
        self._clients = {}

    def _client(self, region):
        # aliyunsdkcore takes RegionId from the client (it sends the client's region as RegionId)
        if region not in self._clients:
            self._clients[region] = AcsClient(self._id, self._secret, region, auto_retry=False,
                                              max_retry_time=0, timeout=15, connect_timeout=5)
        return self._clients[region]

    def _call(self, region, action, request):
        request.set_endpoint(self._host)
        request.set_protocol_type("http")
        PACER.wait(action)
        LAST["exchange"] = CORE_EXCHANGE
        try:
            body = self._client(region).do_action_with_exception(request)
        except ServerException as e:
            raise ApiError(e.get_http_status(), e.get_error_code(), e.get_error_msg(), e.get_request_id())
        return json.loads(body)

    def create(self, region, name):
        request = CreateKeyPairRequest.CreateKeyPairRequest()
        request.set_KeyPairName(name)
        return self._call(region, "CreateKeyPair", request)

    def import_(self, region, name, public):
        request = ImportKeyPairRequest.ImportKeyPairRequest()
        request.set_KeyPairName(name)
        request.set_PublicKeyBody(public)
        return self._call(region, "ImportKeyPair", request)

    def describe(self, region, name, include_public_key=False):
        request = DescribeKeyPairsRequest.DescribeKeyPairsRequest()
        request.set_KeyPairName(name)
        if include_public_key:
            request.set_IncludePublicKey(True)
        return self._call(region, "DescribeKeyPairs", request)

    def delete(self, region, names):
        request = DeleteKeyPairsRequest.DeleteKeyPairsRequest()
        request.set_KeyPairNames(json.dumps(names))
        return self._call(region, "DeleteKeyPairs", request)


# ---------------------------------------------------------------------------------------------


def expect_error(call, status, code):
    try:
        call()
    except ApiError as e:
        check(e.code == code and e.status == status, "expected HTTP %s %s, got HTTP %s %s (%s)"
              % (status, code, e.status, e.code, e.message))
        check(REQUEST_ID.match(e.request_id or ""), "error %s: RequestId %r is not an upper-case UUID" % (code, e.request_id))
        return e
    raise StepFailed("expected HTTP %s %s, but the call succeeded" % (status, code))


def steps(sdk_class, host, access_key_id, access_key_secret, tmpdir):
    sdk = sdk_class(host, access_key_id, access_key_secret)
    suffix = secrets.token_hex(4)
    names = {kind: "%s-%s-%s" % (sdk.name, kind, suffix) for kind in ("created", "rsa", "ecdsa")}
    state = {}  # name => (public key line, fingerprint)

    def body_request_id(body, action):
        check(REQUEST_ID.match(body.get("RequestId") or ""), "%s: RequestId %r is not an upper-case UUID"
              % (action, body.get("RequestId")))

    def create():
        name = names["created"]
        body = sdk.create(REGION, name)
        body_request_id(body, "CreateKeyPair")
        check(body.get("KeyPairName") == name, "KeyPairName %r != %r" % (body.get("KeyPairName"), name))
        check(KEY_PAIR_ID.match(body.get("KeyPairId") or ""), "KeyPairId %r is not ssh-…" % body.get("KeyPairId"))
        pem = body.get("PrivateKeyBody") or ""
        check(re.match(r"^-----BEGIN (RSA )?PRIVATE KEY-----\n", pem), "PrivateKeyBody is not a PEM private key")
        public = public_half(pem, tmpdir)
        fingerprint = md5_fingerprint(public, tmpdir)
        check(body.get("KeyPairFingerPrint") == fingerprint,
              "KeyPairFingerPrint %r != ssh-keygen -l -E md5 of the public half (%s)"
              % (body.get("KeyPairFingerPrint"), fingerprint))
        state[name] = (public, fingerprint)
        return "%s, fingerprint %s = ssh-keygen's" % (body["KeyPairId"], fingerprint)

    def import_(kind, key_type, bits):
        def step():
            name = names[kind]
            public = generate_key(tmpdir, name, key_type, bits)
            fingerprint = md5_fingerprint(public, tmpdir)
            body = sdk.import_(REGION, name, public)
            body_request_id(body, "ImportKeyPair")
            check(body.get("KeyPairName") == name, "KeyPairName %r != %r" % (body.get("KeyPairName"), name))
            check(body.get("KeyPairFingerPrint") == fingerprint, "KeyPairFingerPrint %r != ssh-keygen's %s"
                  % (body.get("KeyPairFingerPrint"), fingerprint))
            state[name] = (public, fingerprint)
            return "%s (%s), fingerprint = ssh-keygen's" % (name, public.split()[0])
        return step

    def found(body, action):
        body_request_id(body, action)
        keys = ((body.get("KeyPairs") or {}).get("KeyPair")) or []
        check(isinstance(body.get("TotalCount"), int), "%s: no TotalCount" % action)
        return keys

    def describe_by_name():
        for kind, name in names.items():
            keys = found(sdk.describe(REGION, name, include_public_key=(kind == "created")), "DescribeKeyPairs")
            check(len(keys) == 1 and keys[0].get("KeyPairName") == name,
                  "KeyPairName=%s: found %s" % (name, [k.get("KeyPairName") for k in keys]))
            key = keys[0]
            public, fingerprint = state[name]
            check(key.get("KeyPairFingerPrint") == fingerprint, "%s: KeyPairFingerPrint %r != %r"
                  % (name, key.get("KeyPairFingerPrint"), fingerprint))
            check(CREATED_TIME.match(key.get("CreationTime") or ""), "%s: CreationTime %r is not yyyy-MM-ddTHH:mm:ssZ"
                  % (name, key.get("CreationTime")))
            check("PrivateKeyBody" not in key, "%s: DescribeKeyPairs returned a PrivateKeyBody" % name)
            if kind == "created":
                check(key_fields(key.get("PublicKey")) == key_fields(public),
                      "%s: PublicKey (IncludePublicKey=true) is not the public half of PrivateKeyBody" % name)
        return "each of the 3 names: 1 key, same fingerprint; the created key's PublicKey = its public half"

    def duplicate():
        expect_error(lambda: sdk.create(REGION, names["created"]), 400, "KeyPair.AlreadyExist")
        return "HTTP 400 KeyPair.AlreadyExist"

    def bad_region():
        expect_error(lambda: sdk.describe(BAD_REGION, names["created"]), 404, "InvalidRegionId.NotFound")
        return "RegionId %s: HTTP 404 InvalidRegionId.NotFound" % BAD_REGION

    def wrong_secret():
        bad = sdk_class(host, access_key_id, access_key_secret + "x")
        if sdk.name == "core":
            # aliyunsdkcore compares the server's string to sign (after the colon in the Message) with its
            # own and, when they are equal, reports InvalidAccessKeySecret instead: that proves the emulator
            # signed exactly the SDK's string. The wire answer must still say SignatureDoesNotMatch.
            expect_error(lambda: bad.describe(REGION, names["created"]), 400, "InvalidAccessKeySecret")
            answer = CORE_EXCHANGE.response
            code = answer is not None and answer.json().get("Code")
            check(code == "SignatureDoesNotMatch", "the answer's Code is %r, not SignatureDoesNotMatch" % code)
            return "HTTP 400 SignatureDoesNotMatch; the SDK matched the server's string to sign (InvalidAccessKeySecret)"
        e = expect_error(lambda: bad.describe(REGION, names["created"]), 400, "SignatureDoesNotMatch")
        string_to_sign = e.message.split(":", 1)[1] if ":" in e.message else ""
        check(string_to_sign.startswith("ACS3-HMAC-SHA256\n"),
              "the Message has no server string to sign after a colon: %r" % e.message)
        return "HTTP 400 SignatureDoesNotMatch, server string to sign after the colon"

    def delete():
        body = sdk.delete(REGION, list(names.values()))
        body_request_id(body, "DeleteKeyPairs")
        return "KeyPairNames %s" % json.dumps(list(names.values()))

    def describe_after_delete():
        for name in names.values():
            keys = found(sdk.describe(REGION, name), "DescribeKeyPairs")
            check(not keys, "%s still found after DeleteKeyPairs" % name)
        return "none of the 3 names found"

    return [
        ("CreateKeyPair", create),
        ("ImportKeyPair (RSA)", import_("rsa", "rsa", 2048)),
        ("ImportKeyPair (ECDSA)", import_("ecdsa", "ecdsa", 256)),
        ("DescribeKeyPairs by name", describe_by_name),
        ("CreateKeyPair duplicate name", duplicate),
        ("unknown region", bad_region),
        ("wrong secret key", wrong_secret),
        ("DeleteKeyPairs", delete),
        ("DescribeKeyPairs after delete", describe_after_delete),
    ]


def main():
    parser = endpoint_parser(__doc__)
    parser.add_argument("--sdk", action="append", choices=SDKS, help="run only this SDK (repeatable; default: both)")
    args, host = parse_endpoint(parser)
    access_key_id = (os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID") or os.environ.get("TENCENTCLOUD_SECRET_ID")
                     or DEFAULT_SECRET_ID)
    access_key_secret = (os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET") or os.environ.get("TENCENTCLOUD_SECRET_KEY")
                         or DEFAULT_SECRET_KEY)
    classes = {"tea": Tea, "core": Core}
    with tempfile.TemporaryDirectory(prefix="interop-aliyun-") as tmpdir:
        flows = [("ecs %s" % name, steps(classes[name], host, access_key_id, access_key_secret, tmpdir))
                 for name in (args.sdk or SDKS)]
        return run_flows(flows, access_key_secret, lambda: LAST["exchange"].describe(access_key_secret))


if __name__ == "__main__":
    sys.exit(main())
