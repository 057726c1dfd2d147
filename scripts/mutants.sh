#!/usr/bin/env bash
# Mutation testing: cargo-mutants changes the code (a `>` to `>=`, a function body to a default
# value, …) and runs the tests; a mutant the tests do not catch is logic no test pins. See
# docs/mutation-testing.md.
#
# Usage:
#   scripts/mutants.sh                      every mutant of the modules below (long: tens of minutes)
#   scripts/mutants.sh --in-diff [BASE]     only mutants in lines changed since BASE (default origin/main),
#                                           what the pull-request workflow runs
#   scripts/mutants.sh [--in-diff [BASE]] -- ARGS…   extra cargo-mutants arguments (e.g. -j 2, --shard 1/4,
#                                           -f src/sign/tc3.rs to narrow, or `-- --lib` after a second `--`
#                                           to pass arguments to cargo test)
#
# Installs cargo-mutants (`cargo install --locked cargo-mutants`) when absent. Runs with CI=true and the
# insta variables that accept snapshots cleared, as .ci/run does. Equivalent mutants — changes no test
# can observe — are excluded by .cargo/mutants.toml, one line each with the reason. Results go to
# mutants.out/ (caught.txt, missed.txt, timeout.txt, unviable.txt); exits non-zero if any mutant is missed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# What the mutants are drawn from: the signers, the checks, the runner, and every provider's rules
# and model, with the store Tencent's products share (the emulator's logic; its HTTP plumbing is
# exercised end to end instead).
SCOPE=(
    -f 'src/sign/**'
    -f 'src/check/**'
    -f 'src/run/**'
    -f 'src/emulator/**/rules.rs'
    -f 'src/emulator/**/model.rs'
    -f 'src/emulator/**/store.rs'
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

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "mutants: installing cargo-mutants (cargo install --locked cargo-mutants)"
    cargo install --locked cargo-mutants
fi

export CI=true
unset INSTA_UPDATE INSTA_FORCE_PASS INSTA_FORCE_UPDATE INSTA_FORCE_UPDATE_SNAPSHOTS INSTA_ACCEPT INSTA_OUTPUT

args=("${SCOPE[@]}")
[[ -n "$in_diff" ]] && args+=(--in-diff "$in_diff")
exec cargo mutants "${args[@]}" "$@"
