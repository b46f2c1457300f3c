#!/usr/bin/env bash
# bench_server.sh [BUILD]: the HTTP API under load, with wrk on loopback.
#
# Starts `kijun serve --bench-routes` (BUILD/kijun, default build/) on a fresh demo
# database and measures, in one run and against the same server process:
#   - a trivial handler, GET /api/v1/_bench/trivial (a benchmark-only route), and
#   - an authenticated GET of one requirement,
#     GET /api/v1/editions/demo-fy2025/items/2.1.1(1)(a) with a bearer token,
# each with `wrk -t2 -c50 -d10s --latency` after a short warm-up. Prints the requests per
# second and the 99th-percentile latency of both, the ratio requirement / trivial (target
# at least 0.5), and the server's peak resident memory (VmHWM of /proc/PID/status, read
# after both loads; target at most 64 MB). Does the same on PostgreSQL when
# KIJUN_BENCH_PG_DSN names a database it may wipe (schema public is dropped and recreated).
#
# wrk, the server and its database share the machine's cores. Like every benchmark here it
# prints "target met" or "target missed" and never fails the build: it always exits 0.
#
# Environment: KIJUN_BENCH_SECONDS (default 10) the length of each measured load;
# KIJUN_BENCH_PG_DSN as above.
set -uo pipefail

CALLER_DIR=$(pwd)
cd "$(dirname "$0")/.." || exit 0
BUILD=${1:-build}
# BUILD as the caller meant it: relative to where they stood, else to the repository.
if [ -d "$CALLER_DIR/$BUILD" ] && [ "${BUILD#/}" = "$BUILD" ]; then
  BUILD="$CALLER_DIR/$BUILD"
fi
KIJUN="$BUILD/kijun"
SECONDS_LOAD=${KIJUN_BENCH_SECONDS:-10}
WARMUP_SECONDS=2
THREADS=2
CONNECTIONS=50
TRIVIAL=/api/v1/_bench/trivial
# 2.1.1(1)(a), with the parentheses percent-encoded.
REQUIREMENT=/api/v1/editions/demo-fy2025/items/2.1.1%281%29%28a%29
TARGET_RATIO=0.5
TARGET_RSS_MB=64

say() { echo "bench_server: $*"; }

if ! command -v wrk >/dev/null 2>&1; then
  say "wrk not found (apt-get install wrk): skipped"
  exit 0
fi
if [ ! -x "$KIJUN" ]; then
  say "$KIJUN not found (build first: cmake --build $BUILD): skipped"
  exit 0
fi

TMP=$(mktemp -d /tmp/kijun-bench-server.XXXXXX) || exit 0
SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
  fi
}
trap 'stop_server; rm -rf "$TMP"' EXIT

port_busy() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# The HTTP status of GET URL with the bearer token (empty when nothing answers).
http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $TOKEN" "$1" 2>/dev/null
  else
    # No curl: a bare request through bash's /dev/tcp.
    local hostport=${1#http://}
    hostport=${hostport%%/*}
    local path=/${1#http://*/}
    exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}" 2>/dev/null || return 0
    printf 'GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' \
      "$path" "$hostport" "$TOKEN" >&3
    head -1 <&3 | awk '{print $2}'
    exec 3<&-
  fi
}

# Starts the server on a free port; sets SERVER_PID and PORT. Returns 1 when it cannot.
start_server() {
  local dsn=$1 p tries=0
  while [ $tries -lt 10 ]; do
    tries=$((tries + 1))
    p=$((20000 + RANDOM % 40000))
    port_busy "$p" && continue
    "$KIJUN" --db "$dsn" serve --listen "127.0.0.1:$p" --quiet --bench-routes >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
        break
      fi
      if grep -q listening "$TMP/serve.out" 2>/dev/null && [ "$(http_status "http://127.0.0.1:$p/api/v1/health")" = 200 ]; then
        PORT=$p
        return 0
      fi
      sleep 0.1
    done
    stop_server
  done
  say "the server did not start: $(tail -3 "$TMP/serve.err" 2>/dev/null)"
  return 1
}

# Latency as wrk prints it (850.00us, 3.21ms, 1.02s, 1.00m) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.2f", n }'
}

# Runs wrk against PATH; sets RPS, P99_MS and NON2XX from its report.
run_wrk() {
  local url="http://127.0.0.1:$PORT$1" out="$TMP/wrk.out"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_LOAD}s" --latency -H "Authorization: Bearer $TOKEN" "$url" >"$out" 2>&1
  RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  P99_MS=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  NON2XX=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  ERRORS=$(awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$out")
  if [ -z "$RPS" ]; then
    say "wrk gave no figures for $1: $(tail -3 "$out")"
    RPS=0
  fi
}

