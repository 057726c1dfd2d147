#!/usr/bin/env bash
# Mutation testing: cargo-mutants changes the code (a `>` to `>=`, a function body to a default
# value, …) and runs the tests; a mutant the tests do not catch is logic no test pins. See
# docs/mutation-testing.md.
#
# Usage:
#   scripts/mutants.sh                      every mutant of the scope below (long: hours)
#   scripts/mutants.sh --in-diff [BASE]     only mutants in lines changed since BASE (default origin/main),
#                                           what the pull-request workflow runs
#   scripts/mutants.sh [--in-diff [BASE]] -- ARGS…   extra cargo-mutants arguments (e.g. -j 2, --shard 1/4,
#                                           --output DIR); `-f GLOB` (or --file) replaces the scope with
#                                           the files it names
#
# Two passes, so that a mutant costs the whole `cargo test` only when it needs it: the first runs the
# library's unit tests (`cargo test --lib`: seconds a mutant), the second runs every test binary, with
# `--iterate`, over only the mutants the first did not catch. The second pass's results are the verdict:
# mutants.out/missed.txt lists what no test catches. Pass test arguments of your own after a second `--`
# (`-- -f src/sign/tc3.rs -- --lib --test suite`) and there is a single pass with them.
#
# Installs cargo-mutants (`cargo install --locked cargo-mutants`) when absent. Runs with CI=true and the
# insta variables that accept snapshots cleared, as .ci/run does. Equivalent mutants — changes no test
# can observe — are excluded by .cargo/mutants.toml, one line each with the reason. Results go to
# mutants.out/ (caught.txt, missed.txt, timeout.txt, unviable.txt; previously_caught.txt holds what the
# first pass caught); exits non-zero if any mutant is missed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# What the mutants are drawn from: the signers, the checks, the runner; the whole emulator (every
# provider's rules, model, handlers, settings and envelopes, the store Tencent's products share, how
# a request is read and authenticated, the nonce store and the log's escaping, the key store,
# accounts and control API, the front door, wire types, registry and key pool, the HTTP server's
# limits, the hostile layer, the code and action tables, STS and the emulator's assembly); the
# case-file loader, the clock and the coverage check of the documented surface; the harness's API
# profiles (how it builds, signs and reads each API's requests) and the key material; the reporters
# CI reads (not report/console.rs, which draws a terminal's progress bar); the commands and the
# command line; the benchmark (its statistics, its load generator and what it refuses to time).
# Left out: src/main.rs (its allocator options show only in `bench --only bodies`).
SCOPE=(
    -f 'src/sign/**'
    -f 'src/check/**'
    -f 'src/run/**'
    -f 'src/emulator/**'
    -f 'src/case/**'
    -f 'src/clock.rs'
    -f 'src/coverage.rs'
    -f 'src/apis/**'
    -f 'src/keys.rs'
    -f 'src/report/mod.rs'
    -f 'src/report/text.rs'
    -f 'src/report/json.rs'
    -f 'src/report/junit.rs'
    -f 'src/report/markdown.rs'
    -f 'src/cli.rs'
    -f 'src/commands/mod.rs'
    -f 'src/commands/serve.rs'
    -f 'src/commands/run.rs'
    -f 'src/commands/sweep.rs'
    -f 'src/commands/coverage.rs'
    -f 'src/commands/bench.rs'
    -f 'src/bench.rs'
    -f 'src/bench/**'
)

