#!/usr/bin/env bash
# Fetches the real-code corpus listed in scripts/corpus.txt with pip and npm into a cache
# outside the repository (default ~/.cache/depproof-corpus, or $DEPPROOF_CORPUS), unpacked
# one directory per package under pypi/ and npm/. Already fetched packages are kept.
# Prints the corpus directory on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${DEPPROOF_CORPUS:-$HOME/.cache/depproof-corpus}
mkdir -p "$corpus/pypi" "$corpus/npm" "$corpus/.download"
while read -r eco spec; do
  case "$eco" in ''|'#'*) continue ;; esac
  dir_name=$(printf '%s' "$spec" | tr '/@=' '__-' | sed 's/^_//')
  case "$eco" in
    pypi) dest="$corpus/pypi/$dir_name" ;;
    npm) dest="$corpus/npm/$dir_name" ;;
    *) echo "corpus.txt: unknown ecosystem $eco" >&2; exit 2 ;;
  esac
  [ -d "$dest" ] && continue
  dl=$(mktemp -d "$corpus/.download/XXXX")
  if [ "$eco" = pypi ]; then
    timeout 300 python3 -m pip download --quiet --no-deps --ignore-requires-python --no-binary :all: -d "$dl" "$spec" 2>/dev/null \
      || python3 -m pip download --quiet --no-deps --ignore-requires-python -d "$dl" "$spec"
  else
    (cd "$dl" && npm pack --silent "$spec" >/dev/null)
  fi
  mkdir -p "$dest.tmp"
  for f in "$dl"/*; do
    case "$f" in
      *.tar.gz|*.tgz) tar -xzf "$f" -C "$dest.tmp" ;;
      *.zip|*.whl) python3 -m zipfile -e "$f" "$dest.tmp" ;;
    esac
  done
  mv "$dest.tmp" "$dest"
  rm -rf "$dl"
  echo "fetched $eco $spec" >&2
done < "$root/scripts/corpus.txt"
echo "$corpus"
