# kijun: the two commands. `make demo` and `make test` each install what is needed first.
# The real build is CMake; this file only strings the steps together.

BUILD      ?= build
TESTBUILD  ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DB    ?= demo/kijun-demo.db

.PHONY: all deps build demo test bench fuzz clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# A fresh demo database with the demo government and both demo editions of the standard.
demo: build
	@bash scripts/demo.sh $(BUILD)/kijun $(DEMO_DB)

# Every test, in a sanitizer build, against SQLite and a PostgreSQL started for the run.
test: deps
	@bash scripts/test.sh $(TESTBUILD)

# Benchmarks print figures and ratios; they never fail the build.
bench: build
	@bash scripts/bench.sh $(BUILD)

# Runs each libFuzzer harness for a while (FUZZ_SECONDS, default 60), one after the other, and
# prints the runs per second of each; what they find stays in build-fuzz/corpus-NAME.
fuzz: deps
	@bash scripts/fuzz.sh build-fuzz $${FUZZ_SECONDS:-60}

clean:
	rm -rf $(BUILD) $(TESTBUILD) build-fuzz
