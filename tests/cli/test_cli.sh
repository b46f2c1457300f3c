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

  # Improvement plans as an OSCAL POA&M: schema-valid whether the demo holds plans or not.
  expect 0 "$L plan export" -- "$K" plan export --format oscal
  jq_is '.["plan-of-action-and-milestones"].metadata["oscal-version"]' 1.0.6 "$L POA&M version"
  jq_is '.["plan-of-action-and-milestones"]["poam-items"] | length > 0' true "$L POA&M items"
  jq_is '[.["plan-of-action-and-milestones"]["poam-items"][] | select(.props) | .props | map(.name) | (index("plan") != null and index("due-date") != null)] | all' true "$L POA&M item props"
  expect 0 "$L plan export --out" -- "$K" plan export --org MHA --out "$T/poam.json"
  expect 0 "$L POA&M schema-valid" -- $VALIDATE "$SHARED/oscal/schema-1.0.6/oscal_poam_schema.json" "$T/poam.json"
  expect 2 "$L plan export --format xml" -- "$K" plan export --format xml
  has "$T/err" "--format: expected oscal" "$L plan export format message"
  expect 2 "$L plan no subcommand" -- "$K" plan
  expect 1 "$L plan export unknown org" -- "$K" plan export --org NOPE

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

  audits "$L"
  plans "$L"
  evaluation "$L"

  expect 0 "$L audit verify" -- "$K" audit verify
  has "$T/out" "audit log intact" "$L audit intact"
}