warm_up() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT$1" >/dev/null 2>&1
  sleep 1
}

# One backend: a demo database, an account and a token, the server, both loads.
measure() {
  local label=$1 dsn=$2 out status
  say "$label"
  if ! out=$("$KIJUN" --db "$dsn" init --demo 2>&1); then
    echo "  skipped: kijun init --demo failed: $out"
    return 0
  fi
  if ! out=$("$KIJUN" --db "$dsn" user add --name bench --org NCO --role centre_admin 2>&1) ||
     ! out=$("$KIJUN" --db "$dsn" token create --user bench --name bench 2>&1); then
    echo "  skipped: could not make the account and token: $out"
    return 0
  fi
  TOKEN=$(printf '%s\n' "$out" | tail -1 | awk '{print $NF}')
  start_server "$dsn" || return 0
  status=$(http_status "http://127.0.0.1:$PORT$REQUIREMENT")
  if [ "$status" != 200 ]; then
    echo "  skipped: GET $REQUIREMENT answered ${status:-nothing}, not 200"
    stop_server
    return 0
  fi

  # A pause after each load lets the server close the last one's connections before the
  # next opens 50 more (it takes at most 64 from one address).
  warm_up "$TRIVIAL"
  warm_up "$REQUIREMENT"
  sleep 1
  run_wrk "$TRIVIAL"
  local t_rps=$RPS t_p99=$P99_MS t_bad=$NON2XX t_err=$ERRORS
  sleep 1
  run_wrk "$REQUIREMENT"
  local r_rps=$RPS r_p99=$P99_MS r_bad=$NON2XX r_err=$ERRORS
  local hwm_kb
  hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null)
  stop_server

  printf '  wrk -t%s -c%s -d%ss --latency, loopback, server with %s threads\n' "$THREADS" "$CONNECTIONS" \
    "$SECONDS_LOAD" "$(nproc 2>/dev/null || echo '?')"
  printf '  %-12s GET %-52s %10.0f req/s   p99 %8s ms\n' trivial "$TRIVIAL" "$t_rps" "$t_p99"
  printf '  %-12s GET %-52s %10.0f req/s   p99 %8s ms\n' requirement "$REQUIREMENT" "$r_rps" "$r_p99"
  [ -n "$t_bad" ] && echo "  WARNING: $t_bad replies of the trivial route were not 2xx: its figure is not valid"
  [ -n "$r_bad" ] && echo "  WARNING: $r_bad replies of the requirement were not 2xx: its figure is not valid"
  [ -n "$t_err$r_err" ] && echo "  socket errors (wrk): trivial ${t_err:-none}; requirement ${r_err:-none}"
  awk -v r="$r_rps" -v t="$t_rps" -v target="$TARGET_RATIO" 'BEGIN {
    if (t <= 0) { print "  ratio requirement / trivial: not measured"; exit }
    ratio = r / t;
    printf "  ratio requirement / trivial: %.2f (target >= %s): %s\n", ratio, target,
      (ratio >= target ? "target met" : "target missed") }'
  if [ -n "$hwm_kb" ]; then
    awk -v kb="$hwm_kb" -v target="$TARGET_RSS_MB" 'BEGIN {
      mb = kb / 1024;
      printf "  peak RSS of the server (VmHWM): %.1f MB (target <= %s MB): %s\n", mb, target,
        (mb <= target ? "target met" : "target missed") }'
  else
    echo "  peak RSS: not read (/proc/PID/status unavailable)"
  fi
}

measure "SQLite" "sqlite:$TMP/bench.db"

if [ -n "${KIJUN_BENCH_PG_DSN:-}" ]; then
  if ! command -v psql >/dev/null 2>&1; then
    say "PostgreSQL: skipped (psql not found)"
  elif ! psql "$KIJUN_BENCH_PG_DSN" -X -q -v ON_ERROR_STOP=1 -c 'DROP SCHEMA public CASCADE' \
         -c 'CREATE SCHEMA public' >"$TMP/psql.out" 2>&1; then
    say "PostgreSQL: skipped (could not recreate schema public: $(tail -1 "$TMP/psql.out"))"
  else
    measure "PostgreSQL" "$KIJUN_BENCH_PG_DSN"
  fi
else
  say "PostgreSQL: skipped (KIJUN_BENCH_PG_DSN not set)"
fi
exit 0
