#!/usr/bin/env bash
# Configures (once) and builds nanoscape in build/. Arguments are passed to `cmake --build`,
# e.g. `tools/build.sh --target nanoscape`. NANOSCAPE_CMAKE_OPTIONS (e.g. -DNANOSCAPE_MPI=ON)
# are given to the configure step, also of a build/ configured before.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build"
generator=()
command -v ninja >/dev/null && [[ ! -f "$build/CMakeCache.txt" ]] && generator=(-G Ninja)
read -r -a options <<<"${NANOSCAPE_CMAKE_OPTIONS:-}"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "${options[@]}" >/dev/null
elif [[ ${#options[@]} -gt 0 ]]; then
  cmake -S "$root" -B "$build" "${options[@]}" >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)" "$@"
