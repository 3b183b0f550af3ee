#!/usr/bin/env bash
# Tests under AddressSanitizer and UndefinedBehaviorSanitizer (g++, -O1 -g1, every UB report
# fatal, leak detection on), in build-asan/:
#   tools/sanitize.sh [ctest arguments...]        the unit label (CI runs this, from tools/test.sh)
#   tools/sanitize.sh --all [ctest arguments...]  unit, conformance and regression labels
# A heap or stack overflow, a leak, a use after free or after scope, signed overflow, a misaligned
# or out-of-range access fails the test that hit it. Costs on 2 cores (docs/reliability.md): the
# CI stage about 7 minutes of build and 5 of tests; --all about 9 of build and 22 or more of tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build-asan"
targets=(unit_tests)
labels='^unit$'
if [[ "${1:-}" == "--all" ]]; then
  targets=(nanoscape unit_tests conformance_tests regression_tests)
  labels='^(unit|conformance|regression)$'
  shift
fi
flags="-O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
generator=()
command -v ninja >/dev/null && [[ ! -f "$build/CMakeCache.txt" ]] && generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DNANOSCAPE_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS_DEBUG="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
echo "sanitize: building ${targets[*]} in build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >/dev/null
cd "$build"
# Eigen's aligned allocations and OpenMP's thread pool are released at exit; anything else
# still allocated and unreachable then is a leak.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1
ctest --output-on-failure --parallel "$(nproc)" -L "$labels" "$@"
