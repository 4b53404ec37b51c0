#!/usr/bin/env bash
# Search benchmark: semreg (release) against PostgreSQL full-text search on the same generated
# corpus (100,000 concepts and 10,000 types of Norwegian-like text, bench/search_corpus.py),
# in one run:
#
#   1. the corpus is imported with `semreg import` (the normal import path);
#   2. the search index is thrown away and `semreg serve` rebuilds it from the change log on
#      start (index build time), then wrk drives /api/v1/search and /api/v1/suggest on loopback
#      with the generated queries (p50, p99, req/s) and the server's RSS is read;
#   3. the same rows go into a private PostgreSQL cluster (.ci/postgres.sh) with a weighted
#      to_tsvector('norwegian', ...) column and a GIN index, and pgbench runs the same queries
#      (plainto_tsquery + ts_rank, top 20 with the total; prefix tsquery for suggest) with
#      per-transaction logging, from which p50 and p99 are computed.
#
#   bash bench/search.sh                 # CONCEPTS=100000 TYPES=10000 DURATION=10s CONNECTIONS=4
#
# Everything it starts (semreg, PostgreSQL) is stopped on exit; its temp dirs are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target}"
CONCEPTS="${CONCEPTS:-100000}"
TYPES="${TYPES:-10000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-4}"
PUBLISHER=974760673

command -v wrk >/dev/null 2>&1 || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
}
command -v pgbench >/dev/null 2>&1 || { echo "pgbench is needed (postgresql-contrib / postgresql client)" >&2; exit 1; }

if [[ -z "${SEMREG_BIN:-}" ]]; then
  cargo build --release --quiet
