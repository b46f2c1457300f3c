#!/usr/bin/env bash
# test_backup.sh KIJUN: kijun db backup and restore, on SQLite and (when KIJUN_TEST_PG_DSN
# is set) PostgreSQL. The demo is served by `kijun serve` while a client adds
# organisations through it; the backup is taken meanwhile. The copy must be one snapshot
# (the organisations it holds are the first k acknowledged, no gaps), hold every one
# acknowledged before the backup began, pass `kijun audit verify`, and a server on the
# restored copy must answer as the command line does on it and as the source did for
# what the writes did not touch. Then the refusals: an existing file, a symbolic link, a
# target that holds tables, a file of the other backend; and on PostgreSQL that a
# password of the DSN reaches pg_dump in its environment, never on its command line.
set -uo pipefail
K=$1
case $K in /*) ;; *) K=$PWD/$K ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d /tmp/kijun-backup.XXXXXX)
SERVER_PID= WRITER_PID=
cleanup() {
  [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT
export PGOPTIONS="-c client_min_messages=warning"
unset KIJUN_DB KIJUN_SERVER KIJUN_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
cd "$T"
pass=0 fail=0
PW='correct horse battery staple'
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE LABEL -- CMD...: runs CMD, checks its exit code.
expect() {
  local want=$1 label=$2
  shift 3
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$label: exit $rc, expected $want"; sed 's/^/  | /' "$T/err" >&2; fi
}
has() { if grep -q -- "$2" "$1"; then ok; else bad "$3: no \"$2\" in: $(head -3 "$1")"; fi; }
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: differs"; diff "$2" "$3" | head -10 >&2; fi; }

# start_server DSN, stop_server.
. "$HERE/serve_lib.sh"

# writer: adds divisions BK-1..BK-N through the server, one at a time, and notes each
# code in acked once the server has said yes.
writer() {
  local i
  for i in $(seq 1 40); do
    KIJUN_TOKEN=$TOKEN "$K" --server "$URL" org add --kind division --code "BK-$i" --parent MCO-BRD \
      --name-ja "課$i" --name-en "Division $i" >/dev/null 2>>"$T/writer.err" && echo "BK-$i" >>"$T/acked"
  done
}

# reads DSN TAG: what the comparisons look at, from the command line on DSN.
reads() {
  "$K" --db "$1" org list --json | jq -r '.[].code' | sort >"$T/$2.orgs"
  # Rows of equal standing come in no set order on PostgreSQL: lists compared sorted.
  "$K" --db "$1" inspect results GOV-FY2025 --json | jq -S 'walk(if type == "array" then sort_by(tostring) else . end)' >"$T/$2.results"
  "$K" --db "$1" audit log --limit 100000 --json | jq -c '.[]' >"$T/$2.log"
}

# run_suite DSN RESTORE_DSN LABEL [SOURCE_AFTER]: with SOURCE_AFTER, move_aside runs before
# the restore and the source is read there afterwards (PostgreSQL: the schema renamed).
run_suite() {
  local DSN=$1 RDSN=$2 L=$3 SRC=${4:-$1} B=$T/$3.backup k n head
  "$K" --db "$DSN" init --demo >/dev/null || bad "$L init --demo"
  printf '%s\n' "$PW" | "$K" --db "$DSN" user add --name admin --org NCO --role centre_admin --password-stdin >/dev/null ||
    bad "$L user add"
  TOKEN=$("$K" --db "$DSN" token create --user admin --name backup-test | tail -1 | awk '{print $NF}')
  start_server "$DSN" || return
  : >"$T/acked"
  : >"$T/writer.err"
  writer &
  WRITER_PID=$!
  # Some writes acknowledged before the backup begins, more while it runs.
  for n in $(seq 300); do [ "$(wc -l <"$T/acked")" -ge 3 ] && break; sleep 0.1; done
  cp "$T/acked" "$T/acked-before"
  expect 0 "$L backup while serving and writing" -- "$K" --db "$DSN" db backup "$B"
  wait "$WRITER_PID"; WRITER_PID=
  stop_server
  [ "$(wc -l <"$T/acked")" -eq 40 ] && ok || bad "$L writer: $(wc -l <"$T/acked") of 40 acknowledged: $(head -3 "$T/writer.err")"
  [ "$(stat -c %a "$B")" = 600 ] && ok || bad "$L backup mode $(stat -c %a "$B"), expected 600"
  ls -a "$T" | grep -q '\.tmp' && bad "$L a temporary file was left" || ok

  [ -n "${4:-}" ] && move_aside
  expect 0 "$L restore into a fresh place" -- "$K" --db "$RDSN" db restore "$B"
  expect 0 "$L audit verify on the copy" -- "$K" --db "$RDSN" audit verify
  reads "$SRC" src
  reads "$RDSN" copy
  # One snapshot: the copy holds at least the writes acknowledged before the backup...
  k=$(grep -c '^BK-' "$T/copy.orgs")
  [ "$k" -ge "$(wc -l <"$T/acked-before")" ] && ok || bad "$L copy lacks writes acknowledged before the backup"
  # ... the first k of the writes that were made, in the order they were made.
  head -n "$k" "$T/acked" | sort >"$T/want-bk"
  grep '^BK-' "$T/copy.orgs" >"$T/got-bk"
  same "$L copy is one snapshot (the first $k writes)" "$T/want-bk" "$T/got-bk"
  grep -v '^BK-' "$T/src.orgs" >"$T/src.base"; grep -v '^BK-' "$T/copy.orgs" >"$T/copy.base"
  same "$L org list" "$T/src.base" "$T/copy.base"
  same "$L campaign results" "$T/src.results" "$T/copy.results"
  # The copy's audit log is the source's, up to the copy's head.
  head=$(head -1 "$T/copy.log" | jq .seq)
  jq -c --argjson h "$head" 'select(.seq <= $h)' "$T/src.log" >"$T/src.prefix"
  same "$L audit log up to the copy's head ($head)" "$T/src.prefix" "$T/copy.log"

  # A server on the copy answers as the command line reads the copy.
  start_server "$RDSN" || return
  KIJUN_TOKEN=$TOKEN "$K" --server "$URL" org list --json | jq -r '.[].code' | sort >"$T/api.orgs"
  KIJUN_TOKEN=$TOKEN "$K" --server "$URL" inspect results GOV-FY2025 --json |
    jq -S 'walk(if type == "array" then sort_by(tostring) else . end)' >"$T/api.results"
  KIJUN_TOKEN=$TOKEN "$K" --server "$URL" audit log --limit 20 --json | jq -c '.[]' >"$T/api.log"
  stop_server
  same "$L served org list" "$T/copy.orgs" "$T/api.orgs"
  same "$L served campaign results" "$T/copy.results" "$T/api.results"
  head -20 "$T/copy.log" >"$T/copy.log20"
  same "$L served audit log head" "$T/copy.log20" "$T/api.log"

  # Refusals.
  expect 1 "$L backup over an existing file" -- "$K" --db "$DSN" db backup "$B"
  has "$T/err" "exists" "$L existing file named"
  ln -s "$T/elsewhere" "$T/$L.link"
  expect 1 "$L backup onto a symbolic link" -- "$K" --db "$DSN" db backup "$T/$L.link"
  expect 0 "$L backup --force replaces the link" -- "$K" --db "$DSN" db backup "$T/$L.link" --force
  [ ! -e "$T/elsewhere" ] && [ ! -L "$T/$L.link" ] && ok || bad "$L the symbolic link was followed"
  expect 1 "$L restore into a database with tables" -- "$K" --db "$RDSN" db restore "$B"
  has "$T/err" "--force" "$L non-empty target named"
  expect 0 "$L restore --force" -- "$K" --db "$RDSN" db restore "$B" --force
  expect 0 "$L audit verify after restore --force" -- "$K" --db "$RDSN" audit verify
  expect 2 "$L backup without a file" -- "$K" --db "$DSN" db backup
}

mkdir -p "$T/restored"
run_suite "sqlite:$T/src.db" "sqlite:$T/restored/copy.db" sqlite
expect 0 "sqlite restore into a new directory's file" -- "$K" --db "sqlite:$T/restored/again.db" db restore "$T/sqlite.backup"
expect 1 "sqlite restore of a file that is no backup" -- "$K" --db "sqlite:$T/x.db" db restore "$T/acked"
has "$T/err" "not an SQLite backup" "not-a-backup named"

if [ -n "${KIJUN_TEST_PG_DSN:-}" ]; then
  psql "$KIJUN_TEST_PG_DSN" -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS backup_src CASCADE" \
    -c "DROP SCHEMA IF EXISTS backup_copy CASCADE" -c "CREATE SCHEMA backup_src" >/dev/null
  # pg_restore makes the archive's own schema, so the copy goes to a schema of the same
  # name: the source moves aside (renamed) just before the restore, and is read there.
  PGD="$KIJUN_TEST_PG_DSN?options=-csearch_path%3Dbackup_src"
  move_aside() { psql "$KIJUN_TEST_PG_DSN" -q -c "ALTER SCHEMA backup_src RENAME TO backup_copy" >/dev/null || bad "rename"; }
  run_suite "$PGD" "$PGD" postgresql "$KIJUN_TEST_PG_DSN?options=-csearch_path%3Dbackup_copy"
  expect 1 "postgresql restore of an SQLite backup" -- "$K" --db "$PGD" db restore "$T/sqlite.backup" --force
  has "$T/err" "not a pg_dump archive" "postgresql wrong backend named"
  expect 1 "sqlite restore of a PostgreSQL backup" -- "$K" --db "sqlite:$T/y.db" db restore "$T/postgresql.backup"
  expect 1 "postgresql restore into another schema" -- \
    "$K" --db "$KIJUN_TEST_PG_DSN?options=-csearch_path%3Dbackup_other" db restore "$T/postgresql.backup"
  has "$T/err" "holds the schema backup_src" "postgresql other schema named"
  # A password in the DSN goes to pg_dump as PGPASSWORD, never among its arguments (the
  # test cluster trusts, so any password is accepted). A pg_dump first on the PATH notes
  # what it was given, then runs the real one.
  case $KIJUN_TEST_PG_DSN in
    postgresql://*@*)
      REAL=$(command -v pg_dump)
      mkdir -p "$T/bin"
      printf '#!/bin/sh\nprintf "%%s\\n" "$*" >"%s/args"\nprintf "%%s" "$PGPASSWORD" >"%s/pw"\nexec "%s" "$@"\n' \
        "$T" "$T" "$REAL" >"$T/bin/pg_dump"
      chmod +x "$T/bin/pg_dump"
      SECRET=s3cret-pw-$$
      PWD_DSN=$(printf '%s' "$PGD" | sed -E "s#^postgresql://([^:@/]+)@#postgresql://\\1:$SECRET@#")
      expect 0 "postgresql backup with a password" -- env PATH="$T/bin:$PATH" "$K" --db "$PWD_DSN" db backup "$T/pw.backup"
      grep -q -- "$SECRET" "$T/args" && bad "the password was on pg_dump's command line" || ok
      [ "$(cat "$T/pw")" = "$SECRET" ] && ok || bad "pg_dump did not get the password as PGPASSWORD"
      grep -q -- "--no-owner" "$T/args" && grep -q -- "--schema=backup_src" "$T/args" && ok ||
        bad "pg_dump options: $(cat "$T/args" | sed "s/$SECRET/***/")"
      grep -q -- "$SECRET" "$T/out" "$T/err" && bad "the password was printed" || ok
      ;;
  esac
  psql "$KIJUN_TEST_PG_DSN" -q -c "DROP SCHEMA IF EXISTS backup_src CASCADE" -c "DROP SCHEMA IF EXISTS backup_copy CASCADE" >/dev/null
else
  [ -n "${CI:-}" ] && bad "KIJUN_TEST_PG_DSN is not set" || echo "test_backup: no KIJUN_TEST_PG_DSN: PostgreSQL skipped" >&2
fi

echo "test_backup: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
