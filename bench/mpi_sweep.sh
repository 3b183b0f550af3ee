#!/usr/bin/env bash
# Wall time of a composition sweep on 1 and 2 MPI ranks, and whether they agree.
#
#   bench/mpi_sweep.sh [NANOSCAPE] [CHILDREN]     (defaults: build/nanoscape, 150)
#
# The sweep: all 39 compositions of the 38-atom Pt-Au truncated octahedron (EMT, the GA with
# CHILDREN children per composition, inputs/ptau38_sweep.toml otherwise). Each rank runs one
# thread (OMP_NUM_THREADS=1), so 2 ranks on 2 cores is the whole machine, as 2 threads are for
# the plain run printed beside them. NANOSCAPE must be an MPI build (-DNANOSCAPE_MPI=ON;
# tools/test.sh builds one). The hulls of the two runs must be identical; the ratio is the
# 1-rank wall time over the 2-rank one (docs/scale.md has the model it is checked against).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nanoscape=$(realpath "${1:-$root/build/nanoscape}")
children=${2:-150}
command -v mpirun >/dev/null || { echo "skipped: mpirun not found (tools/setup.sh --test installs OpenMPI)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mpirun=(mpirun --oversubscribe)
[[ $(id -u) -eq 0 ]] && mpirun+=(--allow-run-as-root)
sed -e "s/^max_steps = .*/max_steps = $children/" -e 's|^directory = .*|directory = "out"|' \
    "$root/inputs/ptau38_sweep.toml" > sweep.toml
seconds() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['wall_time_s'])" "$1/summary.json"; }
OMP_NUM_THREADS=1 "${mpirun[@]}" -np 1 "$nanoscape" run sweep.toml -o np1 -q >/dev/null
OMP_NUM_THREADS=1 "${mpirun[@]}" -np 2 "$nanoscape" run sweep.toml -o np2 -q >/dev/null
"$nanoscape" run sweep.toml -o threads2 -j 2 -q >/dev/null
t1=$(seconds np1); t2=$(seconds np2); tt=$(seconds threads2)
same=$(cmp -s np1/hull.csv np2/hull.csv && cmp -s np1/hull.csv threads2/hull.csv && echo yes || echo NO)
evals=$(python3 -c "import json; print(json.load(open('np1/summary.json'))['reference_evaluations'])")
printf 'Pt-Au 38, 39 compositions, GA %s children each, %s reference evaluations\n' "$children" "$evals"
printf '  1 rank   %8.2f s\n  2 ranks  %8.2f s   ratio %.2f\n  2 threads (no MPI) %8.2f s   ratio %.2f\n' \
  "$t1" "$t2" "$(python3 -c "print($t1/$t2)")" "$tt" "$(python3 -c "print($t1/$tt)")"
echo "  hulls identical: $same"
[[ $same == yes ]]
