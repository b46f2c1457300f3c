#!/usr/bin/env bash
# test_hygiene.sh KIJUN: what kijun leaves on disk and prints (issue 10):
#   - a new SQLite database and its -wal and -shm files are the owner's alone (0600), under
#     an ordinary umask of 022;
#   - every --out/--output (reports, CSV/XLSX/OSCAL exports, plan and standard exports,
#     locally and through a server) is written 0600, replaces an older file whole, and is
#     refused when it names a symbolic link (dangling or not) or something that is not a
#     regular file;
#   - control characters in data (ESC sequences in names) are printed as visible escapes,
#     locally, through a server and in error messages; --json stays JSON;
#   - codes and account names cannot begin with '-';
#   - the CSV export defuses every cell a spreadsheet could read as a formula.
# The last three run on SQLite and, when KIJUN_TEST_PG_DSN is set, on PostgreSQL.
set -uo pipefail
K=$1
SRC=${KIJUN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/kijun-hygiene.XXXXXX)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
umask 022
pass=0 fail=0
ESC=$(printf '\033')

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
expect() { # expect CODE DESCRIPTION -- CMD...: output in $T/out, $T/err
  local want=$1 what=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/  | /' "$T/err" | head -5 >&2; fi
}
has() { # has FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: \"$2\" not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -10 >&2; fi
}
lacks() { # lacks FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: \"$2\" in $(basename "$1")"; else ok; fi
}
mode_is() { # mode_is FILE MODE DESCRIPTION
  local m
  m=$(stat -c %a "$1" 2>/dev/null)
  if [ "$m" = "$2" ]; then ok; else bad "$3: $1 has mode ${m:-(missing)}, expected $2"; fi
}
no_tmp_left() { # no temporary files of the output writer left in $T
  if ls -a "$T" | grep -q '\.kijun-'; then bad "$1: a temporary file was left: $(ls -a "$T" | grep '\.kijun-')"; else ok; fi
}

# ---- The database files -----------------------------------------------------------------
DB=sqlite:$T/h.db
export KIJUN_DB=$DB
expect 0 "init --demo" -- "$K" init --demo
mode_is "$T/h.db" 600 "a new database"
PW='correct horse battery staple'
printf '%s\n' "$PW" | "$K" user add --name hy-admin --org NCO --role centre_admin --password-stdin >/dev/null || bad "user add"
TOKEN=$("$K" token create --user hy-admin --name hygiene | tail -1 | awk '{print $NF}')

start_server() { # a server on a free port of loopback: sets port and SERVER_PID
  local p i
  for p in $(shuf -i 20000-59999 -n 10); do
    "$K" serve --listen "127.0.0.1:$p" --quiet >"$T/serve.log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 100); do
      grep -qs "listening on" "$T/serve.log" && { port=$p; return 0; }
      kill -0 "$SERVER_PID" 2>/dev/null && sleep 0.1 || break
    done
    kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
  done
  return 1
}
port=
start_server || { bad "kijun serve did not start"; sed 's/^/  | /' "$T/serve.log" >&2; }
URL=http://127.0.0.1:$port
remote() { KIJUN_DB=sqlite:/nonexistent/kijun.db KIJUN_TOKEN=$TOKEN "$K" --server "$URL" "$@"; }
# The server holds the database open in WAL mode: its -wal and -shm files exist now.
expect 0 "a request through the server" -- remote org list
mode_is "$T/h.db-wal" 600 "the write-ahead log"
mode_is "$T/h.db-shm" 600 "the shared-memory file"

# ---- Output files -----------------------------------------------------------------------
expect 0 "report --out" -- "$K" report annual --fy 2025 --out "$T/report.html"
mode_is "$T/report.html" 600 "the yearly report"
[ -s "$T/out" ] && bad "report --out also wrote to standard output" || ok
for fmt in csv xlsx oscal; do
  expect 0 "export $fmt --out" -- "$K" inspect export --format $fmt GOV-FY2025-MHA --out "$T/export.$fmt"
  mode_is "$T/export.$fmt" 600 "the $fmt export"
  [ -s "$T/export.$fmt" ] && ok || bad "the $fmt export is empty"
