#!/usr/bin/env bash
# make test: builds kijun with AddressSanitizer and UndefinedBehaviorSanitizer, starts a
# throw-away PostgreSQL, runs a short libFuzzer pass over every harness, then every test
# with ctest (whose closing line ends the run). Stops PostgreSQL however it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-test}
JOBS=$(nproc 2>/dev/null || echo 2)

bash scripts/install-deps.sh

# The JSON Schema validator the OSCAL export tests use (versions pinned by the lock file).
if [ ! -d tests/tools/node_modules/ajv ] || [ tests/tools/package-lock.json -nt tests/tools/node_modules/.package-lock.json ]; then
  (cd tests/tools && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# The browser tests' driver and accessibility checker (pinned by tests/ui/package-lock.json).
if [ ! -d tests/ui/node_modules/playwright-core ] || [ tests/ui/package-lock.json -nt tests/ui/node_modules/.package-lock.json ]; then
  (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DKIJUN_SANITIZE=ON >/dev/null
cmake --build "$BUILD" -j "$JOBS"

PGDIR=$(mktemp -d /tmp/kijun-pg.XXXXXX)
cleanup() { bash scripts/pg-stop.sh "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT
KIJUN_TEST_PG_DSN=$(bash scripts/pg-start.sh "$PGDIR")
export KIJUN_TEST_PG_DSN
export KIJUN_REQUIRE_PG=1
SHARED=$(cd .. && pwd)/shared/data
export KIJUN_SHARED_DATA="$SHARED"

# A short fuzzing pass (FUZZ_SECONDS each, default 10); `make fuzz` runs longer.
if [ "${FUZZ_SECONDS:-10}" != 0 ]; then
  bash scripts/fuzz.sh build-fuzz "${FUZZ_SECONDS:-10}"
fi

cd "$BUILD"
ctest --output-on-failure -j "$JOBS"
