#!/usr/bin/env bash
# Fuzzes the input readers with libFuzzer (clang from Debian), AddressSanitizer and
# UndefinedBehaviorSanitizer:
#   tools/fuzz.sh [SECONDS] [TARGET...]     default 60 s for each of xyz, run_file,
#                                           potential_file, checkpoint
# Builds build-fuzz/ (clang, -fsanitize=fuzzer-no-link,address,undefined), runs every target
# for SECONDS on a working copy of its seeds (tests/fuzz/corpus/<target>/), and prints the
# executions per second. An input that crashes a target, trips a sanitizer, or makes it throw
# anything but an InputError is copied into tests/fuzz/corpus/<target>/ (so every normal build
# replays it, tests/unit/test_fuzz_regressions.cpp) and the script fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(xyz run_file potential_file checkpoint)

"$root/tools/setup.sh" --test
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNANOSCAPE_FUZZ=ON -DNANOSCAPE_BUILD_TESTS=OFF -DNANOSCAPE_BUILD_BENCHMARKS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null

status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  # Artifacts of an earlier run were kept already (or fixed since): only this run's are new.
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  log="$build/fuzz_$t.log"
  # One job; ASan's leak check off (the loaders keep caches for the process's life).
  if ASAN_OPTIONS=detect_leaks=0 "$build/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
       -artifact_prefix="$artifacts" "$work" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1; then
    rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    runs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    echo "fuzz $t: ${seconds} s, ${runs:-?} inputs, ${rate:-?} exec/s, no crash"
  else
    status=1
    echo "fuzz $t: FAILED (log: $log)"
    for crash in "$artifacts"*; do
      [[ -f "$crash" ]] || continue
      cp "$crash" "$root/tests/fuzz/corpus/$t/"
      echo "  kept $(basename "$crash") in tests/fuzz/corpus/$t/"
    done
    grep -m 5 -E "ERROR|SUMMARY|terminate|what\(\)" "$log" | sed 's/^/  /' || true
  fi
done
exit $status
