#!/usr/bin/env bash
# fuzz.sh BUILD SECONDS: builds the libFuzzer harnesses of tests/fuzz with clang and runs
# each for SECONDS, starting from its seed corpus and the real files under ../shared/data.
# New inputs that libFuzzer finds stay in BUILD/corpus-NAME; a crash fails the run and
# leaves the input in BUILD.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-fuzz}
case "$BUILD" in /*) ;; *) BUILD="$(pwd)/$BUILD" ;; esac
SECONDS_EACH=${2:-60}

command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
CC=clang cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIJUN_FUZZ=ON -DKIJUN_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_catalog fuzz_government fuzz_request >/dev/null

ROOT=$(pwd)
SHARED=$(cd .. && pwd)/shared/data
for name in catalog government request; do
  corpus="$BUILD/corpus-$name"
  mkdir -p "$corpus"
  seeds=("$ROOT/tests/fuzz/corpus/$name" "$ROOT/data/demo")
  if [ "$name" = catalog ] && [ -d "$SHARED/oscal/examples" ]; then
    seeds+=("$SHARED/oscal/examples")
  fi
  echo "fuzz: $name for ${SECONDS_EACH}s" >&2
  log="$BUILD/fuzz-$name.log"
  if ! (cd "$BUILD" && ./fuzz_"$name" -max_total_time="$SECONDS_EACH" -max_len=262144 \
          -timeout=10 -rss_limit_mb=2048 "$corpus" "${seeds[@]}" 2>"$log"); then
    tail -40 "$log" >&2
    echo "fuzz: $name failed (a crashing input, if any, is in $BUILD)" >&2
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" | tail -1 >&2 || true
done
