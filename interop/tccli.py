#!/usr/bin/env python3
"""Drive the emulator's Tencent CVM 2017-03-12 and Lighthouse 2020-03-24 key-pair APIs with tccli.

tccli, the official command-line tool, is used as a customer would use it: `tccli cvm|lighthouse <Action>
--region ap-guangzhou --endpoint http://127.0.0.1:PORT`, credentials in TENCENTCLOUD_SECRET_ID /
TENCENTCLOUD_SECRET_KEY, list parameters as JSON. It runs with a temporary HOME (it writes ~/.tccli there). With an http://
endpoint tccli sends and signs `Host: http://127.0.0.1:PORT` (shared/reference/apis.md §6).

Usage: tccli.py --endpoint http://127.0.0.1:PORT [--tccli PATH]
Standard library only (any Python 3); needs ssh-keygen. Prints one line per step and a last line
`N passed, N failed`; a product's flow stops at its first failure, printing the command, its exit code
and output (private keys redacted), the other product's flow still runs, and the script exits 1. Private keys and secret keys are never printed.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CREATED_TIME, StepFailed, check, credentials, endpoint_parser, generate_key,  # noqa: E402
                    key_fields, parse_endpoint, public_half, redact, run_flows)

REGION = "ap-guangzhou"
KEY_ID = re.compile(r"^skey-[0-9a-z]{8}$")
LIGHTHOUSE_KEY_ID = re.compile(r"^lhkp-[0-9a-z]{8}$")
ERROR_EXIT = 255  # tccli's exit status for a TencentCloudSDKException


class Tccli:
    def __init__(self, tccli, endpoint, home, secret_id, secret_key, product="cvm"):
        self.tccli, self.endpoint, self.product = tccli, endpoint, product
        self.home, self.secret_id, self.secret_key = home, secret_id, secret_key
        self.last = None  # (argv, exit code, stdout, stderr) of the last run, for failure reports

    def run(self, action, secret_key=None, **params):
        argv = [self.tccli, self.product, action]
        for name, value in params.items():
            argv += ["--" + name, value if isinstance(value, str) else json.dumps(value)]
        argv += ["--region", REGION, "--endpoint", self.endpoint]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TENCENTCLOUD_")}
        env.update(HOME=self.home, TENCENTCLOUD_SECRET_ID=self.secret_id,
                   TENCENTCLOUD_SECRET_KEY=secret_key or self.secret_key)
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        self.last = (argv, proc.returncode, proc.stdout, proc.stderr)
        return proc

    def ok(self, action, **params):
        proc = self.run(action, **params)
        check(proc.returncode == 0, "tccli %s %s exited %d" % (self.product, action, proc.returncode))
        try:
            return json.loads(proc.stdout)
        except ValueError:
            raise StepFailed("tccli %s %s printed no JSON" % (self.product, action))

    def error(self, action, code, secret_key=None, **params):
        proc = self.run(action, secret_key=secret_key, **params)
        output = proc.stdout + proc.stderr
        check(proc.returncode == ERROR_EXIT, "tccli %s %s exited %d, expected %d (error %s)"
              % (self.product, action, proc.returncode, ERROR_EXIT, code))
        check("[TencentCloudSDKException] code:%s " % code in output,
              "tccli %s %s output does not name code:%s" % (self.product, action, code))
        check(re.search(r"requestId:\S+", output), "tccli %s %s error has no requestId" % (self.product, action))
        return code

    def describe_last(self):
        if self.last is None:
            return "  (tccli was not run)"
        argv, code, out, err = self.last
        lines = ["  command: %s" % " ".join(argv), "  exit code: %d" % code,
                 "  stdout: %s" % redact(out.strip(), self.secret_key, 2000),
                 "  stderr: %s" % redact(err.strip(), self.secret_key, 2000)]
        return redact("\n".join(lines), self.secret_key)


class Product:
    """What differs between the products one tccli flow drives."""

    def __init__(self, name, key_id, key_id_shape, extra, duplicate_code, prefix):
        self.name, self.key_id, self.key_id_shape = name, key_id, key_id_shape
        self.extra = extra  # parameters every create/import needs (CVM's ProjectId; Lighthouse has none)
        self.duplicate_code = duplicate_code
        self.prefix = prefix  # name prefix, so the two products' keys are told apart in logs


PRODUCTS = {
    "cvm": Product("cvm", KEY_ID, "skey-xxxxxxxx", {"ProjectId": "0"}, "InvalidKeyPairName.Duplicate", "tccli"),
    # Lighthouse keys have no ProjectId, and its duplicate-name code is its own (apis.md §1.5).
    "lighthouse": Product("lighthouse", LIGHTHOUSE_KEY_ID, "lhkp-xxxxxxxx", {},
                          "InvalidParameterValue.DuplicateParameterValue", "tclh"),
}


def steps(cli, tmpdir, product):
    suffix = secrets.token_hex(3)
    created_name, imported_name = "c_%s_%s" % (product.prefix, suffix), "i_%s_%s" % (product.prefix, suffix)
    state = {}

    def create():
        key = cli.ok("CreateKeyPair", KeyName=created_name, **product.extra).get("KeyPair") or {}
        check(product.key_id.match(key.get("KeyId") or ""), "KeyId %r is not %s" % (key.get("KeyId"), product.key_id_shape))
        check(key.get("KeyName") == created_name, "KeyName %r != %r" % (key.get("KeyName"), created_name))
        pem = key.get("PrivateKey") or ""
        check(pem.startswith("-----BEGIN RSA PRIVATE KEY-----\n"), "PrivateKey is not a PEM 'BEGIN RSA PRIVATE KEY' block")
        check(key_fields(public_half(pem, tmpdir)) == key_fields(key.get("PublicKey")),
              "PublicKey is not the public half of PrivateKey")
        state["created"], state["created_public"] = key["KeyId"], key["PublicKey"]
        return "%s, public half matches (ssh-keygen -y)" % key["KeyId"]

    def import_():
        public = generate_key(tmpdir, imported_name, "rsa", 2048)
        resp = cli.ok("ImportKeyPair", KeyName=imported_name, PublicKey=public, **product.extra)
        check(product.key_id.match(resp.get("KeyId") or ""), "KeyId %r is not %s" % (resp.get("KeyId"), product.key_id_shape))
        state["imported"], state["imported_public"] = resp["KeyId"], public
        return resp["KeyId"]

    def describe_by_ids():
        ids = [state["created"], state["imported"]]
        resp = cli.ok("DescribeKeyPairs", KeyIds=ids)
        found = {k.get("KeyId"): k for k in resp.get("KeyPairSet") or []}
        check(resp.get("TotalCount") == 2 and sorted(found) == sorted(ids),
              "TotalCount %r, KeyIds %s; expected %s" % (resp.get("TotalCount"), sorted(found), sorted(ids)))
        for key_id, name, public in [(state["created"], created_name, state["created_public"]),
                                     (state["imported"], imported_name, state["imported_public"])]:
            key = found[key_id]
            check(key.get("KeyName") == name, "%s: KeyName %r != %r" % (key_id, key.get("KeyName"), name))
            check(key_fields(key.get("PublicKey")) == key_fields(public), "%s: PublicKey differs" % key_id)
            check(not key.get("PrivateKey"), "%s: DescribeKeyPairs returned a PrivateKey" % key_id)
            check(CREATED_TIME.match(key.get("CreatedTime") or ""), "%s: CreatedTime %r" % (key_id, key.get("CreatedTime")))
        return "TotalCount 2, both keys"

    def describe_by_name():
        resp = cli.ok("DescribeKeyPairs", Filters=[{"Name": "key-name", "Values": [created_name]}])
        ids = [k.get("KeyId") for k in resp.get("KeyPairSet") or []]
        check(resp.get("TotalCount") == 1 and ids == [state["created"]],
              "filter key-name=%s: TotalCount %r, KeyIds %s" % (created_name, resp.get("TotalCount"), ids))
        return "1 key"

    def duplicate():
        return cli.error("CreateKeyPair", product.duplicate_code, KeyName=created_name, **product.extra)

    def wrong_secret():
        return cli.error("DescribeKeyPairs", "AuthFailure.SignatureFailure", secret_key=cli.secret_key + "x")

    def delete():
        cli.ok("DeleteKeyPairs", KeyIds=[state["created"], state["imported"]])
        return "deleted %s, %s" % (state["created"], state["imported"])

    def describe_after_delete():
        resp = cli.ok("DescribeKeyPairs", KeyIds=[state["created"], state["imported"]])
        check(resp.get("TotalCount") == 0 and not resp.get("KeyPairSet"),
              "TotalCount %r, KeyPairSet %s" % (resp.get("TotalCount"), resp.get("KeyPairSet")))
        return "gone"

    return [
        ("CreateKeyPair", create),
        ("ImportKeyPair", import_),
        ("DescribeKeyPairs by KeyIds", describe_by_ids),
        ("DescribeKeyPairs by key-name filter", describe_by_name),
        ("CreateKeyPair duplicate name (exit 255)", duplicate),
        ("wrong secret key (exit 255)", wrong_secret),
        ("DeleteKeyPairs", delete),
        ("DescribeKeyPairs after delete", describe_after_delete),
    ]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = endpoint_parser(__doc__)
    parser.add_argument("--tccli", default=os.path.join(here, ".venv-tccli", "bin", "tccli"),
                        help="the tccli executable (default: interop/.venv-tccli/bin/tccli)")
    parser.add_argument("--product", action="append", choices=("cvm", "lighthouse"),
                        help="run only this product's flow (repeatable; default: both)")
    args, host = parse_endpoint(parser)
    if not os.access(args.tccli, os.X_OK):
        parser.error("no tccli at %s (run interop/run.sh, which creates interop/.venv-tccli)" % args.tccli)
    secret_id, secret_key = credentials()
    with tempfile.TemporaryDirectory(prefix="interop-tccli-") as tmpdir:
        home = os.path.join(tmpdir, "home")
        os.mkdir(home)
        flows = []
        for name in (name for name in ("cvm", "lighthouse") if name in (args.product or ["cvm", "lighthouse"])):
            cli = Tccli(args.tccli, "http://" + host, home, secret_id, secret_key, name)
            flows.append(("tccli %s" % name, steps(cli, tmpdir, PRODUCTS[name]), cli.describe_last))
        return run_flows(flows, secret_key)


if __name__ == "__main__":
    sys.exit(main())
