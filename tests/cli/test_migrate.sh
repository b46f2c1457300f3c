#!/usr/bin/env bash
# test_migrate.sh KIJUN: upgrades from every earlier schema version, with data in it, on
# SQLite and (when KIJUN_TEST_PG_DSN is set) PostgreSQL.
#
# The data is the demo's: a database at the newest version made by `kijun init --demo`.
# For each version v below the newest, a new database is migrated only up to v
# (`kijun db migrate --to v`) and given the demo's rows of every table that migrations
# 0001..v create (only the columns the table has at v; a later migration's table is left
# out, and foreign keys only point to earlier tables, so the rows hold together). That is
# data the schema at v can hold, with an intact audit log. Then `kijun db migrate` brings
# it to the newest version, and kijun must read it as it reads the demo: `audit verify`
# passes, the organisation tree, the editions, the accounts, the campaigns and their
# results read the same as far as version v holds them, and a write works afterwards
# (the numbering of new rows goes on after the copied ones).
set -uo pipefail
K=$1
case $K in /*) ;; *) K=$PWD/$K ;; esac
SRC=${KIJUN_SOURCE_DIR:?}
T=$(mktemp -d /tmp/kijun-migrate.XXXXXX)
trap 'rm -rf "$T"' EXIT
unset KIJUN_DB KIJUN_SERVER KIJUN_TOKEN
export PGOPTIONS="-c client_min_messages=warning"
cd "$T"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

NEWEST=$(ls "$SRC"/migrations/[0-9][0-9][0-9][0-9]_*.sql | wc -l)
# tables_upto V: the tables migrations 0001..V create, in the order they are created, less
# those a later migration drops (the demo, made at the newest version, has none of their rows).
tables_upto() {
  local f n dropped
  dropped=$(cat "$SRC"/migrations/[0-9][0-9][0-9][0-9]_*.sql | grep -oE '^DROP TABLE [a-z_]+' | awk '{print $3}')
  for f in "$SRC"/migrations/[0-9][0-9][0-9][0-9]_*.sql; do
    n=$((10#$(basename "$f" | cut -c1-4)))
    [ "$n" -le "$1" ] && grep -oE '^CREATE TABLE [a-z_]+' "$f" | awk '{print $3}' | grep -vxF -e "${dropped:-^}"
  done
}
# reads DSN V TAG: what kijun shows of the data, for what version V holds.
reads() {
  local d=$1 v=$2 tag=$3
  "$K" --db "$d" org list --all --json >"$T/$tag.orgs" || bad "$tag org list"
  "$K" --db "$d" standard list --json >"$T/$tag.editions" || bad "$tag standard list"
  "$K" --db "$d" audit log --limit 100000 --json >"$T/$tag.log" || bad "$tag audit log"
  if [ "$v" -ge 2 ]; then "$K" --db "$d" user list --json >"$T/$tag.users" || bad "$tag user list"; fi
  if [ "$v" -ge 3 ]; then
    "$K" --db "$d" inspect list --json >"$T/$tag.campaigns" || bad "$tag inspect list"
    # Rows of equal standing (the weakest requirements, ties) come in no set order on
    # PostgreSQL: every list is compared sorted.
    "$K" --db "$d" inspect results GOV-FY2025 --json | jq -S 'walk(if type == "array" then sort_by(tostring) else . end)' >"$T/$tag.results" ||
      bad "$tag inspect results"
  fi
  if [ "$v" -ge 4 ]; then "$K" --db "$d" programme list --json >"$T/$tag.programmes" || bad "$tag programme list"; fi
}
compare() {
  local f
  for f in orgs editions log users campaigns results programmes; do
    [ -e "$T/demo.$f" ] && [ -e "$T/$1.$f" ] || continue
    if cmp -s "$T/demo.$f" "$T/$1.$f"; then ok; else bad "$1: $f reads differently after the upgrade"; diff "$T/demo.$f" "$T/$1.$f" | head -6 >&2; fi
  done
}

# ---- SQLite -------------------------------------------------------------------------------
sqlite_copy() {	# sqlite_copy TARGET_FILE V: the demo's rows of tables up to V into TARGET.
  local t cols sql="ATTACH '$T/demo.db' AS demo; BEGIN; DELETE FROM main.audit_head;"
  for t in $(tables_upto "$2"); do
    cols=$(sqlite3 "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t')")
    sql="$sql INSERT INTO main.$t ($cols) SELECT $cols FROM demo.$t;"
  done
  sqlite3 "$1" "$sql COMMIT;"
}

"$K" --db "sqlite:$T/demo.db" init --demo >/dev/null || bad "sqlite init --demo"
for v in $(seq 1 $((NEWEST - 1))); do
  L="sqlite v$v"
  rm -f "$T/demo".{orgs,editions,log,users,campaigns,results,programmes}
  reads "sqlite:$T/demo.db" "$v" demo
  D=sqlite:$T/v$v.db
  "$K" --db "$D" db migrate --to "$v" --json | jq -e ".version == $v" >/dev/null && ok || bad "$L migrate --to"
  "$K" --db "$D" org list >/dev/null 2>&1 && bad "$L: an old schema was used without migrating" || ok
  sqlite_copy "$T/v$v.db" "$v" || bad "$L copying the demo's rows"
  "$K" --db "$D" db migrate --json | jq -e ".version == $NEWEST and .applied == $((NEWEST - v))" >/dev/null && ok ||
    bad "$L migrate to the newest"
  "$K" --db "$D" audit verify >/dev/null && ok || bad "$L audit verify"
  reads "$D" "$v" "sqlite-v$v"
  compare "sqlite-v$v"
  "$K" --db "$D" org add --kind division --code MIG-NEW --parent MCO-BRD --name-ja 新課 --name-en "New division" >/dev/null &&
    ok || bad "$L a write after the upgrade"
  "$K" --db "$D" audit verify >/dev/null && ok || bad "$L audit verify after a write"
done
"$K" --db "sqlite:$T/v1.db" db migrate --to 1 >/dev/null 2>&1 && bad "migrate --to below the schema's version" || ok
"$K" --db "sqlite:$T/none.db" db migrate --to $((NEWEST + 1)) >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "migrate --to past the newest"

# ---- PostgreSQL ---------------------------------------------------------------------------
pg_copy() {	# pg_copy SCHEMA V: the demo's rows (schema mig_demo) of tables up to V into SCHEMA.
  local t cols sql="BEGIN; DELETE FROM $1.audit_head;"
  for t in $(tables_upto "$2"); do
    cols=$(psql "$KIJUN_TEST_PG_DSN" -XAtq -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
      FROM information_schema.columns WHERE table_schema = '$1' AND table_name = '$t'")
    sql="$sql INSERT INTO $1.$t ($cols) SELECT $cols FROM mig_demo.$t;"
    # An identity column goes on after the copied rows.
    if psql "$KIJUN_TEST_PG_DSN" -XAtq -c "SELECT 1 FROM information_schema.columns WHERE table_schema = '$1'
        AND table_name = '$t' AND column_name = 'id' AND is_identity = 'YES'" | grep -q 1; then
      sql="$sql SELECT setval(pg_get_serial_sequence('$1.$t', 'id'), COALESCE((SELECT MAX(id) FROM $1.$t), 0) + 1, false);"
    fi
  done
  psql "$KIJUN_TEST_PG_DSN" -XqA -v ON_ERROR_STOP=1 -c "$sql COMMIT;" >/dev/null
}

if [ -n "${KIJUN_TEST_PG_DSN:-}" ]; then
  pg() { psql "$KIJUN_TEST_PG_DSN" -Xq -v ON_ERROR_STOP=1 "$@" >/dev/null; }
  dsn() { printf '%s?options=-csearch_path%%3D%s' "$KIJUN_TEST_PG_DSN" "$1"; }
  pg -c "DROP SCHEMA IF EXISTS mig_demo CASCADE" -c "CREATE SCHEMA mig_demo"
  "$K" --db "$(dsn mig_demo)" init --demo >/dev/null || bad "postgresql init --demo"
  for v in $(seq 1 $((NEWEST - 1))); do
    L="postgresql v$v"
    rm -f "$T/demo".{orgs,editions,log,users,campaigns,results,programmes}
    reads "$(dsn mig_demo)" "$v" demo
    pg -c "DROP SCHEMA IF EXISTS mig_v$v CASCADE" -c "CREATE SCHEMA mig_v$v"
    D=$(dsn "mig_v$v")
    "$K" --db "$D" db migrate --to "$v" --json | jq -e ".version == $v" >/dev/null && ok || bad "$L migrate --to"
    pg_copy "mig_v$v" "$v" || bad "$L copying the demo's rows"
    "$K" --db "$D" db migrate --json | jq -e ".version == $NEWEST and .applied == $((NEWEST - v))" >/dev/null && ok ||
      bad "$L migrate to the newest"
    "$K" --db "$D" audit verify >/dev/null && ok || bad "$L audit verify"
    reads "$D" "$v" "pg-v$v"
    compare "pg-v$v"
    "$K" --db "$D" org add --kind division --code MIG-NEW --parent MCO-BRD --name-ja 新課 --name-en "New division" >/dev/null &&
      ok || bad "$L a write after the upgrade"
    "$K" --db "$D" audit verify >/dev/null && ok || bad "$L audit verify after a write"
    pg -c "DROP SCHEMA mig_v$v CASCADE"
  done
  pg -c "DROP SCHEMA IF EXISTS mig_demo CASCADE"
else
  [ -n "${CI:-}" ] && bad "KIJUN_TEST_PG_DSN is not set" || echo "test_migrate: no KIJUN_TEST_PG_DSN: PostgreSQL skipped" >&2
fi

echo "test_migrate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
