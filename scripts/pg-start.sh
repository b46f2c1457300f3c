#!/usr/bin/env bash
# pg-start.sh DIR: starts a throw-away PostgreSQL cluster in DIR/pgdata for tests.
#
# Listens on 127.0.0.1 at the first free port of 55432..55452 (and on a unix socket in the
# data directory), with durability off (fsync, synchronous_commit, full_page_writes): the
# data is meant to die with the run. Creates the role kijun (LOGIN) and the database
# kijun_test it owns; authentication is "trust".
#
# Prints one line on stdout, the DSN: postgresql://kijun@127.0.0.1:PORT/kijun_test.
# Everything else goes to stderr. Writes DIR/pg.env for pg-stop.sh DIR, which stops the
# cluster and removes DIR/pgdata. As root the server runs as the postgres user (initdb and
# postgres refuse root); otherwise as the calling user.
set -euo pipefail

say() { echo "pg-start: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 1 ] || die "usage: pg-start.sh DIR"
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
PGDATA="$DIR/pgdata"

PGBIN=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
    PGBIN=$d
    break
  fi
done
if [ -z "$PGBIN" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  PGBIN=$(dirname "$(command -v initdb)")
fi
[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (install the Debian package postgresql, e.g. apt-get install postgresql)"
PSQL=$PGBIN/psql
[ -x "$PSQL" ] || PSQL=$(command -v psql) \
  || die "psql not found (install the Debian package postgresql-client)"

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "user postgres not found (install the Debian package postgresql, which creates it)"
  command -v runuser >/dev/null 2>&1 || die "runuser not found (install the Debian package util-linux)"
  as_pg() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_pg() { "$@"; }
  OWNER=$(id -un)
fi

if [ -e "$PGDATA/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  die "a cluster is already running in $PGDATA (stop it with pg-stop.sh $DIR)"
fi
rm -rf "$PGDATA"
mkdir -p "$PGDATA"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGDATA"
  # The postgres user must reach the data directory through DIR. DIR is ours to open;
  # its parents are not ours to change.
  runuser -u postgres -- test -x "$DIR" || chmod o+x "$DIR"
  runuser -u postgres -- test -x "$PGDATA" \
    || die "the postgres user cannot reach $PGDATA (a parent directory is closed to it; use a directory under /tmp)"
fi
chmod 700 "$PGDATA"

say "initdb in $PGDATA"
if ! as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1; then
  cat "$DIR/initdb.log" >&2
  die "initdb failed (log: $DIR/initdb.log)"
fi

# The server log lives beside, not in, the data directory, so that it survives a failure
# to start for reading.
LOG=$DIR/server.log
: >"$LOG"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$LOG"

port_busy() {
  # A port is taken when something listens on it (ss when there, else bash's /dev/tcp).
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

PORT=""
for p in $(seq 55432 55452); do
  port_busy "$p" && continue
  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $p -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >&2; then
    PORT=$p
    break
  fi
  say "could not start on port $p; trying the next"
done
if [ -z "$PORT" ]; then
  tail -n 20 "$LOG" >&2 || true
  rm -rf "$PGDATA"
  die "PostgreSQL could not be started on any port of 55432..55452 (log: $LOG)"
fi

cat >"$DIR/pg.env" <<EOF
PGPORT=$PORT
PGDATA=$PGDATA
PGBIN=$PGBIN
PGOWNER=$OWNER
EOF

fail_stop() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2 || true
  rm -rf "$PGDATA"
  die "$*"
}

"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 30 2>/dev/null \
  || fail_stop "PostgreSQL started but does not answer on 127.0.0.1:$PORT (log: $LOG)"
# Separate -c flags: psql runs a single -c "A; B" as one transaction, and CREATE DATABASE
# refuses to run in one.
"$PSQL" -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "CREATE ROLE kijun LOGIN" -c "CREATE DATABASE kijun_test OWNER kijun" >&2 \
  || fail_stop "could not create role kijun and database kijun_test"

say "running on 127.0.0.1:$PORT, data in $PGDATA"
echo "postgresql://kijun@127.0.0.1:$PORT/kijun_test"