# audits LABEL: programme -> engagement -> team -> scope -> status -> findings -> sign-off on
# the demo, as the local administrator, with the refusals on the way.
audits() {
  local L="$1 audits" E=NCO-FY2026-MA-MER
  local ENG=(--programme NCO-FY2026-MA --org MER --edition demo-fy2025 --title-ja 外交省監査 --title-en "Audit of MER")
  expect 0 "$L help programme" -- "$K" help programme
  has "$T/out" "kijun programme add CODE --org ORG --fy YEAR" "$L programme help"
  expect 0 "$L help engagement" -- "$K" help engagement
  has "$T/out" "kijun engagement sign-off CODE" "$L engagement help"
  expect 0 "$L help finding" -- "$K" help finding
  has "$T/out" "kijun finding list ENGAGEMENT" "$L finding help"
  expect 0 "$L usage lists them" -- "$K" help
  has "$T/out" "engagement " "$L engagement in the usage"

  # Programmes.
  expect 0 "$L programme list --json" -- "$K" programme list --json
  jq_is 'length' 8 "$L demo programmes"
  jq_is '[.[] | select(.fiscal_year == 2025)] | length' 4 "$L demo FY2025 programmes"
  expect 0 "$L programme add" -- "$K" programme add NCO-FY2026-MA --org NCO --fy 2026 --kind management_audit \
    --title-ja 令和8年度マネジメント監査 --title-en "FY2026 management audits" --json
  jq_is '.code + " " + .org + " " + (.fiscal_year | tostring) + " " + .kind' "NCO-FY2026-MA NCO 2026 management_audit" "$L programme added"
  jq_is '.id | test("^[0-9a-f-]{36}$")' true "$L programme id"
  expect 1 "$L programme twice" -- "$K" programme add NCO-FY2026-MA --org NCO --fy 2026 --kind management_audit --title-ja x --title-en x
  has "$T/err" 'kijun programme add: code: an audit programme "NCO-FY2026-MA" already exists' "$L programme twice message"
  expect 1 "$L internal audit of the centre" -- "$K" programme add NCO-FY2026-IA --org NCO --fy 2026 --kind internal_audit --title-ja x --title-en x
  has "$T/err" "kind: internal_audit is an organisation's programme" "$L wrong kind message"
  expect 2 "$L programme without --fy" -- "$K" programme add X --org NCO --kind management_audit --title-ja x --title-en x
  has "$T/err" "(see kijun help programme)" "$L programme usage hint"
  expect 2 "$L programme bad --fy" -- "$K" programme add X --org NCO --fy soon --kind management_audit --title-ja x --title-en x
  has "$T/err" "--fy: expected a fiscal year" "$L bad fy message"
  expect 2 "$L programme list bad --fy" -- "$K" programme list --fy 20x5
  expect 2 "$L programme no subcommand" -- "$K" programme
  expect 2 "$L programme unknown subcommand" -- "$K" programme frob
  expect 1 "$L programme list unknown org" -- "$K" programme list --org NOPE
  expect 0 "$L programme list --fy" -- "$K" programme list --fy 2026 --json
  jq_is '[.[].code] | join(",")' NCO-FY2026-MA "$L programme list by year"
  expect 0 "$L programme list --org text" -- "$K" programme list --org MHA
  has "$T/out" "MHA-FY2025-IA        MHA        2025  internal_audit" "$L programme table"

  # An engagement.
  expect 0 "$L engagement add" -- "$K" engagement add "$E" "${ENG[@]}" --from 2026-06-01 --to 2026-09-30 --json
  jq_is '.status + " " + .org + " " + .edition + " " + .policy' "draft MER demo-fy2025 STD" "$L engagement added"
  jq_is '(.team | length) + (.requirements | length)' 0 "$L no team nor scope yet"
  expect 1 "$L engagement twice" -- "$K" engagement add "$E" "${ENG[@]}" --from 2026-06-01 --to 2026-09-30
  has "$T/err" "already exists" "$L engagement twice message"
  expect 1 "$L engagement outside the year" -- "$K" engagement add NCO-FY2026-MA-X "${ENG[@]}" --from 2027-06-01 --to 2027-09-30
  has "$T/err" "is not within fiscal year 2026 of programme NCO-FY2026-MA" "$L fiscal year message"
  expect 1 "$L engagement of an unknown programme" -- "$K" engagement add X --programme NOPE --org MER --edition demo-fy2025 \
    --title-ja x --title-en x --from 2026-06-01 --to 2026-09-30
  has "$T/err" 'programme: no audit programme "NOPE"' "$L unknown programme message"
  expect 2 "$L engagement without dates" -- "$K" engagement add X "${ENG[@]}"
  expect 2 "$L engagement without code" -- "$K" engagement add "${ENG[@]}" --from 2026-06-01 --to 2026-09-30

  # The team: independence, one lead.
  expect 1 "$L member of the audited ministry" -- "$K" engagement member "$E" mer-chief --role member
  has "$T/err" "kijun engagement member: user: mer-chief belongs to MER, which engagement $E audits (MER); an auditor must be independent" "$L independence message"
  expect 1 "$L member of a unit below" -- "$K" engagement member "$E" mer-officer --role member
  has "$T/err" "must be independent of the audited organisation and its units" "$L independence of units"
  expect 2 "$L member without --role" -- "$K" engagement member "$E" analyst2
  expect 2 "$L member without user" -- "$K" engagement member "$E" --role lead
  expect 1 "$L member bad role" -- "$K" engagement member "$E" analyst2 --role boss
  has "$T/err" "role: expected lead or member" "$L bad role message"
  expect 1 "$L member unknown user" -- "$K" engagement member "$E" nobody --role member
  expect 0 "$L lead" -- "$K" engagement member "$E" analyst2 --role lead --json
  jq_is '.engagement + " " + .user + " " + .role' "$E analyst2 lead" "$L lead JSON"
  expect 1 "$L second lead" -- "$K" engagement member "$E" analyst3 --role lead
  has "$T/err" "has a lead auditor already (analyst2)" "$L one lead"
  expect 0 "$L member" -- "$K" engagement member "$E" analyst3 --role member
  has "$T/out" "analyst3 is a member of the team of engagement $E" "$L member text"

  # Scope and status.
  expect 1 "$L fieldwork without scope" -- "$K" engagement status "$E" fieldwork
  has "$T/err" "fieldwork needs them" "$L fieldwork needs a scope"
  expect 2 "$L scope without requirements" -- "$K" engagement scope "$E" --units MER-CON
  expect 1 "$L scope with a heading" -- "$K" engagement scope "$E" --requirements '2.1.2(2)(a),2.1'
  has "$T/err" 'requirements[1]: "2.1" is not a requirement' "$L scope names the bad one"
  expect 1 "$L scope with a foreign unit" -- "$K" engagement scope "$E" --requirements '2.1.2(2)(a)' --units MCO-BRD
  has "$T/err" "units[0]: MCO-BRD is not a unit of MER" "$L foreign unit message"
  expect 0 "$L scope" -- "$K" engagement scope "$E" --requirements '2.1.2(2)(a),2.2.3(2)(a),7.1.3(1)(a)' --units MER-CON --json
  jq_is '(.requirements | join(",")) + " " + (.units | join(","))' "2.1.2(2)(a),2.2.3(2)(a),7.1.3(1)(a) MER-CON" "$L scope JSON"
  expect 1 "$L skip to reporting" -- "$K" engagement status "$E" reporting
  has "$T/err" "one step at a time" "$L one step message"
  expect 2 "$L status without status" -- "$K" engagement status "$E"
  expect 0 "$L fieldwork" -- "$K" engagement status "$E" fieldwork
  has "$T/out" "$E is fieldwork" "$L fieldwork text"

  # Findings.
  expect 0 "$L finding" -- "$K" finding add "$E" --requirement '7.1.3(1)(a)' --category finding --severity high --urgent \
    --title "管理者アカウントの共用 / Shared administrator accounts" --text "3台のサーバで共用 / Shared on three servers" --json
  jq_is '[.requirement, .category, .severity, .urgent, .created_by] | map(tostring) | join(" ")' "7.1.3(1)(a) finding high true null" "$L finding JSON"
  expect 0 "$L advice" -- "$K" finding add "$E" --requirement '2.1.2(2)(a)' --category advice --title "Targets" --text "Give the plan targets"
  has "$T/out" "added advice on 2.1.2(2)(a): Targets" "$L advice text"
  expect 1 "$L finding without severity" -- "$K" finding add "$E" --requirement '2.1.2(2)(a)' --category finding --title x --text x
  has "$T/err" "severity: required for a finding" "$L severity message"
  expect 1 "$L urgent advice" -- "$K" finding add "$E" --requirement '2.1.2(2)(a)' --category advice --urgent --title x --text x
  expect 1 "$L finding out of scope" -- "$K" finding add "$E" --requirement '8.1.1(2)(b)' --category advice --title x --text x
  has "$T/err" "is not in the scope of engagement $E" "$L scope message"
  expect 2 "$L finding without text" -- "$K" finding add "$E" --requirement '2.1.2(2)(a)' --category advice --title x
  expect 2 "$L finding list without engagement" -- "$K" finding list
  expect 1 "$L scope dropping a finding" -- "$K" engagement scope "$E" --requirements '2.1.2(2)(a)'
  has "$T/err" "7.1.3(1)(a) has findings in engagement $E and must stay in its scope" "$L findings stay in scope"
  expect 0 "$L finding list" -- "$K" finding list "$E" --json
  jq_is '[.items[] | .category + ":" + .requirement] | join(",")' "finding:7.1.3(1)(a),advice:2.1.2(2)(a)" "$L findings JSON"
  expect 0 "$L finding list text" -- "$K" finding list "$E"
  has "$T/out" "7.1.3(1)(a)      finding       high     yes    管理者アカウントの共用 / Shared administrator accounts" "$L findings table"

  # Working papers: filed until sign-off, read back by the planners.
  printf '聴取記録 / interview notes\n' > "$T/notes.txt"
  expect 0 "$L paper" -- "$K" engagement paper "$E" "$T/notes.txt" --json
  jq_is '.name + " " + .engagement' "notes.txt $E" "$L paper named by its file"
  expect 0 "$L paper named" -- "$K" engagement paper "$E" "$T/notes.txt" --name "面談記録"
  has "$T/out" "filed working paper 面談記録" "$L paper text"
  printf '\x00\x01\xfe' > "$T/bin.dat"
  expect 1 "$L paper of an unknown kind" -- "$K" engagement paper "$E" "$T/bin.dat"
  has "$T/err" "not a PDF, PNG, JPEG or UTF-8 text file" "$L paper kind message"
  expect 1 "$L paper missing file" -- "$K" engagement paper "$E" "$T/no-such-file"
  expect 2 "$L paper without file" -- "$K" engagement paper "$E"
  expect 0 "$L papers" -- "$K" engagement papers "$E" --json
  jq_is '[.items[] | .name + ":" + (.size | tostring)] | join(",")' "notes.txt:31,面談記録:31" "$L papers JSON"
  expect 0 "$L draft report" -- "$K" engagement report "$E" --json
  jq_is '[.final, .summary.findings, .summary.by_severity.high, .summary.by_category.advice] | map(tostring) | join(" ")' "false 1 1 1" "$L draft report JSON"
  expect 0 "$L report of a signed-off demo audit" -- "$K" engagement report NCO-FY2024-MA-MJA
  has "$T/out" "Audit report: 司法行政省 マネジメント監査" "$L report title"
  has "$T/out" "findings 3 (critical 1, high 1, medium 1, low 0; urgent 1), advice 1, good practice 1" "$L report counts"
  expect 1 "$L paper after sign-off" -- "$K" engagement paper NCO-FY2024-MA-MJA "$T/notes.txt"
  has "$T/err" "is signed off" "$L paper after sign-off message"

  # Reporting, and sign-off: the lead auditor's alone, so not the local administrator's.
  expect 0 "$L reporting" -- "$K" engagement status "$E" reporting --json
  jq_is '.code + " " + .status' "$E reporting" "$L reporting JSON"
  expect 1 "$L scope in reporting" -- "$K" engagement scope "$E" --requirements '2.1.2(2)(a),7.1.3(1)(a)'
  expect 1 "$L sign-off by the local administrator" -- "$K" engagement sign-off "$E"
  has "$T/err" "kijun engagement sign-off: only the lead auditor of engagement $E (analyst2) signs it off" "$L sign-off rule named"
  expect 1 "$L signed_off through status" -- "$K" engagement status "$E" signed_off
  has "$T/err" "only the lead auditor" "$L status signed_off is sign-off"
  expect 2 "$L sign-off without code" -- "$K" engagement sign-off
  expect 0 "$L show" -- "$K" engagement show "$E" --json
  jq_is '.status + " " + ([.team[] | .user + ":" + .role] | join(","))' "reporting analyst2:lead,analyst3:member" "$L show JSON"
  jq_is '.signed_off_by' null "$L not signed off"
  expect 0 "$L show text" -- "$K" engagement show "$E"
  has "$T/out" "programme NCO-FY2026-MA (management_audit, fiscal year 2026) audits MER against demo-fy2025 and policy STD" "$L show text criteria"
  has "$T/out" "  lead    analyst2         NCO" "$L show text team"
  has "$T/out" "units: MER-CON" "$L show text units"
  expect 1 "$L show unknown" -- "$K" engagement show NOPE
  has "$T/err" 'engagement: no audit engagement "NOPE"' "$L unknown engagement message"
  expect 0 "$L a signed-off demo engagement" -- "$K" engagement show NCO-FY2024-MA-MPF --json
  jq_is '.status + " " + .signed_off_by' "signed_off analyst" "$L demo signed off by its lead"
  expect 0 "$L its findings" -- "$K" finding list NCO-FY2024-MA-MPF --json
  jq_is '.items | length > 0' true "$L demo findings"
  expect 0 "$L engagement list" -- "$K" engagement list --json
  jq_is 'length' 13 "$L demo engagements and the new one"
  jq_is '[.[] | select(.code == "'"$E"'") | .lead + " " + .status] | .[0]' "analyst2 reporting" "$L list shows lead and status"
  expect 0 "$L engagement list --programme" -- "$K" engagement list --programme NCO-FY2026-MA
  has "$T/out" "$E      NCO-FY2026-MA    MER        reporting  2026-06-01 2026-09-30 analyst2     Audit of MER" "$L engagement table"
  expect 2 "$L engagement list takes no argument" -- "$K" engagement list NCO-FY2026-MA
  expect 2 "$L engagement unknown option" -- "$K" engagement show "$E" --colour
  expect 0 "$L audit log has the walk" -- "$K" audit log --entity audit_engagement --limit 1 --json
  jq_is '.[0].op' audit_engagement.status "$L last engagement change logged"
}

