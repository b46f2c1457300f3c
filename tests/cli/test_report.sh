#!/usr/bin/env bash
# test_report.sh KIJUN: kijun report annual on the demo, as a user runs it: the HTML report
# in both languages, one organisation's report, usage errors, the PDF through headless
# Chromium read back with pdftotext (Japanese and English text, an organisation's name, a
# score), a clear failure without Chromium, and the same report through a server under the
# access rules (the centre, a ministry's CISO, staff). Chromium and pdftotext are required:
# `make test` installs them, and without them this test fails rather than skips.
set -uo pipefail
K=$1
case $K in /*) ;; *) K=$PWD/$K ;; esac
T=$(mktemp -d /tmp/kijun-report.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$T"
}
trap cleanup EXIT
unset KIJUN_SERVER KIJUN_TOKEN KIJUN_CHROMIUM http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export KIJUN_DB=sqlite:$T/demo.db
cd "$T"
pass=0 fail=0
PW='correct horse battery staple'

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE DESCRIPTION -- CMD...: runs CMD, checks its exit code; output in $T/out, $T/err
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/  | /' "$T/err" | head -20 >&2; fi
}
has() { # has FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: \"$2\" not in $(basename "$1")"; fi
}
hasnt() { # hasnt FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: \"$2\" is in $(basename "$1")"; else ok; fi
}
count() { grep -oF -- "$2" "$1" | wc -l; }

"$K" init --demo >/dev/null || { echo "FAIL: init --demo" >&2; exit 1; }

# ---- HTML on the database ----------------------------------------------------------------
expect 0 "html to a file" -- "$K" report annual --fy 2025 --out "$T/ja.html"
[ -s "$T/out" ] && bad "html --out also wrote to standard output" || ok
has "$T/ja.html" '<!DOCTYPE html>' "html doctype"
has "$T/ja.html" '<html lang="ja">' "html language"
has "$T/ja.html" '令和7年度 情報セキュリティ対策 年次評価報告書' "Japanese title with the Reiwa year"
has "$T/ja.html" 'kijun-eval-1' "the method"
has "$T/ja.html" '内政省' "a ministry's Japanese name"
has "$T/ja.html" '国立統計情報機構' "an agency's Japanese name"
has "$T/ja.html" 'id="heatmap"' "the heatmap"
has "$T/ja.html" "default-src 'none'" "the document's own policy"
hasnt "$T/ja.html" '<script' "no script"
[ "$(count "$T/ja.html" '<svg')" -ge 10 ] && ok || bad "fewer than 10 charts"
sections=$(count "$T/ja.html" '<section class="org"')
[ "$sections" -ge 30 ] && ok || bad "only $sections organisation sections in the government's report"
# The government mean as the report prints it, to find again in the PDF.
MEAN=$(sed -n 's/.*<th>平均<\/th><td class="n">\([0-9.]*\)<\/td>.*/\1/p' "$T/ja.html" | head -1)
case $MEAN in [0-9]*.[0-9]) ok ;; *) bad "no government mean in the summary (\"$MEAN\")" ;; esac

expect 0 "html to standard output, English" -- "$K" report annual --fy 2025 --lang en
cp "$T/out" "$T/en.html"
has "$T/en.html" '<html lang="en">' "English document"
has "$T/en.html" 'FY2025 Annual information security evaluation report' "English title"
has "$T/en.html" 'Ministry of Internal Affairs' "a ministry's English name"
hasnt "$T/en.html" '令和' "no Japanese era in English"

expect 0 "one organisation" -- "$K" report annual --fy 2025 --org AG01 --lang en --out "$T/ag01.html"
has "$T/ag01.html" 'Organisation information security evaluation report' "organisation report title"
has "$T/ag01.html" '<span class="code">AG01</span>' "the organisation's section"
[ "$(count "$T/ag01.html" '<section class="org"')" -eq 1 ] && ok || bad "organisation report with other sections"
hasnt "$T/ag01.html" 'id="heatmap"' "no government heatmap in an organisation's report"

# The current fiscal year, which has no evaluated data yet in the demo, still makes a report.
expect 0 "the current fiscal year" -- "$K" report annual --out "$T/now.html"
has "$T/now.html" '</html>' "a whole document for the current year"
expect 1 "a unit is not evaluated" -- "$K" report annual --fy 2025 --org MHA-GA
has "$T/err" 'MHA-GA' "unit message names it"
expect 1 "no such organisation" -- "$K" report annual --fy 2025 --org NO-SUCH-ORG
expect 2 "bad format" -- "$K" report annual --format docx
has "$T/err" '--format: expected html or pdf' "format message"
expect 2 "bad language" -- "$K" report annual --lang fr
expect 2 "bad year" -- "$K" report annual --fy 20x5
expect 2 "argument" -- "$K" report annual 2025
expect 2 "unknown subcommand" -- "$K" report yearly
expect 0 "help" -- "$K" help report
has "$T/out" 'kijun report annual' "help text"

