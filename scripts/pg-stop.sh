#!/usr/bin/env bash
# pg-stop.sh DIR: stops the cluster pg-start.sh DIR started and removes DIR/pgdata.
# Quiet and successful when there is nothing to stop, so that it can run in any cleanup.
set -euo pipefail

say() { echo "pg-stop: $*" >&2; }

[ $# -eq 1 ] || { say "usage: pg-stop.sh DIR"; exit 1; }
DIR=$1
ENV=$DIR/pg.env

if [ ! -f "$ENV" ]; then
  say "no $ENV: nothing to stop"
  rm -rf "$DIR/pgdata"
  exit 0
fi

PGPORT="" PGDATA="" PGBIN="" PGOWNER=""
while IFS='=' read -r key value; do
  case "$key" in
    PGPORT) PGPORT=$value ;;
    PGDATA) PGDATA=$value ;;
    PGBIN) PGBIN=$value ;;
    PGOWNER) PGOWNER=$value ;;
  esac
done <"$ENV"
[ -n "$PGDATA" ] || { say "$ENV names no data directory"; exit 1; }
[ -n "$PGBIN" ] || PGBIN=$(dirname "$(command -v pg_ctl)")

rc=0
if [ -f "$PGDATA/postmaster.pid" ]; then
  if [ "$(id -u)" -eq 0 ] && [ "${PGOWNER:-postgres}" != root ]; then
    runuser -u "${PGOWNER:-postgres}" -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >&2 || rc=$?
  else
    "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >&2 || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    say "pg_ctl stop failed for $PGDATA (port ${PGPORT:-?}); leaving it in place"
    exit "$rc"
  fi
fi
rm -rf "$PGDATA"
rm -f "$ENV"
say "stopped${PGPORT:+ (port $PGPORT)}"
