#!/usr/bin/env bash
# Runs the official clients against the emulator, one part each:
#   sdk         Tencent CVM, Python SDK, three signing/transport modes     (interop/tencent_cvm.py)
#   lighthouse  Tencent Lighthouse, Python SDK                            (interop/tencent_lighthouse.py)
#   legacy      legacy CVM endpoint /v2/index.php, qcloudapi-sdk-python   (interop/tencent_legacy.py)
#   tccli       tccli cvm + tccli lighthouse                              (interop/tccli.py)
#   aliyun      Alibaba ECS, alibabacloud-ecs20140526 and aliyun-python-sdk-ecs (interop/aliyun_ecs.py)
#
# Usage: bash interop/run.sh [EMULATOR_BINARY]    (default: target/release/keypair-contract)
#        bash interop/run.sh --prepare            only make the virtualenvs (CI does it while Rust builds)
#
# Builds nothing but three virtualenvs, interop/.venv-sdk, .venv-tccli and .venv-aliyun, from the pinned
# requirements-*.txt; each is rebuilt only when its requirements file (or the Python version) changes.
# PYTHON picks the interpreter that makes them (default: python3). The emulator is started on a free
# loopback port with --quiet and always stopped on exit. Exits non-zero if anything failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PREPARE_ONLY=""
if [[ "${1:-}" == "--prepare" ]]; then PREPARE_ONLY=1; shift; fi
BIN="${1:-target/release/keypair-contract}"
PYTHON="${PYTHON:-python3}"
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Loopback traffic must never go through a proxy the environment may name (see also the unset below).
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

