#!/usr/bin/env bash
# Runs the whole depproof test suite on a fresh machine: installs what the tests need
# (scripts/test-tools/*.sh, under target/test-tools), then formatting, lints and
# every test. Needs ../shared/data beside the repository (the registry listings the tests
# build from), Node.js with npm, Python 3 with venv, and git.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -d "$root/../shared/data/registry" ]; then
  echo "error: ../shared/data/registry is missing: the tests build indexes from its listings" >&2
  exit 2
fi

# The real tools the tests drive, each installed once under target/test-tools by its own
# script in scripts/test-tools/, which exports the variable its tests read. Without that
# variable a test that needs the tool fails, unless DEPPROOF_SKIP_ORACLES=1.
tools="$root/target/test-tools"
mkdir -p "$tools"
for installer in "$root"/scripts/test-tools/*.sh; do
  # shellcheck source=/dev/null
  source "$installer"
done

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
