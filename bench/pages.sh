#!/usr/bin/env bash
# Web page benchmark (issue 17: pages answer in under 50 ms at p99 for a code list of 358 codes
# and a model of 1,400 types). Starts a release `semreg serve` on a fresh data dir with SSB
# Klass 131 (358 municipalities, from ../shared/data) and a generated information model of
# 1,400 object types (3 attributes each, each type referring to two others), then drives each
# page with wrk on loopback and prints p50 / p99 / req/s per page:
#
#   bash bench/pages.sh                 # DURATION=10s CONNECTIONS=4 TYPES=1400
#   SEMREG_BIN=/path/to/semreg bash bench/pages.sh
#
# Everything it starts is stopped on exit; its temp dir is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/semreg-target}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-4}"
TYPES="${TYPES:-1400}"
PUBLISHER=974760673

command -v wrk >/dev/null 2>&1 || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
}
if [[ -z "${SEMREG_BIN:-}" ]]; then
  cargo build --release --quiet --bin semreg
fi
BIN="${SEMREG_BIN:-$CARGO_TARGET_DIR/release/semreg}"
WORK=$(mktemp -d /tmp/semreg-pages-bench.XXXXXX)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A model of $TYPES object types: each with a string, a date and a code (pattern), and roles
# pointing at two more types (a tree about 11 levels deep), so the structure is one connected
# model as large as a big real one.
python3 - "$WORK/model.ttl" "$TYPES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
ex = "https://example.org/bench/model/"
with open(path, "w", encoding="utf-8") as out:
    out.write("@prefix modelldcatno: <https://data.norge.no/vocabulary/modelldcatno#> .\n"
              "@prefix dct: <http://purl.org/dc/terms/> .\n"
              "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
              "@prefix semreg: <https://w3id.org/semreg/ns#> .\n")
    out.write(f"<{ex}modell> a modelldcatno:InformationModel ; dct:title \"Stor modell ({n} typer)\"@nb ;\n"
              "    semreg:alias \"bench-model\" ;\n"
              "    modelldcatno:containsModelElement " + ", ".join(f"<{ex}Type{i}>" for i in range(n)) + " .\n")
    for i in range(n):
        t = f"<{ex}Type{i}>"
        out.write(f"{t} a modelldcatno:ObjectType ; dct:title \"Type {i}\"@nb ;\n"
                  "    modelldcatno:hasProperty\n"
                  f"      [ a modelldcatno:Attribute ; dct:title \"navn{i}\" ; modelldcatno:minOccurs 1 ; modelldcatno:maxOccurs 1 ;\n"
                  "        modelldcatno:hasSimpleType [ a modelldcatno:SimpleType ; modelldcatno:typeDefinitionReference \"http://www.w3.org/2001/XMLSchema#string\"^^xsd:anyURI ; xsd:maxLength 100 ] ] ,\n"
                  f"      [ a modelldcatno:Attribute ; dct:title \"dato{i}\" ; modelldcatno:minOccurs 0 ; modelldcatno:maxOccurs 1 ;\n"
                  "        modelldcatno:hasSimpleType [ a modelldcatno:SimpleType ; modelldcatno:typeDefinitionReference \"http://www.w3.org/2001/XMLSchema#date\"^^xsd:anyURI ] ] ,\n"
                  f"      [ a modelldcatno:Attribute ; dct:title \"kode{i}\" ; modelldcatno:minOccurs 0 ; modelldcatno:maxOccurs 1 ;\n"
                  "        modelldcatno:hasSimpleType [ a modelldcatno:SimpleType ; modelldcatno:typeDefinitionReference \"http://www.w3.org/2001/XMLSchema#string\"^^xsd:anyURI ; xsd:pattern \"[0-9]{4}\" ] ]")
        for child in (2 * i + 1, 2 * i + 2):
            if child < n:
                out.write(f" ,\n      [ a modelldcatno:Role ; dct:title \"del{child}\" ; modelldcatno:minOccurs 0 ; modelldcatno:maxOccurs 1 ;\n"
                          f"        modelldcatno:hasObjectType <{ex}Type{child}> ]")
        out.write(" .\n")
PY

"$BIN" import --data-dir "$WORK/data" --publisher "$PUBLISHER" --format klass \
  ../shared/data/codelists/ssb-klass-131-kommuner-codesAt-2024.json >"$WORK/import.log"
start=$(date +%s%3N)
"$BIN" import --data-dir "$WORK/data" --publisher "$PUBLISHER" "$WORK/model.ttl" >>"$WORK/import.log"
IMPORT_MS=$(( $(date +%s%3N) - start ))

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
RUST_LOG=warn "$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --no-harvest-scheduler 2>>"$WORK/semreg.log" &
pid=$!
alive() { kill -0 "$pid" 2>/dev/null || { echo "semreg exited:" >&2; tail -20 "$WORK/semreg.log" >&2; exit 1; }; }
for _ in $(seq 1 6000); do curl -sf "$BASE/healthz" >/dev/null && break; alive; sleep 0.05; done
until curl -sf "$BASE/code-lists/ssb-klass-131" >/dev/null && curl -sf -o /dev/null "$BASE/models/bench-model"; do alive; sleep 0.1; done
TYPE_ID=$(curl -sf "$BASE/api/v1/search?q=Type%201&kind=type&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"][0]["id"])')

run() { # name path
  local out rps p50 p99 errors bytes
  bytes=$(curl -sf "$BASE$2" | wc -c)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$2")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/{print $5}' <<<"$out")
  printf '%-44s %8s B   p50 %9s   p99 %9s   %9s req/s%s\n' "$1" "$bytes" "$p50" "$p99" "$rps" "${errors:+   non-2xx: $errors}"
}

echo
echo "semreg $("$BIN" --version 2>/dev/null || echo release); $(nproc) cores (shared); wrk -t2 -c$CONNECTIONS -d$DURATION per page, uncompressed"
echo "import of the $TYPES-type model: $((IMPORT_MS / 1000)).$(( (IMPORT_MS % 1000) / 100 )) s"
run "/ (start)" "/"
run "/search?q=kommune" "/search?q=kommune"
run "/code-lists/ssb-klass-131 (358 codes)" "/code-lists/ssb-klass-131"
run "/code-lists/ssb-klass-131?date=2024-01-01" "/code-lists/ssb-klass-131?date=2024-01-01"
run "/code-lists/ssb-klass-131?filter=os" "/code-lists/ssb-klass-131?filter=os"
run "/models/bench-model ($TYPES types, page 1)" "/models/bench-model"
run "/models/bench-model?page=20" "/models/bench-model?page=20"
run "/types/<Type 1> (reaches ~700 types)" "/types/$TYPE_ID"
echo "semreg RSS after the load: $(($(ps -o rss= -p "$pid") / 1024)) MiB"
