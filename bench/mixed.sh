#!/usr/bin/env bash
# Mixed-load benchmark (issue 13 §3 and §4): what writers and heavy work do to the runtime
# read path. For SQLite and then PostgreSQL (a private cluster with PostgreSQL's defaults,
# .ci/postgres.sh), semreg (release) is started on loopback with a code list and a thousand
# concepts, then:
#
#   1. idle:   wrk reads the code list (/codes, 48 connections) and searches (16 connections);
#   2. mixed:  the same reads while 16 writers import (15 publishers; two writers share one),
#              each a new version of its own concepts per request;
#   3. heavy:  the same reads while one client imports a BIG_MB MiB Turtle file (gzip-compressed
#              on the wire) and another runs a pathological SPARQL query over and over; the
#              readers go on, in windows of DURATION, until the import is answered (its commit
#              and the projections' catch-up included), and the worst window is reported;
#   4. after:  the same reads once the import is answered (what a bigger index costs them).
#
# It prints the read p50/p99 of each phase and its ratio to idle (goal: p99 <= 3x idle), the
# writers' acknowledged writes, 5xx answers (goal 0) and acknowledged versions missing
# afterwards (goal 0), and whether the change feed's seq is strictly increasing without gaps.
#
#   bash bench/mixed.sh        # DURATION=15s BIG_MB=100 BACKENDS="sqlite postgres"
#
# Everything it starts is stopped on exit; its temp dirs are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target}"
DURATION="${DURATION:-15s}"
BIG_MB="${BIG_MB:-100}"
BACKENDS="${BACKENDS:-sqlite postgres}"

command -v wrk >/dev/null 2>&1 || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
}
if [[ -z "${SEMREG_BIN:-}" ]]; then
  cargo build --release --quiet --bin semreg
fi
BIN="${SEMREG_BIN:-$CARGO_TARGET_DIR/release/semreg}"
WORK=$(mktemp -d /tmp/semreg-mixed-bench.XXXXXX)
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

# The files: a code list, 1,000 concepts, the big file (gzip), the search paths.
python3 - "$WORK" "$BIG_MB" <<'PY'
import gzip, random, sys
w, big_mb = sys.argv[1], int(sys.argv[2])
random.seed(7)
words = ("skatt melding person adresse kommune fylke bolig barn skole helse lege arbeid lønn "
         "bedrift foretak organisasjon næring tilskudd søknad vedtak klage frist dato eiendom "
         "kjøretøy fartøy avgift toll grense statsborgerskap familie ekteskap sivilstand").split()
head = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
with open(f"{w}/codes.ttl", "w") as f:
    f.write(head + "<https://data.example.no/mixed/farger> a skos:ConceptScheme ; skos:prefLabel \"Farger\"@nb .\n")
    for i in range(200):
        f.write(f"<https://data.example.no/mixed/farger/{i}> a skos:Concept ; skos:inScheme <https://data.example.no/mixed/farger> ; skos:notation \"{i:03d}\" ; skos:prefLabel \"{random.choice(words)} {i}\"@nb .\n")
with open(f"{w}/concepts.ttl", "w") as f:
    f.write(head)
    for i in range(1000):
        a, b = random.sample(words, 2)
        f.write(f"<https://begrep.example.no/mixed/c{i}> a skos:Concept ; skos:prefLabel \"{a} {b} {i}\"@nb ; skos:definition \"{a} som gjelder {b}\"@nb .\n")
with gzip.open(f"{w}/big.ttl.gz", "wt", compresslevel=6) as f:
    f.write(head)
    size, i = 0, 0
    while size < big_mb * 1024 * 1024:
        a, b, c = random.sample(words, 3)
        line = (f"<https://begrep.example.no/big/c{i}> a skos:Concept ; skos:prefLabel \"{a} {b} {i}\"@nb ; "
                f"skos:definition \"{a} og {b} som gjelder {c}, nummer {i}\"@nb .\n")
        f.write(line)
        size += len(line)
        i += 1
