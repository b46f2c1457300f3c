#!/usr/bin/env bash
# test_remote.sh KIJUN: the command line as a client of the server (--server, KIJUN_SERVER,
# KIJUN_TOKEN, login). The same list of commands runs twice: on a database (local mode),
# recording stdout, stderr and exit code, then through `kijun serve` on a copy of that
# database (remote mode), which must print the same and exit the same, failures included.
# Only what legitimately differs is masked: new public ids, timestamps, token secrets, and
# the audit log's actor and digests (the server acts as an account, the command line as
# the local administrator). Remote mode runs with tiny pages (KIJUN_PAGE_SIZE) so that every
# listing follows its cursors. Then the remote half again against a server on PostgreSQL
# (when KIJUN_TEST_PG_DSN is set), and the checks that only remote mode has: no token, a
# bad token, an unreachable server, local-only commands, and login.
set -uo pipefail
K=$1
case $K in /*) ;; *) K=$PWD/$K ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${KIJUN_SOURCE_DIR:?}
SHARED=${KIJUN_SHARED_DATA:-${KIJUN_SHARED_DATA_DEFAULT:-$SRC/../shared/data}}
T=$(mktemp -d /tmp/kijun-remote.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT
# Nothing from the caller's environment may steer either mode; loopback never via a proxy.
unset KIJUN_DB KIJUN_SERVER KIJUN_TOKEN KIJUN_PAGE_SIZE http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
cd "$T"
mkdir -p "$T/in" "$T/local" "$T/lw" "$T/rw"
pass=0 fail=0
PW='correct horse battery staple'

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# ---- Masks: what legitimately differs between the two runs ------------------------------
f_uuid() { sed -E 's/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/<uuid>/g'; }
f_time() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})/<time>/g'; }
f_token() { sed -E 's/kj_[A-Za-z0-9_-]+/<token>/g'; }
# The audit log: when, who (local administrator or account) and the chain's digests, and
# the ids of entities made in the run.
f_audit() { awk '{ if (NF >= 6) { $2 = "<at>"; $4 = "<actor>"; $6 = "<id>" } print }'; }
f_audit_json() { jq 'map(del(.at, .actor, .digest, .entity_id))'; }
# The server's own token is used by every remote command.
f_unused() { jq 'map(del(.used_at))'; }

# ---- Steps: one command, run in the mode of the pass ----------------------------------------
MODE=local N=0 URL= TOKEN= LOOSE=0
LDB=sqlite:$T/local.db
W=$T/lw

# step [--filter F]... [--stdin TEXT] [--stderr-differs] [--file NAME] DESCRIPTION -- ARGS...
# local: runs `kijun ARGS` on $LDB and records it. remote: runs it through $URL and
# compares with the record: exit code, stdout (through the filters), stderr (unless it is
# known to differ; then both must say something), and a file the command wrote to $W.
step() {
  local filters=() input= errdiff=0 file= what
  while [ "$1" != -- ]; do
    case $1 in
      --filter) filters+=("$2"); shift 2 ;;
      --stdin) input=$2; shift 2 ;;
      --stderr-differs) errdiff=1; shift ;;
      --file) file=$2; shift 2 ;;
      *) what=$1; shift ;;
    esac
  done
  shift
  N=$((N + 1))
  local L=$T/local/$N
  if [ "$MODE" = local ]; then
    printf '%s' "$input" | env -u KIJUN_SERVER -u KIJUN_TOKEN KIJUN_DB="$LDB" "$K" "$@" >"$L.out" 2>"$L.err"
    echo $? >"$L.rc"
    cp "$L.out" "$T/last.out"
    return
  fi
  printf '%s' "$input" | KIJUN_DB=sqlite:/nonexistent/kijun.db KIJUN_TOKEN="$TOKEN" "$K" --server "$URL" "$@" \
    >"$T/r.out" 2>"$T/r.err"
  local rc=$? lrc
  lrc=$(cat "$L.rc")
  cp "$T/r.out" "$T/last.out"
  if [ "$rc" -eq "$lrc" ]; then ok; else bad "$LABEL $what: exit $rc remotely, $lrc locally"; sed 's/^/  | /' "$T/r.err" >&2; fi
  if [ "$LOOSE" = 1 ]; then filters=(f_uuid f_time f_token "${filters[@]}"); fi
  local f a=$L.out b=$T/r.out i=0
  for f in "${filters[@]}"; do
    i=$((i + 1))
    "$f" <"$a" >"$T/ma.$i" 2>/dev/null; a=$T/ma.$i
    "$f" <"$b" >"$T/mb.$i" 2>/dev/null; b=$T/mb.$i
  done
  if cmp -s "$a" "$b"; then ok; else
    bad "$LABEL $what: stdout differs (local <, remote >)"; diff "$a" "$b" | head -20 | sed 's/^/  | /' >&2
  fi
  if [ "$errdiff" = 1 ]; then
    if [ -s "$L.err" ] && [ -s "$T/r.err" ]; then ok; else bad "$LABEL $what: a failure without a message"; fi
  else
    a=$L.err b=$T/r.err
    if [ "$LOOSE" = 1 ]; then f_uuid <"$a" >"$T/ea"; f_uuid <"$b" >"$T/eb"; a=$T/ea b=$T/eb; fi
    if cmp -s "$a" "$b"; then ok; else
      bad "$LABEL $what: stderr differs (local <, remote >)"; diff "$a" "$b" | head -10 | sed 's/^/  | /' >&2
    fi
  fi
  if [ -n "$file" ]; then
    if cmp -s <(f_uuid <"$T/lw/$file" | f_time) <(f_uuid <"$T/rw/$file" | f_time); then ok; else
      bad "$LABEL $what: $file differs"; diff <(f_uuid <"$T/lw/$file" | f_time) <(f_uuid <"$T/rw/$file" | f_time) | head -10 >&2
    fi
    rm -f "$T/rw/$file"
  fi
  # The token must never show, not even in a message.
  if grep -qF -- "$TOKEN" "$T/r.out" "$T/r.err"; then bad "$LABEL $what: the token was printed"; else ok; fi
}

steps() {
  local NIST=$SHARED/oscal/nist-800-53-rev5 TOKID

  # Usage errors come before anything is asked of the server.
  step "no subcommand" -- org
  step "unknown subcommand" -- org frob
  step "unknown option" -- org list --colour
  step "bad kind" -- org list --kind nope

  # Organisations: reading.
  step "org list" -- org list
  step "org list --json" -- org list --json
  step "org list subtree" -- org list MCO
  step "org list --kind" -- org list --kind agency
  step "org list --kind --json" -- org list --kind agency --json
  step "org list --all" -- org list --all
  step "org list unknown root" -- org list NOPE
  step "org show" -- org show NCO
  step "org show abolished --json" -- org show NISC --json
  step "org show unknown" -- org show NOPE

  # Organisations: changes, and their failures.
  step "org add" -- org add --kind ministry --code MA --name-ja 省A --name-en "Ministry A"
  step "org add bureau" -- org add --kind bureau --code MA-B --name-ja 局 --name-en Bureau --parent MA --valid-from 2024-01-01
  step --filter f_uuid "org add agency --json" -- org add --kind agency --code MA-AG --name-ja 機構 --name-en Agency --supervisor MA --json
  step "duplicate code" -- org add --kind ministry --code MA --name-ja x --name-en x
  step "missing names" -- org add --kind ministry --code MZ
  step "unknown parent" -- org add --kind bureau --code MZ-B --name-ja x --name-en x --parent NOPE
  step "bad code" -- org add --kind ministry --code "M Z" --name-ja x --name-en x
  step "move into own subtree" -- org move MA --parent MA-B --date 2030-01-01
  step "bureau without parent" -- org move MA-B --parent "" --date 2030-01-01
  step "nothing to move" -- org move MA-B --date 2030-01-01
  step "nothing to rename" -- org rename MA-B --date 2030-01-01
  step "rename takes no parent" -- org rename MA-B --parent MA
  step "rename" -- org rename MA-B --name-en "Renamed bureau" --date 2030-04-01
  step --filter f_uuid "rename code --json" -- org rename MA-B --code MA-B2 --date 2030-05-01 --json
  # The API looks the organisation up before the model does, and says so in its own words.
  step --stderr-differs "rename unknown" -- org rename NOPE --name-en x
  step --filter f_uuid "show renamed" -- org show MA-B2
  step --filter f_uuid "show renamed --json" -- org show MA-B2 --json
  step "move agency" -- org move MA-AG --supervisor MCO --date 2030-06-01
  step "abolish with units left" -- org abolish MA --date 2031-01-01
  step "abolish" -- org abolish MA-AG --date 2031-01-01 --successor MCO
  step "abolish again" -- org abolish MA-AG --date 2031-02-01
  step "list --all" -- org list MCO --all
  step --filter f_uuid "list --all --json" -- org list MCO --all --json

  # Accounts.
  step --stdin "$PW" "user add" -- user add --name alice --org MCO --role org_admin --password-stdin
  step --stdin "$PW" --filter f_uuid --filter f_time "user add --json" -- user add --name bob --org MCO --role staff --display-name "Bob B" --password-stdin --json
  step --stdin "$PW" "duplicate user" -- user add --name alice --org MCO --role staff --password-stdin
  step "user add missing role" -- user add --name carol --org MCO
  step --stdin "$PW" "user add unknown role" -- user add --name carol --org MCO --role boss --password-stdin
  step --stdin "short" "user add short password" -- user add --name carol --org MCO --role staff --password-stdin
  step "user list" -- user list
  step --filter f_uuid --filter f_time "user list --json" -- user list --json
  step "user list --org" -- user list --org MCO
  step "user show" -- user show alice
  step --filter f_uuid --filter f_time "user show --json" -- user show bob --json
  step "user disable" -- user disable bob
  step --filter f_uuid --filter f_time "user enable --json" -- user enable bob --json
  step "user show unknown" -- user show nobody
  step "user disable unknown" -- user disable nobody
  step --stdin "$PW" "auditor" -- user add --name eve --org NCO --role external_auditor --password-stdin
  step --filter f_uuid "engage" -- user engage eve --org MCO --from 2025-01-01 --to 2030-12-31
  step "engage without dates" -- user engage eve --org MCO
  step "engage unknown org" -- user engage eve --org NOPE --from 2025-01-01 --to 2030-12-31

  # Tokens.
  step --filter f_uuid --filter f_time --filter f_token "token create" -- token create --user admin --name t1
  step --filter f_uuid --filter f_time --filter f_token "token create --json" -- token create --user admin --name t2 --scope read --days 7 --json
  TOKID=$(jq -r .id "$T/last.out")
  step --filter f_uuid "token revoke" -- token revoke "$TOKID"
  step "token revoke unknown" -- token revoke 00000000-0000-4000-8000-000000000000
  step --filter f_uuid --filter f_time --filter f_token "token list" -- token list --user alice
  step --filter f_uuid --filter f_time --filter f_token "token list --json" -- token list --user alice --json
  step --filter f_unused --filter f_uuid --filter f_time --filter f_token "token list of the server's account" -- token list --user admin --json
  step "token bad days" -- token create --user alice --days 400
  step "token unknown user" -- token create --user nobody
  step "token bad scope" -- token create --user alice --scope all

  # The standard.
  step "standard list" -- standard list
  step "standard list --json" -- standard list --json
  step "show outline" -- standard show demo-fy2025 --outline
  step "show item" -- standard show demo-fy2025 2.1.1
  step "show item --json" -- standard show demo-fy2025 2.1.1 --json
  step "show --json" -- standard show demo-fy2025 --json
  step "show --lang en" -- standard show demo-fy2025 --lang en
  step "show --lang ja" -- standard show demo-fy2023 --lang ja
  step "show missing item" -- standard show demo-fy2025 9.9.9
  # The model has two wordings for a missing edition; the item listing has the shorter.
  step --stderr-differs "show missing edition" -- standard show no-such
  step "show bad lang" -- standard show demo-fy2025 --lang fr
  step "diff" -- standard diff demo-fy2023 demo-fy2025
  step "diff --all" -- standard diff demo-fy2023 demo-fy2025 --all
  step "diff --json" -- standard diff demo-fy2023 demo-fy2025 --json
  step "diff --no-table" -- standard diff demo-fy2023 demo-fy2025 --no-table
  step "diff --no-table --all --json" -- standard diff demo-fy2023 demo-fy2025 --no-table --all --json
  step "diff --brief" -- standard diff demo-fy2023 demo-fy2025 --brief
  step "diff --table --json" -- standard diff demo-fy2023 demo-fy2025 --table --json
  step "diff missing" -- standard diff demo-fy2023 nope
  step "diff one edition" -- standard diff demo-fy2023
  step "export kijun" -- standard export demo-fy2025
  step --filter f_uuid --filter f_time "export oscal" -- standard export demo-fy2025 --format oscal
  step --file fy25.json "export to a file" -- standard export demo-fy2025 --output "$W/fy25.json"
  step "export bad format" -- standard export demo-fy2025 --format pdf
  step "export missing" -- standard export nope
  step "export unwritable" -- standard export demo-fy2025 --output "$T/no/such/dir/x.json"
  step "import" -- standard import "$T/in/fy25.json" --id demo-copy --json
  step "import again" -- standard import "$T/in/fy25.json" --id demo-copy
  step "import malformed" -- standard import "$T/in/broken.json"
  if [ -f "$SHARED/oscal/examples/ifa_assessment-results-example.json" ]; then
    step "import wrong OSCAL model" -- standard import "$SHARED/oscal/examples/ifa_assessment-results-example.json"
  fi
  step "import missing file" -- standard import "$T/in/nope.json"
  step --filter f_time --filter f_uuid "list after import --json" -- standard list --json
  step "list after import" -- standard list
  if [ -d "$NIST" ]; then
    step "import NIST" -- standard import "$NIST/NIST_SP-800-53_rev5_catalog.json" --id nist --json
    step "NIST show --json" -- standard show nist --json
    step "NIST show control" -- standard show nist ac-2
    step "NIST LOW baseline" -- standard import "$NIST/NIST_SP-800-53_rev5_LOW-baseline_profile.json" --catalog nist --id low --json
    step "NIST diff" -- standard diff nist low --no-table
    step --file nist.json "NIST export" -- standard export --format oscal nist --output "$W/nist.json"
  fi

  # The audit log.
  step "audit verify" -- audit verify
  step "audit verify --json" -- audit verify --json
  step --filter f_audit "audit log" -- audit log --limit 20
  step --filter f_audit_json "audit log --json" -- audit log --entity org --limit 3 --json
  step --filter f_audit "audit log, all of it" -- audit log --limit 0
  step --filter f_audit "audit log --org" -- audit log --org MCO
  step "audit log bad limit" -- audit log --limit many
  step "audit unknown subcommand" -- audit frob

  audit_steps
  plan_steps
  eval_steps
}

# Audits: programme -> engagement -> team -> scope -> status -> findings. The local half
# acts as the local administrator, the remote half as admin, whom the team takes as a member
# so that it may write findings; neither is the lead, so both are refused the sign-off, which
# remote_only then does with the lead's token. A finding's author differs (none locally).
f_finding() { jq 'del(.id, .created_by, .created_at)'; }
f_findings() { jq '.items |= map(del(.id, .created_by, .created_at))'; }
f_papers() { jq '.items |= map(del(.id, .added_by, .added_at))'; }
f_report() { jq 'del(.id) | .findings |= map_values(map(del(.id, .created_by, .created_at)))'; }
audit_steps() {
  local E=NCO-FY2026-MA-MER
  local ENG=(--programme NCO-FY2026-MA --org MER --edition demo-fy2025 --title-ja 外交省監査 --title-en "Audit of MER")

  step "programme no subcommand" -- programme
  step "programme list" -- programme list
  step "programme list --json" -- programme list --json
  step "programme list --org --fy" -- programme list --org MHA --fy 2025
  step "programme list unknown org" -- programme list --org NOPE
  step "programme list bad fy" -- programme list --fy soon
  step "programme add" -- programme add NCO-FY2026-MA --org NCO --fy 2026 --kind management_audit --title-ja 令和8年度監査 --title-en "FY2026 management audits"
  step --filter f_uuid "programme add --json" -- programme add NCO-FY2026-PT --org NCO --fy 2026 --kind penetration_test --title-ja 侵入検査 --title-en "FY2026 penetration tests" --json
  step "programme twice" -- programme add NCO-FY2026-MA --org NCO --fy 2026 --kind management_audit --title-ja x --title-en x
  step "programme wrong kind" -- programme add NCO-FY2026-IA --org NCO --fy 2026 --kind internal_audit --title-ja x --title-en x
  step "programme without kind" -- programme add X --org NCO --fy 2026 --title-ja x --title-en x
  step --filter f_uuid --filter f_time "programme list --fy --json" -- programme list --fy 2026 --json

  step "engagement list" -- engagement list
  step "engagement list --json" -- engagement list --programme NCO-FY2025-MA --json
  step "engagement show signed off" -- engagement show NCO-FY2024-MA-MPF
  step "engagement show --json" -- engagement show NCO-FY2025-MA-MEC --json
  step "engagement show unknown" -- engagement show NOPE
  step "engagement add" -- engagement add "$E" "${ENG[@]}" --from 2026-06-01 --to 2026-09-30
  step --filter f_uuid "engagement add --json" -- engagement add NCO-FY2026-PT-MCO --programme NCO-FY2026-PT --org MCO --edition demo-fy2025 --policy STD --title-ja 侵入検査 --title-en "Penetration test of MCO" --from 2026-10-01 --to 2026-10-31 --json
  step "engagement twice" -- engagement add "$E" "${ENG[@]}" --from 2026-06-01 --to 2026-09-30
  step "engagement outside the year" -- engagement add NCO-FY2026-MA-X "${ENG[@]}" --from 2027-06-01 --to 2027-09-30
  step "engagement without dates" -- engagement add X "${ENG[@]}"

  step "member not independent" -- engagement member "$E" mer-chief --role member
  step "member of a unit below" -- engagement member "$E" mer-officer --role lead
  step "member without role" -- engagement member "$E" analyst2
  step "member bad role" -- engagement member "$E" analyst2 --role boss
  step "lead" -- engagement member "$E" analyst2 --role lead
  step "member --json" -- engagement member "$E" admin --role member --json
  step "second lead" -- engagement member "$E" analyst3 --role lead
  step "fieldwork without scope" -- engagement status "$E" fieldwork
  step "scope without requirements" -- engagement scope "$E"
  step "scope with a heading" -- engagement scope "$E" --requirements '2.1.2(2)(a),2.1'
  step "scope with a foreign unit" -- engagement scope "$E" --requirements '2.1.2(2)(a)' --units MCO-BRD
  step "scope" -- engagement scope "$E" --requirements '2.1.2(2)(a),2.2.3(2)(a)'
  step "scope --json" -- engagement scope "$E" --requirements '2.1.2(2)(a),2.2.3(2)(a),7.1.3(1)(a)' --units MER-CON --json
  step "skip to reporting" -- engagement status "$E" reporting
  step "fieldwork" -- engagement status "$E" fieldwork
  step "back to draft" -- engagement status "$E" draft --json

  step "finding" -- finding add "$E" --requirement '7.1.3(1)(a)' --category finding --severity high --urgent --title "管理者アカウントの共用 / Shared administrator accounts" --text "Shared on three servers"
  step --filter f_finding "finding --json" -- finding add "$E" --requirement '2.1.2(2)(a)' --category advice --title Targets --text "Give the plan targets" --json
  step "finding without severity" -- finding add "$E" --requirement '2.1.2(2)(a)' --category finding --title x --text x
  step "finding out of scope" -- finding add "$E" --requirement '8.1.1(2)(b)' --category advice --title x --text x
  step "finding without text" -- finding add "$E" --requirement '2.1.2(2)(a)' --category advice --title x
  step "finding unknown engagement" -- finding add NOPE --requirement '2.1.2(2)(a)' --category advice --title x --text x
  step "finding list" -- finding list "$E"
  step --filter f_findings "finding list --json" -- finding list "$E" --json
  step "finding list of the demo" -- finding list NCO-FY2025-MA-MIT
  step --filter f_findings "finding list of the demo --json" -- finding list NCO-FY2024-MA-MPF --json

  printf '聴取記録 / interview notes\n' > "$T/notes.txt"
  printf '\x00\x01\xfe' > "$T/bin.dat"
  step --filter f_uuid "paper" -- engagement paper "$E" "$T/notes.txt" --name "面談記録"
  step "paper of an unknown kind" -- engagement paper "$E" "$T/bin.dat"
  step "paper without a file" -- engagement paper "$E"
  step "paper unknown engagement" -- engagement paper NOPE "$T/notes.txt"
  step --filter f_papers "papers --json" -- engagement papers "$E" --json
  step --filter f_report "report --json" -- engagement report "$E" --json
  step "report of the demo" -- engagement report NCO-FY2024-MA-MJA
  step "report unknown" -- engagement report NOPE

  step "reporting" -- engagement status "$E" reporting
  step "scope in reporting" -- engagement scope "$E" --requirements '2.1.2(2)(a)'
  step "sign-off by someone not the lead" -- engagement sign-off "$E"
  step "engagement show" -- engagement show "$E"
  step --filter f_uuid "engagement show --json after" -- engagement show "$E" --json
  step "engagement list --programme" -- engagement list --programme NCO-FY2026-MA
  step "engagement unknown subcommand" -- engagement frob
}

# Recommendations and improvement plans: the reads (the demo's recommendations, MJA's plan
# with its overdue measure) and the usage errors. Writes are left out: the local
# administrator may write a plan, the server's centre administrator (the reviewer) may not.
plan_steps() {
  step "recommendation no subcommand" -- recommendation
  step "recommendation list" -- recommendation list
  step "recommendation list --json" -- recommendation list --json
  step "recommendation list --org --issuer" -- recommendation list --org MJA --issuer NCO
  step "recommendation list unknown org" -- recommendation list --org NOPE
  step "recommendation bad status" -- recommendation status NCO-FY2024-REC-MJA maybe
  step "recommendation add without --due" -- recommendation add X --org MJA --issuer NCO --findings a --text t
  step "plan show" -- plan show MJA-PLAN-FY2024
  step "plan show --json" -- plan show MJA-PLAN-FY2024 --json
  step "plan show another --json" -- plan show MHS-PLAN-FY2024 --json
  step "plan show unknown" -- plan show NOPE
  step "plan overdue" -- plan overdue
  step "plan overdue --json" -- plan overdue --json
  step "plan overdue --org" -- plan overdue --org MJA --json
  step "plan overdue unknown org" -- plan overdue --org NOPE
  step "plan unknown subcommand" -- plan frob
  step "plan done not a number" -- plan done MJA-PLAN-FY2024 two
  step "plan bad status" -- plan status MJA-PLAN-FY2024 finished
  step "plan report bad --percent" -- plan report MJA-PLAN-FY2024 --percent 120 --text t
  step "plan add both ways" -- plan add X --recommendation R --org MJA --findings a --text t --due 2099-01-01
}

# ---- Databases and servers ---------------------------------------------------------------
# setup_db DSN: the demo, an administrator and its token (in $TOKEN).
setup_db() {
  "$K" --db "$1" init --demo >/dev/null || bad "init --demo on $1"
  printf '%s\n' "$PW" | "$K" --db "$1" user add --name admin --org NCO --role centre_admin --password-stdin >/dev/null ||
    bad "user add on $1"
  TOKEN=$("$K" --db "$1" token create --user admin --name remote-test | tail -1 | awk '{print $NF}')
  case $TOKEN in kj_*) ok ;; *) bad "token create on $1 gave no token" ;; esac
}

# start_server DSN, stop_server.
. "$HERE/serve_lib.sh"

# expect CODE DESCRIPTION -- CMD...: runs CMD; output in $T/out, $T/err.
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/  | /' "$T/err" >&2; fi
}
has() { # has FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: \"$2\" not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -10 >&2; fi
}

# What only remote mode has: credentials, reachability, local-only commands, login.
remote_only() {	# remote_only LABEL DSN: the server's database is DSN
  local L=$1 D=$2 dead
  local R=("$K" --server "$URL")
  # Local-only commands refuse, whichever way the server was named.
  expect 2 "$L init with --server" -- "${R[@]}" init --demo
  has "$T/err" "kijun init: works on the database itself, not through a server; drop --server" "$L init message"
  expect 2 "$L db status with KIJUN_SERVER" -- env KIJUN_SERVER="$URL" KIJUN_TOKEN="$TOKEN" "$K" db status
  has "$T/err" "unset KIJUN_SERVER" "$L db message"
  expect 2 "$L db migrate with --server" -- "${R[@]}" db migrate
  expect 2 "$L user passwd with --server" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" user passwd alice
  expect 2 "$L import --check with --server" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" standard import "$T/in/fy25.json" --check
  # KIJUN_SERVER alone is enough, and --server wins over it.
  expect 0 "$L KIJUN_SERVER" -- env KIJUN_SERVER="$URL" KIJUN_TOKEN="$TOKEN" "$K" org show NCO
  has "$T/out" "National Cybersecurity Office" "$L KIJUN_SERVER output"
  expect 0 "$L --server over KIJUN_SERVER" -- env KIJUN_SERVER=http://127.0.0.1:1 KIJUN_TOKEN="$TOKEN" "${R[@]}" org show NCO
  expect 2 "$L not an http URL" -- env KIJUN_TOKEN="$TOKEN" "$K" --server ftp://example.org org list
  has "$T/err" "expected http://HOST[:PORT] or https://HOST[:PORT]" "$L URL message"

  # No token, a bad one, one with a line break: exit 1, and the token never shows.
  expect 1 "$L no token" -- env -u KIJUN_TOKEN "${R[@]}" org list
  has "$T/err" "kijun org list: no API token: set KIJUN_TOKEN" "$L no token message"
  has "$T/err" "login NAME" "$L no token: how to log in"
  expect 1 "$L bad token" -- env KIJUN_TOKEN=kj_notatokenbutsecret "${R[@]}" org list
  has "$T/err" "kijun org list: unknown or expired token" "$L bad token message"
  if grep -q notatokenbutsecret "$T/out" "$T/err"; then bad "$L bad token printed"; else ok; fi
  expect 1 "$L token with a line break" -- env KIJUN_TOKEN="$(printf 'kj_a\r\nX-Evil: 1')" "${R[@]}" org list
  has "$T/err" "KIJUN_TOKEN: not a token" "$L line break refused"

  # An unreachable server: exit 1, naming the URL and why.
  for dead in 1 2 3 4 5; do
    dead=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$dead") 2>/dev/null; then break; fi
  done
  expect 1 "$L unreachable" -- env KIJUN_TOKEN="$TOKEN" "$K" --server "http://127.0.0.1:$dead" org list
  has "$T/err" "kijun org list: cannot reach http://127.0.0.1:$dead: " "$L unreachable message"

  # login: a password on standard input, a token out, usable at once; nothing on disk.
  expect 2 "$L login without a server" -- "$K" login admin --password-stdin
  expect 2 "$L login without a terminal" -- "${R[@]}" login admin </dev/null
  has "$T/err" "--password-stdin" "$L login says how"
  expect 1 "$L login with a wrong password" -- "${R[@]}" login admin --password-stdin < <(printf 'wrong password!!\n')
  if [ -s "$T/out" ]; then bad "$L failed login printed something to eval"; else ok; fi
  expect 0 "$L login" -- "${R[@]}" login admin --password-stdin --name "remote test login" < <(printf '%s\n' "$PW")
  if tail -1 "$T/out" | grep -qE '^export KIJUN_TOKEN=kj_[A-Za-z0-9_-]+$'; then ok; else bad "$L login: last line is not export KIJUN_TOKEN=..."; cat "$T/out" >&2; fi
  local LT
  LT=$(env -u KIJUN_TOKEN -u KIJUN_SERVER bash -c "eval \"\$(cat '$T/out')\" && printf '%s %s' \"\$KIJUN_SERVER\" \"\$KIJUN_TOKEN\"")
  if [ "${LT%% *}" = "$URL" ]; then ok; else bad "$L login: eval did not set KIJUN_SERVER ($LT)"; fi
  LT=${LT#* }
  expect 0 "$L the login token works" -- env KIJUN_TOKEN="$LT" "${R[@]}" org show NCO --json
  jq_is() { local got; got=$(jq -r "$1" "$T/out" 2>/dev/null); if [ "$got" = "$2" ]; then ok; else bad "$3: $1 = \"$got\", expected \"$2\""; fi; }
  jq_is .code NCO "$L org show with the login token"
  expect 0 "$L the login token is listed" -- env KIJUN_TOKEN="$LT" "${R[@]}" token list --json
  jq_is '[.[] | select(.name == "remote test login")] | length' 1 "$L login token listed by name"
  local LID
  LID=$(jq -r '.[] | select(.name == "remote test login") | .id' "$T/out")
  expect 0 "$L revoke the login token" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" token revoke "$LID"
  expect 1 "$L a revoked token" -- env KIJUN_TOKEN="$LT" "${R[@]}" org list
  has "$T/err" "unknown or expired token" "$L revoked token refused"
  # A read-only token may read, not write (403 -> exit 1 with the server's message).
  expect 0 "$L login read-only" -- "${R[@]}" login admin --password-stdin --scope read < <(printf '%s\n' "$PW")
  LT=$(tail -1 "$T/out"); LT=${LT#export KIJUN_TOKEN=}
  expect 0 "$L read with a read-only token" -- env KIJUN_TOKEN="$LT" "${R[@]}" org list
  expect 1 "$L write with a read-only token" -- env KIJUN_TOKEN="$LT" "${R[@]}" org add --kind ministry --code RO --name-ja x --name-en x
  has "$T/err" "kijun org add: " "$L read-only refusal message"
  expect 1 "$L a finding with a read-only token" -- env KIJUN_TOKEN="$LT" "${R[@]}" finding add NCO-FY2026-MA-MER \
    --requirement '2.1.2(2)(a)' --category advice --title x --text x
  has "$T/err" "kijun finding add: not allowed with a read-only token" "$L read-only finding refused"

  # Sign-off is the lead auditor's: through the server with the lead's own token. Then the
  # engagement is closed to changes.
  local E=NCO-FY2026-MA-MER LEAD
  # No administrator holds a token of someone else's: the lead's comes from the local
  # administrator, who holds the database itself.
  expect 1 "$L a token for another account" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" token create --user analyst2 --name lead
  has "$T/err" "a token is made only by its own account" "$L token for another refused"
  expect 0 "$L the lead's token" -- "$K" --db "$D" token create --user analyst2 --name lead
  LEAD=$(tail -1 "$T/out" | awk '{print $NF}')
  expect 0 "$L the lead reads the engagement" -- env KIJUN_TOKEN="$LEAD" "${R[@]}" engagement list --json
  jq_is "[.[] | select(.code == \"$E\")] | length" 1 "$L the lead sees it"
  expect 0 "$L sign-off by the lead" -- env KIJUN_TOKEN="$LEAD" "${R[@]}" engagement sign-off "$E"
  has "$T/out" "$E is signed_off" "$L sign-off text"
  expect 1 "$L sign-off twice" -- env KIJUN_TOKEN="$LEAD" "${R[@]}" engagement sign-off "$E"
  has "$T/err" "is in signed_off and cannot move to signed_off" "$L sign-off twice message"
  expect 0 "$L signed off" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" engagement show "$E" --json
  jq_is '.status + " " + .signed_off_by' "signed_off analyst2" "$L signed off by the lead"
  expect 0 "$L signed off, as text" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" engagement show "$E"
  has "$T/out" "signed_off (by analyst2 at " "$L sign-off shown"
  expect 1 "$L a finding after sign-off" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" finding add "$E" \
    --requirement '2.1.2(2)(a)' --category advice --title x --text x
  has "$T/err" "kijun finding add: engagement $E is signed off: findings are added no longer" "$L closed to findings"
  expect 1 "$L a member after sign-off" -- env KIJUN_TOKEN="$TOKEN" "${R[@]}" engagement member "$E" analyst4 --role member
  has "$T/err" "is signed off" "$L closed to the team"
}

# The centre's evaluation (kijun eval): the same figures both ways; only the time each mode
# computed its snapshot differs.
eval_steps() {
  step --filter f_time "eval government" -- eval government --fy 2025
  step --filter f_time "eval government --json" -- eval government --fy 2024 --json
  step --filter f_time "eval org --json" -- eval org MJA --fy 2024 --json
  step --filter f_time "eval org" -- eval org MHA --fy 2025
  step "eval org of a unit" -- eval org MHA-GA --fy 2025
  step "eval org unknown" -- eval org NOPE --fy 2025
  step --filter f_time "eval board" -- eval board --fy 2024
  step --filter f_time "eval refresh --json" -- eval refresh --fy 2025 --json
  step "eval refresh without --fy" -- eval refresh
}

# ---- The runs ----------------------------------------------------------------------------
# Fixed inputs for both modes.
printf '{"format": "kijun-catalog",\n "version": 1,\n "edition": {"id": "x", }\n}\n' >"$T/in/broken.json"

# Local half: record. The export the imports read is made here too.
setup_db "$LDB"
"$K" --db "$LDB" standard export demo-fy2025 --output "$T/in/fy25.json" || bad "export for the fixtures"
cp "$T/local.db" "$T/server.db"
MODE=local N=0 W=$T/lw
steps
NLOCAL=$N

# Remote half on a copy of the database, with pages of 3 items.
LABEL=sqlite
if start_server "sqlite:$T/server.db"; then
  ok
  MODE=remote N=0 W=$T/rw LOOSE=0
  KIJUN_PAGE_SIZE=3 steps
  [ "$N" -eq "$NLOCAL" ] && ok || bad "sqlite: $N steps remotely, $NLOCAL locally"
  remote_only sqlite "sqlite:$T/server.db"
  stop_server
fi

# Remote half on PostgreSQL, in a schema of its own. The database is made afresh, so its
# ids and times are its own: those are masked on every comparison.
if [ -n "${KIJUN_TEST_PG_DSN:-}" ]; then
  LABEL=postgresql
  psql "$KIJUN_TEST_PG_DSN" -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
    -c 'DROP SCHEMA IF EXISTS remote CASCADE' -c 'CREATE SCHEMA remote' >/dev/null ||
    bad "postgresql: cannot make the schema"
  PGD="${KIJUN_TEST_PG_DSN}?options=-csearch_path%3Dremote"
  setup_db "$PGD"
  if start_server "$PGD"; then
    ok
    MODE=remote N=0 W=$T/rw LOOSE=1
    steps
    [ "$N" -eq "$NLOCAL" ] && ok || bad "postgresql: $N steps remotely, $NLOCAL locally"
    remote_only postgresql "$PGD"
    stop_server
  fi
elif [ "${KIJUN_REQUIRE_PG:-0}" = 1 ]; then
  bad "KIJUN_TEST_PG_DSN is not set"
fi

echo "cli_remote: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