die() { echo "interop: error: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

[[ -n "$PREPARE_ONLY" || -x "$BIN" ]] || die "no emulator binary at $BIN (build it first: cargo build --release)"
command -v "$PYTHON" >/dev/null || die "no $PYTHON on PATH"
command -v ssh-keygen >/dev/null || die "ssh-keygen is needed (openssh-client)"

# ensure_venv DIR REQUIREMENTS [PIP OPTIONS...]: (re)creates DIR unless it was built from these requirements.
ensure_venv() {
    local dir="$1" requirements="$2"; shift 2
    local stamp
    stamp="$(cat "$requirements" <("$PYTHON" -VV) | sha256sum | cut -d' ' -f1)"
    if [[ -f "$dir/.installed" && "$(cat "$dir/.installed")" == "$stamp" ]]; then
        return 0
    fi
    local start
    start="$(now)"
    echo "interop: creating $dir from $requirements"
    rm -rf "$dir"
    "$PYTHON" -m venv "$dir" || die "cannot create a virtualenv in $dir"
    "$dir/bin/pip" install --quiet --no-input "$@" -r "$requirements" </dev/null \
        || { rm -rf "$dir"; die "pip install -r $requirements failed"; }
    echo "$stamp" > "$dir/.installed"
    echo "interop: $dir ready ($(since "$start"))"
}

ensure_venv interop/.venv-sdk interop/requirements-sdk.txt
# The full tencentcloud-sdk-python is ~600 MB of modules: compiling them all to .pyc would take most of
# the install time, and tccli imports only a few.
ensure_venv interop/.venv-tccli interop/requirements-tccli.txt --no-compile
ensure_venv interop/.venv-aliyun interop/requirements-aliyun.txt
[[ -z "$PREPARE_ONLY" ]] || exit 0

# The scripts' shared runner and redaction first: a runner that passed a failed step, or a report
# that printed a signature, would make every part below mean nothing.
"$PYTHON" -m unittest discover -s interop -p 'test_*.py' -q </dev/null \
    || die "interop/test_common.py failed: the scripts' shared helpers (interop/common.py) are broken"

# From here on every request goes to the loopback emulator, and a proxy from the environment must not get
# in the way: the Tencent SDK (and tccli) skip a proxy only when NO_PROXY contains their exact `host:port`
# endpoint string, and the Alibaba SDKs ignore NO_PROXY altogether. pip (above) keeps the proxy.
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy

WORK="$(mktemp -d "${TMPDIR:-/tmp}/interop.XXXXXX")"
EMULATOR_PID=""
cleanup() {
    if [[ -n "$EMULATOR_PID" ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN" serve --listen 127.0.0.1:0 --quiet </dev/null >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMULATOR_PID=$!

# Wait (up to 30 s) for "keypair-contract emulator listening on http://127.0.0.1:PORT".
ENDPOINT=""
for _ in $(seq 300); do
    ENDPOINT="$(sed -n 's|^keypair-contract emulator listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$|\1|p' "$WORK/emulator.out")"
    [[ -n "$ENDPOINT" ]] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$ENDPOINT" ]]; then
    echo "interop: error: the emulator ($BIN serve) never printed its address line within 30 s" >&2
    kill -0 "$EMULATOR_PID" 2>/dev/null || echo "interop: it exited early" >&2
    echo "--- emulator stdout:" >&2; cat "$WORK/emulator.out" >&2
    echo "--- emulator stderr:" >&2; cat "$WORK/emulator.err" >&2
    exit 1
fi
# Credentials of the emulator's default account, from its second line (never printed).
read -r TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY < <(sed -n \
    's|^default account: SecretId \([^ ]*\) SecretKey \([^ ]*\)$|\1 \2|p' "$WORK/emulator.out") \
    || die "the emulator printed no 'default account:' line"
export TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY
echo "interop: emulator $BIN at $ENDPOINT"

# How many checks each part runs when all goes well: its steps times its modes/products/SDKs. A part
# that ends with fewer passed checks than this fails, even with "0 failed" (a flow that stopped early,
# a step list that shrank, a script that ran nothing). Change these with the scripts' step lists.
declare -A EXPECTED_CHECKS=(
    [sdk]=24        # tencent_cvm.py: 8 steps x 3 modes (tc3-post, hmac-sha256, tc3-get)
    [lighthouse]=8  # tencent_lighthouse.py: 8 steps
    [legacy]=14     # tencent_legacy.py: 7 steps x 2 modes (HmacSHA1 GET, HmacSHA256 POST)
    [tccli]=16      # tccli.py: 8 steps x 2 products (cvm, lighthouse)
    [aliyun]=18     # aliyun_ecs.py: 9 steps x 2 SDKs (tea, core)
)
EXPECTED_TOTAL=0
for part in "${!EXPECTED_CHECKS[@]}"; do EXPECTED_TOTAL=$((EXPECTED_TOTAL + EXPECTED_CHECKS[$part])); done

total_passed=0 total_failed=0 failed_parts=() parts_run=()
# run_part NAME COMMAND...: runs one client script, echoing its lines, and adds up its closing line;
# checks it ran as many checks as EXPECTED_CHECKS[NAME] says (the missing ones count as failed).
run_part() {
    local name="$1"; shift
    local start status=0 summary passed=0 failed=1 expected
    expected="${EXPECTED_CHECKS[$name]:-}"
    [[ -n "$expected" ]] || die "run_part $name: no EXPECTED_CHECKS entry for this part"
    parts_run+=("$name")
    start="$(now)"
    echo "== $name"
    "$@" --endpoint "$ENDPOINT" </dev/null | tee "$WORK/$name.log" || status=$?
    summary="$(tail -n 1 "$WORK/$name.log")"
    if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed="${BASH_REMATCH[1]}" failed="${BASH_REMATCH[2]}"
    else
        failed_parts+=("$name (no closing 'N passed, N failed' line)")
    fi
    if (( passed + failed < expected )); then
        echo "interop: $name ran $((passed + failed)) of its $expected checks; the $((expected - passed - failed)) missing count as failed" >&2
        (( status != 0 )) || failed_parts+=("$name (ran $((passed + failed)) of $expected checks)")
        failed=$((expected - passed))
    elif (( passed > expected )); then
        echo "interop: $name passed $passed checks, more than the $expected run.sh knows: update EXPECTED_CHECKS" >&2
        failed_parts+=("$name ($passed checks, EXPECTED_CHECKS says $expected)")
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    if (( status != 0 )); then
        failed_parts+=("$name (exit $status)")
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            echo "interop: the emulator is no longer running; its stderr:" >&2
            cat "$WORK/emulator.err" >&2
        elif [[ -s "$WORK/emulator.err" ]]; then
            echo "interop: emulator stderr so far:" >&2
            cat "$WORK/emulator.err" >&2
        fi
    fi
    echo "== $name: $(since "$start")"
}

# In this order, CVM parts never follow each other back to back (the limits are per account and action).
run_part sdk interop/.venv-sdk/bin/python interop/tencent_cvm.py
run_part lighthouse interop/.venv-sdk/bin/python interop/tencent_lighthouse.py
run_part legacy interop/.venv-sdk/bin/python interop/tencent_legacy.py
run_part tccli "$PYTHON" interop/tccli.py --tccli interop/.venv-tccli/bin/tccli
# The Alibaba SDKs read HTTP(S)_PROXY and ignore NO_PROXY; aliyun_ecs.py drops those variables itself.
run_part aliyun interop/.venv-aliyun/bin/python interop/aliyun_ecs.py

if (( ${#parts_run[@]} != ${#EXPECTED_CHECKS[@]} )); then
    failed_parts+=("ran ${#parts_run[@]} of ${#EXPECTED_CHECKS[@]} parts")
fi
if (( total_passed + total_failed < EXPECTED_TOTAL )); then
    failed_parts+=("$((total_passed + total_failed)) of $EXPECTED_TOTAL checks ran")
    total_failed=$((EXPECTED_TOTAL - total_passed))
fi
if (( ${#failed_parts[@]} > 0 )); then
    echo "interop: FAILED: ${failed_parts[*]}"
fi
echo "interop: summary of $EXPECTED_TOTAL expected checks:"
echo "$total_passed passed, $total_failed failed"
(( ${#failed_parts[@]} == 0 && total_failed == 0 && total_passed == EXPECTED_TOTAL ))
