#!/usr/bin/env bash
# test_cli.sh KIJUN: the command line end to end, as a user runs it: exit codes, messages,
# --json shapes scripts rely on, the demo, the NIST catalogue through OSCAL import and a
# schema-valid export, the diff, audit-log tampering, and the same on PostgreSQL.
set -uo pipefail
K=$1
SRC=${KIJUN_SOURCE_DIR:?}
SHARED=${KIJUN_SHARED_DATA:-${KIJUN_SHARED_DATA_DEFAULT:-$SRC/../shared/data}}
VALIDATE="node $SRC/tests/tools/validate-json.mjs"
T=$(mktemp -d /tmp/kijun-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE DESCRIPTION -- CMD...: runs CMD, checks its exit code; output in $T/out, $T/err
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/  | /' "$T/err" >&2; fi
}
has() { # has FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: \"$2\" not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -20 >&2; fi
}
jq_is() { # jq_is FILTER EXPECTED DESCRIPTION (on $T/out)
  local got
  got=$(jq -r "$1" "$T/out" 2>/dev/null)
  if [ "$got" = "$2" ]; then ok; else bad "$3: $1 = \"$got\", expected \"$2\""; fi
}

run_suite() { # run_suite DSN LABEL
  local D=$1 L=$2
  export KIJUN_DB=$D

  # Usage errors exit 2; failures exit 1.
  expect 2 "$L no command" -- "$K"
  expect 2 "$L unknown command" -- "$K" frobnicate
  expect 2 "$L unknown option" -- "$K" org list --colour
  has "$T/err" 'unknown option "--colour"' "$L unknown option message"
  expect 0 "$L help" -- "$K" help standard
  has "$T/out" "kijun standard diff OLD NEW" "$L help text"

  expect 1 "$L before init" -- "$K" org list
  has "$T/err" 'kijun db migrate' "$L schema hint"
  expect 0 "$L db status empty" -- "$K" db status --json
  jq_is '.pending == (.migrations | length) and .pending > 0' true "$L every migration pending"
  expect 0 "$L init --demo" -- "$K" init --demo
  has "$T/out" "organisations" "$L init output"
  expect 1 "$L init --demo twice" -- "$K" init --demo
  has "$T/err" "already holds data" "$L second demo refused"
  expect 0 "$L db migrate again" -- "$K" db migrate --json
  jq_is '.applied' 0 "$L nothing left to migrate"

  # Organisations.
  expect 0 "$L org list --json" -- "$K" org list --json
  jq_is '[.[] | select(.kind == "ministry")] | length >= 12' true "$L at least 12 ministries"
  jq_is '[.[] | select(.kind == "agency" or .kind == "corporation")] | length >= 20' true "$L at least 20 agencies"
  jq_is '[.[] | select(.supervisor != null and .parent != null)] | length' 0 "$L supervisor apart from parent"
  expect 0 "$L org add" -- "$K" org add --kind ministry --code MA --name-ja 省A --name-en "Ministry A"
  expect 0 "$L org add bureau" -- "$K" org add --kind bureau --code MA-B --name-ja 局 --name-en Bureau --parent MA
  expect 0 "$L org add agency" -- "$K" org add --kind agency --code MA-AG --name-ja 機構 --name-en Agency --supervisor MA --json
  jq_is '.supervisor' MA "$L agency supervisor"
  expect 1 "$L duplicate code" -- "$K" org add --kind ministry --code MA --name-ja x --name-en x
  has "$T/err" 'kijun org add: code: an organisation with code "MA" already exists' "$L duplicate message"
  expect 2 "$L missing name" -- "$K" org add --kind ministry --code MZ
  expect 1 "$L unknown parent" -- "$K" org add --kind bureau --code MZ-B --name-ja x --name-en x --parent NOPE
  has "$T/err" 'parent: no organisation in existence with code "NOPE"' "$L unknown parent message"
  expect 1 "$L move into own subtree" -- "$K" org move MA --parent MA-B --date 2030-01-01
  expect 1 "$L a ministry has no parent" -- "$K" org move MA-B --parent "" --date 2030-01-01
  expect 0 "$L rename" -- "$K" org rename MA-B --name-en "Renamed bureau" --date 2030-04-01
  expect 0 "$L show" -- "$K" org show MA-B --json
  jq_is '.name_en' "Renamed bureau" "$L renamed"
  jq_is '.history[0].name_en' "Bureau" "$L history kept"
  jq_is '.path' "MA > MA-B" "$L path"
  expect 0 "$L list subtree" -- "$K" org list MA --json
  jq_is '[.[].code] | join(",")' "MA,MA-B,MA-AG" "$L subtree with supervised agency"
  expect 0 "$L old centre" -- "$K" org show NISC --json
  jq_is '.successor' NCO "$L centre reorganised in 2025"
  expect 0 "$L abolish" -- "$K" org abolish MA-AG --date 2031-01-01
  expect 0 "$L list without abolished" -- "$K" org list MA --json
  jq_is 'length' 2 "$L abolished hidden"

  # The standard.
  expect 0 "$L standard list --json" -- "$K" standard list --json
  jq_is 'map(.id) | join(",")' "demo-fy2023,demo-fy2025" "$L demo editions"
  jq_is '.[1].supersedes' demo-fy2023 "$L supersedes"
  expect 0 "$L show item" -- "$K" standard show demo-fy2025 2.1.1 --json
  jq_is '.items[0].number' 2.1.1 "$L show subtree root"
  expect 1 "$L show missing" -- "$K" standard show demo-fy2025 9.9.9
  expect 1 "$L show missing edition" -- "$K" standard show no-such
  has "$T/err" 'no edition "no-such"' "$L missing edition message"

  expect 0 "$L diff" -- "$K" standard diff demo-fy2023 demo-fy2025 --json
  for k in changed renumbered split merged added removed; do
    jq_is "[.changes[] | select(.change == \"$k\")] | length > 0" true "$L diff shows $k"
  done
  jq_is '.table' true "$L diff used the table"
  expect 0 "$L diff text" -- "$K" standard diff demo-fy2023 demo-fy2025
  has "$T/out" "split      7.1.4(1)(a) -> 7.1.4(1)(a), 7.1.4(1)(b), 7.1.4(1)(c)" "$L diff text split"
  expect 0 "$L diff without table" -- "$K" standard diff demo-fy2023 demo-fy2025 --no-table --json
  jq_is '.table' false "$L fallback"

  # Export and import again under another id: the same items.
  expect 0 "$L export kijun" -- "$K" standard export --format kijun demo-fy2025 --output "$T/fy25.json"
  expect 0 "$L schema of kijun JSON" -- $VALIDATE "$SRC/docs/schema/kijun-catalog.schema.json" "$T/fy25.json"
  expect 0 "$L reimport" -- "$K" standard import "$T/fy25.json" --id demo-copy --json
  jq_is '.items' 477 "$L reimported items"
  expect 0 "$L export oscal" -- "$K" standard export --format oscal demo-fy2025 --output "$T/fy25-oscal.json"
  expect 0 "$L demo OSCAL schema-valid" -- $VALIDATE "$SHARED/oscal/schema-1.0.6/oscal_catalog_schema.json" "$T/fy25-oscal.json"

  # Bad input: the message says where, and nothing is stored.
  printf '{"format": "kijun-catalog",\n "version": 1,\n "edition": {"id": "x", }\n}\n' > "$T/broken.json"
  expect 1 "$L malformed" -- "$K" standard import "$T/broken.json"
  has "$T/err" "broken.json:3:" "$L malformed names line"
  expect 1 "$L wrong OSCAL model" -- "$K" standard import "$SHARED/oscal/examples/ifa_assessment-results-example.json"
  has "$T/err" "OSCAL assessment-results, not a catalog" "$L wrong model message"
  expect 1 "$L missing file" -- "$K" standard import "$T/nope.json"
  expect 0 "$L nothing stored" -- "$K" standard list --json
  jq_is 'length' 3 "$L editions unchanged"

  # NIST SP 800-53 rev5 through OSCAL: import whole, export schema-valid, baselines.
  local N=$SHARED/oscal/nist-800-53-rev5
  if [ -d "$N" ]; then
    expect 0 "$L import NIST" -- "$K" standard import "$N/NIST_SP-800-53_rev5_catalog.json" --id nist --json
    jq_is '.items' 1209 "$L NIST items"
    expect 0 "$L export NIST" -- "$K" standard export --format oscal nist --output "$T/nist.json"
    expect 0 "$L NIST schema-valid" -- $VALIDATE "$SHARED/oscal/schema-1.0.6/oscal_catalog_schema.json" "$T/nist.json"
    if [ "$(jq -S '.catalog.groups' "$N/NIST_SP-800-53_rev5_catalog.json" | md5sum)" = "$(jq -S '.catalog.groups' "$T/nist.json" | md5sum)" ]; then ok; else bad "$L NIST groups differ after round trip"; fi
    expect 0 "$L LOW baseline" -- "$K" standard import "$N/NIST_SP-800-53_rev5_LOW-baseline_profile.json" --catalog nist --id low --json
    expect 0 "$L LOW list" -- "$K" standard list --json
    jq_is '.[] | select(.id == "low") | .requirements' 149 "$L LOW controls"
    expect 0 "$L LOW export" -- "$K" standard export --format oscal low --output "$T/low.json"
    expect 0 "$L LOW schema-valid" -- $VALIDATE "$SHARED/oscal/schema-1.0.6/oscal_catalog_schema.json" "$T/low.json"
  fi

  expect 0 "$L audit verify" -- "$K" audit verify
  has "$T/out" "audit log intact" "$L audit intact"
}