# plans LABEL: recommendations and improvement plans on the demo (MJA's plan has an overdue
# measure), then a direct plan for a finding of MHA's internal audit, as the local administrator.
plans() {
  local L="$1 plans" P=MJA-PLAN-FY2024 F
  expect 0 "$L help plan" -- "$K" help plan
  has "$T/out" "kijun plan measure CODE --text T --owner USER --due DATE" "$L plan help"
  expect 0 "$L help recommendation" -- "$K" help recommendation
  has "$T/out" "kijun recommendation status CODE accepted|closed|withdrawn" "$L recommendation help"
  expect 0 "$L recommendation list" -- "$K" recommendation list --json
  jq_is '[.[].code] | join(",")' "NCO-FY2024-REC-MHS,NCO-FY2024-REC-MJA,NCO-FY2024-REC-MPF" "$L demo recommendations"
  jq_is '[.[].authority] | unique | join(",")' issuer "$L the demo's recommendations are the centre's own"
  jq_is '[.[] | select(.code == "NCO-FY2024-REC-MJA") | .issuer + " " + .org + " " + .plan] | .[0]' "NCO MJA $P" "$L recommendation's plan"
  expect 0 "$L recommendation list --org text" -- "$K" recommendation list --org MJA --issuer NCO
  has "$T/out" "NCO-FY2024-REC-MJA       NCO        MJA" "$L recommendation table"
  expect 2 "$L recommendation list takes no argument" -- "$K" recommendation list MJA
  expect 2 "$L recommendation bad status" -- "$K" recommendation status NCO-FY2024-REC-MJA maybe
  expect 2 "$L recommendation add without --due" -- "$K" recommendation add X --org MJA --issuer NCO --findings a --text t
  # The council's recommendation, issued through the centre; a ministry may not carry it.
  expect 0 "$L findings of MIT" -- "$K" finding list NCO-FY2024-PT-MCO --json
  F=$(jq -r '[.items[] | select(.category == "finding")][0].id' "$T/out")
  expect 0 "$L council recommendation" -- "$K" recommendation add COUNCIL-MCO --org MCO --issuer NCO --findings "$F" \
    --text "本部勧告 / The council's recommendation" --due 2099-03-31 --council
  has "$T/out" "issued recommendation COUNCIL-MCO from NCO for the council to MCO" "$L council recommendation text"
  expect 0 "$L council recommendation listed" -- "$K" recommendation list --org MCO --json
  jq_is '.[0].authority' council "$L council authority kept"
  expect 0 "$L plan list" -- "$K" plan list --json
  jq_is '[.[].code] | index("MJA-PLAN-FY2024") != null' true "$L plan list has MJA's plan"
  expect 0 "$L plan list --status" -- "$K" plan list --status verified --json
  jq_is '[.[].status] | unique | join(",")' verified "$L plan list by status"
  expect 0 "$L plan show" -- "$K" plan show "$P" --json
  jq_is '.status + " " + .recommendation + " " + .reviewer' "in_progress NCO-FY2024-REC-MJA NCO" "$L plan JSON"
  jq_is '[.measures[] | select(.overdue) | .n] | map(tostring) | join(",")' 2 "$L overdue measure in the plan"
  expect 0 "$L plan show text" -- "$K" plan show "$P"
  has "$T/out" "$P  plan of MJA, in_progress" "$L plan text"
  has "$T/out" "(overdue)" "$L plan text marks the overdue measure"
  expect 0 "$L overdue" -- "$K" plan overdue --json
  jq_is '[.items[] | .plan + ":" + (.n | tostring) + ":" + .owner] | join(",")' "$P:2:mja-staff" "$L overdue JSON"
  expect 0 "$L overdue --org text" -- "$K" plan overdue --org MJA
  has "$T/out" "$P      MJA          2" "$L overdue table"
  expect 0 "$L overdue elsewhere" -- "$K" plan overdue --org MPF --json
  jq_is '.items | length' 0 "$L nothing overdue at MPF"
  expect 1 "$L show unknown plan" -- "$K" plan show NOPE
  has "$T/err" 'no improvement plan "NOPE"' "$L unknown plan message"
  expect 2 "$L plan show without code" -- "$K" plan show
  expect 2 "$L plan unknown subcommand" -- "$K" plan frob
  expect 2 "$L plan done not a number" -- "$K" plan done "$P" two
  expect 2 "$L plan bad status" -- "$K" plan status "$P" finished
  expect 2 "$L plan add both ways" -- "$K" plan add X --recommendation R --org MJA --findings a --text t --due 2099-01-01
  expect 2 "$L plan report without --percent" -- "$K" plan report "$P" --text t
  expect 2 "$L plan report bad --percent" -- "$K" plan report "$P" --percent 120 --text t
  expect 1 "$L measure on a plan in progress" -- "$K" plan measure "$P" --text t --owner mja-staff --due 2099-01-01
  has "$T/err" "expected draft to add measures" "$L measure in draft only"

  # A direct plan for a finding of MHA's internal audit of MHA-EL.
  expect 0 "$L findings of MHA-EL" -- "$K" finding list MHA-FY2024-IA-EL --json
  F=$(jq -r '.items[0].id' "$T/out")
  expect 0 "$L plan add" -- "$K" plan add EL-PLAN --org MHA-EL --findings "$F" --text "Fix it" --due 2099-03-01 --json
  jq_is '.status + " " + .org + " " + .reviewer + " " + (.findings | length | tostring)' "draft MHA-EL MHA 1" "$L plan added"
  expect 1 "$L submit without measures" -- "$K" plan status EL-PLAN submitted
  has "$T/err" "it is submitted with at least one" "$L a measure first"
  expect 0 "$L measure" -- "$K" plan measure EL-PLAN --text "Do it" --owner mha-officer --due 2099-02-01
  has "$T/out" "measure 1 of EL-PLAN is open" "$L measure text"
  expect 0 "$L submitted" -- "$K" plan status EL-PLAN submitted --json
  jq_is '.code + " " + .status' "EL-PLAN submitted" "$L submitted JSON"
  # The reviewer sends it back with a reason; it is submitted again.
  expect 2 "$L send-back without reason" -- "$K" plan send-back EL-PLAN
  expect 0 "$L send-back" -- "$K" plan send-back EL-PLAN --reason "期限を早めること / Bring the date forward"
  has "$T/out" "EL-PLAN is draft" "$L send-back text"
  expect 1 "$L send-back of a draft" -- "$K" plan send-back EL-PLAN --reason again
  has "$T/err" "only a submitted plan (back to draft) or a done one (back to in_progress) is sent back" "$L send-back state message"
  expect 0 "$L submitted again" -- "$K" plan status EL-PLAN submitted
}

