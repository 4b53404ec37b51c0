#!/usr/bin/env bash
# Fuzzes every importer with cargo-fuzz (libFuzzer) for FUZZ_SECONDS each (default 60), seeded
# with the real files of ../shared/data. Fails on the first crash, panic, overflow or timeout;
# the input that caused it is kept under fuzz/artifacts/TARGET/ and becomes a case in
# tests/bad_input/ once fixed. Prints iterations per target.
#   bash fuzz/run.sh                 # every target, 60 s each
#   FUZZ_SECONDS=600 bash fuzz/run.sh turtle rdfxml
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
shared="$(cd .. && pwd)/../shared/data"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/semreg-fuzz-target}"
# cargo-fuzz passes -Z flags (sanitizers, coverage); the one toolchain here is stable.
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz@0.13.2

all=(turtle rdfxml jsonld ntriples nquads seres klass altinn_options csv jsonschema fhir correspondence)
targets=("${@:-${all[@]}}")
seeds_of() {
  case "$1" in
    turtle) ls "$shared"/fdk/*.ttl "$shared"/codelists/*.ttl ;;
    rdfxml) ls "$shared"/fdk/*.rdf "$shared"/codelists/*.rdf ;;
    jsonld) ls "$shared"/fdk/*.jsonld ;;
    seres) ls "$shared"/seres/*.xsd ;;
    klass) ls "$shared"/codelists/ssb-klass-*.json ;;
    altinn_options) ls "$shared"/altinn-options/*.json ;;
    csv) ls "$shared"/codelists/*.csv ;;
    jsonschema) ls "$shared"/seres/*.schema.json "$shared"/codelists/apicurio-*.json ;;
    fhir) ls "$shared"/codelists/fhir-*.json ;;
    *) true ;;
  esac
}
cargo fuzz build --sanitizer none --release 2>&1 | tail -n 3
fuzz_one() {
  local target="$1" work log runs
  work="$CARGO_TARGET_DIR/corpus/$target"
  mkdir -p "$work" "artifacts/$target"
  # Seeds: the shared files (big ones cut to 64 KiB: libFuzzer mutates small inputs best).
  while read -r file; do
    [[ -n "$file" ]] && head -c 65536 "$file" > "$work/seed-$(basename "$file")"
  done < <(seeds_of "$target" 2>/dev/null || true)
  log="$CARGO_TARGET_DIR/fuzz-$target.log"
  if ! cargo fuzz run --sanitizer none --release "$target" "$work" -- \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="artifacts/$target/" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "FUZZ FAILURE in $target: see fuzz/artifacts/$target/" >&2
    return 1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n 1 || true)
  echo "fuzz $target: ${runs:-?} in ${seconds} s, no crash"
}
# FUZZ_JOBS targets at a time (default 2: this machine's cores).
jobs_at_once="${FUZZ_JOBS:-2}"
failed=0
running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if ((running >= jobs_at_once)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
exit "$failed"
