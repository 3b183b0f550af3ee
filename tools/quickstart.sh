#!/usr/bin/env bash
# First run on a fresh machine: installs what is missing, builds nanoscape (Release), runs the
# quickstart search (inputs/quickstart.toml) and a composition sweep (inputs/agcu34_sweep.toml,
# about a minute on 2 cores), draws the sweep's plots and says where the results are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/setup.sh"
echo "quickstart: building nanoscape (the first build takes a few minutes)"
"$root/tools/build.sh" --target nanoscape >/dev/null
echo "quickstart: basin hopping for Ag27Cu7 (Ferrando Ag-Cu Gupta potential), target: the core-shell global minimum"
cd "$root"
build/nanoscape run inputs/quickstart.toml --overwrite
echo
echo "quickstart: the best structure is runs/quickstart/best.xyz ('ase gui runs/quickstart/best.xyz' or OVITO);"
echo "all unique minima are in runs/quickstart/minima.xyz, the record of the search in runs/quickstart/trace.csv."
echo
echo "quickstart: composition sweep of Ag-Cu 34 (every Ag_n Cu_(34-n)), excess energies and their convex hull"
build/nanoscape run inputs/agcu34_sweep.toml --overwrite
echo
echo "quickstart: plots of the sweep (tools/plot.py):"
/usr/bin/python3 tools/plot.py runs/agcu34_sweep
echo
echo "quickstart: done. The hull table is runs/agcu34_sweep/hull.csv ('build/nanoscape hull runs/agcu34_sweep'"
echo "prints it), the structures on the hull runs/agcu34_sweep/hull.xyz, the plots above."
