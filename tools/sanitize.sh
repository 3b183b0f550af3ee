#!/usr/bin/env bash
# Tests under AddressSanitizer and UndefinedBehaviorSanitizer (clang++, -O1 -g1, every UB report
# fatal, leak detection on), in build-asan/:
#   tools/sanitize.sh                             the unit label as gtest shards (CI runs this)
#   tools/sanitize.sh [ctest arguments...]        the unit label through ctest, a process per test
#   tools/sanitize.sh --all [ctest arguments...]  unit, conformance and regression labels
# A heap or stack overflow, a leak, a use after free or after scope, signed overflow, a misaligned
# or out-of-range access fails the test that hit it. Costs on 2 cores: the
# CI stage about 5 to 10 minutes of build (clang) and 2 to 4 of tests (docs/reliability.md); --all about 9 of
# build and 22 or more of tests.
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
# clang++ (Debian's clang, with libomp for OpenMP) compiles this build about a third faster
# than g++ (docs/reliability.md); a build-asan/ configured with another compiler is started
# afresh.
cxx=$(command -v clang++ || true)
[[ -n $cxx ]] || { echo "sanitize: clang++ not found (tools/setup.sh --test installs clang and libomp-dev)" >&2; exit 1; }
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -q "^CMAKE_CXX_COMPILER:.*=$cxx\$" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
generator=()
command -v ninja >/dev/null && [[ ! -f "$build/CMakeCache.txt" ]] && generator=(-G Ninja)
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Debug -DNANOSCAPE_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS_DEBUG="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
echo "sanitize: building ${targets[*]} in build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]}" >/dev/null
cd "$build"
# Eigen's aligned allocations and OpenMP's thread pool are released at exit; anything else
# still allocated and unreachable then is a leak.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1
if [[ ${#targets[@]} -gt 1 || $# -gt 0 ]]; then
  ctest --output-on-failure --parallel "$(nproc)" -L "$labels" "$@"
  exit
fi
# The unit label: the test binary in one process per core (gtest shards), not one process per
# test as ctest does, so what several tests share (a trained committee, a fitted GP) is made
# once per shard instead of once per test; under the sanitizers that is most of the time.
shards=$(nproc)
pids=()
for ((i = 0; i < shards; ++i)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i tests/unit_tests --gtest_brief=1 >"shard$i.log" 2>&1 &
  pids+=($!)
done
status=0
for ((i = 0; i < shards; ++i)); do
  if wait "${pids[$i]}"; then
    echo "sanitize: shard $((i + 1))/$shards: $(grep -Eo '[0-9]+ tests? from [0-9]+ test suites? ran.*' "shard$i.log" | tail -1)"
  else
    status=1
    echo "sanitize: shard $((i + 1))/$shards FAILED (build-asan/shard$i.log):"
    grep -E '^\[  FAILED  \]|ERROR: (Address|Leak)Sanitizer|runtime error:' "shard$i.log" | head -40
    tail -40 "shard$i.log"
  fi
done
exit $status
