#!/usr/bin/env bash
# Code-list runtime benchmark: semreg (release) against nginx serving the very same JSON bytes
# as a static file, both on loopback, driven by wrk (2 threads, 64 connections, 10 s), in one
# run; then both at 1,000 connections. nginx runs with Debian's own /etc/nginx/nginx.conf
# (sendfile, tcp_nopush, access log, default keep-alive), changed only where it must be to run
# beside the checkout (pid and log paths, the server block); the script prints that diff.
# Then the server's RSS with 1,000 code lists of 500 codes each.
#
#   bash bench/codelists.sh            # prints a table; installs nginx and wrk if missing
#
# Everything it starts (semreg, nginx) is stopped on exit; its temp dirs are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target}"
DURATION="${DURATION:-10s}"
KLASS="../shared/data/codelists/ssb-klass-131-kommuner-codesAt-2024.json"

need=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if ((${#need[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --quiet
cargo build --release --quiet --example bare_bytes
BIN="$CARGO_TARGET_DIR/release/semreg"
WORK=$(mktemp -d /tmp/semreg-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

# 1. semreg with the Klass municipalities list.
"$BIN" import --data-dir "$WORK/data" --format klass "$KLASS" >/dev/null
PORT=$(free_port)
RUST_LOG=warn "$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" 2>"$WORK/semreg.log" &
pids+=($!)
SEMREG_PID=$!
wait_http "http://127.0.0.1:$PORT/healthz"
CODES="http://127.0.0.1:$PORT/api/v1/code-lists/ssb-klass-131/codes"
OPTIONS="http://127.0.0.1:$PORT/api/v1/code-lists/ssb-klass-131/altinn-options"
curl -sf "$CODES" -o "$WORK/codes.json"
ETAG=$(curl -sfI "$CODES" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
CODE_COUNT=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["codes"]))' "$WORK/codes.json")

# 2. nginx serving the same bytes.
mkdir -p "$WORK/www"
cp "$WORK/codes.json" "$WORK/www/codes.json"
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/codes.json"  # nginx workers are not root
NPORT=$(free_port)
# Debian's default nginx.conf, with only the paths changed and our server block included.
cat >"$WORK/server.conf" <<CONF
server {
  listen 127.0.0.1:$NPORT;
  root $WORK/www;
}
CONF
sed -e "s|^pid .*|pid $WORK/nginx.pid;|" \
    -e "s|error_log /var/log/nginx/error.log|error_log $WORK/nginx-error.log|" \
    -e "s|access_log /var/log/nginx/access.log|access_log $WORK/nginx-access.log|" \
    -e "s|include /etc/nginx/sites-enabled/\*;|include $WORK/server.conf;|" \
    /etc/nginx/nginx.conf >"$WORK/nginx.conf"
echo "nginx: Debian's /etc/nginx/nginx.conf, changed only in:"
diff /etc/nginx/nginx.conf "$WORK/nginx.conf" | sed 's/^/  /' || true
"$NGINX" -c "$WORK/nginx.conf"
wait_http "http://127.0.0.1:$NPORT/codes.json"

CONNECTIONS=64
run() { # name url [header] key
  local out
  if [[ -n "${3:-}" ]]; then
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" "$2")
  else
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  fi
  local rps p99 non2xx errors
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $5}' <<<"$out")
  errors=$(awk '/Socket errors/{print $0}' <<<"$out")
  printf '%-34s %12s req/s   p99 %8s   %s %s\n' "$1" "$rps" "$p99" "${non2xx:+non-2xx/3xx: $non2xx}" "$errors"
  echo "$rps" >"$WORK/rps-$4"
}
ulimit -n 65536 2>/dev/null || true

echo "code list: ssb-klass-131 ($CODE_COUNT codes, $(wc -c <"$WORK/codes.json") bytes); wrk -t2 -c64 -d$DURATION; $(nproc) cores"
run "nginx static (same bytes)" "http://127.0.0.1:$NPORT/codes.json" "" nginx
run "semreg codes (200)" "$CODES" "" codes
run "semreg codes If-None-Match (304)" "$CODES" "If-None-Match: $ETAG" notmodified
run "semreg altinn-options (200)" "$OPTIONS" "" altinn
# The stack's own ceiling: a bare axum server with the same bytes (examples/bare_bytes.rs).
BPORT=$(free_port)
"$CARGO_TARGET_DIR/release/examples/bare_bytes" "$WORK/codes.json" "127.0.0.1:$BPORT" &
pids+=($!)
wait_http "http://127.0.0.1:$BPORT/200"
run "bare axum, pre-built bytes (200)" "http://127.0.0.1:$BPORT/200" "" bare200
run "bare axum, empty 304" "http://127.0.0.1:$BPORT/304" "" bare304
python3 - "$WORK" <<'PY'
import glob, os, sys
w = sys.argv[1]
r = {os.path.basename(p)[4:]: float(open(p).read()) for p in glob.glob(w + "/rps-*")}
n, c, m = r["nginx"], r["codes"], r["notmodified"]
b2, b3 = r["bare200"], r["bare304"]
print(f"semreg 200 / nginx = {c / n:.2f}x   304 / 200 = {m / c:.2f}x")
print(f"bare axum 200 / nginx = {b2 / n:.2f}x   bare 304 / bare 200 = {b3 / b2:.2f}x   "
      f"semreg 200 / bare 200 = {c / b2:.2f}x   semreg 304 / bare 304 = {m / b3:.2f}x")
PY
echo "at 1,000 connections (wrk -t2 -c1000 -d$DURATION):"
CONNECTIONS=1000
run "nginx static (same bytes)" "http://127.0.0.1:$NPORT/codes.json" "" nginx1000
run "semreg codes (200)" "$CODES" "" codes1000
run "semreg codes If-None-Match (304)" "$CODES" "If-None-Match: $ETAG" notmodified1000
CONNECTIONS=64
echo "semreg RSS after the load: $(($(ps -o rss= -p "$SEMREG_PID") / 1024)) MiB"
kill "$SEMREG_PID"; wait "$SEMREG_PID" 2>/dev/null || true

# 3. RSS with 1,000 code lists of 500 codes each.
python3 - "$WORK/many.ttl" <<'PY'
import sys
out = open(sys.argv[1], "w")
out.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix semreg: <https://w3id.org/semreg/ns#> .\n")
for l in range(1000):
    li = f"<https://bench.example/list/{l}>"
    out.write(f'{li} a skos:ConceptScheme ; skos:prefLabel "Liste {l}"@nb ; semreg:alias "bench-{l}" .\n')
    for c in range(500):
        out.write(f'<https://bench.example/list/{l}/code/{c:04d}> skos:inScheme {li} ; skos:notation "{c:04d}" ; '
                  f'semreg:order {c} ; skos:prefLabel "Kode {c} i liste {l}"@nb, "Code {c} in list {l}"@en .\n')
PY
start=$(date +%s)
"$BIN" import --data-dir "$WORK/many" "$WORK/many.ttl" >/dev/null
echo "imported 1,000 lists x 500 codes in $(( $(date +%s) - start )) s"
PORT=$(free_port)
RUST_LOG=warn "$BIN" serve --data-dir "$WORK/many" --listen "127.0.0.1:$PORT" 2>>"$WORK/semreg.log" &
pids+=($!)
MANY_PID=$!
wait_http "http://127.0.0.1:$PORT/healthz"
echo "semreg RSS with 1,000 lists x 500 codes, after start-up: $(($(ps -o rss= -p "$MANY_PID") / 1024)) MiB"
for l in $(seq 0 999); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/code-lists/bench-$l/codes"; done
echo "semreg RSS with 1,000 lists x 500 codes (every list served once): $(($(ps -o rss= -p "$MANY_PID") / 1024)) MiB"