# evaluation LABEL: the centre's evaluation of the demo (kijun eval), text and JSON.
evaluation() {
  local L="$1 eval"
  expect 0 "$L government" -- "$K" eval government --fy 2025 --json
  jq_is '.method + " " + (.fiscal_year | tostring) + " " + (.summary.orgs == (.orgs | length) | tostring)' \
    "kijun-eval-1 2025 true" "$L government JSON"
  expect 0 "$L government text" -- "$K" eval government --fy 2025
  has "$T/out" "FY2025 evaluation (kijun-eval-1; edition demo-fy2025" "$L government heading"
  has "$T/out" "weak requirements" "$L government text sections"
  expect 0 "$L org" -- "$K" eval org MJA --fy 2024 --json
  jq_is '.org.code + " " + (.requirements | map(select(.findings | length > 0)) | length | tostring)' "MJA 3" \
    "$L MJA's three audited requirements"
  jq_is '.maturity_steps[0].why_ja | test("^得点 [0-9.]+ (≧|<) 40、回答 [0-9]+ 件$")' true "$L maturity steps in Japanese"
  expect 0 "$L org text" -- "$K" eval org MJA --fy 2024
  has "$T/out" "[x] level 2: score" "$L maturity steps"
  expect 1 "$L a unit" -- "$K" eval org MHA-GA --fy 2025
  has "$T/err" "ask for MHA" "$L a unit names its organisation"
  expect 0 "$L board" -- "$K" eval board --fy 2024
  has "$T/out" "P S A Y D" "$L board grid"
  expect 0 "$L refresh" -- "$K" eval refresh --fy 2024 --json
  jq_is '.fiscal_year' 2024 "$L refresh JSON"
  expect 2 "$L refresh without --fy" -- "$K" eval refresh
  expect 2 "$L bad --fy" -- "$K" eval government --fy 20x5
  expect 2 "$L org without code" -- "$K" eval org
}

