#!/usr/bin/env bash
# The API contract check (issue 14): start semreg on a fresh data dir with the demo catalog and
# the README's worked example, validate /openapi.json with openapi-spec-validator, then run
# Schemathesis against it with a publisher token: every check, every phase, at least 50 examples
# per operation, a 10 s request timeout, a random seed (printed, so a failure can be replayed).
# Exits non-zero on any failure or error. Usage: .ci/schemathesis.sh [SEMREG_BINARY]
# Needs the Python tools of .ci/tools.sh (ensure_python_tools).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/semreg}"
tools="${SEMREG_TOOLS_DIR:-/var/tmp/semreg-tools}/venv/bin"
data="$(mktemp -d /tmp/semreg-contract.XXXXXX)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
log="$data/server.log"

# Harvest sources Schemathesis registers are never fetched from outside this machine.
"$bin" serve --demo --data-dir "$data/data" --listen "127.0.0.1:$port" \
  --no-harvest-scheduler --fetch-allow 127.0.0.1 --fetch-only-allowed >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$base/healthz" >/dev/null || { echo "semreg did not start:"; cat "$log"; exit 1; }

token=$("$bin" token create --data-dir "$data/data" --publisher 974760673)
auth=(-H "Authorization: Bearer $token")
shared="$root/../shared/data"
fixtures="$root/tests/fixtures/compose"
post() { # path content-type file
  curl -sf "${auth[@]}" -H "Content-Type: $2" "$base$1" --data-binary "@$3" >/dev/null \
    || { echo "seeding failed: POST $1 $3"; exit 1; }
}
# The README's worked example, so links, mappings and service models have data to reach.
post '/api/v1/import?format=klass&filename=ssb-klass-131-kommuner-codesAt-2024.json' application/json \
  "$shared/codelists/ssb-klass-131-kommuner-codesAt-2024.json"
post '/api/v1/import?format=klass&id=2' application/json "$shared/altinn-options/ssb-klass_sex.json"
for f in concepts person-types folkeregisteret-kjoenn; do post '/api/v1/import?format=turtle' text/turtle "$fixtures/$f.ttl"; done
post '/api/v1/import?format=correspondence&source=https://example.org/folkeregisteret/kjoenn&target=2&iri=https://example.org/semreg-demo/correspondences/kjoenn-klass-2' \
  text/csv "$fixtures/kjoenn-to-klass-2.csv"
post '/api/v1/mappings?alias=folkeregisteret-person' text/tab-separated-values "$fixtures/folkeregisteret-person.sssom.tsv"
curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$base/api/v1/service-models" \
  -d '{"name": "Søknad om bostøtte", "alias": "demo-soknad", "parts": [{"type": "demo-person", "field": "applicant", "source": "folkeregisteret-person"}]}' >/dev/null \
  || { echo "seeding failed: compose"; exit 1; }

curl -sf "$base/openapi.json" -o "$data/openapi.json"
echo "== openapi-spec-validator"
"$tools/openapi-spec-validator" "$data/openapi.json"

echo "== schemathesis"
export SCHEMATHESIS_HOOKS="$root/.ci/schemathesis_hooks.py"
"$tools/schemathesis" --config-file "$root/.ci/schemathesis.toml" run "$base/openapi.json" \
  --checks all --phases examples,coverage,fuzzing,stateful --max-examples 50 \
  --request-timeout 10 -H "Authorization: Bearer $token" --no-color
