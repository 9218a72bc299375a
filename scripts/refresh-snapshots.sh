#!/usr/bin/env bash
# Rebuilds the embedded snapshot indexes in data/snapshots from the registry listings in
# ../shared/data/registry (or the directory given as $1). Run after the listings or the
# index format change; then commit data/snapshots. The test
# `embedded_snapshots_equal_a_fresh_build_from_the_shared_data` checks that they agree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-$root/../shared/data/registry}
date=${SNAPSHOT_DATE:-2026-11}
cd "$root"
cargo build --release -p depproof
bin=$root/target/release/depproof
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for eco in pypi npm; do
  "$bin" index build --ecosystem "$eco" --from-tsv "$src/$eco.tsv.gz" --out "$tmp/$eco.dpi" \
    --date "$date" --source "registry listing $eco.tsv.gz of $date"
  # -n: no file name or time stamp in the gzip header, so the output is reproducible.
  gzip -9 -n -c "$tmp/$eco.dpi" > "data/snapshots/$eco.dpi.gz"
  "$bin" index info "$tmp/$eco.dpi"
done
ls -l data/snapshots
