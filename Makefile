# The two commands of the README, and a few helpers. CMake does the building.
BUILD ?= build
ASAN_BUILD ?= build-asan
RELEASE_BUILD ?= build-release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build check check-fast check-asan release-check demo bench bench-history clean
.PHONY: check-fuzz fuzz fuzz-build crash

all: build

deps:
	@deploy/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJX_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

# Every test, twice: an optimised build, then one under ASan+UBSan; a packager's Release
# (-O3) build compiled warning-free (compile only); then each fuzzer briefly.
check: check-fast check-asan release-check check-fuzz

check-fast: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

check-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DJX_WERROR=ON -DJX_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

# A packager builds with CMake's defaults (-O3, no -Werror); this proves that build is
# clean by compiling it with warnings as errors.
release-check: deps
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release -DJX_WERROR=ON
	cmake --build $(RELEASE_BUILD) -j$(JOBS)

# Starts jixiaod on a local data directory, scores a sheet through jx, stops it.
# WEB=1 then serves it again with the web interface on http://127.0.0.1:7480.
demo: build
	BUILD=$(BUILD) WEB=$(WEB) deploy/demo.sh

# The benchmark of issue 4 (BENCHMARKS.md); PEERS=1 adds Redis, PostgreSQL and etcd
# (installed by tests/bench/peers.sh when missing, as root). BENCH_ARGS go to jx-bench.
bench: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJX_WERROR=ON
	cmake --build $(BUILD) --target jx-bench jixiaod -j$(JOBS)
	$(BUILD)/tests/bench/jx-bench $(if $(PEERS),--peers,--no-peers) $(BENCH_ARGS)

# The cost of age (issue 6): past revisions and trends of an old, busy workspace.
bench-history: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJX_WERROR=ON
	cmake --build $(BUILD) --target history-bench jixiaod -j$(JOBS)
	$(BUILD)/tests/bench/history-bench $(BENCH_ARGS)

# The libFuzzer harnesses of tests/fuzz, built with clang in their own directory.
# `make fuzz SECONDS=N` runs each for N seconds, one after the other (RELIABILITY.md);
# `make check` runs each for FUZZ_SECONDS.
FUZZ_BUILD ?= build-fuzz
SECONDS ?= 60
FUZZ_SECONDS ?= 5
fuzz-build: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJX_WERROR=ON \
		-DJX_FUZZ=ON -DBUILD_TESTING=OFF
	cmake --build $(FUZZ_BUILD) --target fuzz-harnesses -j$(JOBS)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(SECONDS)

check-fuzz:
	@if command -v clang >/dev/null 2>&1; then \
		$(MAKE) fuzz-build && tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS); \
	else \
		echo "check-fuzz: clang is not installed: the fuzzers are skipped"; \
	fi

# Crash consistency, long: CYCLES kill -9 cycles under concurrent writers (RELIABILITY.md),
# the clients on CRASH_TRANSPORT (tcp or ipc).
CYCLES ?= 500
CRASH_TRANSPORT ?= tcp
crash: build
	JIXIAOD=$(BUILD)/server/jixiaod JX=$(BUILD)/client/jx JX_SOURCE_DIR=$(CURDIR) \
		$(BUILD)/tests/test_crash $(CYCLES) $(CRASH_TRANSPORT)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(RELEASE_BUILD) $(FUZZ_BUILD) .jixiao-demo
