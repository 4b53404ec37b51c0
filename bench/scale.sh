#!/usr/bin/env bash
# One million concepts: generates 1,000,000 SKOS-AP-NO concepts (Norwegian-like labels in
# nb/nn/en, bench/search_corpus.py), 10,000 types and 10,000 code lists, imports them with
# `semreg import`, and prints
#   - import time to committed, and to searchable (the server's first start builds the RDF
#     store and the search index from the change log),
#   - search p50/p99 and suggest p99 (the same query mix as bench/search.sh, wrk, 4 connections),
#   - code-list p99 under load (64 connections),
#   - RSS after start-up and after the load, the data dir's size on disk,
#   - restart time with the projections already caught up,
# on SQLite, and with DATABASE=postgres on a private PostgreSQL cluster (.ci/postgres.sh).
#
#   bash bench/scale.sh                    # CONCEPTS=1000000 TYPES=10000 LISTS=10000 DURATION=10s
#   DATABASE=postgres bash bench/scale.sh
#
# Needs ~15 GB free under /var/tmp; everything it starts is stopped and its dirs removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target-release}"
CONCEPTS="${CONCEPTS:-1000000}"
TYPES="${TYPES:-10000}"
LISTS="${LISTS:-10000}"
DURATION="${DURATION:-10s}"
DATABASE="${DATABASE:-sqlite}"
PUBLISHER=974760673

command -v wrk >/dev/null 2>&1 || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
}
if [[ -z "${SEMREG_BIN:-}" ]]; then
  cargo build --release --quiet
fi
BIN="${SEMREG_BIN:-$CARGO_TARGET_DIR/release/semreg}"
WORK=$(mktemp -d /var/tmp/semreg-scale.XXXXXX)
chmod 755 "$WORK"
source .ci/postgres.sh
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ "$DATABASE" == postgres ]] && stop_private_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

wait_http() { for _ in $(seq 1 36000); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
now_ms() { date +%s%3N; }
rss_mib() { echo $(($(ps -o rss= -p "$1") / 1024)); }

DB_ARGS=()
if [[ "$DATABASE" == postgres ]]; then
  # PostgreSQL with its defaults (the private cluster of .ci/postgres.sh sets only port and socket).
  start_private_postgres >/dev/null
  DB_ARGS=(--database-url "$SEMREG_TEST_POSTGRES_URL")
fi

echo "scale benchmark: $CONCEPTS concepts, $TYPES types, $LISTS code lists on $DATABASE; $(nproc) cores"
start=$(now_ms)
python3 bench/search_corpus.py "$WORK/corpus" "$CONCEPTS" "$TYPES" >/dev/null
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
echo "corpus generated in $(( ($(now_ms) - start) / 1000 )) s ($(du -sh "$WORK/corpus" | cut -f1))"

start=$(now_ms)
"$BIN" import --data-dir "$WORK/data" "${DB_ARGS[@]}" --publisher "$PUBLISHER" \
  "$WORK"/corpus/concepts_*.ttl "$WORK"/corpus/types_*.ttl "$WORK/corpus/lists.ttl" >"$WORK/import.log"
COMMITTED_MS=$(( $(now_ms) - start ))
echo "import, committed:                 $((COMMITTED_MS / 1000)).$(( (COMMITTED_MS % 1000) / 100 )) s"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
start=$(now_ms)
RUST_LOG=warn "$BIN" serve --data-dir "$WORK/data" "${DB_ARGS[@]}" --listen "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
pids+=($SERVER)
wait_http "$BASE/healthz"
SEARCHABLE_MS=$(( COMMITTED_MS + $(now_ms) - start ))
echo "import, searchable (+ first start): $((SEARCHABLE_MS / 1000)).$(( (SEARCHABLE_MS % 1000) / 100 )) s"
echo "RSS after start-up:                $(rss_mib $SERVER) MiB"

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
python3 - "$WORK/corpus/search_queries.txt" "$WORK/search.paths" /api/v1/search <<'PY'
import sys, urllib.parse
with open(sys.argv[2], "w") as out:
    for q in open(sys.argv[1], encoding="utf-8"):
        out.write(f"{sys.argv[3]}?q={urllib.parse.quote(q.strip())}\n")
PY
python3 - "$WORK/corpus/suggest_queries.txt" "$WORK/suggest.paths" /api/v1/suggest <<'PY'
import sys, urllib.parse
with open(sys.argv[2], "w") as out:
    for q in open(sys.argv[1], encoding="utf-8"):
        out.write(f"{sys.argv[3]}?q={urllib.parse.quote(q.strip())}\n")
PY
python3 - "$WORK/lists.paths" "$LISTS" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for l in range(0, int(sys.argv[2]), max(1, int(sys.argv[2]) // 200)):
        out.write(f"/api/v1/code-lists/bench-{l}/codes\n")
PY
# One pass over every query first, so the answers measured are not the first ones.
for f in search suggest lists; do while read -r p; do curl -sf -o /dev/null "$BASE$p"; done <"$WORK/$f.paths"; done

load() { # name paths connections
  local out
  out=$(wrk -t2 -c"$3" -d"$DURATION" --latency -s "$WORK/rotate.lua" "$BASE" -- "$WORK/$2.paths")
  printf '%-24s p50 %8s   p99 %8s   %10s req/s   %s\n' "$1" \
    "$(awk '$1=="50%"{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '/Non-2xx|Socket errors/{printf "%s ", $0}' <<<"$out")"
}
load "search (4 conn)" search 4
load "suggest (4 conn)" suggest 4
load "code lists (64 conn)" lists 64
echo "RSS after the load:                $(rss_mib $SERVER) MiB"
echo "data dir on disk:                  $(du -sh "$WORK/data" | cut -f1)$([[ "$DATABASE" == postgres ]] && echo " + PostgreSQL $(du -sh "$PG_TMP_DIR/data" | cut -f1)")"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

start=$(now_ms)
RUST_LOG=warn "$BIN" serve --data-dir "$WORK/data" "${DB_ARGS[@]}" --listen "127.0.0.1:$PORT" 2>>"$WORK/serve.log" &
SERVER=$!
pids+=($SERVER)
wait_http "$BASE/healthz"
RESTART_MS=$(( $(now_ms) - start ))
echo "restart (projections caught up):   $((RESTART_MS / 1000)).$(( (RESTART_MS % 1000) / 100 )) s, RSS $(rss_mib $SERVER) MiB"
