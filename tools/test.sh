#!/usr/bin/env bash
# Installs what is missing, builds nanoscape and runs all tests (CTest).
#   tools/test.sh                  unit, conformance, regression, CLI, docs and oracle (ASE,
#                                  LAMMPS) tests, and the MPI tests (1 and 2 ranks; the build is
#                                  the MPI one, -DNANOSCAPE_MPI=ON, which runs serially when not
#                                  started by mpirun), then the unit tests again under
#                                  AddressSanitizer and UndefinedBehaviorSanitizer (tools/sanitize.sh)
#   tools/test.sh --slow           also the long regression sweeps (label "slow")
#   tools/test.sh --no-sanitizers  without the sanitizer stage (it adds about 8 to 14 minutes)
# Extra arguments after the options go to ctest, e.g. `tools/test.sh -R Gupta` (they select
# tests of the first stage and skip the sanitizer stage).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exclude=(-LE slow)
sanitize=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --slow) exclude=(); shift ;;
    --no-sanitizers) sanitize=0; shift ;;
    *) break ;;
  esac
done

"$root/tools/setup.sh" --test
NANOSCAPE_CMAKE_OPTIONS="-DNANOSCAPE_MPI=ON" "$root/tools/build.sh"
(cd "$root/build" && ctest --output-on-failure --parallel "$(nproc)" "${exclude[@]}" "$@")
if [[ $sanitize == 1 && $# -eq 0 ]]; then
  "$root/tools/sanitize.sh"
fi
