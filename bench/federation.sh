#!/usr/bin/env bash
# Federation: two `semreg serve` on loopback, B following A. Imports 100,000 concepts and
# 1,000 code lists on A (`semreg import` into A's data dir while A serves), and prints
#   - A's own import-to-searchable time, and B's (from the same start: B follows A's feed
#     through the bulk path, content=true) with their ratio (goal: <= 1.5x), and when B had
#     its first 10,000 resources searchable (goal: under 10 s),
#   - single-change propagation A -> B, p50/p99 over 200 changes (from sending an import of
#     one concept to A until B's search finds its new label) while B serves 64 concurrent code-list readers
#     (wrk) (goal: p99 under 1 s),
#   - B's RSS after the load.
# Prints numbers; asserts nothing.
#
#   bash bench/federation.sh                       # CONCEPTS=100000 LISTS=1000 CHANGES=200
#   SEMREG_BIN=/var/tmp/t-x/debug/semreg bash bench/federation.sh   # a given binary (say which)
#
# Everything it starts is stopped and its dirs removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target-release}"
CONCEPTS="${CONCEPTS:-100000}"
LISTS="${LISTS:-1000}"
CHANGES="${CHANGES:-200}"
PUBLISHER=974760673

command -v wrk >/dev/null 2>&1 || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
}
if [[ -z "${SEMREG_BIN:-}" ]]; then
  cargo build --release --quiet --bin semreg
