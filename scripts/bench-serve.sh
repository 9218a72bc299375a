#!/usr/bin/env bash
# Load on `depproof serve` from wrk on loopback: POST /v1/check with 10 names a request
# (scripts/bench-serve.lua), for a bounded time, reporting requests a second and latency
# percentiles with the machine's load. The server runs on one port of 127.0.0.1 and is
# stopped at the end. Not part of the test suite.
#
#   scripts/bench-serve.sh [SECONDS] [CONNECTIONS] [WRK_THREADS]
#
# BENCH_SERVE_LUA=scripts/bench-serve-misspelt.lua sends bodies whose names all need
# "did you mean".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-20}
connections=${2:-32}
threads=${3:-1}
lua=${BENCH_SERVE_LUA:-scripts/bench-serve.lua}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

echo "## machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

cargo build --release --locked -p depproof
bin=$root/target/release/depproof

log=$(mktemp)
DEPPROOF_DATA_DIR=$(mktemp -d) "$bin" serve --listen 127.0.0.1:0 --no-config 2>"$log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log"' EXIT
addr=
for _ in $(seq 1 300); do
  addr=$(sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$log")
  [ -n "$addr" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { echo "the server did not start" >&2; exit 1; }
echo "## server on $addr (pid $server)"

echo "## load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# A short warm-up, then the measured run.
wrk -t1 -c4 -d2s -s "$lua" "http://$addr" >/dev/null
wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$lua" "http://$addr" | sed -n '/^requests /,$p'
echo "## load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## server memory: $(awk '/VmRSS/ {print $2, $3}' "/proc/$server/status") resident"
