# Third-party tools the tests drive (validators, fuzzers, FHIR libraries, browsers), installed
# outside the clone so a warm machine reuses them. Sourced by .ci/run; usable by hand:
#   source .ci/tools.sh && ensure_python_tools && ensure_node_tools
# Tests find them through SEMREG_TOOLS_DIR (default /var/tmp/semreg-tools): Python tools in
# $SEMREG_TOOLS_DIR/venv, npm packages in tests/node/<area>/node_modules (from each area's
# package-lock.json). A test whose tool is missing prints SKIPPED loudly, and fails when CI=true.

export SEMREG_TOOLS_DIR="${SEMREG_TOOLS_DIR:-/var/tmp/semreg-tools}"

# Python tools pinned in .ci/requirements.txt, in a venv of their own.
ensure_python_tools() {
  local root venv stamp
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  venv="$SEMREG_TOOLS_DIR/venv"
  stamp="$venv/.requirements.sha256"
  if [[ ! -x "$venv/bin/python" ]]; then
    mkdir -p "$SEMREG_TOOLS_DIR"
    python3 -m venv "$venv"
  fi
  if [[ ! -f "$stamp" ]] || ! sha256sum --status -c "$stamp" 2>/dev/null; then
    echo "installing Python tools from .ci/requirements.txt"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/.ci/requirements.txt"
    (cd "$root" && sha256sum .ci/requirements.txt) | sed "s|\.ci/|$root/.ci/|" >"$stamp"
  fi
}

# npm packages of every tests/node/<area>/ that has a package-lock.json (npm ci: exactly the
# locked versions, checked against their integrity hashes).
ensure_node_tools() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  command -v npm >/dev/null 2>&1 || { echo "npm not found: Node.js tests cannot run" >&2; return 1; }
  for dir in "$root"/tests/node/*/; do
    [[ -f "$dir/package-lock.json" ]] || continue
    if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
      echo "installing npm packages of ${dir#"$root"/}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error --cache "$SEMREG_TOOLS_DIR/npm-cache")
    fi
  done
}

# Designsystemet's CSS for the web pages, which build.rs embeds in the binary: npm ci in web/
# (exact versions and integrity hashes from web/package-lock.json), into web/node_modules
# (gitignored). Without it the build embeds a plain fallback stylesheet; CI sets
# SEMREG_WEB_ASSETS_REQUIRED so a build there fails instead.
ensure_web_assets() {
  local root dir
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="$root/web"
  command -v npm >/dev/null 2>&1 || { echo "npm not found: the web pages' design system cannot be installed" >&2; return 1; }
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "installing npm packages of web/ (Designsystemet's CSS)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error --cache "$SEMREG_TOOLS_DIR/npm-cache")
  fi
}
