#!/usr/bin/env bash
# First run on a fresh machine: installs what is missing, builds nanoscape (Release) and runs
# the quickstart example, then says where the results are.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/setup.sh"
echo "quickstart: building nanoscape (first build takes a few minutes)"
"$root/tools/build.sh" --target nanoscape >/dev/null
out="$root/runs/quickstart"
mkdir -p "$out"
echo "quickstart: relaxing a perturbed Ag42Cu13 core-shell icosahedron (Ferrando Ag-Cu Gupta potential)"
"$root/build/nanoscape" relax --potential "$root/inputs/quickstart.toml" \
  "$root/structures/agcu55_perturbed.xyz" -o "$out/relaxed.xyz"
echo
echo "quickstart: done. Relaxed structure with energy, forces and per-atom energies:"
echo "  $out/relaxed.xyz   (open with: ase gui $out/relaxed.xyz, or OVITO)"
