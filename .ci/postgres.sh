#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 for the tests that need one, unless BATON_TEST_DATABASE_URL is already set.
# Prints only shell for `eval` on stdout:
#   eval "$(bash .ci/postgres.sh)"
# which exports BATON_TEST_DATABASE_URL (and BATON_TEST_POSTGRES_DIR, the cluster's folder, and BATON_TEST_POSTGRES_BIN). Progress goes to stderr.
# Stop the server with:
#   su postgres -c "$BATON_TEST_POSTGRES_BIN/pg_ctl -D $BATON_TEST_POSTGRES_DIR/data stop -m fast"
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

if [ -n "${BATON_TEST_DATABASE_URL:-}" ]; then
  log "BATON_TEST_DATABASE_URL is already set; not starting a server"
  exit 0
fi

started=$(date +%s%N)
BIN=/usr/lib/postgresql/15/bin
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo

if [ ! -x "$BIN/initdb" ]; then
  log "installing PostgreSQL 15 from Debian packages"
  $SUDO apt-get update -qq >&2
  # postgresql-15 where the distribution has it (Debian 12); else its default server (and a warning below).
  package=postgresql
  if apt-cache show postgresql-15 > /dev/null 2>&1; then package=postgresql-15; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >&2
  log "installed $package after $(( ($(date +%s%N) - started) / 1000000 )) ms"
fi
if [ ! -x "$BIN/initdb" ]; then
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$newest" ] || [ ! -x "$newest/initdb" ]; then
    log "no PostgreSQL server binaries under /usr/lib/postgresql after installing"
    exit 1
  fi
  log "warning: PostgreSQL 15 is not available here; using $newest"
  BIN=$newest
fi

# PostgreSQL refuses to run as root: the cluster belongs to the postgres user, in a folder it owns.
as_postgres() {
  if [ "$(id -un)" = postgres ]; then bash -c "$1"; else $SUDO su postgres -s /bin/bash -c "$1"; fi
}

dir=$(mktemp -d -t baton-pg.XXXXXX)
chmod 755 "$dir"
$SUDO chown postgres "$dir"

# A free local port: the kernel picks one, and it is released just before PostgreSQL takes it.
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

log "initdb in $dir/data"
as_postgres "$BIN/initdb -D '$dir/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync" >&2 || \
  as_postgres "$BIN/initdb -D '$dir/data' -A trust -U postgres -E UTF8 --no-sync" >&2
# Tests create and drop many databases at once; fsync is pointless for a throwaway cluster.
log "starting on 127.0.0.1:$port"
as_postgres "$BIN/pg_ctl -D '$dir/data' -l '$dir/log' -w -t 60 \
  -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" >&2 || {
  log "PostgreSQL did not start; its log:"
  cat "$dir/log" >&2 || true
  exit 1
}

for _ in $(seq 1 100); do
  if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
    elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
    log "ready on 127.0.0.1:$port after ${elapsed} ms"
    echo "export BATON_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "export BATON_TEST_POSTGRES_DIR=$dir"
    echo "export BATON_TEST_POSTGRES_BIN=$BIN"
    exit 0
  fi
  sleep 0.1
done
log "PostgreSQL on port $port did not become ready; its log:"
cat "$dir/log" >&2 || true
exit 1
