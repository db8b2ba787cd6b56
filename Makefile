# The two commands of the README, and a few helpers. CMake does the building.
BUILD ?= build
ASAN_BUILD ?= build-asan
RELEASE_BUILD ?= build-release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build check check-fast check-asan release-check demo bench bench-history clean

all: build

deps:
	@deploy/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJX_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

# Every test, twice: an optimised build, then one under ASan+UBSan; and a packager's
# Release (-O3) build compiled warning-free (compile only, no third test run).
check: check-fast check-asan release-check

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
demo: build
	BUILD=$(BUILD) deploy/demo.sh

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

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(RELEASE_BUILD) .jixiao-demo