done
head -c 2 "$T/export.xlsx" | grep -q PK && ok || bad "the xlsx export is not a zip file"
expect 0 "plan export --out" -- "$K" plan export --org MHA --out "$T/poam.json"
mode_is "$T/poam.json" 600 "the plan export"
expect 0 "standard export --output" -- "$K" standard export demo-fy2025 --output "$T/fy25.json"
mode_is "$T/fy25.json" 600 "the standard export"
# An older file, readable by all, is replaced whole by an owner-only one.
printf 'old contents that are longer than nothing at all\n' >"$T/old.csv"
chmod 644 "$T/old.csv"
expect 0 "export over an older file" -- "$K" inspect export --format csv GOV-FY2025-MHA --out "$T/old.csv"
mode_is "$T/old.csv" 600 "a replaced file"
lacks "$T/old.csv" "old contents" "the older file's bytes"
if [ -n "$port" ]; then
  expect 0 "remote export --out" -- remote inspect export --format csv GOV-FY2025-MHA --out "$T/remote.csv"
  mode_is "$T/remote.csv" 600 "an export through the server"
  expect 0 "remote report --out" -- remote report annual --fy 2025 --out "$T/remote.html"
  mode_is "$T/remote.html" 600 "a report through the server"
fi
# Symbolic links: to a file, dangling, to a directory; and a device.
printf 'precious\n' >"$T/victim"
chmod 644 "$T/victim"
ln -s "$T/victim" "$T/link.csv"
expect 1 "export through a symbolic link" -- "$K" inspect export --format csv GOV-FY2025-MHA --out "$T/link.csv"
has "$T/err" "symbolic link" "the link named as the reason"
has "$T/victim" "precious" "the link's target unchanged"
[ -L "$T/link.csv" ] && ok || bad "the link was replaced"
ln -s "$T/nowhere.html" "$T/dangling.html"
expect 1 "report through a dangling link" -- "$K" report annual --fy 2025 --out "$T/dangling.html"
has "$T/err" "symbolic link" "the dangling link named as the reason"
[ -e "$T/nowhere.html" ] && bad "the dangling link's target was created" || ok
ln -s "$T/victim" "$T/link.json"
expect 1 "plan export through a link" -- "$K" plan export --org MHA --out "$T/link.json"
expect 1 "standard export through a link" -- "$K" standard export demo-fy2025 --output "$T/link.json"
expect 1 "xlsx through a link" -- "$K" inspect export --format xlsx GOV-FY2025-MHA --out "$T/link.json"
has "$T/victim" "precious" "the link's target still unchanged"
if [ -n "$port" ]; then
  expect 1 "remote export through a link" -- remote inspect export --format csv GOV-FY2025-MHA --out "$T/link.csv"
  has "$T/victim" "precious" "the link's target unchanged by a remote export"
fi
mkdir "$T/adir"
expect 1 "export onto a directory" -- "$K" inspect export --format csv GOV-FY2025-MHA --out "$T/adir"
has "$T/err" "not a regular file" "a directory refused"
expect 1 "export onto a device" -- "$K" inspect export --format csv GOV-FY2025-MHA --out /dev/null
[ -c /dev/null ] && ok || bad "/dev/null is no longer a device"
expect 1 "export into a missing directory" -- "$K" inspect export --format csv GOV-FY2025-MHA --out "$T/no/such/x.csv"
no_tmp_left "after the refusals"

[ -n "$SERVER_PID" ] && { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }

