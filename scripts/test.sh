#!/usr/bin/env bash
# Runs the whole depproof test suite on a fresh machine: installs what the tests need
# (the npm name-rule oracle and pre-commit, under target/), then formatting, lints and
# every test. Needs ../shared/data beside the repository (the registry listings the tests
# build from), Node.js with npm, Python 3 with venv, and git.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -d "$root/../shared/data/registry" ]; then
  echo "error: ../shared/data/registry is missing: the tests build indexes from its listings" >&2
  exit 2
fi

# npm's own name validator, run by tests/npm_name_oracle.rs as the reference.
oracle="$root/target/test-tools/npm-oracle"
if [ ! -f "$oracle/node_modules/validate-npm-package-name/package.json" ]; then
  mkdir -p "$oracle"
  npm install --prefix "$oracle" --no-audit --no-fund --silent validate-npm-package-name@6.0.2
fi
export DEPPROOF_NPM_ORACLE_DIR="$oracle"

# The real pre-commit, run by crates/depproof/tests/pre_commit.rs on a repository it builds.
precommit="$root/target/test-tools/pre-commit"
if [ ! -x "$precommit/bin/pre-commit" ]; then
  python3 -m venv "$precommit"
  "$precommit/bin/pip" install --quiet --disable-pip-version-check pre-commit==4.7.0
fi
export DEPPROOF_PRE_COMMIT="$precommit/bin/pre-commit"

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