# ---- PDF through headless Chromium --------------------------------------------------------
command -v pdftotext >/dev/null || bad "pdftotext is not installed (poppler-utils): the PDF cannot be checked"
expect 0 "pdf, Japanese" -- "$K" report annual --fy 2025 --format pdf --out "$T/ja.pdf"
if [ "$(head -c 5 "$T/ja.pdf" 2>/dev/null)" = '%PDF-' ]; then ok; else bad "ja.pdf is not a PDF"; fi
pdftotext -enc UTF-8 "$T/ja.pdf" "$T/ja.txt" 2>/dev/null || bad "pdftotext ja.pdf"
touch "$T/ja.txt"
has "$T/ja.txt" '令和7年度' "PDF: the fiscal year in Japanese"
has "$T/ja.txt" '年次評価報告書' "PDF: the Japanese title"
has "$T/ja.txt" '内政省' "PDF: a ministry's Japanese name"
has "$T/ja.txt" '政府全体の概要' "PDF: a Japanese heading"
[ -n "$MEAN" ] && has "$T/ja.txt" "$MEAN" "PDF: the government mean"

expect 0 "pdf, English, to standard output" -- "$K" report annual --fy 2025 --format pdf --lang en --org MHA
cp "$T/out" "$T/mha.pdf"
pdftotext -enc UTF-8 "$T/mha.pdf" "$T/mha.txt" 2>/dev/null || bad "pdftotext mha.pdf"
touch "$T/mha.txt"
has "$T/mha.txt" 'Organisation information security evaluation' "PDF: the English title"
has "$T/mha.txt" 'Ministry of Internal Affairs' "PDF: the ministry's English name"
has "$T/mha.txt" 'Maturity steps' "PDF: an English heading"
MHA_SCORE=$(sed -n 's/.*<div>Score<b>\([0-9.]*\)<\/b>.*/\1/p' <("$K" report annual --fy 2025 --lang en --org MHA) | head -1)
case $MHA_SCORE in [0-9]*) has "$T/mha.txt" "$MHA_SCORE" "PDF: the ministry's score" ;; *) bad "no score for MHA in the HTML" ;; esac

KIJUN_CHROMIUM=/nonexistent/chromium expect 1 "pdf without Chromium" -- "$K" report annual --fy 2025 --format pdf --out "$T/x.pdf"
has "$T/err" 'PDF needs Chromium' "the missing browser is named"
[ -e "$T/x.pdf" ] && bad "a file was written without Chromium" || ok

# ---- Through a server, under the access rules ---------------------------------------------
mkuser() { # mkuser NAME ORG ROLE: an account and its token (printed)
  printf '%s\n' "$PW" | "$K" user add --name "$1" --org "$2" --role "$3" --password-stdin >/dev/null || bad "user add $1"
  "$K" token create --user "$1" --name report-test | tail -1 | awk '{print $NF}'
}
T_ADMIN=$(mkuser rep-admin NCO centre_admin)
T_CISO=$(mkuser rep-ciso MHA org_admin)
T_STAFF=$(mkuser rep-staff MHA-GA-IT staff)
"$K" report annual --fy 2025 --out "$T/local.html" || bad "local report before the server"

port=
for try in 1 2 3 4 5 6 7 8 9 10; do
  p=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
  "$K" serve --listen "127.0.0.1:$p" --quiet >"$T/serve.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 100); do
    if grep -qs "listening on" "$T/serve.log"; then port=$p; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] && break
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
done
if [ -z "$port" ]; then
  bad "kijun serve did not start"; sed 's/^/  | /' "$T/serve.log" >&2
else
  URL=http://127.0.0.1:$port
  remote() { # remote TOKEN ARGS...
    local tok=$1; shift
    KIJUN_DB=sqlite:/nonexistent/kijun.db KIJUN_TOKEN=$tok "$K" --server "$URL" "$@"
  }
  expect 0 "remote html as the centre" -- remote "$T_ADMIN" report annual --fy 2025 --out "$T/remote.html"
  if cmp -s "$T/local.html" "$T/remote.html"; then ok; else bad "the server's report differs from the local one"; diff "$T/local.html" "$T/remote.html" | head -5 >&2; fi
  expect 0 "remote html as MHA's CISO" -- remote "$T_CISO" report annual --fy 2025 --lang en
  cp "$T/out" "$T/ciso.html"
  has "$T/ciso.html" 'Ministry of Internal Affairs' "CISO: its own ministry"
  hasnt "$T/ciso.html" 'Ministry of Public Finance' "CISO: no other ministry"
  n=$(count "$T/ciso.html" '<section class="org"')
  [ "$n" -ge 1 ] && [ "$n" -lt "$sections" ] && ok || bad "CISO: $n organisation sections (all: $sections)"
  expect 1 "remote: another ministry for the CISO" -- remote "$T_CISO" report annual --fy 2025 --org MPF
  has "$T/err" 'no organisation' "CISO: out of scope reads as absent"
  expect 1 "remote: staff" -- remote "$T_STAFF" report annual --fy 2025
  has "$T/err" 'not allowed' "staff refused"
  expect 0 "remote pdf" -- remote "$T_ADMIN" report annual --fy 2025 --format pdf --lang en --out "$T/remote.pdf"
  pdftotext -enc UTF-8 "$T/remote.pdf" "$T/remote.txt" 2>/dev/null || bad "pdftotext remote.pdf"
  touch "$T/remote.txt"
  has "$T/remote.txt" 'Annual information security evaluation report' "remote PDF: the title"
  has "$T/remote.txt" 'Ministry of Internal Affairs' "remote PDF: a ministry's name"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
fi

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
