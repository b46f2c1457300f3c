#!/usr/bin/env bash
# test_auditlog.sh KIJUN: the audit log against an insider who can write the database
# (docs/AUDITLOG.md). On the demo, on SQLite and (with KIJUN_TEST_PG_DSN) PostgreSQL:
# signed checkpoints name a rewritten log whose chain was recomputed, a truncated log,
# reordered records and forged checkpoints; verify --state names an account, an
# organisation, an answer and a finding edited behind kijun's back, a swapped password hash
# and a wrong roll-up counter; kijun serve signs checkpoints as the log moves.
set -uo pipefail
K=$1
SRC=${KIJUN_SOURCE_DIR:?}
RECHAIN="python3 $SRC/tests/cli/auditlog_rechain.py"
T=$(mktemp -d /tmp/kijun-auditlog.XXXXXX)
SERVE_PID=""
trap '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
npass=0 nfail=0

fail() { nfail=$((nfail + 1)); echo "FAIL: $*" >&2; }
# k WANT LABEL ARGS...: runs kijun with ARGS on the database under test; stdout in $T/o,
# stderr in $T/e; WANT is the exit code expected.
k() {
  local want=$1 label=$2 got
  shift 2
  "$K" --db "$DSN" "$@" >"$T/o" 2>"$T/e"
  got=$?
  if [ "$got" = "$want" ]; then npass=$((npass + 1)); return; fi
  fail "$LB $label: kijun $* exited $got, expected $want"
  sed 's/^/  > /' "$T/e" "$T/o" | head -30 >&2
}
# says WHERE TEXT LABEL: WHERE (o or e) holds TEXT; lacks: it does not.
says() {
  if grep -qF -- "$2" "$T/$1"; then npass=$((npass + 1)); return; fi
  fail "$LB $3: \"$2\" not in std$([ "$1" = o ] && echo out || echo err)"
  sed 's/^/  > /' "$T/$1" | head -20 >&2
}
lacks() {
  if ! grep -qF -- "$2" "$T/$1"; then npass=$((npass + 1)); return; fi
  fail "$LB $3: \"$2\" should not be in std$([ "$1" = o ] && echo out || echo err)"
}

# sql STATEMENT / sql_tsv STATEMENT / sql_file FILE: straight to the database, behind
# kijun's back, as its administrator would.
sql() {
  if [ "$BACKEND" = sqlite ]; then sqlite3 "$DBFILE" "$1"; else PGOPTIONS="-csearch_path=$SCHEMA" psql "$KIJUN_TEST_PG_DSN" -q -At -v ON_ERROR_STOP=1 -c "$1"; fi
}
sql_tsv() {
  if [ "$BACKEND" = sqlite ]; then sqlite3 -separator $'\t' "$DBFILE" "$1"; else PGOPTIONS="-csearch_path=$SCHEMA" psql "$KIJUN_TEST_PG_DSN" -q -At -F $'\t' -c "$1"; fi
}
sql_file() {
  if [ "$BACKEND" = sqlite ]; then sqlite3 "$DBFILE" <"$1"; else PGOPTIONS="-csearch_path=$SCHEMA" psql "$KIJUN_TEST_PG_DSN" -q -v ON_ERROR_STOP=1 -f "$1" >/dev/null; fi
}
# rechain: recompute every digest, as an insider covering their tracks would.
rechain() {
  sql_tsv "SELECT seq, at, actor, COALESCE(actor_org_id, 0), COALESCE(org_id, 0), entity, entity_id, op, state_digest FROM audit_log ORDER BY seq" \
    | $RECHAIN >"$T/rechain.sql" && sql_file "$T/rechain.sql"
}
save_log() {
  sql "CREATE TABLE saved_log AS SELECT * FROM audit_log"
  sql "CREATE TABLE saved_head AS SELECT * FROM audit_head"
}
restore_log() {
  sql "DELETE FROM audit_log"
  sql "INSERT INTO audit_log SELECT * FROM saved_log"
  sql "DELETE FROM audit_head"
  sql "INSERT INTO audit_head SELECT * FROM saved_head"
}
verify_cp() { # verify_cp WANT LABEL: verify --checkpoints with the pinned key
  k "$1" "$2" audit verify --checkpoints "$CK" --pubkey "$KEY.pub"
}

