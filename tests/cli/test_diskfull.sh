#!/usr/bin/env bash
# test_diskfull.sh KIJUN: the disk of an SQLite database fills up under `kijun serve`.
# The demo database lives on a tmpfs of a few MB (mounted here; root only). Evidence is
# uploaded through the server until the disk is full. The upload that does not fit gets a
# clear 503 "unavailable" with Retry-After, not a crash and not a bare 500; a write from the
# command line says the disk is full and exits 1; the server goes on answering reads; every
# upload acknowledged before is stored; the database opens and `kijun audit verify` passes;
# and once space is freed, writes work again.
# Without permission to mount, the test is skipped (exit 77) unless CI is set.
set -uo pipefail
K=$1
case $K in /*) ;; *) K=$PWD/$K ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d /tmp/kijun-diskfull.XXXXXX)
M=$T/small
SERVER_PID= MOUNTED=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  [ -n "$MOUNTED" ] && umount "$M"
  rm -rf "$T"
}
trap cleanup EXIT
unset KIJUN_DB KIJUN_SERVER KIJUN_TOKEN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# The demo, made on the ordinary disk and backed up (one file, no write-ahead log).
"$K" --db "sqlite:$T/demo.db" init --demo >/dev/null || { echo "init --demo failed" >&2; exit 1; }
"$K" --db "sqlite:$T/demo.db" db backup "$T/demo.backup" >/dev/null || { echo "backup failed" >&2; exit 1; }
SIZE_KB=$(( $(stat -c %s "$T/demo.backup") / 1024 ))
mkdir -p "$M"
# Room for the database, its write-ahead log's first growth, a filler to free later, and
# a few uploads.
if ! mount -t tmpfs -o "size=$((SIZE_KB + 2560))k" tmpfs "$M" 2>"$T/mount.err"; then
  if [ -n "${CI:-}" ]; then echo "FAIL: cannot mount a tmpfs in CI: $(cat "$T/mount.err")" >&2; exit 1; fi
  echo "test_diskfull: skipped: cannot mount a tmpfs here (not root?): $(cat "$T/mount.err")" >&2
  exit 77
fi
MOUNTED=1
DB=sqlite:$M/kijun.db
"$K" --db "$DB" db restore "$T/demo.backup" >/dev/null && ok || bad "restore onto the small disk"
printf 'full-disk-probe-Pw-1\n' | "$K" --db "$DB" user add --name admin --org NCO --role centre_admin --password-stdin >/dev/null ||
  bad "user add"
TOKEN=$("$K" --db "$DB" token create --user admin --name diskfull | tail -1 | awk '{print $NF}')
dd if=/dev/zero of="$M/filler" bs=1024 count=768 status=none

# start_server DSN, stop_server.
. "$HERE/serve_lib.sh"
start_server "$DB" || exit 1

# upload N: one evidence file of about 200 KB, distinct by N. Prints the HTTP status; the
# reply body goes to $T/reply, the headers to $T/headers.
upload() {
  { printf 'evidence %s\n' "$1"; head -c 150000 /dev/urandom | base64; } >"$T/ev.txt"
  curl -s -o "$T/reply" -D "$T/headers" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: text/plain' --data-binary "@$T/ev.txt" "$URL/api/v1/evidence"
}
: >"$T/acked"
status=
for n in $(seq 1 200); do
  status=$(upload "$n")
  [ "$status" = 201 ] || break
  jq -r .sha256 "$T/reply" >>"$T/acked"
done
[ "$(wc -l <"$T/acked")" -ge 1 ] && ok || bad "no upload fitted at all"
if [ "$status" = 503 ]; then ok; else bad "the upload that did not fit: status $status, expected 503: $(cat "$T/reply")"; fi
jq -e '.error == "unavailable" and (.message | test("unavailable"))' "$T/reply" >/dev/null && ok ||
  bad "the 503 says what happened: $(cat "$T/reply")"
grep -qi '^Retry-After:' "$T/headers" && ok || bad "no Retry-After with the 503"
grep -q "disk holding the database is full" "$T/serve.log" && ok || bad "the server's log does not say the disk is full"
kill -0 "$SERVER_PID" 2>/dev/null && ok || bad "the server died"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/orgs")" = 200 ] && ok ||
  bad "reads fail on a full disk"

# The command line on a disk filled to the last block: writes until one does not fit.
# Each either works (exit 0, and is kept) or says the disk is full (exit 1); none crashes.
dd if=/dev/zero of="$M/filler2" bs=4096 status=none 2>/dev/null
full=0 crashed=0
: >"$T/cli-acked"
for n in $(seq 1 60); do
  "$K" --db "$DB" org add --kind division --code "FULL-$n" --parent MCO-BRD --name-ja "満$n" --name-en "Full $n" \
    >/dev/null 2>"$T/cli.err"
  rc=$?
  if [ "$rc" -eq 0 ]; then echo "FULL-$n" >>"$T/cli-acked"
  elif [ "$rc" -eq 1 ] && grep -q "disk holding the database is full" "$T/cli.err"; then full=1; break
  else crashed=1; bad "org add on a full disk: exit $rc: $(cat "$T/cli.err")"; break; fi
done
[ "$full" -eq 1 ] && ok || bad "the command line never said the disk is full"
[ "$crashed" -eq 0 ] && ok
rm -f "$M/filler2"

kill "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=

[ "$rc" -eq 0 ] && ok || bad "the server's exit status $rc after SIGTERM"

# Nothing acknowledged is lost; the database opens and its log verifies.
sqlite3 "$M/kijun.db" 'SELECT sha256 FROM evidence' | sort >"$T/stored"
sort "$T/acked" | comm -23 - "$T/stored" >"$T/lost"
[ -s "$T/lost" ] && bad "acknowledged uploads lost: $(wc -l <"$T/lost")" || ok
"$K" --db "$DB" audit verify >/dev/null 2>"$T/err" && ok || bad "audit verify on the full disk: $(cat "$T/err")"
[ "$(sqlite3 "$M/kijun.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity_check"
while read -r code; do
  "$K" --db "$DB" org show "$code" >/dev/null 2>&1 || bad "$code was acknowledged on the full disk and is lost"
done <"$T/cli-acked"

# Space again: writes work.
rm -f "$M/filler"
"$K" --db "$DB" org add --kind division --code ROOM-1 --parent MCO-BRD --name-ja 空 --name-en Room >/dev/null 2>"$T/err" && ok ||
  bad "a write once space is freed: $(cat "$T/err")"
"$K" --db "$DB" audit verify >/dev/null && ok || bad "audit verify after freeing space"

echo "test_diskfull: $pass passed, $fail failed ($(wc -l <"$T/acked") uploads fitted)"
[ "$fail" -eq 0 ]
