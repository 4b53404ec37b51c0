# Start and stop a private PostgreSQL cluster for tests (sourced by .ci/run; usable by hand:
#   source .ci/postgres.sh && start_private_postgres   ...   stop_private_postgres).
# It runs as the `postgres` user in a temp dir, on a free port bound to 127.0.0.1, and exports
# SEMREG_TEST_POSTGRES_URL.

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" ]] || { echo "PostgreSQL binaries not found under /usr/lib/postgresql" >&2; return 1; }
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_private_postgres() {
  local bin
  bin=$(pg_bin_dir)
  PG_TMP_DIR=$(mktemp -d /tmp/semreg-pg.XXXXXX)
  chown postgres:postgres "$PG_TMP_DIR"
  PG_PORT=$(free_port)
  su postgres -c "$bin/initdb -D $PG_TMP_DIR/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -c "$bin/pg_ctl -D $PG_TMP_DIR/data -o '-p $PG_PORT -k $PG_TMP_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' -l $PG_TMP_DIR/log -w start" >/dev/null
  export PG_TMP_DIR PG_PORT
  export SEMREG_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "private PostgreSQL on 127.0.0.1:$PG_PORT ($PG_TMP_DIR)"
}

stop_private_postgres() {
  if [[ -n "${PG_TMP_DIR:-}" && -d "$PG_TMP_DIR/data" ]]; then
    su postgres -c "$(pg_bin_dir)/pg_ctl -D $PG_TMP_DIR/data -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$PG_TMP_DIR"
  fi
}
