#!/usr/bin/env bash
# Harvest benchmark: semreg (release) harvesting a 100,000-concept SKOS-AP-NO catalog from a
# local publisher server (Python, on loopback), in one run:
#
#   1. first harvest: from the POST that starts the run until a concept is searchable;
#   2. unchanged re-harvest with conditional GET (the server answers 304; goal < 50 ms);
#   3. unchanged re-harvest with conditional GET disabled on the server (a full parse that
#      writes nothing; goal < 10 s);
#   4. re-harvest with 1 % of the concepts changed (goal < 10 s);
# each with the run's own duration (startTime..endTime), the wall time and semreg's RSS.
#
#   bash bench/harvest.sh                  # CONCEPTS=100000
#   BIN=/path/to/semreg CONCEPTS=2000 bash bench/harvest.sh   # a dry run with another build
#
# Everything it starts (semreg, the publisher server) is stopped on exit; its temp dir is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Release builds share one target dir on this machine (see the team brief).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target-release}"
CONCEPTS="${CONCEPTS:-100000}"
PUBLISHER=974760673

if [[ -z "${BIN:-}" ]]; then
  cargo build --release --quiet
  BIN="$CARGO_TARGET_DIR/release/semreg"
fi
WORK=$(mktemp -d /var/tmp/semreg-harvest-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
now() { date +%s.%N; }
ms_since() { python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$(now)"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }

# The catalog: one collection and CONCEPTS concepts with a label and a definition each.
# `generate.py N CHANGED` writes it with the first CHANGED concepts relabelled.
cat >"$WORK/generate.py" <<'PY'
import sys
n, changed = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
out.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n")
out.write("@prefix ex: <https://begrep.example.no/bench/> .\n")
out.write('ex:samling a skos:Collection ; skos:prefLabel "Benkesamling"@nb')
for i in range(n):
    out.write(f" ;\n  skos:member ex:c{i}")
out.write(" .\n")
words = ["bolig", "eiendom", "tomt", "skatt", "inntekt", "adresse", "person", "virksomhet"]
for i in range(n):
    label = f"{words[i % len(words)]} {i}" + (" endret" if i < changed else "")
    out.write(f'ex:c{i} a skos:Concept ; skos:prefLabel "{label}"@nb ;\n'
              f'  skos:definition "Definisjon av {label} i benken"@nb .\n')
PY
# The publisher: serves catalog.ttl with an ETag and answers If-None-Match with 304, unless the
# file `nocond` exists (then no ETag and always 200). Like a real web server it derives the
# ETag from the file's metadata and reads the file only when it changed: hashing 15 MB on
# every request (as a first version of this script did) took the publisher ~40 ms per
# answer, which the run then measured as its own.
cat >"$WORK/publisher.py" <<'PY'
import hashlib, http.server, os, sys
root = sys.argv[2]
cache = {}
def catalog():
    path = os.path.join(root, "catalog.ttl")
    st = os.stat(path)
    key = (st.st_mtime_ns, st.st_size)
    if cache.get("key") != key:
        with open(path, "rb") as f:
            body = f.read()
        cache.update(key=key, body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return cache["body"], cache["etag"]
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_GET(self):
        body, etag = catalog()
        conditional = not os.path.exists(os.path.join(root, "nocond"))
        if conditional and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        if conditional:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY

python3 "$WORK/generate.py" "$CONCEPTS" 0 >"$WORK/catalog.ttl"
echo "catalog: $CONCEPTS concepts, $(du -h "$WORK/catalog.ttl" | cut -f1)"
PUB_PORT=$(free_port)
python3 "$WORK/publisher.py" "$PUB_PORT" "$WORK" &
pids+=($!)
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --fetch-allow 127.0.0.1 \
  --no-harvest-scheduler >"$WORK/serve.log" 2>&1 &
SEMREG=$!
pids+=($SEMREG)
wait_http "$BASE/healthz"
TOKEN=$("$BIN" token create --admin --data-dir "$WORK/data" 2>/dev/null)
SOURCE=$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$PUB_PORT/catalog.ttl\",\"dataType\":\"concept\",\"dataSourceType\":\"SKOS-AP-NO\",\"publisherId\":\"$PUBLISHER\"}" \
  "$BASE/api/v1/sources" | json 'd["id"]')

rss() { awk '/VmRSS/ {printf "%d MiB", $2/1024}' "/proc/$SEMREG/status"; }

# Runs the source; prints: label, run duration, wall time, counts, RSS.
harvest() {
  local label=$1 started run report status
  started=$(now)
  run=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/sources/$SOURCE/runs")
  [[ "$run" =~ \"runId\":\"([^\"]+)\" ]] && run=${BASH_REMATCH[1]}
  # Polled with curl alone (a Python start per poll would add ~30 ms to the wall time).
  while :; do
    report=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/sources/$SOURCE/runs/$run")
    [[ "$report" != *'"status":"running"'* ]] && break
    sleep 0.002
  done
  local wall
  wall=$(ms_since "$started")
  status=$(echo "$report" | json 'd["status"]')
  if [[ -n "${2:-}" ]]; then
    # Until searchable: the run is committed; wait for the search index to answer.
    until [[ "$(curl -sf "$BASE/api/v1/search?q=$2&limit=1" | json 'd["total"]')" != 0 ]]; do sleep 0.01; done
    wall=$(ms_since "$started")
  fi
  local run_ms
  run_ms=$(echo "$report" | python3 -c "import json,sys,datetime; d=json.load(sys.stdin); p=datetime.datetime.fromisoformat; print(round((p(d['endTime'])-p(d['startTime'])).total_seconds()*1000))")
  printf '%-44s %-9s run %7s ms  wall %7s ms  %s  RSS %s\n' "$label" "$status" "$run_ms" "$wall" \
    "$(echo "$report" | json '"created %d updated %d unchanged %d retired %d" % (d["created"], d["updated"], d["unchanged"], d["retired"])')" "$(rss)"
}

harvest "1. first harvest (file -> searchable)" "benkesamling"
harvest "2. unchanged, conditional GET (304)"
touch "$WORK/nocond"
harvest "3. unchanged, no conditional GET (parse)"
python3 "$WORK/generate.py" "$CONCEPTS" $((CONCEPTS / 100)) >"$WORK/catalog.ttl"
harvest "4. 1 % changed" "endret"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