open(f"{w}/big.count", "w").write(f"{i}\n")
with open(f"{w}/search.paths", "w") as f:
    for _ in range(200):
        f.write("/api/v1/search?q=" + "+".join(random.sample(words, random.choice([1, 2]))) + "\n")
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

# Publishers with valid org numbers (MOD11), 15 of them for 16 writers.
ORGS=$(python3 - <<'PY'
w = [3, 2, 7, 6, 5, 4, 3, 2]
out, n = [], 91000000
while len(out) < 15:
    n += 1
    d = [int(c) for c in str(n)[:8]]
    r = 11 - sum(a * b for a, b in zip(d, w)) % 11
    if r == 10:
        continue
    out.append("".join(map(str, d)) + str(0 if r == 11 else r))
print(" ".join(out))
PY
)

# wrk on the code list (48 connections) and on search (16), at once; prints "p50 p99 non2xx" each.
reads() { # phase
  local codes_url="$BASE/api/v1/code-lists/$LIST/codes"
  echo "$codes_url" | sed "s|$BASE||" >"$WORK/codes.paths"
  PATHS="$WORK/codes.paths" wrk -t1 -c48 -d"$DURATION" --latency -s "$WORK/rotate.lua" "$BASE" >"$WORK/wrk-codes-$1.txt" &
  local a=$!
  PATHS="$WORK/search.paths" wrk -t1 -c16 -d"$DURATION" --latency -s "$WORK/rotate.lua" "$BASE" >"$WORK/wrk-search-$1.txt" &
  local b=$!
  wait "$a" "$b"
}
to_ms() { # wrk latency like 1.23ms / 850.00us / 1.20s
  python3 -c 'import sys,re; v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s)$", v); f={"us":0.001,"ms":1,"s":1000}; print(f"{float(m.group(1))*f[m.group(2)]:.2f}" if m else "nan")' "$1"
}
summary() { # phase file
  local p50 p99 rps non2xx
  p50=$(awk '$1=="50%"{print $2}' "$WORK/$2")
  p99=$(awk '$1=="99%"{print $2}' "$WORK/$2")
  rps=$(awk '/Requests\/sec/{print $2}' "$WORK/$2")
  non2xx=$(awk '/Non-2xx/{print $5}' "$WORK/$2")
  echo "$(to_ms "$p50") $(to_ms "$p99") ${rps:-0} ${non2xx:-0}"
}

run_backend() { # sqlite|postgres
  local backend=$1 url=""
  rm -rf "$WORK/data"
  if [[ $backend == postgres ]]; then
    [[ -n "${PG_TMP_DIR:-}" ]] || start_private_postgres >/dev/null
    psql -q -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS mixed" -c "CREATE DATABASE mixed" postgres
    url="postgres://postgres@127.0.0.1:$PG_PORT/mixed"
  fi
  local store=(--data-dir "$WORK/data")
  [[ -n "$url" ]] && store+=(--database-url "$url")
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  # The body limit is raised so the big import (BIG_MB decoded) is taken: the point is its cost.
  # So is the request timeout, as an operator taking files that size would: on 2 cores shared
  # with the load, the import (commit and projections) outlasts the default 300 s.
  RUST_LOG=warn "$BIN" serve "${store[@]}" --listen "127.0.0.1:$PORT" --no-harvest-scheduler \
    --body-limit $(( (BIG_MB + 20) * 1024 * 1024 )) --request-timeout-secs 3600 \
    2>>"$WORK/semreg-$backend.log" &
  SEMREG_PID=$!
  pids+=("$SEMREG_PID")
  wait_http "$BASE/healthz"
  local tokens=()
  for org in $ORGS; do tokens+=("$("$BIN" token create "${store[@]}" --publisher "$org" 2>/dev/null | tail -n 1)"); done
  printf '%s\n' "${tokens[@]}" >"$WORK/tokens.txt"
  LIST=$(curl -sf -X POST -H "authorization: Bearer ${tokens[0]}" --data-binary @"$WORK/codes.ttl" \
    "$BASE/api/v1/import?format=turtle" | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)["resources"] if r["kind"]=="code-list"][0])')
  curl -sf -o /dev/null -X POST -H "authorization: Bearer ${tokens[0]}" --data-binary @"$WORK/concepts.ttl" "$BASE/api/v1/import?format=turtle"
  sleep 1
  # Warm every path once.
  curl -sf -o /dev/null "$BASE/api/v1/code-lists/$LIST/codes"
  while read -r p; do curl -sf -o /dev/null "$BASE$p"; done <"$WORK/search.paths"

  reads idle
  # 16 writers while the readers read: writer k uses token k mod 15 (writers 0 and 15 share).
  python3 - "$BASE" "$WORK" "${DURATION%s}" >"$WORK/writers-$backend.json" <<'PY' &
