#!/usr/bin/env bash
# The unit, conformance and regression tests under AddressSanitizer and
# UndefinedBehaviorSanitizer (g++, -O1 -g, every UB report fatal):
#   tools/sanitize.sh [ctest arguments...]
# Builds build-asan/ (the library and the test executables; no benchmarks) and runs the
# labels unit, conformance and regression with ctest. A heap error, a leak, a use after free,
# signed overflow, a misaligned or out-of-range access fails the test that hit it. Not in CI yet:
# build and tests take well over CI's 30 minutes on 2 cores (docs/reliability.md); run it by hand.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-asan"
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DNANOSCAPE_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS_DEBUG="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target nanoscape unit_tests conformance_tests regression_tests >/dev/null
cd "$build"
# Eigen's aligned allocations and OpenMP's thread pool are released at exit; anything else
# still allocated and unreachable then is a leak.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1
ctest --output-on-failure --parallel "$(nproc)" -L '^(unit|conformance|regression)$' "$@"
