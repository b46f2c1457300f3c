#!/usr/bin/env bash
# bench_soak.sh [BUILD]: a soak of the API. Starts `kijun serve` (BUILD/kijun, default
# build/) on a fresh full demo (SQLite; PostgreSQL too when KIJUN_BENCH_PG_DSN names a
# database whose schema public it may wipe) and runs bench/soak.mjs against it: one client
# per demo staff account, reads, answers and logins mixed, for KIJUN_SOAK_SECONDS (default
# 180), printing the server's VmRSS, open descriptors, latency percentiles and 5xx count
# every KIJUN_SOAK_INTERVAL seconds (default 15). Target: no 5xx, no growth of
# descriptors or memory. Loopback only. Like every benchmark it always exits 0.
set -uo pipefail
CALLER_DIR=$(pwd)
cd "$(dirname "$0")/.." || exit 0
BUILD=${1:-build}
if [ -d "$CALLER_DIR/$BUILD" ] && [ "${BUILD#/}" = "$BUILD" ]; then BUILD="$CALLER_DIR/$BUILD"; fi
KIJUN="$BUILD/kijun"
say() { echo "bench_soak: $*"; }
command -v node >/dev/null 2>&1 || { say "node not found: skipped"; exit 0; }
[ -x "$KIJUN" ] || { say "$KIJUN not found (build first): skipped"; exit 0; }
TMP=$(mktemp -d /tmp/kijun-soak.XXXXXX) || exit 0
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; fi
}
trap 'stop_server; rm -rf "$TMP"' EXIT

soak() {	# soak DSN LABEL
  local p try
  "$KIJUN" --db "$1" init --demo --json >"$TMP/demo.json" 2>"$TMP/init.err" || { say "$2: init --demo failed: $(tail -2 "$TMP/init.err")"; return; }
  for try in 1 2 3 4 5 6 7 8 9 10; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    "$KIJUN" --db "$1" serve --listen "127.0.0.1:$p" --quiet >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 100); do grep -qs listening "$TMP/serve.out" && break 2; sleep 0.1; done
    stop_server
  done
  [ -n "$SERVER_PID" ] || { say "$2: the server did not start"; return; }
  say "== $2"
  node bench/soak.mjs "http://127.0.0.1:$p" "$SERVER_PID" "$TMP/demo.json" || say "$2: soak.mjs failed"
  stop_server
  [ -s "$TMP/serve.err" ] && say "$2: the server said: $(sort "$TMP/serve.err" | uniq -c | sort -rn | head -3)"
}

soak "sqlite:$TMP/soak.db" sqlite
if [ -n "${KIJUN_BENCH_PG_DSN:-}" ]; then
  psql "$KIJUN_BENCH_PG_DSN" -q -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" >/dev/null 2>&1 &&
    soak "$KIJUN_BENCH_PG_DSN" postgresql
fi
exit 0