# SQLite, with tampering through the sqlite3 command line.
run_suite "sqlite:$T/cli.db" sqlite
sqlite3 "$T/cli.db" "UPDATE audit_log SET op = 'org.delete' WHERE seq = 5"
expect 1 "tampered log" -- "$K" --db "sqlite:$T/cli.db" audit verify
has "$T/err" "record 5" "tampered record named"

# National-scale data, made small: the summary scripts read, and the rules of the command.
S="sqlite:$T/scale.db"
expect 0 "demo-scale" -- "$K" --db "$S" demo-scale --orgs 30 --ministries 3 --requirements 16 --years 2 --last-fy 2025 --json
jq_is '[.first_fy, .last_fy, .evaluated, .requirements, (.accounts | length)] | map(tostring) | join(" ")' "2024 2025 30 16 2" \
  "demo-scale JSON summary"
expect 0 "demo-scale evaluation" -- "$K" --db "$S" eval government --fy 2025 --json
jq_is '.summary.orgs' 30 "demo-scale evaluates every organisation made"
expect 1 "demo-scale on a database with data" -- "$K" --db "$S" demo-scale --orgs 30 --ministries 3 --years 1
expect 2 "demo-scale bad --orgs" -- "$K" --db "sqlite:$T/scale2.db" demo-scale --orgs many

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
