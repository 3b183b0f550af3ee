#!/usr/bin/env bash
# Energy+force evaluation time, nanoscape vs LAMMPS, single thread, same EAM file, same clusters.
#
#   bench/compare_lammps.sh [BUILD_DIR] [EAM_FILE]     (defaults: build, Cu_u3.eam)
#
# Clusters: the 147, 1415 and 10 000 fcc sites (Cu, a = 3.615 A) nearest a lattice site, shaken
# by up to 0.05 A, in a non-periodic box. nanoscape: BUILD_DIR/bench/bench_eam (repeated
# Potential::compute with forces, ~2 s). LAMMPS (/usr/bin/lmp, serial, OMP_NUM_THREADS=1):
# `run N` with no integrator, so atoms never move and every step is one force evaluation;
# `fix ave/time` on the potential energy makes LAMMPS compute the energy every step too.
# Two LAMMPS numbers per size:
#   pair   - the "Pair" time of LAMMPS's timing breakdown per step: force evaluation only, with
#            the neighbour list built once (what an MD step costs when the list is reused);
#   +neigh - loop time per step with the neighbour list rebuilt every step (neigh_modify every 1
#            check no), i.e. including the pair search, as nanoscape does on every call (it
#            bins atoms into cells each evaluation and keeps no list between calls).
# Ratio = nanoscape time / LAMMPS time (<= 1: nanoscape at least as fast).
set -euo pipefail

build=${1:-build}
eam=${2:-Cu_u3.eam}
lmp=/usr/bin/lmp
bench="$build/bench/bench_eam"
[[ -x "$lmp" ]] || { echo "skipped: lmp not found"; exit 0; }
[[ -x "$bench" ]] || { echo "no $bench: build the target bench_eam first" >&2; exit 1; }
case "$eam" in /*) eam_path="$eam" ;; *) eam_path="/usr/share/lammps/potentials/$eam" ;; esac
case "$eam" in
  *.eam) pair="pair_style eam
pair_coeff 1 1 $eam_path" ;;
  *.eam.alloy) pair="pair_style eam/alloy
pair_coeff * * $eam_path Cu" ;;
  *.eam.fs) pair="pair_style eam/fs
pair_coeff * * $eam_path Cu" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1

/usr/bin/python3 - "$tmp" <<'EOF'
import sys
import numpy as np
tmp = sys.argv[1]
rng = np.random.default_rng(1)
a = 3.615
for n in (147, 1415, 10000):
    k = int(np.ceil((n * 3.0 / (16 * np.pi)) ** (1 / 3) * 2)) + 2
    g = np.arange(-k, k + 1)
    i, j, l = np.meshgrid(g, g, g, indexing="ij")
    sites = np.stack([i.ravel(), j.ravel(), l.ravel()], 1)
    sites = sites[sites.sum(1) % 2 == 0] * (a / 2)
    order = np.lexsort((sites[:, 2], sites[:, 1], sites[:, 0], np.round((sites ** 2).sum(1), 9)))
    pos = sites[order[:n]] + rng.uniform(-0.05, 0.05, (n, 3))
    with open(f"{tmp}/cu{n}.xyz", "w") as f:
        f.write(f"{n}\nProperties=species:S:1:pos:R:3 pbc=\"F F F\"\n")
        f.writelines(f"Cu {p[0]!r} {p[1]!r} {p[2]!r}\n" for p in pos)
    lo, hi = pos.min() - 20, pos.max() + 20
    with open(f"{tmp}/cu{n}.data", "w") as f:
        f.write(f"cu\n\n{n} atoms\n1 atom types\n\n")
        f.writelines(f"{lo!r} {hi!r} {ax}lo {ax}hi\n" for ax in "xyz")
        f.write("\nMasses\n\n1 63.546\n\nAtoms # atomic\n\n")
        f.writelines(f"{m + 1} 1 {p[0]!r} {p[1]!r} {p[2]!r}\n" for m, p in enumerate(pos))
EOF

# LAMMPS: microseconds per step; $1 size, $2 steps, $3 "reuse" or "rebuild", $4 "pair" or "loop".
lammps_us() {
  local n=$1 steps=$2 mode=$3 what=$4 neigh=""
  [[ $mode == rebuild ]] && neigh="neigh_modify every 1 delay 0 check no"
  cat > "$tmp/in.$n" <<EOF
units metal
atom_style atomic
atom_modify map array
boundary f f f
read_data $tmp/cu$n.data
$pair
$neigh
fix e all ave/time 1 1 1 c_thermo_pe
thermo_style custom step pe
thermo $steps
run $steps
EOF
  "$lmp" -in "$tmp/in.$n" -log "$tmp/log.$n" -screen none
  if [[ $what == pair ]]; then
    awk -v s="$steps" '/^Pair +\|/ {print 1e6 * $3 / s}' "$tmp/log.$n"
  else
    awk -v s="$steps" '/^Loop time of/ {print 1e6 * $4 / s}' "$tmp/log.$n"
  fi
}

echo "EAM file: $eam; single thread; times per energy+force evaluation (us)"
printf "%7s %12s %12s %12s %14s %14s\n" atoms nanoscape lmp_pair lmp_+neigh "ratio(pair)" "ratio(+neigh)"
for n in 147 1415 10000; do
  case $n in 147) steps=20000 ;; 1415) steps=2000 ;; *) steps=300 ;; esac
  ours=$("$bench" "$eam" "$tmp/cu$n.xyz" 2 | awk '{print $6}')
  pair_only=$(lammps_us $n $steps reuse pair)
  with_neigh=$(lammps_us $n $steps rebuild loop)
  awk -v n=$n -v a="$ours" -v b="$pair_only" -v c="$with_neigh" \
    'BEGIN {printf "%7d %12.2f %12.2f %12.2f %14.2f %14.2f\n", n, a, b, c, a / b, a / c}'
done
