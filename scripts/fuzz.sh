#!/usr/bin/env bash
# fuzz.sh BUILD SECONDS [NAME...]: builds the libFuzzer harnesses of tests/fuzz with clang
# and runs each (or only those named) for SECONDS, one after the other, starting from its
# seed corpus (tests/fuzz/corpus/NAME, and for the JSON readers the real files under data/
# and ../shared/data). New inputs that libFuzzer finds stay in BUILD/corpus-NAME, from one
# run to the next; to keep a useful one for every `make test`, copy it into
# tests/fuzz/corpus/NAME (`./BUILD/fuzz_NAME -merge=1 tests/fuzz/corpus/NAME
# BUILD/corpus-NAME` copies only those that reach new code). A crash fails the run and
# leaves the input in BUILD (crash-*, timeout-*, oom-*). Each harness's runs, seconds and
# runs per second are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-fuzz}
case "$BUILD" in /*) ;; *) BUILD="$(pwd)/$BUILD" ;; esac
SECONDS_EACH=${2:-60}
shift $(($# < 2 ? $# : 2))
ALL=(catalog government request answers config)
NAMES=("${@:-${ALL[@]}}")

command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
CC=clang cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIJUN_FUZZ=ON -DKIJUN_TESTS=OFF >/dev/null
targets=()
for name in "${NAMES[@]}"; do targets+=("fuzz_$name"); done
cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >/dev/null

ROOT=$(pwd)
SHARED=$(cd .. && pwd)/shared/data
summary=()
for name in "${NAMES[@]}"; do
  corpus="$BUILD/corpus-$name"
  mkdir -p "$corpus"
  seeds=("$ROOT/tests/fuzz/corpus/$name")
  case "$name" in
    catalog | government | request) seeds+=("$ROOT/data/demo") ;;
  esac
  if [ "$name" = catalog ] && [ -d "$SHARED/oscal/examples" ]; then
    seeds+=("$SHARED/oscal/examples")
  fi
  echo "fuzz: $name for ${SECONDS_EACH}s" >&2
  log="$BUILD/fuzz-$name.log"
  if ! (cd "$BUILD" && ./fuzz_"$name" -max_total_time="$SECONDS_EACH" -max_len=262144 \
          -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" "${seeds[@]}" 2>"$log"); then
    tail -40 "$log" >&2
    echo "fuzz: $name failed (a crashing input, if any, is in $BUILD)" >&2
    exit 1
  fi
  # libFuzzer's final statistics: stat::number_of_executed_units and the time it ran.
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | sed -E 's/.* in ([0-9]+) second.*/\1/')
  runs=${runs:-0}
  secs=${secs:-0}
  rate=$([ "$secs" -gt 0 ] && echo $((runs / secs)) || echo "?")
  summary+=("$(printf '%-11s %10s runs in %5ss: %6s runs/s, corpus %s inputs' "$name" "$runs" "$secs" "$rate" \
    "$(find "$corpus" -type f | wc -l)")")
done
echo "fuzz: no crashes" >&2
printf 'fuzz: %s\n' "${summary[@]}" >&2
