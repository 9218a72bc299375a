#!/usr/bin/env bash
# The corpus quality bar: on real code written by others (scripts/corpus.sh), depproof
# must not block any package, nor say that a package named for installation does not
# exist. Prints the count of
# each signal and every blocked or non-existent package; exits 1 if there is any.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$("$root/scripts/corpus.sh" | tail -n 1)
cargo build --release --locked -p depproof --manifest-path "$root/Cargo.toml" >&2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$root/target/release/depproof" scan --no-config --no-progress --fail-on never --format json "$corpus" >"$out"
python3 - "$out" <<'PY'
import collections, json, sys
v = json.load(open(sys.argv[1]))
s = v["summary"]
print(f"{s['files']} files, {s['bytes'] / 1e6:.0f} MB, {s['packages']} packages: "
      f"{s['block']} block, {s['warn']} warn, {s['ok']} ok")
signals = collections.Counter(
    (sig["code"], sig["name"], sig["level"]) for f in v["findings"] for sig in f["signals"])
for (code, name, level), n in sorted(signals.items()):
    print(f"  {code} {name:<22} {level:<5} {n}")
# Unresolved imports (DP002: test fixtures importing made-up modules on purpose) warn;
# a package named for installation that does not exist (DP001) must not occur.
bad = [f for f in v["findings"]
       if f["verdict"] == "block" or any(s["code"] == "DP001" for s in f["signals"])]
for f in bad:
    where = ", ".join(r["location"]["path"] for r in f["references"][:3])
    print(f"FAIL {f['ecosystem']} {f['name']}: {f['summary']} ({where})")
sys.exit(1 if bad else 0)
PY
