#!/usr/bin/env bash
# bench_frontdoor.sh [BUILD]: what attacks on the front door cost the server (BUILD/kijun,
# default build/), on a fresh demo database on SQLite, on loopback:
#   - memory: the server's resident memory (VmRSS of /proc/PID/status) before and after six
#     anonymous 60 MB uploads to POST /api/v1/evidence sent at once with curl, and its peak
#     (VmHWM); with the body refused on the head, the growth should stay near zero;
#   - PDF printing: how long GET /api/v1/health takes while two PDF reports
#     (GET /api/v1/reports/annual?format=pdf&org=MHA) are being printed, sent half a second
#     after them; with printing on job threads it should stay in milliseconds.
# Prints the figures and "target met" or "target missed" (growth under 32 MB; /health under
# 0.5 s); never fails the build: it always exits 0. Needs curl, and Chromium for the PDFs.
set -uo pipefail

# BUILD relative to where the caller stood, else to the repository.
BUILD=${1:-build}
[ "${BUILD#/}" != "$BUILD" ] || [ ! -d "$BUILD" ] || BUILD="$(pwd)/$BUILD"
cd "$(dirname "$0")/.." || exit 0
KIJUN="$BUILD/kijun"
TARGET_GROWTH_MB=32
TARGET_HEALTH_S=0.5

say() { echo "bench_frontdoor: $*"; }
[ -x "$KIJUN" ] || { say "skipped: no $KIJUN"; exit 0; }
command -v curl >/dev/null || { say "skipped: no curl"; exit 0; }

DIR=$(mktemp -d /tmp/kijun-bench-frontdoor.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT

DSN="sqlite:$DIR/bench.db"
"$KIJUN" --db "$DSN" init --demo >/dev/null || { say "skipped: init failed"; exit 0; }
echo 'a long enough password' | "$KIJUN" --db "$DSN" user add --name bench --org NCO --role centre_admin \
  --password-stdin >/dev/null || exit 0
TOKEN=$("$KIJUN" --db "$DSN" token create --user bench --name bench | tail -1 | awk '{print $NF}')
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$KIJUN" --db "$DSN" serve --listen "127.0.0.1:$PORT" --quiet >"$DIR/out" 2>"$DIR/err" &
PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$DIR/out" && break; sleep 0.1; done
grep -q 'listening on' "$DIR/out" || { say "skipped: the server did not start: $(cat "$DIR/err")"; exit 0; }
URL="http://127.0.0.1:$PORT"
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/status"; }

head -c 60000000 /dev/zero >"$DIR/upload"
before=$(kib VmRSS)
for _ in 1 2 3 4 5 6; do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/octet-stream' \
    --data-binary "@$DIR/upload" "$URL/api/v1/evidence" >>"$DIR/codes" 2>/dev/null &
done
wait $(jobs -p | grep -v "^$PID\$") 2>/dev/null
after=$(kib VmRSS)
peak=$(kib VmHWM)
growth_mb=$(( (after - before) / 1024 ))
say "six anonymous 60 MB uploads: replies $(sort "$DIR/codes" | uniq -c | awk '{printf "%s x%s ", $2, $1}')(000: reset after the refusal)"
say "resident memory before $((before / 1024)) MB, after $((after / 1024)) MB (growth ${growth_mb} MB), peak $((peak / 1024)) MB"
if [ "$growth_mb" -lt "$TARGET_GROWTH_MB" ]; then say "growth: target met (< $TARGET_GROWTH_MB MB)"; else say "growth: target missed (< $TARGET_GROWTH_MB MB)"; fi

PDF="$URL/api/v1/reports/annual?fy=2025&format=pdf&lang=en&org=MHA"
for i in 1 2; do
  curl -s -o "$DIR/r$i.pdf" -w "%{http_code} %{time_total}\n" -H "Authorization: Bearer $TOKEN" "$PDF" >"$DIR/pdf$i" &
done
sleep 0.5
health=$(curl -s -o /dev/null -w '%{time_total}' "$URL/api/v1/health")
wait $(jobs -p | grep -v "^$PID\$") 2>/dev/null
say "PDFs: $(cat "$DIR/pdf1" "$DIR/pdf2" | awk '{printf "%s in %s s; ", $1, $2}')magic $(head -c 5 "$DIR/r1.pdf" 2>/dev/null)"
say "/health while two PDFs print: ${health} s"
if awk -v h="$health" -v t="$TARGET_HEALTH_S" 'BEGIN {exit !(h < t)}'; then
  say "/health: target met (< ${TARGET_HEALTH_S} s)"
else
  say "/health: target missed (< ${TARGET_HEALTH_S} s)"
fi
exit 0