# ---- Terminal, codes and CSV, on each backend --------------------------------------------
run_suite() { # run_suite DSN LABEL
  local D=$1 L=$2 cl
  export KIJUN_DB=$D
  [ "$L" = sqlite ] || expect 0 "$L init --demo" -- "$K" init --demo

  # Names that carry terminal control sequences: a window title and a screen clear.
  expect 0 "$L org add with escapes" -- "$K" org add --kind ministry --code EVIL \
    --name-ja "$(printf 'x\033]0;pwned\007')" --name-en "$(printf 'Evil \033[2J\302\233 \177 ok')"
  for cmd in "org show EVIL" "org list EVIL"; do
    expect 0 "$L $cmd" -- "$K" $cmd
    lacks "$T/out" "$ESC" "$L $cmd: a raw ESC"
    has "$T/out" '\x1b]0;pwned\x07' "$L $cmd: the title sequence shown"
    has "$T/out" 'Evil \x1b[2J\u009b \x7f ok' "$L $cmd: the clear, CSI and DEL shown"
  done
  expect 0 "$L org show --json" -- "$K" org show EVIL --json
  [ "$(jq -r .name_en "$T/out")" = "$(printf 'Evil \033[2J\302\233 \177 ok')" ] && ok || bad "$L --json carries the name as it is"
  printf '%s\n' "$PW" | "$K" user add --name hy-evil --org MHA --role staff --password-stdin \
    --display-name "$(printf 'Mallory\033[2J\033]0;x\007')" >/dev/null 2>&1 || bad "$L user add with escapes"
  expect 0 "$L user show" -- "$K" user show hy-evil
  lacks "$T/out" "$ESC" "$L user show: a raw ESC"
  has "$T/out" 'Mallory\x1b[2J\x1b]0;x\x07' "$L user show: the display name escaped"
  expect 1 "$L an escape in an error message" -- "$K" org show "$(printf 'NO\033[2JPE')"
  lacks "$T/err" "$ESC" "$L error message: a raw ESC"
  has "$T/err" 'NO\x1b[2JPE' "$L error message: the code escaped"

  # Codes and names that would read as options.
  expect 1 "$L org code -X" -- "$K" org add --kind ministry --code -X --name-ja a --name-en b
  has "$T/err" "not beginning with -" "$L org code message"
  expect 1 "$L org renamed to -X" -- "$K" org rename EVIL --code -X
  has "$T/err" "not beginning with -" "$L org rename message"
  expect 1 "$L account -bob" -- "$K" user add --name -bob --org MHA --role staff
  has "$T/err" "not beginning with -" "$L account name message"
  expect 1 "$L campaign -C" -- "$K" inspect create --code -C --org MHA --title-ja a --title-en b \
    --edition demo-fy2025 --opens 2026-01-01 --due 2026-02-01
  has "$T/err" "not beginning with -" "$L campaign code message"
  expect 1 "$L edition -bad" -- "$K" standard import "$SRC/data/demo/standard-fy2025.json" --id -bad --check
  has "$T/err" "not beginning with -" "$L edition id message"
  expect 0 "$L a code with - inside" -- "$K" org add --kind ministry --code OK-1 --name-ja a --name-en b

  # CSV cells a spreadsheet could run: answers of a new staff checklist with comments
  # that begin with a formula character, ASCII or full-width, or with TAB, CR or spaces.
  expect 0 "$L a checklist for the comments" -- "$K" inspect assign GOV-FY2025-MHA --user hy-evil --json
  cl=$(jq -r .id "$T/out")
  {
    printf 'checklist,item,value,comment\n'
    printf '%s,2.2.1(2)(a),implemented,"=1+2"\n' "$cl"
    printf '%s,2.2.2(2)(a),implemented,"\t=1+2"\n' "$cl"
    printf '%s,2.2.3(2)(b),implemented,"\r=1+2"\n' "$cl"
    printf '%s,2.2.4(2)(a),implemented,"  =1+2"\n' "$cl"
    printf '%s,2.3.1(2)(a),implemented,"\357\274\235SUM(1)"\n' "$cl"
    printf '%s,3.1.1(2)(a),implemented,"\357\274\213cmd"\n' "$cl"
    printf '%s,3.1.1(3)(a),implemented,"\357\274\215cmd"\n' "$cl"
    printf '%s,3.1.1(3)(b),implemented,"\357\274\240SUM(1)"\n' "$cl"
    printf '%s,3.1.1(4)(a),implemented," plain, with a leading space"\n' "$cl"
    printf '%s,3.1.1(4)(b),implemented,"@cmd"\n' "$cl"
  } >"$T/comments.csv"
  expect 0 "$L import the comments" -- "$K" inspect import GOV-FY2025-MHA "$T/comments.csv"
  expect 0 "$L export them" -- "$K" inspect export --format csv GOV-FY2025-MHA --out "$T/defused.csv"
  has "$T/defused.csv" "\"'=1+2\"" "$L = defused"
  has "$T/defused.csv" "\"'$(printf '\t')=1+2\"" "$L TAB defused"
  has "$T/defused.csv" "\"'$(printf '\r')=1+2\"" "$L CR defused"
  has "$T/defused.csv" "\"'  =1+2\"" "$L spaces then = defused"
  has "$T/defused.csv" "\"'$(printf '\357\274\235')SUM(1)\"" "$L full-width = defused"
  has "$T/defused.csv" "\"'$(printf '\357\274\213')cmd\"" "$L full-width + defused"
  has "$T/defused.csv" "\"'$(printf '\357\274\215')cmd\"" "$L full-width - defused"
  has "$T/defused.csv" "\"'$(printf '\357\274\240')SUM(1)\"" "$L full-width @ defused"
  has "$T/defused.csv" "\"'@cmd\"" "$L @ defused"
  has "$T/defused.csv" "\" plain, with a leading space\"" "$L a leading space alone left as it is"
}

run_suite "sqlite:$T/h.db" sqlite
if [ -n "${KIJUN_TEST_PG_DSN:-}" ]; then
  psql "$KIJUN_TEST_PG_DSN" -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS hygiene CASCADE" -c "CREATE SCHEMA hygiene" >/dev/null
  run_suite "${KIJUN_TEST_PG_DSN}?options=-csearch_path%3Dhygiene" postgresql
  psql "$KIJUN_TEST_PG_DSN" -q -c "DROP SCHEMA IF EXISTS hygiene CASCADE" >/dev/null
elif [ "${KIJUN_REQUIRE_PG:-0}" = 1 ]; then
  bad "KIJUN_TEST_PG_DSN is not set"
fi

echo "hygiene: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
