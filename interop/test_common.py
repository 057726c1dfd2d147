"""Tests of common.py, the part of the interop scripts that guards secrets and decides pass or fail.

Standard library only; run.sh runs them before any client (`python3 -m unittest discover -s interop`).
"""

import contextlib
import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"


class Redact(unittest.TestCase):
    def test_private_keys_whole_or_cut_short(self):
        self.assertEqual(common.redact("a " + PEM + "b", None), "a <private key redacted>b")
        self.assertEqual(common.redact("a " + PEM[:40], None), "a <private key redacted>")
        self.assertEqual(common.redact('{"PrivateKeyBody": "MIIE\\"x", "n": 1}', None), '{"PrivateKeyBody": "<redacted>", "n": 1}')

    def test_signatures_in_headers_queries_and_forms(self):
        for text, kept in [
            ("Authorization: TC3-HMAC-SHA256 Credential=AK/d/cvm/tc3_request, SignedHeaders=host, Signature=0899f5",
             "SignedHeaders=host, Signature=<redacted>"),
            ("GET /?Action=X&Signature=abc%2B%3D&Nonce=1", "&Signature=<redacted>&Nonce=1"),
            ("Authorization: ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=deadbeef",
             ",Signature=<redacted>"),
        ]:
            redacted = common.redact(text, None)
            self.assertIn(kept, redacted)
            self.assertNotIn(text.split("Signature=")[1][:6], redacted)

    def test_the_secret_key_anywhere_then_the_cut(self):
        self.assertEqual(common.redact("k=s3cret;s3cret", "s3cret"), "k=<secret redacted>;<secret redacted>")
        self.assertEqual(common.redact("x" * 10 + "s3cret", "s3cret", 12), "x" * 10 + "<s")


class ParseEndpoint(unittest.TestCase):
    def parse(self, *argv):
        """What parse_endpoint makes of argv (its host:port, or a usage error's exit status), and its stderr."""
        parser = common.endpoint_parser("Test script.\nMore.")
        old, sys.argv = sys.argv, ["test"] + list(argv)
        try:
            with contextlib.redirect_stderr(io.StringIO()) as err:
                try:
                    return common.parse_endpoint(parser)[1], err.getvalue()
                except SystemExit as exit_:
                    return exit_.code, err.getvalue()
        finally:
            sys.argv = old

    def test_a_plain_http_endpoint_gives_its_host_and_port(self):
        self.assertEqual(self.parse("--endpoint", "http://127.0.0.1:9000"), ("127.0.0.1:9000", ""))
        self.assertEqual(self.parse("--endpoint", "http://127.0.0.1:9000/"), ("127.0.0.1:9000", ""))

    def test_anything_else_is_a_usage_error_naming_what_was_given(self):
        for argv in [(), ("--endpoint", "https://127.0.0.1:9000"), ("--endpoint", "http://127.0.0.1:9000/v2"),
                     ("--endpoint", "127.0.0.1:9000")]:
            status, err = self.parse(*argv)
            self.assertEqual(status, 2)
            self.assertIn("got %r" % (argv[1] if argv else None), err)


class RunFlows(unittest.TestCase):
    def run_flows(self, flows, describe_failure=None):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            status = common.run_flows(flows, "s3cret", describe_failure)
        return status, out.getvalue().splitlines()

    def test_a_flow_stops_at_its_first_failure_and_the_next_flow_runs(self):
        ran = []

        def step(name, fails=False):
            def run():
                ran.append(name)
                common.check(not fails, "%s failed with s3cret" % name)
                return name + " done"
            return run

        flows = [("a", [("one", step("a1")), ("two", step("a2", fails=True)), ("three", step("a3"))]),
                 ("b", [("one", step("b1"))], lambda: "b's own report")]
        status, lines = self.run_flows(flows, lambda: "exchange with s3cret")
        self.assertEqual(status, 1)
        self.assertEqual(ran, ["a1", "a2", "b1"])
        self.assertEqual(lines, ["ok   a: one — a1 done", "FAIL a: two — a2 failed with <secret redacted>",
                                 "exchange with <secret redacted>", "ok   b: one — b1 done", "2 passed, 1 failed"])

    def test_a_crash_fails_the_step_and_a_flow_may_report_its_own_failure(self):
        def crash():
            raise ValueError("boom")

        status, lines = self.run_flows([("c", [("x", crash)], lambda: "c's report")])
        self.assertEqual((status, lines), (1, ["FAIL c: x — ValueError: boom", "c's report", "0 passed, 1 failed"]))

    def test_all_passing_exits_0(self):
        self.assertEqual(self.run_flows([("d", [("x", lambda: "fine")])]), (0, ["ok   d: x — fine", "1 passed, 0 failed"]))


if __name__ == "__main__":
    unittest.main()
