# Thin wrapper over CMake. The real build is CMakeLists.txt; the helpers in
# scripts/ install missing Debian packages and run throwaway DB servers.
#   make demo [ARGS=...]  build and open the demo database in ./build/orb
#   make check            warnings as errors, all tests against real servers
#   make check-clang      the same project built by clang with -Werror, in
#                         build-clang/, and its tests that need no server
#                         (part of check)
#   make sanitize         the same with ASan/UBSan, in build-asan/
#   make valgrind         the unit tests under valgrind (scripts/valgrind-tests.sh)
#   make fuzz-smoke       clang libFuzzer build in build-fuzz/, each fuzz target
#                         tries FUZZ_RUNS inputs from a fixed seed (part of check)
#   make fuzz             each fuzz target for FUZZ_SECONDS (long runs, by hand)
#   make fuzz-volume      the same without sanitizers (about 2-4x the inputs), in
#                         build-fuzz-volume/, then what each kept is rerun under ASan
#   make bench            build the bench programs and say how to run them
#   make clean

CONFIGURE = cmake -S . -DCMAKE_BUILD_TYPE=RelWithDebInfo
BUILD     = cmake --build
CTEST     = scripts/with-servers.sh ctest --output-on-failure --no-tests=error -j2 --test-dir
BENCHES   = $(notdir $(basename $(wildcard bench/*.c)))
ARGS ?=
# In check, the sanitizer run leaves out the de_DE twins (same code, other locale).
SANITIZE_ARGS ?=
FUZZ_RUNS ?= 20000
FUZZ_SECONDS ?= 600
FUZZ_CONFIGURE = CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DORB_FUZZ=ON -DORB_FUZZ_RUNS=$(FUZZ_RUNS)
# Keep CMake's inner make from printing "Entering directory" on every step.
MAKEFLAGS += --no-print-directory

# Under clang: every test but the de_DE twins (same code, other locale),
# install (a minute of compiling the installed copy), oom (valgrind cannot
# read clang 14's DWARF 5; check runs it on the gcc build) and doxygen (no
# compiler involved).
CLANG_CTEST_EXCLUDE = _de_DE$$|^(install|oom|doxygen)$$

.PHONY: all demo check check-clang sanitize valgrind fuzz-smoke fuzz fuzz-volume bench clean

# ORB_WERROR is set explicitly each time: CMake caches it, and build/ is
# shared by the demo (tolerant) and check (strict) targets.
all:
	scripts/deps.sh --build-only
	$(CONFIGURE) -B build -DORB_WERROR=OFF
	$(BUILD) build -j2

demo: all
	./build/orb $(ARGS)

check:
	scripts/deps.sh
	$(CONFIGURE) -B build -DORB_WERROR=ON
	$(BUILD) build -j2
	$(CTEST) build
	$(MAKE) check-clang
	$(MAKE) valgrind
	$(MAKE) sanitize SANITIZE_ARGS="-E _de_DE"
	$(MAKE) fuzz-smoke

# What the C standard leaves to the compiler (the order in which a call's
# arguments or an initializer's values are evaluated, ...) gcc and clang
# decide differently: the project built by clang, its tests run without
# servers (ORB_TEST_SKIP_SERVERS=1 skips only the PostgreSQL/MariaDB parts,
# the SQLite ones run).
check-clang:
	scripts/deps.sh
	CC=clang $(CONFIGURE) -B build-clang -DORB_WERROR=ON
	$(BUILD) build-clang -j2
	ORB_TEST_SKIP_SERVERS=1 ctest --output-on-failure --no-tests=error -j2 \
		--test-dir build-clang -E '$(CLANG_CTEST_EXCLUDE)'

# The unit tests (no servers, terminals or orb processes) under valgrind;
# in check the build is already there.
valgrind:
	scripts/deps.sh
	$(CONFIGURE) -B build -DORB_WERROR=ON
	$(BUILD) build -j2
	scripts/valgrind-tests.sh build

fuzz-smoke:
	scripts/deps.sh
	$(FUZZ_CONFIGURE)
	$(BUILD) build-fuzz -j2 --target fuzz
	ctest --output-on-failure --no-tests=error -j2 --test-dir build-fuzz -R '^fuzz_'

fuzz:
	scripts/deps.sh
	$(FUZZ_CONFIGURE)
	$(BUILD) build-fuzz -j2 --target fuzz
	scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

fuzz-volume:
	scripts/deps.sh
	$(FUZZ_CONFIGURE)
	$(BUILD) build-fuzz -j2 --target fuzz
	CC=clang cmake -S . -B build-fuzz-volume -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DORB_FUZZ=ON -DORB_FUZZ_SANITIZE=OFF
	$(BUILD) build-fuzz-volume -j2 --target fuzz
	scripts/fuzz.sh build-fuzz-volume $(FUZZ_SECONDS) build-fuzz

sanitize:
	scripts/deps.sh
	$(CONFIGURE) -B build-asan -DORB_WERROR=ON -DORB_SANITIZE=ON
	$(BUILD) build-asan -j2
	$(CTEST) build-asan $(SANITIZE_ARGS)

bench: all
	@echo 'Bench programs (one per bench/*.c): $(or $(BENCHES),none yet)'
	@echo 'Run one with ./build/NAME; those using PostgreSQL/MariaDB need servers:'
	@echo '  scripts/with-servers.sh ./build/NAME   (sets ORB_TEST_PG_URL, ORB_TEST_MYSQL_URL)'

clean:
	rm -rf build build-asan build-clang build-fuzz build-fuzz-volume