fi
BIN="${SEMREG_BIN:-$CARGO_TARGET_DIR/release/semreg}"
WORK=$(mktemp -d /var/tmp/semreg-federation.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

wait_http() { for _ in $(seq 1 36000); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
now_ms() { date +%s%3N; }
rss_mib() { echo $(($(ps -o rss= -p "$1") / 1024)); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
searchable() { curl -sf "$1/api/v1/search?limit=1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null || echo 0; }
committed() { curl -sf "$1/api/v1/instance" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["lastSeq"])' 2>/dev/null || echo 0; }
secs() { echo "$(($1 / 1000)).$(( ($1 % 1000) / 100 )) s"; }

echo "federation benchmark: $CONCEPTS concepts + $LISTS code lists on A, B follows A; $(nproc) cores; binary $BIN"
python3 bench/search_corpus.py "$WORK/corpus" "$CONCEPTS" 0 >/dev/null
rm -f "$WORK"/corpus/types_*.ttl
python3 - "$WORK/corpus/lists.ttl" "$LISTS" <<'PY'
import sys
out, lists = open(sys.argv[1], "w"), int(sys.argv[2])
out.write("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix semreg: <https://w3id.org/semreg/ns#> .\n")
for l in range(lists):
    li = f"<https://bench.example/list/{l}>"
    out.write(f'{li} a skos:ConceptScheme ; skos:prefLabel "Liste {l}"@nb ; semreg:alias "bench-{l}" .\n')
    for c in range(50):
        out.write(f'<https://bench.example/list/{l}/code/{c:03d}> skos:inScheme {li} ; skos:notation "{c:03d}" ; '
                  f'semreg:order {c} ; skos:prefLabel "Kode {c} i liste {l}"@nb, "Code {c} in list {l}"@en .\n')
PY
TOTAL=$((CONCEPTS + LISTS))

A_PORT=$(free_port); A="http://127.0.0.1:$A_PORT"
B_PORT=$(free_port); B="http://127.0.0.1:$B_PORT"
export SEMREG_FETCH_ALLOW=127.0.0.1 RUST_LOG=warn
"$BIN" serve --data-dir "$WORK/a" --listen "127.0.0.1:$A_PORT" 2>"$WORK/a.log" &
A_PID=$!; pids+=($A_PID)
"$BIN" serve --data-dir "$WORK/b" --listen "127.0.0.1:$B_PORT" 2>"$WORK/b.log" &
B_PID=$!; pids+=($B_PID)
wait_http "$A/healthz"; wait_http "$B/healthz"
"$BIN" peer add --data-dir "$WORK/b" "$A" >/dev/null
sleep 2 # B's follower starts within a second and reaches A

start=$(now_ms)
"$BIN" import --data-dir "$WORK/a" --publisher "$PUBLISHER" "$WORK"/corpus/concepts_*.ttl "$WORK/corpus/lists.ttl" >"$WORK/import.log" &
IMPORT=$!; pids+=($IMPORT)
A_MS=""; B_MS=""; B10K_MS=""; A10K_MS=""
while [[ -z "$A_MS" || -z "$B_MS" ]]; do
  t=$(( $(now_ms) - start ))
  if [[ -z "$A10K_MS" ]] && [[ "$(committed "$A")" -ge 10000 ]]; then A10K_MS=$t; fi
  if [[ -z "$A_MS" ]] && [[ "$(searchable "$A")" -ge "$TOTAL" ]]; then A_MS=$t; fi
  nb=$(searchable "$B")
  if [[ -z "$B10K_MS" && "$nb" -ge 10000 ]]; then B10K_MS=$t; fi
  if [[ -z "$B_MS" && "$nb" -ge "$TOTAL" ]]; then B_MS=$t; fi
  sleep 0.1
done
wait "$IMPORT"
echo "A: import -> all $TOTAL searchable on A:   $(secs "$A_MS")"
echo "B: import on A -> all searchable on B:     $(secs "$B_MS")   (ratio B/A $(python3 -c "print(f'{$B_MS/$A_MS:.2f}')"))"
[[ -n "$B10K_MS" ]] && echo "B: first 10,000 searchable on B:          $(secs "$B10K_MS")   ($(secs $((B10K_MS - A10K_MS))) after A had committed 10,000 changes, at $(secs "$A10K_MS"))"
echo "B RSS after the bulk follow:               $(rss_mib $B_PID) MiB"

# Single changes while B serves 64 code-list readers.
python3 - "$WORK/lists.paths" "$LISTS" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for l in range(0, int(sys.argv[2]), max(1, int(sys.argv[2]) // 200)):
        out.write(f"/api/v1/code-lists/bench-{l}/codes\n")
PY
cat >"$WORK/rotate.lua" <<'LUA'
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
TOKEN=$("$BIN" token create --data-dir "$WORK/a" --publisher "$PUBLISHER")
wrk -t2 -c64 -d600s --latency -s "$WORK/rotate.lua" "$B" -- "$WORK/lists.paths" >"$WORK/wrk.log" 2>&1 &
WRK=$!; pids+=($WRK)
sleep 1
python3 - "$A" "$B" "$TOKEN" "$PUBLISHER" "$CHANGES" <<'PY'
import json, sys, time, urllib.request
a, b, token, publisher, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
latencies = []
for i in range(n):
    word = f"forplantning{i}x"
    ttl = ("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
           f"<https://bench.example/prop/{i % 10}> a skos:Concept ; skos:prefLabel \"{word}\"@nb .\n")
    req = urllib.request.Request(f"{a}/api/v1/import?format=turtle&publisher={publisher}", data=ttl.encode(),
                                 headers={"authorization": f"Bearer {token}"}, method="POST")
    started = time.monotonic()  # before A's import: A's commit is part of the latency
    urllib.request.urlopen(req).read()
    while True:
        with urllib.request.urlopen(f"{b}/api/v1/search?q={word}&limit=1") as r:
            if json.load(r)["total"] >= 1:
                break
        if time.monotonic() - started > 30:
            print(f"change {i} did not reach B in 30 s", file=sys.stderr)
            break
        time.sleep(0.002)
    latencies.append(time.monotonic() - started)
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
print(f"single change A -> B searchable ({n} changes, 64 readers on B): p50 {p(0.50):.0f} ms   p99 {p(0.99):.0f} ms   max {latencies[-1]*1000:.0f} ms")
PY
kill -INT "$WRK" 2>/dev/null || true; wait "$WRK" 2>/dev/null || true
printf 'code lists on B during the changes (64 conn): p50 %s   p99 %s   %s req/s\n' \
  "$(awk '$1=="50%"{print $2}' "$WORK/wrk.log")" "$(awk '$1=="99%"{print $2}' "$WORK/wrk.log")" \
  "$(awk '/Requests\/sec/{print $2}' "$WORK/wrk.log")"
echo "B RSS after the load:                      $(rss_mib $B_PID) MiB"
