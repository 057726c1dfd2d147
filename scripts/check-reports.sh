#!/usr/bin/env bash
# Checks the reports of `keypair-contract run --report ...` against their independent definitions:
# the JUnit file against the common Ant JUnit XSD (tests/fixtures/junit/JUnit.xsd, windyroad,
# Apache-2.0) with xmllint, for a passing run, a run with contract failures and drift, and a run
# with skipped cases; the JSON report's shape is checked against schemas/report.schema.json by
# tests/suite/drift.rs (and here too when Python's jsonschema is installed).
#
# Usage: scripts/check-reports.sh [BINARY]   (default: builds and uses target/debug/keypair-contract)
# Needs xmllint (Debian: apt-get install libxml2-utils).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

if ! command -v xmllint >/dev/null; then
  echo "error: xmllint is not installed (Debian: apt-get install libxml2-utils)" >&2
  exit 2
fi
bin=${1:-}
if [[ -z "$bin" ]]; then
  cargo build -q
  bin=target/debug/keypair-contract
fi
bin=$(realpath "$bin")
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export CI=true
unset INSTA_UPDATE INSTA_FORCE_PASS

reports() { echo "--report junit=$work/$1.xml --report json=$work/$1.json --report markdown=$work/$1.md"; }

expect_exit() {
  local want=$1; shift
  set +e; "$@" >"$work/out.txt" 2>&1; local got=$?; set -e
  if [[ $got -ne $want ]]; then
    echo "error: expected exit $want, got $got from: $*" >&2
    tail -30 "$work/out.txt" >&2
    exit 1
  fi
}

echo "--- a passing run"
expect_exit 0 "$bin" run --filter create-key-pair/example $(reports passing)

echo "--- contract failures and drift"
copy=$work/project
mkdir -p "$copy/docs"
cp -r cases schemas snapshots "$copy/"
cp -r docs/seeds "$copy/docs/"
sed -i 's#/Response/TotalCount: 1#/Response/TotalCount: 2#' "$copy/cases/tencent-cvm/import-key-pair/example.yaml"
sed -i 's#status: 200#status: 201#' "$copy/snapshots/tencent-cvm/create-key-pair/example.snap"
expect_exit 1 "$bin" run --root "$copy" --filter tencent-cvm/ --drift report $(reports failing)
grep -q '<failure ' "$work/failing.xml" || { echo "error: the failing run's JUnit has no <failure>" >&2; exit 1; }
grep -q '"status": "drift"' "$work/failing.json" || { echo "error: the failing run's JSON has no drift case" >&2; exit 1; }

echo "--- skipped cases (an emulator without its control API, run as a live endpoint)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" --quiet >"$work/serve.txt" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.txt" 2>/dev/null && break; sleep 0.1; done
# One shared account: cases may also fail here (its rate limit); only the report's shape matters.
set +e
TENCENTCLOUD_SECRET_ID=AKIDKEYPAIRCONTRACTEMULATOR0000 TENCENTCLOUD_SECRET_KEY=keypair-contract-emulator-secret \
  "$bin" run --target "http://127.0.0.1:$port" --filter tencent-cvm/create-key-pair/ --drift report $(reports skipping) >"$work/out.txt" 2>&1
set -e
grep -q '<skipped ' "$work/skipping.xml" || { echo "error: the skipping run's JUnit has no <skipped>" >&2; exit 1; }

for name in passing failing skipping; do
  xmllint --noout --schema tests/fixtures/junit/JUnit.xsd "$work/$name.xml"
done
if python3 -c 'import jsonschema' 2>/dev/null; then
  for name in passing failing skipping; do
    python3 - "$root/schemas/report.schema.json" "$work/$name.json" <<'PY'
import json, sys, jsonschema
schema, report = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.Draft202012Validator(schema).validate(report)
print(sys.argv[2].rsplit("/", 1)[-1], "validates against schemas/report.schema.json")
PY
  done
fi
echo "reports ok: JUnit valid against JUnit.xsd (passing, failing, skipping runs)"
