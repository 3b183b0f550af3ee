#!/usr/bin/env bash
# Installs what is missing, builds nanoscape and runs all tests (CTest).
#   tools/test.sh           unit, conformance, CLI and oracle (ASE, LAMMPS) tests
#   tools/test.sh --slow    also the long regression sweeps (label "slow")
# Extra arguments after the options go to ctest, e.g. `tools/test.sh -R Gupta`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exclude=(-LE slow)
if [[ "${1:-}" == "--slow" ]]; then exclude=(); shift; fi

"$root/tools/setup.sh" --test
"$root/tools/build.sh"
cd "$root/build"
ctest --output-on-failure --parallel "$(nproc)" "${exclude[@]}" "$@"