fi
BIN="${SEMREG_BIN:-$CARGO_TARGET_DIR/release/semreg}"
WORK=$(mktemp -d /tmp/semreg-search-bench.XXXXXX)
chmod 755 "$WORK"
source .ci/postgres.sh
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_private_postgres
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_http() { for _ in $(seq 1 6000); do curl -sf "$1" >/dev/null && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
now_ms() { date +%s%3N; }

# 1. Corpus and import.
python3 bench/search_corpus.py "$WORK/corpus" "$CONCEPTS" "$TYPES"
TOTAL=$((CONCEPTS + TYPES))
start=$(now_ms)
"$BIN" import --data-dir "$WORK/data" --publisher "$PUBLISHER" "$WORK"/corpus/concepts_*.ttl "$WORK"/corpus/types_*.ttl >"$WORK/import.log"
IMPORT_MS=$(( $(now_ms) - start ))

# 2. Projections from the change log: the first start builds the RDF store and the search
#    index; then the search index alone is thrown away and rebuilt (index build time).
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
serve_until_indexed() {
  RUST_LOG=warn "$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" 2>>"$WORK/semreg.log" &
  SEMREG_PID=$!
  pids+=("$SEMREG_PID")
  wait_http "$BASE/healthz"
  until [[ "$(curl -sf "$BASE/api/v1/search?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" == "$TOTAL" ]]; do sleep 0.05; done
}
start=$(now_ms)
serve_until_indexed
BOTH_MS=$(( $(now_ms) - start ))
kill "$SEMREG_PID"; wait "$SEMREG_PID" 2>/dev/null || true
rm -rf "$WORK/data/search"
start=$(now_ms)
serve_until_indexed
BUILD_MS=$(( $(now_ms) - start ))
INDEX_MB=$(( $(du -sk "$WORK/data/search" | cut -f1) / 1024 ))

python3 - "$WORK" <<'PY'
import sys, urllib.parse
w = sys.argv[1]
for name, path in (("search", "/api/v1/search?q="), ("suggest", "/api/v1/suggest?q=")):
    with open(f"{w}/corpus/{name}_queries.txt", encoding="utf-8") as f, open(f"{w}/{name}.paths", "w") as out:
        for q in f.read().splitlines():
            out.write(path + urllib.parse.quote(q) + "\n")
PY
cat >"$WORK/rotate.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
# Every query once, so the numbers are not of a cold index.
while read -r p; do curl -sf -o /dev/null "$BASE$p"; done <"$WORK/search.paths"
while read -r p; do curl -sf -o /dev/null "$BASE$p"; done <"$WORK/suggest.paths"
SAMPLE=$(curl -sf "$BASE/api/v1/search?q=$(sed -n 1p "$WORK/corpus/search_queries.txt")" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], "hits, first:", d["hits"][0]["label"] if d["hits"] else "-")')

wrk_run() { # name paths-file
  local out
  out=$(PATHS="$WORK/$2" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/rotate.lua" "$BASE")
  echo "$out" >"$WORK/wrk-$1.txt"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/{print $5}' <<<"$out")
  printf '%-28s p50 %9s   p99 %9s   %10s req/s %s\n' "semreg $1" "$p50" "$p99" "$rps" "${errors:+  non-2xx: $errors}"
}

echo
echo "corpus: $CONCEPTS concepts + $TYPES types; $(nproc) cores (shared); load: wrk -t2 -c$CONNECTIONS -d$DURATION, 200 queries each in rotation"
echo "semreg import into the store of record (SQLite): $((IMPORT_MS / 1000)).$(( (IMPORT_MS % 1000) / 100 )) s; first start (RDF store + search index from the change log): $((BOTH_MS / 1000)).$(( (BOTH_MS % 1000) / 100 )) s"
echo "search index build from the change log on start ($TOTAL documents, $INDEX_MB MiB): $((BUILD_MS / 1000)).$(( (BUILD_MS % 1000) / 100 )) s"
echo "semreg RSS after start-up: $(($(ps -o rss= -p "$SEMREG_PID") / 1024)) MiB; sample: q=$(sed -n 1p "$WORK/corpus/search_queries.txt") -> $SAMPLE"
wrk_run search search.paths
wrk_run suggest suggest.paths
echo "semreg RSS after the load: $(($(ps -o rss= -p "$SEMREG_PID") / 1024)) MiB (peak $(( $(awk '/VmHWM/{print $2}' /proc/"$SEMREG_PID"/status) / 1024 )) MiB)"
kill "$SEMREG_PID"; wait "$SEMREG_PID" 2>/dev/null || true

# 3. PostgreSQL full-text search on the same rows and queries.
start_private_postgres >/dev/null
PSQL=(psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres postgres)
chmod 644 "$WORK/corpus/corpus.tsv"
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
def lit(s):
    return "'" + s.replace("'", "''") + "'"
with open(f"{w}/queries.sql", "w", encoding="utf-8") as out:
    out.write("CREATE TABLE sq (id int PRIMARY KEY, q text, tsq tsquery);\n")
    out.write("CREATE TABLE gq (id int PRIMARY KEY, q text, tsq tsquery);\n")
    for i, q in enumerate(open(f"{w}/corpus/search_queries.txt", encoding="utf-8").read().splitlines(), 1):
        out.write(f"INSERT INTO sq VALUES ({i}, {lit(q)}, plainto_tsquery('norwegian', {lit(q)}));\n")
    for i, q in enumerate(open(f"{w}/corpus/suggest_queries.txt", encoding="utf-8").read().splitlines(), 1):
        words = [x for x in q.split() if x]
        tsq = " & ".join(words[:-1] + [words[-1] + ":*"]) if words else ""
        out.write(f"INSERT INTO gq VALUES ({i}, {lit(q)}, to_tsquery('simple', {lit(tsq)}));\n")
PY
start=$(now_ms)
"${PSQL[@]}" <<SQL
CREATE TABLE docs (
  id serial PRIMARY KEY, kind text, iri text, label text, alt text, hidden text, definition text, props text,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('norwegian', coalesce(label, '')), 'A') ||
    setweight(to_tsvector('norwegian', coalesce(alt, '') || ' ' || coalesce(props, '')), 'B') ||
    setweight(to_tsvector('norwegian', coalesce(definition, '') || ' ' || coalesce(hidden, '')), 'C')) STORED,
  label_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(label, '') || ' ' || coalesce(alt, ''))) STORED
);
\copy docs (kind, iri, label, alt, hidden, definition, props) FROM '$WORK/corpus/corpus.tsv' WITH (FORMAT csv, DELIMITER E'\t')
CREATE INDEX docs_tsv ON docs USING gin (tsv);
CREATE INDEX docs_label_tsv ON docs USING gin (label_tsv);
VACUUM ANALYZE docs;
SQL
PG_BUILD_MS=$(( $(now_ms) - start ))
"${PSQL[@]}" -f "$WORK/queries.sql"
cat >"$WORK/pg-search.sql" <<'SQL'
\set n random(1, 200)
SELECT d.id, d.label, ts_rank(d.tsv, q.tsq) AS r, count(*) OVER () AS total FROM docs d, sq q WHERE q.id = :n AND d.tsv @@ q.tsq ORDER BY r DESC LIMIT 20;
SQL
cat >"$WORK/pg-suggest.sql" <<'SQL'
\set n random(1, 200)
SELECT d.id, d.label FROM docs d, gq q WHERE q.id = :n AND d.label_tsv @@ q.tsq ORDER BY length(d.label) LIMIT 10;
SQL
pg_run() { # name script
  local seconds=${DURATION%s}
  (cd "$WORK" && pgbench -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c "$CONNECTIONS" -j 2 -T "$seconds" \
    -f "$WORK/$2" -l --log-prefix="pglog-$1" postgres >"$WORK/pgbench-$1.txt" 2>&1)
  python3 - "$WORK" "$1" <<'PY'
import glob, re, sys
w, name = sys.argv[1], sys.argv[2]
lat = []
for path in glob.glob(f"{w}/pglog-{name}.*"):
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3:
            lat.append(int(parts[2]) / 1000.0)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))]
tps = re.search(r"tps = ([0-9.]+)", open(f"{w}/pgbench-{name}.txt").read())
print(f"{'postgres ' + name:<28} p50 {pct(50):7.2f}ms   p99 {pct(99):7.2f}ms   {float(tps.group(1)) if tps else 0:10.2f} req/s")
PY
}
echo "PostgreSQL: COPY + GIN indexes + VACUUM ANALYZE of $TOTAL rows: $((PG_BUILD_MS / 1000)).$(( (PG_BUILD_MS % 1000) / 100 )) s; pgbench -c$CONNECTIONS -j2 -T$DURATION"
pg_run search pg-search.sql
pg_run suggest pg-suggest.sql
echo "PostgreSQL data dir: $(( $(du -sk "$PG_TMP_DIR/data" | cut -f1) / 1024 )) MiB"
