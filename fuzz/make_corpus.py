#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ from the recorded SDK requests and signing vectors.

Usage: python3 fuzz/make_corpus.py [VECTORS_DIR]   (default: tests/vectors, a copy of ../shared/vectors)

Seeds: every sdk-requests/*.json as a raw HTTP request (http_request), its Authorization
header (tc3_authorization / acs3_authorization), its query string and form body
(query_and_form); the OpenSSH lines found in the vectors and the case fixtures (openssh_public);
every case file under cases/ (case_file); each case step's action and parameters
(signed_request, with PyYAML). The corpus is generated, not checked in.
"""
import base64
import json
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
vectors = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "tests" / "vectors"
out = root / "fuzz" / "corpus"


def put(target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


for path in sorted((vectors / "sdk-requests").glob("*.json")):
    vector = json.loads(path.read_text())
    if "request" not in vector:
        continue  # index.json
    request = vector["request"]
    body = base64.b64decode(request["body_base64"]) if request.get("body_base64") else (request.get("body") or "").encode()
    headers = request.get("headers") or []
    pairs = headers.items() if isinstance(headers, dict) else [tuple(h) for h in headers]
    head = f"{request['method']} {request['target']} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n"
    put("http_request", path.stem, head.encode() + body)
    for name, value in pairs:
        if name.lower() == "authorization":
            put("tc3_authorization" if value.startswith("TC3-") else "acs3_authorization", path.stem, value)
    put("query_and_form", path.stem + "-query", request.get("query_string") or "")
    if body:
        put("query_and_form", path.stem + "-body", body)

text = (vectors / "signing.json").read_text()
for i, line in enumerate(sorted(set(re.findall(r"(?:ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+) AAAA[0-9A-Za-z+/=]+", text)))):
    put("openssh_public", f"vector-{i}", line)
for i, path in enumerate(sorted((root / "cases").rglob("*.yaml"))):
    put("case_file", f"case-{i}", path.read_bytes())
    for j, line in enumerate(re.findall(r"(?:ssh-rsa|ssh-ed25519) AAAA[0-9A-Za-z+/=]+[^\n\"]*", path.read_text())):
        put("openssh_public", f"case-{i}-{j}", line)
# signed_request: each case step's action and parameters (ImportKeyPair, DescribeKeyPairs and
# DeleteKeyPairs of CVM, Lighthouse and ECS), templates filled with plain values; see the target for
# the leading byte.
PROFILES = {"tencent-cvm": 0, "tencent-lighthouse": 1, "aliyun-ecs": 2}
ACTIONS = {"ImportKeyPair": 0, "DescribeKeyPairs": 1, "DeleteKeyPairs": 2}


def fill(value):
    if isinstance(value, str):
        value = re.sub(r"\$\{fixture\.([a-z0-9_]+)\}", lambda m: (root / "cases" / "fixtures" / f"{m.group(1)}.pub").read_text().strip(), value)
        value = re.sub(r"\$\{name\.[^}]*\}", "fuzzkey", value)
        return re.sub(r"\$\{[^}]*\}", "skey-00000000", value)
    if isinstance(value, list):
        return [fill(v) for v in value]
    if isinstance(value, dict):
        return {k: fill(v) for k, v in value.items()}
    return value


try:
    import yaml
except ImportError:
    yaml = None
    print("PyYAML is not installed: no seeds for signed_request (pip install pyyaml)")
if yaml:
    for i, path in enumerate(sorted((root / "cases").rglob("*.yaml"))):
        case = yaml.safe_load(path.read_text())
        if not isinstance(case, dict) or case.get("api") not in PROFILES:
            continue
        for j, step in enumerate((case.get("setup") or []) + (case.get("steps") or [])):
            if step.get("action") in ACTIONS:
                choice = PROFILES[case["api"]] | ACTIONS[step["action"]] << 2
                params = json.dumps(fill(step.get("params") or {}), ensure_ascii=False)
                put("signed_request", f"case-{i}-{j}", bytes([choice]) + params.encode())
print(f"corpus written to {out}")
