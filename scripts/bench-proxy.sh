#!/usr/bin/env bash
# Load test of `depproof proxy`'s metadata path with wrk, against a local upstream
# (a small keep-alive HTTP server in Python serving a Simple API page): requests a second and latency
# percentiles of the upstream alone, then through the proxy with its metadata cache
# (the usual case) and without it (every request goes upstream: the added latency).
#
#   scripts/bench-proxy.sh            # builds target/release/depproof if missing
#   DEPPROOF_BIN=path/to/depproof DURATION=10s CONNECTIONS=16 scripts/bench-proxy.sh
#
# Needs wrk (Debian: apt-get install -y wrk), python3 and curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DEPPROOF_BIN:-$root/target/release/depproof}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "error: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
if [ ! -x "$bin" ]; then
  (cd "$root" && cargo build --release -p depproof)
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "error: $1 does not answer" >&2; exit 2
}

# A Simple API page like pypi.org's for a small project: 40 files with hashes.
mkdir -p "$tmp/up/simple/six"
{
  echo '<!DOCTYPE html><html><head><title>Links for six</title></head><body><h1>Links for six</h1>'
  for i in $(seq 1 40); do
    echo "<a href=\"/packages/six-1.$i.0-py2.py3-none-any.whl#sha256=4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274\" data-requires-python=\"&gt;=2.7\">six-1.$i.0-py2.py3-none-any.whl</a><br/>"
  done
  echo '</body></html>'
} > "$tmp/up/simple/six/index.html"

up=$(free_port)
# http.server's defaults (HTTP/1.0, a listen queue of 5) would measure connection churn,
# not the proxy: keep connections alive and queue more.
cat > "$tmp/upstream.py" <<'PY'
import http.server, sys
page = open(sys.argv[2], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.rstrip("/") == "/simple/six":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
class S(http.server.ThreadingHTTPServer):
    request_queue_size = 1024
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$tmp/upstream.py" "$up" "$tmp/up/simple/six/index.html" >/dev/null 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$up/simple/six/"

start_proxy() {
  local port=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$bin" proxy --no-config --listen "127.0.0.1:$port" \
    --pypi-upstream "http://127.0.0.1:$up/simple/" --audit-log "$tmp/audit-$port.jsonl" "$@" \
    2>"$tmp/proxy-$port.log" &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/simple/six/"
  t1=$(date +%s%N)
  echo "proxy on port $port answering after $(( (t1 - t0) / 1000000 )) ms (start and first request)"
}

bench() {
  echo "== $1"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$2" \
    | grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors'
}

cached=$(free_port); uncached=$(free_port)
start_proxy "$cached"
start_proxy "$uncached" --cache-ttl 0

echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench "upstream alone (Python)" "http://127.0.0.1:$up/simple/six/"
bench "through depproof proxy, metadata cache on (default)" "http://127.0.0.1:$cached/simple/six/"
bench "through depproof proxy, cache off (every request upstream)" "http://127.0.0.1:$uncached/simple/six/"
bench "refused name through depproof proxy (no upstream request)" "http://127.0.0.1:$cached/simple/reqeusts/"
echo "machine load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "audit records written: $(cat "$tmp"/audit-*.jsonl | wc -l)"
