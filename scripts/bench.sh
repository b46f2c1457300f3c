#!/usr/bin/env bash
# bench.sh BUILD: runs every benchmark; they print figures and ratios and never fail the
# build. PostgreSQL figures need a server: one is started for the run when possible.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SHARED=$(cd .. && pwd)/shared/data
export KIJUN_SHARED_DATA="$SHARED"
PGDIR=$(mktemp -d /tmp/kijun-pg.XXXXXX)
trap 'bash scripts/pg-stop.sh "$PGDIR" >/dev/null 2>&1; rm -rf "$PGDIR"' EXIT
if DSN=$(bash scripts/pg-start.sh "$PGDIR" 2>/dev/null); then
  export KIJUN_BENCH_PG_DSN="$DSN"
fi
# bench_eval (the evaluation at national scale) generates 1,000 organisations x 10 years
# on each backend: several minutes, and up to about 3 GB under /tmp while it runs.
for b in "$BUILD"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" || echo "(benchmark $(basename "$b") failed)"
done
echo "== bench_server.sh"
bash bench/bench_server.sh "$BUILD" || echo "(benchmark bench_server.sh failed)"
echo "== bench_frontdoor.sh"
bash bench/bench_frontdoor.sh "$BUILD" || echo "(benchmark bench_frontdoor.sh failed)"
echo "== bench_soak.sh"
bash bench/bench_soak.sh "$BUILD" || echo "(benchmark bench_soak.sh failed)"
exit 0
