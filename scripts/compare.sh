#!/usr/bin/env bash
# Times `depproof scan` against its nearest peers on the real-code corpus (scripts/corpus.sh):
# pipreqs (imports of a Python tree -> requirements) on each PyPI source distribution, and
# depcheck (imports of an npm package vs its package.json) on each npm package, then each
# ecosystem's trees and the whole corpus at once. Prints a Markdown table of wall and CPU
# times and ratios. Not part of the test suite.
#
# Peers run offline and do the least work that answers "which packages does this tree
# use": pipreqs --use-local (no PyPI queries) --mode no-pin --print (no file written),
# depcheck DIR --json. pipreqs stops at the first file its Python cannot parse, and
# depcheck skips files its parsers reject: both are counted in the table, not hidden.
# pipreqs runs on the newest Python found (older ones cannot parse newer syntax).
#
#   scripts/compare.sh                  # everything (20-30 minutes on 2 cores)
#   ONLY=flask scripts/compare.sh       # only trees whose directory name contains ONLY
#   PEER_RUNS=5 DEPPROOF_RUNS=20 scripts/compare.sh
#
# The peers are installed under target/compare-tools (pipreqs in a venv, depcheck with
# npm); hyperfine's JSON for every command is kept in target/compare-tools/results.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools=$root/target/compare-tools
results=$tools/results
peer_runs=${PEER_RUNS:-3}
depproof_runs=${DEPPROOF_RUNS:-10}
only=${ONLY:-}
pipreqs_version=0.4.13
depcheck_version=1.4.7

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
mkdir -p "$tools" "$results"

# The newest Python that runs (pyenv shims of unselected versions do not).
python=
candidates=(python3.14 python3.13 python3.12)
if command -v pyenv >/dev/null; then
  for p in $(ls -d "$(pyenv root)"/versions/3.* 2>/dev/null | sort -V -r); do candidates+=("$p/bin/python3"); done