# SQLite, with tampering through the sqlite3 command line.
run_suite "sqlite:$T/cli.db" sqlite
sqlite3 "$T/cli.db" "UPDATE audit_log SET op = 'org.delete' WHERE seq = 5"
expect 1 "tampered log" -- "$K" --db "sqlite:$T/cli.db" audit verify
has "$T/err" "record 5" "tampered record named"

# PostgreSQL, in a schema of its own.
if [ -n "${KIJUN_TEST_PG_DSN:-}" ]; then
  psql "$KIJUN_TEST_PG_DSN" -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS cli CASCADE" -c "CREATE SCHEMA cli" >/dev/null
  run_suite "${KIJUN_TEST_PG_DSN}?options=-csearch_path%3Dcli" postgresql
  psql "$KIJUN_TEST_PG_DSN" -q -c "UPDATE cli.audit_log SET actor = 'x' WHERE seq = 7" >/dev/null
  expect 1 "pg tampered log" -- "$K" --db "${KIJUN_TEST_PG_DSN}?options=-csearch_path%3Dcli" audit verify
  has "$T/err" "record 7" "pg tampered record named"
elif [ "${KIJUN_REQUIRE_PG:-0}" = 1 ]; then
  bad "KIJUN_TEST_PG_DSN is not set"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
