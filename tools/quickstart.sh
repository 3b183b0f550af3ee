#!/usr/bin/env bash
# First run on a fresh machine: installs what is missing, builds nanoscape (Release) and runs
# the quickstart search (inputs/quickstart.toml), then says where the results are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/setup.sh"
echo "quickstart: building nanoscape (the first build takes a few minutes)"
"$root/tools/build.sh" --target nanoscape >/dev/null
echo "quickstart: basin hopping for Ag27Cu7 (Ferrando Ag-Cu Gupta potential), target: the core-shell global minimum"
cd "$root"
build/nanoscape run inputs/quickstart.toml --overwrite
echo
echo "quickstart: done. Open the best structure with 'ase gui runs/quickstart/best.xyz' (or OVITO);"
echo "all unique minima are in runs/quickstart/minima.xyz, the record of the search in runs/quickstart/trace.csv."