in_diff=""
if [[ "${1:-}" == "--in-diff" ]]; then
    shift
    base="origin/main"
    if [[ $# -gt 0 && "$1" != "--" ]]; then base="$1"; shift; fi
    in_diff="$(mktemp "${TMPDIR:-/tmp}/mutants-diff.XXXXXX")"
    trap 'rm -f "$in_diff"' EXIT
    git diff "$base"... -- >"$in_diff"
    if [[ ! -s "$in_diff" ]]; then
        echo "mutants: no changes since $base; nothing to mutate"
        exit 0
    fi
fi
[[ "${1:-}" == "--" ]] && shift

# One reading of the caller's arguments:
# - cargo-mutants joins several -f globs with "or": a narrower glob beside the scope's would still
#   mutate the whole scope, so a -f of the caller's replaces the scope instead;
# - test arguments of the caller's (after a second `--`) make a single pass with them;
# - pass 2 reads pass 1's results from the --output directory, and drops the sharding options (see
#   pass 2 below).
scope=("${SCOPE[@]}")
own_test_args=false
out_parent="."
pass2_args=()
previous=""
for arg in "$@"; do
    case "$previous" in
        -o | --output) out_parent="$arg" ;;
        --shard | --sharding) previous="$arg"; continue ;;
    esac
    case "$arg" in
        -f | --file | --file=*) scope=() ;;
        --) own_test_args=true ;;
        --output=*) out_parent="${arg#--output=}" ;;
    esac
    case "$arg" in
        --shard | --sharding | --shard=* | --sharding=*) ;;
        *) pass2_args+=("$arg") ;;
    esac
    previous="$arg"
done

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "mutants: installing cargo-mutants (cargo install --locked cargo-mutants)"
    cargo install --locked cargo-mutants
fi

export CI=true
unset INSTA_UPDATE INSTA_FORCE_PASS INSTA_FORCE_UPDATE INSTA_FORCE_UPDATE_SNAPSHOTS INSTA_ACCEPT INSTA_OUTPUT

args=("${scope[@]}")
[[ -n "$in_diff" ]] && args+=(--in-diff "$in_diff")

if $own_test_args; then
    status=0
    cargo mutants "${args[@]}" "$@" || status=$?
    exit "$status"
fi

echo "mutants: pass 1 of 2, the library's unit tests (cargo test --lib)"
# `--cargo-arg=--lib`, not `-- --lib`: the trailing arguments reach only the test run, so each
# mutant's build would still compile and link tests/suite and tests/contract for nothing (see
# docs/mutation-testing.md, round 17, for the time it saves).
# Missed mutants are expected here (pass 2 decides them); any other failure stops the run. Exit codes
# are cargo-mutants': 2 missed, 3 timeouts.
status=0
cargo mutants "${args[@]}" "$@" --cargo-arg=--lib || status=$?
if [[ $status -ne 0 && $status -ne 2 && $status -ne 3 ]]; then
    echo "mutants: pass 1 failed (exit $status) before testing the mutants; see above" >&2
    exit "$status"
fi
if [[ $status -eq 0 ]]; then
    echo "mutants: pass 1 left no mutant missed or timed out (see its summary above for how many it tested); no second pass needed"
    exit 0
fi
# Pass 2 examines exactly what pass 1 missed or timed out on, named one by one (`--re`): with
# `--iterate` alone a shard would draw its second pass from every other shard's mutants too, since
# cargo-mutants shards the list after taking out what was caught (and sharding the named list again
# would drop most of it). `--iterate` still records what pass 1 caught (previously_caught.txt).
pass1_out="$out_parent/mutants.out"
undecided=()
while IFS= read -r name; do
    [[ -n "$name" ]] || continue
    # Escape every character Rust's regex syntax treats as meta and anchor both ends, so the name
    # matches only itself.
    undecided+=(--re "^$(printf '%s' "$name" | sed 's/[][\.+*?(){}|^$#&~-]/\\&/g')\$")
done < <(cat "$pass1_out/missed.txt" "$pass1_out/timeout.txt" 2>/dev/null)
if [[ ${#undecided[@]} -eq 0 ]]; then
    echo "mutants: pass 1 exited $status but $pass1_out lists no missed or timed-out mutant" >&2
    exit "$status"
fi
echo "mutants: pass 2 of 2, every test binary, over the $((${#undecided[@]} / 2)) mutants pass 1 did not catch"
status=0
cargo mutants "${args[@]}" "${pass2_args[@]}" --iterate "${undecided[@]}" || status=$?
exit "$status"