fi
candidates+=(python3)
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys; assert sys.version_info >= (3, 8)' >/dev/null 2>&1; then python=$p; break; fi
done
[ -n "$python" ] || { echo "no Python 3 found" >&2; exit 2; }
venv=$tools/venv
if [ ! -x "$venv/bin/pipreqs" ] || [ "$("$venv/bin/python" -c 'import sys; print(sys.version_info[:2])')" != "$("$python" -c 'import sys; print(sys.version_info[:2])')" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet "pipreqs==$pipreqs_version"
fi
pipreqs=$venv/bin/pipreqs
if [ ! -x "$tools/node_modules/.bin/depcheck" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools" "depcheck@$depcheck_version" >/dev/null
fi
depcheck=$tools/node_modules/.bin/depcheck

cargo build --release --locked -p depproof
bin=$root/target/release/depproof
corpus=$(scripts/corpus.sh | tail -n 1)

echo "## machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pipreqs $pipreqs_version on $("$venv/bin/python" --version), depcheck $depcheck_version on node $(node --version), $(hyperfine --version), $("$bin" --version 2>/dev/null || echo depproof)"

rm -f "$results"/*.json "$results"/trees.tsv "$results"/hyperfine.log
# trees.tsv: id, ecosystem, directory, MB, files, peer exit status, peer problem
time_tree() { # id eco dir peer-command...
  local id=$1 eco=$2 dir=$3
  shift 3
  local mb files
  mb=$(du -sb --apparent-size "$dir" | awk '{printf "%.1f", $1 / 1e6}')
  files=$(find "$dir" -type f | wc -l)
  echo "### $id ($mb MB, $files files)" >&2
  hyperfine -N -i --style none --warmup 2 --runs "$depproof_runs" \
    --export-json "$results/$id.depproof.json" "$bin scan --no-progress $dir" >/dev/null 2>>"$results/hyperfine.log"
  # (depproof exits 1 when it flags a package.)
  { "$bin" scan --no-progress --format json "$dir" 2>/dev/null || true; } \
    | "$python" -c 'import json, sys; print(len(json.load(sys.stdin)["diagnostics"]))' >"$results/$id.depproof.warnings"
  local status problem
  set +e
  "$@" >"$results/$id.peer.out" 2>"$results/$id.peer.err"
  status=$?
  set -e
  if [ "$eco" = pypi ]; then
    # pipreqs logs "ERROR: Failed on file: X" and raises: the tree is not read to its end.
    problem=$(grep -m1 'Failed on file' "$results/$id.peer.err" | sed 's/^ERROR: //; s|'"$dir"'/||' || true)
    local error
    error=$(grep -E '^[A-Za-z.]*Error' "$results/$id.peer.err" | tail -n 1 || true)
    if [ -n "$problem" ]; then problem="$problem: $error"; else problem=$error; fi
  else
    # depcheck exits 255 when it finds unused or missing dependencies; files its parsers
    # reject are listed under invalidFiles and skipped.
    problem=$("$python" - "$results/$id.peer.out" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"no JSON output ({e})")
else:
    n = len(d.get("invalidFiles", {})) + len(d.get("invalidDirs", {}))
    print(f"{n} files not parsed" if n else "")
EOF
)
    [ "$status" = 255 ] && status=0
  fi
  hyperfine -N -i --style none --runs "$peer_runs" \
    --export-json "$results/$id.peer.json" "$*" >/dev/null 2>>"$results/hyperfine.log"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$eco" "$dir" "$mb" "$files" "$status" "$problem" >>"$results/trees.tsv"
}

for d in "$corpus"/pypi/*/; do
  d=${d%/}
  id=pypi-$(basename "$d")
  [ -n "$only" ] && [[ $id != *"$only"* ]] && continue
  time_tree "$id" pypi "$d" "$pipreqs" --use-local --mode no-pin --print "$d"
done
for d in "$corpus"/npm/*/; do
  d=${d%/}
  [ -d "$d/package" ] && d=$d/package
  id=npm-$(basename "$(dirname "$d")")
  [ "$(basename "$d")" = package ] || id=npm-$(basename "$d")
  [ -n "$only" ] && [[ $id != *"$only"* ]] && continue
  time_tree "$id" npm "$d" "$depcheck" "$d" --json
done

# depproof reads each ecosystem's trees, and the whole corpus, in one process; a peer
# needs one process per tree (pipreqs would stop at the first tree it cannot parse, and
# depcheck wants a package.json at the top), so its time is the sum over the trees.
if [ -z "$only" ]; then
  for whole in pypi npm all; do
    dir=$corpus/$whole
    [ "$whole" = all ] && dir=$corpus
    echo "### $whole (one depproof process)" >&2
    hyperfine -N -i --style none --warmup 1 --runs 5 \
      --export-json "$results/whole-$whole.depproof.json" "$bin scan --no-progress $dir" >/dev/null 2>>"$results/hyperfine.log"
  done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$results" <<'EOF'
import json, math, os, sys

results = sys.argv[1]

def timing(path):
    r = json.load(open(path))["results"][0]
    return r["mean"], r["user"] + r["system"]

def ratio(a, b):
    return f"{a / b:.0f}×" if b > 0 else "–"

trees = [line.rstrip("\n").split("\t") for line in open(os.path.join(results, "trees.tsv"))]
peer_name = {"pypi": "pipreqs", "npm": "depcheck"}
print()
print("| tree | MB | files | peer | peer s | depproof s | × wall | peer CPU s | depproof CPU s | × CPU | peer could not read | depproof warnings |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
rows = {"pypi": [], "npm": []}
for tid, eco, _dir, mb, files, status, problem in trees:
    pw, pc = timing(os.path.join(results, f"{tid}.peer.json"))
    dw, dc = timing(os.path.join(results, f"{tid}.depproof.json"))
    warnings = open(os.path.join(results, f"{tid}.depproof.warnings")).read().strip()
    ok = status == "0"
    rows[eco].append((float(mb), int(files), pw, pc, dw, dc, ok))
    note = problem if ok else f"**failed** (exit {status}){': ' + problem if problem else ''}"
    name = tid.split("-", 1)[1]
    print(f"| {name} | {mb} | {files} | {peer_name[eco]} | {pw:.3f} | {dw:.3f} | {ratio(pw, dw)} "
          f"| {pc:.2f} | {dc:.2f} | {ratio(pc, dc)} | {note} | {warnings} |")

def whole(key):
    p = os.path.join(results, f"whole-{key}.depproof.json")
    return timing(p) if os.path.exists(p) else None

print()
print("| trees | MB | files | peer s | depproof s | × wall | peer CPU s | depproof CPU s | × CPU | geometric mean of per-tree × wall |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

def line(label, picked, one_process=None):
    if not picked:
        return
    mb = sum(r[0] for r in picked)
    files = sum(r[1] for r in picked)
    pw, pc, dw, dc = (sum(r[i] for r in picked) for i in (2, 3, 4, 5))
    if one_process:
        dw, dc = one_process
    gm = math.exp(sum(math.log(r[2] / r[4]) for r in picked) / len(picked))
    print(f"| {label} | {mb:.0f} | {files} | {pw:.1f} | {dw:.2f} | {ratio(pw, dw)} | {pc:.1f} | {dc:.2f} | {ratio(pc, dc)} | {gm:.0f}× |")

for eco, peer in (("pypi", "pipreqs"), ("npm", "depcheck")):
    r = rows[eco]
    if not r:
        continue
    n = len(r)
    label = "PyPI" if eco == "pypi" else "npm"
    line(f"{n} {label} trees: {peer} (sum of per-tree runs) vs one depproof process", r, whole(eco))
    done = [x for x in r if x[6]]
    if len(done) < n:
        line(f"the {len(done)} of them {peer} read to the end, tree by tree", done)
if rows["pypi"] and rows["npm"]:
    line("whole corpus: both peers vs one depproof process", rows["pypi"] + rows["npm"], whole("all"))
EOF