import json, sys, threading, time, urllib.request, urllib.error
base, work, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
tokens = open(f"{work}/tokens.txt").read().split()
acks, statuses, lock = [], {}, threading.Lock()
def writer(k):
    token, n, end = tokens[k % len(tokens)], 0, time.time() + seconds
    while time.time() < end:
        body = ("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                f"<https://begrep.example.no/writers/w{k}/c{n % 5}> a skos:Concept ; skos:prefLabel \"writer {k} round {n}\"@nb .\n").encode()
        req = urllib.request.Request(f"{base}/api/v1/import?format=turtle", data=body, method="POST",
                                     headers={"authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, report = r.status, json.load(r)
        except urllib.error.HTTPError as e:
            status, report = e.code, None
        except Exception as e:
            status, report = f"error: {e}", None
        with lock:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                for res in report["resources"]:
                    acks.append([res["iri"], res["version"]])
        n += 1
threads = [threading.Thread(target=writer, args=(k,)) for k in range(16)]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps({"statuses": statuses, "acks": acks}))
PY
  local writers=$!
  reads mixed
  wait "$writers"

  # Heavy: the big import and a pathological SPARQL query, while the readers read.
  local token0=${tokens[1]}
  ( curl -s -o "$WORK/big-$backend.out" -w '%{http_code} %{time_total}\n' -X POST -H "authorization: Bearer $token0" \
      -H 'content-encoding: gzip' --data-binary @"$WORK/big.ttl.gz" "$BASE/api/v1/import?format=turtle" >"$WORK/big-$backend.status" ) &
  local big=$!
  ( end=$((SECONDS + ${DURATION%s})); n=0
    while ((SECONDS < end)); do
      curl -s -o /dev/null -w '%{http_code}\n' --get --data-urlencode \
        'query=SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }' "$BASE/sparql" >>"$WORK/sparql-$backend.status"
    done ) &
  local sparql=$!
  # The readers read for as long as the import runs (parse, commit, projections), in windows
  # of DURATION; the pathological SPARQL runs in the first.
  reads heavy
  local windows=1
  while kill -0 "$big" 2>/dev/null; do
    windows=$((windows + 1))
    reads "heavy$windows"
  done
  wait "$sparql"
  wait "$big" || true
  # The same reads once the import is answered: the index they search is now 600 times the
  # size, so this, not idle, is what the last windows' search cost compares with.
  reads after

  # Every acknowledged version present; the change feed's seq strictly increasing, no gaps.
  local check
  check=$(python3 - "$BASE" "$WORK/writers-$backend.json" <<'PY'
import json, sys, urllib.parse, urllib.request
base, path = sys.argv[1], sys.argv[2]
w = json.load(open(path))
latest = {}
for iri, version in w["acks"]:
    latest[iri] = max(latest.get(iri, 0), version)
missing = 0
for iri, version in latest.items():
    with urllib.request.urlopen(f"{base}/api/v1/resources?" + urllib.parse.urlencode({"iri": iri})) as r:
        items = json.load(r)["items"]
    if not items or items[0]["version"] < version:
        missing += 1
seqs, since = [], 0
while True:
    with urllib.request.urlopen(f"{base}/api/v1/changes?since={since}&limit=1000") as r:
        page = json.load(r)
    items = page.get("items") or page.get("changes") or []
    if not items:
        break
    seqs += [c["seq"] for c in items]
    since = items[-1]["seq"]
increasing = all(b > a for a, b in zip(seqs, seqs[1:]))
gaps = sum(b - a - 1 for a, b in zip(seqs, seqs[1:]) if b > a + 1)
five = sum(n for s, n in w["statuses"].items() if s.startswith("5") or s.startswith("error"))
print(f"{len(w['acks'])} {five} {missing} {len(latest)} {increasing} {gaps} {len(seqs)} {json.dumps(w['statuses'], separators=(',', ':'))}")
PY
)
  read -r acked five missing resources increasing gaps changes statuses <<<"$check"
  # The big import's publisher also has writer 1's five concepts.
  local big_org big_stored
  big_org=$(echo "$ORGS" | cut -d' ' -f2)
  big_stored=$(curl -sf "$BASE/api/v1/resources?publisher=$big_org&kind=concept&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"] - 5)')
  read -r i50 i99 irps _ <<<"$(summary idle wrk-codes-idle.txt)"
  read -r s50 s99 srps _ <<<"$(summary idle wrk-search-idle.txt)"
  echo
  echo "== $backend ($BIN, $(nproc) cores shared by server, writers and wrk; reads: wrk 48 connections on /codes + 16 on search, $DURATION per phase)"
  printf '%-8s %-8s %10s %10s %8s %12s %8s\n' phase reads p50_ms p99_ms p99/idle req/s non2xx
  local phases=(idle mixed heavy)
  for ((n = 2; n <= windows; n++)); do phases+=("heavy$n"); done
  phases+=(after)
  for phase in "${phases[@]}"; do
    for what in codes search; do
      read -r p50 p99 rps non2xx <<<"$(summary "$phase" "wrk-$what-$phase.txt")"
      local base99=$i99; [[ $what == search ]] && base99=$s99
      printf '%-8s %-8s %10s %10s %8s %12s %8s\n' "$phase" "$what" "$p50" "$p99" \
        "$(python3 -c "print(f'{float(\"$p99\")/float(\"$base99\"):.2f}x')")" "$rps" "$non2xx"
    done
  done
  # The claim for the big import is its worst window.
  for what in codes search; do
    local base99=$i99; [[ $what == search ]] && base99=$s99
    local worst
    worst=$(for phase in "${phases[@]:2:windows}"; do summary "$phase" "wrk-$what-$phase.txt"; done | awk '{print $2}' | sort -g | tail -n 1)
    echo "heavy, worst of $windows windows, $what: p99 $worst ms ($(python3 -c "print(f'{float(\"$worst\")/float(\"$base99\"):.2f}x')") idle)"
  done
  echo "writers: 16 (15 publishers), $acked acknowledged versions of $resources resources, answers $statuses; 5xx or errors: $five; acknowledged but missing afterwards: $missing"
  echo "change feed: $changes changes, seq strictly increasing: $increasing, gaps: $gaps"
  echo "heavy: big import ($BIG_MB MiB decoded, $(( $(stat -c %s "$WORK/big.ttl.gz") / 1024 / 1024 )) MiB gzip): HTTP $(cat "$WORK/big-$backend.status") (code, seconds); $big_stored of its $(cat "$WORK/big.count") concepts stored; pathological SPARQL answers: $(sort "$WORK/sparql-$backend.status" | uniq -c | tr -s ' ' | tr '\n' ';')"
  echo "semreg RSS after the phases: $(($(ps -o rss= -p "$SEMREG_PID") / 1024)) MiB (peak $(( $(awk '/VmHWM/{print $2}' /proc/"$SEMREG_PID"/status) / 1024 )) MiB)"
  kill "$SEMREG_PID"; wait "$SEMREG_PID" 2>/dev/null || true
}

for backend in $BACKENDS; do run_backend "$backend"; done