suite() {
  local A B NA NB
  CK=$T/$BACKEND-checkpoints KEY=$T/$BACKEND-keys/signing
  mkdir -p "$CK" "$T/$BACKEND-keys"

  k 0 "init --demo" init --demo

  # The key: made once, never overwritten, refused when others may read it.
  k 0 "keygen" audit keygen --key "$KEY"
  [ "$(cat "$T/o")" = "$(cat "$KEY.pub")" ] && npass=$((npass + 1)) || fail "$LB keygen prints the public key of $KEY.pub"
  [ "$(stat -c %a "$KEY")" = 600 ] && npass=$((npass + 1)) || fail "$LB key file mode $(stat -c %a "$KEY"), expected 600"
  k 1 "keygen over a key" audit keygen --key "$KEY"
  says e "already exists" "keygen refuses to overwrite"
  chmod 640 "$KEY"
  k 1 "checkpoint with a key the group may read" audit checkpoint --key "$KEY" --dir "$CK"
  says e "group or others may read or write the key (mode 640)" "loose key refused"
  chmod 600 "$KEY"
  k 2 "checkpoint without --dir" audit checkpoint --key "$KEY"

  # Checkpoint A on the demo, B after one more change, then a change after the last one.
  k 0 "checkpoint A" audit checkpoint --key "$KEY" --dir "$CK"
  A=$(ls "$CK") NA=$(sql "SELECT seq FROM audit_head")
  grep -qxF -- "$(cat "$T/o")" "$CK/$A" && npass=$((npass + 1)) || fail "$LB the witness line on stdout is the file's line"
  k 0 "a change" org add --kind ministry --code ZA --name-ja 甲 --name-en "Ministry ZA"
  k 0 "checkpoint B" audit checkpoint --key "$KEY" --dir "$CK"
  B=$(ls "$CK" | grep -vxF "$A") NB=$(sql "SELECT seq FROM audit_head")
  k 0 "a change after the last checkpoint" org add --kind ministry --code ZB --name-ja 乙 --name-en "Ministry ZB"
  [ "$NB" -gt "$NA" ] && [ "$NA" -gt 20 ] && npass=$((npass + 1)) || fail "$LB checkpoints at $NA and $NB"

  # A clean database verifies, with its checkpoints and its live state.
  k 0 "clean verify" audit verify --checkpoints "$CK" --pubkey "$KEY.pub" --state
  says o "checkpoints: 2 of 2 verified against the given key" "both checkpoints verified"
  says o "audit log verified" "clean verdict"
  k 0 "clean verify --json" audit verify --checkpoints "$CK" --pubkey "$KEY.pub" --state --json
  [ "$(jq -r '[.ok, .checkpoints.verified, (.state.problems | length), (.state.checked.app_user > 100)] | map(tostring) | join(" ")' "$T/o")" = "true 2 0 true" ] \
    && npass=$((npass + 1)) || fail "$LB clean verify --json: $(head -c 300 "$T/o")"

  k 0 "clean verify, key not pinned" audit verify --checkpoints "$CK"
  says o "the checkpoints' own (not pinned: pass --pubkey)" "an unpinned key said so"
  k 2 "--pubkey without --checkpoints" audit verify --pubkey "$KEY.pub"

  save_log

  # A record rewritten and the chain recomputed: the chain alone is fooled, the checkpoints
  # are not, and both checkpoints at or after the record are named.
  sql "UPDATE audit_log SET op = 'org.delete' WHERE seq = 5"
  rechain
  k 0 "rewritten log: the chain alone" audit verify
  says o "audit log intact" "the recomputed chain holds on its own"
  verify_cp 1 "rewritten log"
  says e "checkpoint $A: record $NA: the log up to record $NA is not the one signed" "rewrite named at checkpoint A"
  says e "checkpoint $B: record $NB: the log up to record $NB is not the one signed" "rewrite named at checkpoint B"
  says e "records were changed, removed, added or reordered in records 1 to $NA" "the range of the rewrite"
  says o "audit log NOT verified" "rewrite verdict"
  restore_log

  # A rewrite after checkpoint A only: A still holds and bounds the change.
  sql "UPDATE audit_log SET actor = 'local:someone' WHERE seq = $((NA + 1))"
  rechain
  verify_cp 1 "rewrite between the checkpoints"
  lacks e "checkpoint $A:" "checkpoint A still holds"
  says e "in records $((NA + 1)) to $NB (checkpoint $A of record $NA still holds)" "rewrite placed between A and B"
  restore_log

  # Records removed from the end, head rewritten to match.
  sql "DELETE FROM audit_log WHERE seq > $NA"
  rechain
  k 0 "truncated log: the chain alone" audit verify
  verify_cp 1 "truncated log"
  says e "checkpoint $B: record $NB: signed record $NB but the log ends at record $NA: records were removed from the end" "truncation named"
  lacks e "checkpoint $A:" "checkpoint A still holds after truncation"
  restore_log

  # Two records swapped, chain recomputed.
  sql "UPDATE audit_log SET seq = -seq WHERE seq IN (10, 11)"
  sql "UPDATE audit_log SET seq = 21 + seq WHERE seq IN (-10, -11)"
  rechain
  k 0 "reordered log: the chain alone" audit verify
  verify_cp 1 "reordered log"
  says e "checkpoint $A: record $NA: the log up to record $NA is not the one signed" "reordering named"
  restore_log

  # A record removed from the middle, chain recomputed: the gap is named.
  sql "DELETE FROM audit_log WHERE seq = 12"
  rechain
  verify_cp 1 "record removed"
  says e "record 12 is missing from the log" "gap named"
  restore_log
  verify_cp 0 "restored log"

  # Forged checkpoints: an altered one, and one signed with another key.
  sed "s/ $NB / $((NB + 100)) /" "$CK/$B" >"$CK/000000009999-forged.ckpt"
  k 0 "another key" audit keygen --key "$T/$BACKEND-keys/intruder"
  k 0 "checkpoint with another key" audit checkpoint --key "$T/$BACKEND-keys/intruder" --dir "$CK"
  C=$(ls "$CK" | grep -vxF -e "$A" -e "$B" -e 000000009999-forged.ckpt)
  verify_cp 1 "forged checkpoints"
  says e "checkpoint 000000009999-forged.ckpt: record $((NB + 100)): its signature does not verify: the checkpoint was forged or altered" "altered checkpoint named"
  says e "checkpoint $C: record" "checkpoint signed by another key named"
  says e "not by the given key" "the key mismatch said"
  lacks e "checkpoint $A:" "the genuine checkpoints still hold"
  rm -f "$CK/000000009999-forged.ckpt" "$CK/$C"
  echo "kijun-checkpoint 1 nonsense" >"$CK/000000000001-junk.ckpt"
  verify_cp 1 "junk checkpoint"
  says e "checkpoint 000000000001-junk.ckpt: record 0: not a checkpoint" "junk named"
  rm -f "$CK/000000000001-junk.ckpt"
  verify_cp 0 "genuine checkpoints only"

  # Live rows edited behind kijun's back.
  local staff uuid_staff uuid_pw kl fid rc org_uuid
  staff=$(sql "SELECT name FROM app_user WHERE role = 'staff' ORDER BY name LIMIT 1")
  uuid_staff=$(sql "SELECT uuid FROM app_user WHERE name = '$staff'")
  sql "UPDATE app_user SET role = 'centre_admin' WHERE name = '$staff'"
  uuid_pw=$(sql "SELECT uuid FROM app_user WHERE role = 'org_admin' ORDER BY name LIMIT 1")
  sql "UPDATE app_user SET password_hash = (SELECT password_hash FROM app_user WHERE name = '$staff') WHERE uuid = '$uuid_pw'"
  org_uuid=$(sql "SELECT uuid FROM org WHERE code = 'ZA'")
  sql "UPDATE org SET name_en = 'Renamed behind the back' WHERE code = 'ZA'"
  kl=$(sql "SELECT k.uuid || '|' || a.item_id FROM answer a JOIN checklist k ON k.id = a.checklist_id WHERE a.bucket = 'not_done' ORDER BY k.uuid, a.item_id LIMIT 1")
  sql "UPDATE answer SET value = 'implemented', bucket = 'done' WHERE item_id = ${kl#*|} AND checklist_id = (SELECT id FROM checklist WHERE uuid = '${kl%|*}')"
  fid=$(sql "SELECT uuid FROM audit_finding WHERE severity = 'critical' ORDER BY uuid LIMIT 1")
  sql "UPDATE audit_finding SET severity = 'low' WHERE uuid = '$fid'"
  rc=$(sql "SELECT c.code || '/' || i.item_number || '/' || o.code FROM rollup r JOIN campaign c ON c.id = r.campaign_id JOIN campaign_item i ON i.id = r.item_id JOIN org o ON o.id = r.org_id WHERE r.item_id <> ${kl#*|} ORDER BY c.code, i.item_number, o.code LIMIT 1")
  sql "UPDATE rollup SET n_partial = n_partial + 2 WHERE item_id = (SELECT i.id FROM campaign_item i JOIN campaign c ON c.id = i.campaign_id WHERE c.code || '/' || i.item_number = '${rc%/*}') AND org_id = (SELECT id FROM org WHERE code = '${rc##*/}' AND valid_to IS NULL)"
  k 0 "edited rows: the chain alone" audit verify
  k 1 "edited rows" audit verify --state
  says e "app_user $uuid_staff: differs from the state its last audit record" "edited role named"
  says e "app_user $uuid_pw: differs" "swapped password hash named"
  says e "org $org_uuid: differs" "edited organisation named"
  says e "answer ${kl%|*}: differs" "edited answer named (its checklist)"
  says e "audit_finding $fid: differs" "edited finding named"
  says e "rollup $rc: n_partial is +2 off the recount" "wrong counter named"
  says o "audit log NOT verified" "state verdict"
  k 1 "edited rows --json" audit verify --state --json
  [ "$(jq -r '[.state.problems[].table] | unique | join(",")' "$T/o")" = "answer,app_user,audit_finding,org,rollup" ] \
    && npass=$((npass + 1)) || fail "$LB tables named in --json: $(jq -c '[.state.problems[].table]' "$T/o")"

  # A row added behind kijun's back has no record.
  sql "INSERT INTO app_user (uuid, name, display_name, org_id, role, disabled, version, created_at, updated_at) SELECT '00000000-0000-4000-8000-000000000001', 'ghost', 'ghost', org_id, 'centre_admin', 0, 1, created_at, updated_at FROM app_user WHERE uuid = '$uuid_staff'"
  k 1 "a row added" audit verify --state
  says e "app_user 00000000-0000-4000-8000-000000000001: no audit record" "added account named"
}

