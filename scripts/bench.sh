#!/usr/bin/env bash
# Measures what the README reports: criterion benchmarks of the index (exact lookup,
# "did you mean", open) and of the scan engine (scan_paths over the real-code corpus of
# scripts/corpus.sh when it is fetched, else over a generated tree; the Python, JavaScript,
# Markdown and requirements finders), whole-process `depproof check` with hyperfine, and
# the time and peak memory of building the full PyPI index. Not part of the test suite.
# The comparison with pipreqs and depcheck is scripts/compare.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }

echo "## machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

cargo build --release --locked -p depproof
bin=$root/target/release/depproof

echo "## criterion"
cargo bench --locked -p depproof-registry --bench index -- --noplot 2>&1 | grep -E '^[a-z].*|time:|thrpt:'

echo "## assessment next to the scan (corpus when fetched by scripts/corpus.sh)"
cargo bench --locked -p depproof-assess --bench assess -- --noplot 2>&1 | grep -E 'of the scan|time:'

echo "## criterion: scan engine"
cargo bench --locked -p depproof-extract --bench scan -- --noplot 2>&1 | grep -E '^[a-z].*|time:|thrpt:'

echo "## whole process"
hyperfine -N --warmup 20 --runs 200 "$bin check requests" "$bin check --ecosystem pypi reqeusts" "$bin check numpy pandas lodash @types/node reqeusts"

echo "## index build (full PyPI listing)"
shared=$root/../shared/data/registry
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -f "%e s, %M KB peak resident" "$bin" index build -e pypi --from-tsv "$shared/pypi.tsv.gz" --out "$tmp/pypi.dpi" --date 2026-11