# SQLite.
BACKEND=sqlite LB=sqlite DBFILE=$T/a.db DSN=sqlite:$T/a.db
suite

# kijun serve signs as the log moves (SQLite).
DSN=sqlite:$T/s.db LB="sqlite serve"
k 0 "serve: init --demo" init --demo
mkdir -p "$T/serve-ck"
printf 'listen = 127.0.0.1:0\ncheckpoint_key = %s\ncheckpoint_dir = %s\ncheckpoint_interval = 1\n' "$T/sqlite-keys/signing" "$T/serve-ck" >"$T/serve.conf"
"$K" --db "$DSN" serve --config "$T/serve.conf" >"$T/serve.out" 2>"$T/serve.err" &
SERVE_PID=$!
for _ in $(seq 1 600); do [ -n "$(ls "$T/serve-ck")" ] && break; sleep 0.1; done
k 0 "serve: a change" org add --kind ministry --code ZC --name-ja 丙 --name-en "Ministry ZC"
head_seq=$(sqlite3 "$T/s.db" "SELECT seq FROM audit_head")
for _ in $(seq 1 600); do ls "$T/serve-ck" | grep -q "^0*$head_seq-" && break; sleep 0.1; done
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
SERVE_PID=""
ls "$T/serve-ck" | grep -q "^0*$head_seq-" && npass=$((npass + 1)) || fail "$LB no checkpoint of record $head_seq: $(ls "$T/serve-ck")"
[ "$(ls "$T/serve-ck" | wc -l)" -ge 2 ] && npass=$((npass + 1)) || fail "$LB one checkpoint at start and one after the change"
grep -qF "kijun-checkpoint 1 $head_seq " "$T/serve.out" && npass=$((npass + 1)) || fail "$LB the witness line on the server's stdout"
k 0 "serve: its checkpoints verify" audit verify --checkpoints "$T/serve-ck" --pubkey "$T/sqlite-keys/signing.pub"
printf 'checkpoint_key = %s\n' "$T/sqlite-keys/signing" >"$T/serve-bad.conf"
k 2 "serve: a key without a directory" serve --config "$T/serve-bad.conf"
says e "checkpoints need both checkpoint_key and checkpoint_dir" "half a checkpoint configuration refused"

# PostgreSQL, in a schema of its own.
if [ -n "${KIJUN_TEST_PG_DSN:-}" ]; then
  SCHEMA=auditlog
  psql "$KIJUN_TEST_PG_DSN" -q -v ON_ERROR_STOP=1 -c "SET client_min_messages TO warning" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA" >/dev/null
  BACKEND=postgresql LB=postgresql DSN="${KIJUN_TEST_PG_DSN}?options=-csearch_path%3D$SCHEMA"
  suite
elif [ "${KIJUN_REQUIRE_PG:-0}" = 1 ]; then
  fail "KIJUN_TEST_PG_DSN is not set"
fi

echo "auditlog: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
