#!/usr/bin/env bash
# Homotop swap trials, nanoscape (local energy updates) vs LAMMPS `fix atom/swap`, single
# thread, the same EAM/FS Ag-Cu system and the same icosahedra.
#
#   bench/compare_lammps_swap.sh [BUILD_DIR] [SHELLS ...]   (defaults: build 5, i.e. 561 atoms;
#                                                            3 5 8 for 147, 561 and 2057 atoms)
#
# System: pair_style eam/fs with inputs/potentials/AgCu_ferrando_gupta.eam.fs (the Ferrando
# Ag-Cu Gupta set tabulated as EAM/FS; nanoscape reads the same file through
# inputs/potentials/eam_agcu_ferrando_gupta.toml). Geometry: `nanoscape build --motif
# icosahedron --shells K --composition Ag=N-N/2,Cu=N/2 --ordering random --seed 1` at that
# potential's distances (Ag281Cu280 for K = 5), written to a LAMMPS data file in a non-periodic
# box 20 A larger than the cluster on every side. Both codes read the same coordinates and
# species; the script checks that their energies of the starting configuration agree.
#
# LAMMPS (/usr/bin/lmp, serial, OMP_NUM_THREADS=1): no integrator, so atoms never move;
# `fix swap all atom/swap 1 A 4711 300 ke no types 1 2` makes A Metropolis swap attempts
# (300 K) of a random Cu and a random Ag atom every step, each with one full energy
# evaluation (pair->compute, forces included) of the swapped configuration; A is about
# 1000 x 561 / N and the run has 5 steps. Time per attempt = (loop time with the fix - loop
# time of the same run without it) / attempts; attempts and acceptances are the fix's
# outputs f_swap[1], f_swap[2].
# nanoscape: BUILD_DIR/bench/bench_homotop --structure ... --potential ... --kelvin 300: local
# trial_swap of a random unlike pair as a Metropolis walk at 300 K (the rule of fix atom/swap),
# committed at random with probability 1/2 instead, and one full evaluation per trial.
# Ratio = LAMMPS time per attempt / nanoscape time per trial (> 1: nanoscape faster).
# LAMMPS binary: $LMP, default /usr/bin/lmp. Exits non-zero with a message if it (with fix
# atom/swap and eam/fs) or a binary is missing.
set -euo pipefail

build=${1:-build}
shift || true
shells_list=("$@")
[[ ${#shells_list[@]} -gt 0 ]] || shells_list=(5)
root=$(cd "$(dirname "$0")/.." && pwd)
lmp=${LMP:-/usr/bin/lmp}
bench="$build/bench/bench_homotop"
cli="$build/nanoscape"
eam_toml="$root/inputs/potentials/eam_agcu_ferrando_gupta.toml"
eam_file="$root/inputs/potentials/AgCu_ferrando_gupta.eam.fs"
kelvin=300
steps=5

[[ -x "$lmp" ]] || { echo "compare_lammps_swap: LAMMPS not found at $lmp (Debian package lammps)" >&2; exit 1; }
lmp_help=$("$lmp" -h 2>/dev/null || true)
grep -q "atom/swap" <<<"$lmp_help" ||
  { echo "compare_lammps_swap: $lmp has no fix atom/swap (LAMMPS MC package)" >&2; exit 1; }
grep -q "eam/fs" <<<"$lmp_help" ||
  { echo "compare_lammps_swap: $lmp has no pair_style eam/fs (MANYBODY package)" >&2; exit 1; }
[[ -x "$bench" ]] || { echo "compare_lammps_swap: no $bench: build the target bench_homotop first" >&2; exit 1; }
[[ -x "$cli" ]] || { echo "compare_lammps_swap: no $cli: build nanoscape first" >&2; exit 1; }
[[ -r "$eam_file" ]] || { echo "compare_lammps_swap: missing $eam_file" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1

# LAMMPS run on $1.data with $2 attempts per step; $3 "swap" or "plain".
# Prints: loop_seconds pe_at_step_0 attempts accepted.
lammps() {
  local base=$1 attempts=$2 mode=$3 fix="" out=""
  if [[ $mode == swap ]]; then
    fix="fix swap all atom/swap 1 $attempts 4711 $kelvin ke no types 1 2"
    out="f_swap[1] f_swap[2]"
  fi
  cat > "$base.in.$mode" <<EOF
units metal
atom_style atomic
atom_modify map array
boundary f f f
read_data $base.data
pair_style eam/fs
pair_coeff * * $eam_file Cu Ag
$fix
thermo_style custom step pe $out
thermo_modify format float %.10f
thermo $steps
run $steps
EOF
  "$lmp" -in "$base.in.$mode" -log "$base.log.$mode" -screen none ||
    { echo "compare_lammps_swap: LAMMPS failed, see its log:" >&2; cat "$base.log.$mode" >&2; return 1; }
  awk -v mode="$mode" '
    /^ *Step/ {header = 1; next}
    header && $1 ~ /^[0-9]+$/ {if (!seen) {pe0 = $2; seen = 1}; att = (mode == "swap") ? $3 : 0; acc = (mode == "swap") ? $4 : 0}
    /^Loop time of/ {header = 0; loop = $4}
    END {printf "%s %s %s %s\n", loop, pe0, att, acc}' "$base.log.$mode"
}

rows=()
for shells in "${shells_list[@]}"; do
  n=1
  for ((k = 1; k <= shells; ++k)); do n=$((n + 10 * k * k + 2)); done
  n_cu=$((n / 2)) n_ag=$((n - n / 2))
  attempts=$(( (1000 * 561 / n + 9) / 10 * 10 ))
  ((attempts >= 50)) || attempts=50
  base="$tmp/agcu$n"
  "$cli" --quiet build --motif icosahedron --shells "$shells" --composition "Ag=$n_ag,Cu=$n_cu" --ordering random --seed 1 \
    --potential "$eam_toml" -o "$base.xyz" > "$base.build.log"

  # XYZ -> LAMMPS data file; types follow the EAM file's element order "Cu Ag" (1 Cu, 2 Ag).
  /usr/bin/python3 - "$base.xyz" "$base.data" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
n = int(lines[0])
atoms = [l.split() for l in lines[2:2 + n]]
types = {"Cu": 1, "Ag": 2}
pos = [[float(x) for x in a[1:4]] for a in atoms]
with open(sys.argv[2], "w") as f:
    f.write(f"Ag-Cu icosahedron from nanoscape build\n\n{n} atoms\n2 atom types\n\n")
    for d, ax in enumerate("xyz"):
        lo = min(p[d] for p in pos) - 20.0
        hi = max(p[d] for p in pos) + 20.0
        f.write(f"{lo!r} {hi!r} {ax}lo {ax}hi\n")
    f.write("\nMasses\n\n1 63.546\n2 107.8682\n\nAtoms # atomic\n\n")
    for m, (a, p) in enumerate(zip(atoms, pos)):
        f.write(f"{m + 1} {types[a[0]]} {p[0]!r} {p[1]!r} {p[2]!r}\n")
EOF

  read -r swap_loop pe0 att acc < <(lammps "$base" "$attempts" swap)
  read -r plain_loop _ _ _ < <(lammps "$base" "$attempts" plain)
  [[ -n "$att" && "$att" != 0 ]] ||
    { echo "compare_lammps_swap: no swap attempts in the LAMMPS log:" >&2; cat "$base.log.swap" >&2; exit 1; }

  "$bench" --structure "$base.xyz" --potential "$eam_toml" --kelvin "$kelvin" --trials-from-start "$att" --benchmark_color=false \
    > "$base.nanoscape.out" 2> "$base.nanoscape.err" ||
    { echo "compare_lammps_swap: $bench failed" >&2; cat "$base.nanoscape.err" >&2; exit 1; }
  get() { awk -v key="$1" -v col="$2" '$1 == "swap_trial_seconds" && $2 == key {print $col} $1 == key {print $col}' "$base.nanoscape.out"; }
  e0=$(get initial_energy_ev 2)
  acc0=$(get acceptance_from_start 3)
  half=$(get local_half 3)
  metro=$(get local_metropolis 3)
  metro_acc=$(get local_metropolis 5)
  full=$(get full 3)
  [[ -n "$e0" && -n "$half" && -n "$metro" && -n "$full" ]] ||
    { echo "compare_lammps_swap: unexpected output of $bench:" >&2; cat "$base.nanoscape.out" >&2; exit 1; }
  awk -v a="$e0" -v b="$pe0" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(d < 1e-6 * (b < 0 ? -b : b))}' ||
    { echo "compare_lammps_swap: energies differ: nanoscape $e0 eV, LAMMPS $pe0 eV ($n atoms)" >&2; exit 1; }
  rows+=("$n $att $swap_loop $plain_loop $acc $pe0 $e0 $acc0 $metro $metro_acc $half $full")
done

echo "Ag-Cu icosahedra, EAM/FS $(basename "$eam_file"), single thread, Metropolis at $kelvin K"
echo "LAMMPS: fix atom/swap, $steps steps; time per attempt net of the same run without the fix"
printf '%s\n' "${rows[@]}" | awk '
  BEGIN {
    printf "%6s %15s %9s %10s %14s %10s %12s %14s %14s %12s\n", "atoms", "energy (eV)", "attempts", "LAMMPS",
           "acc. L / n", "nanoscape", "LAMMPS/this", "commit 1/2", "full/trial", "LAMMPS/full"
  }
  {
    n = $1; att = $2; lmp = ($3 - $4) / att
    printf "%6d %15.6f %9d %9.1fus %6.3f/%6.3f %8.2fus %11.0fx %12.2fus %12.1fus %11.2fx\n", n, $6, att, lmp * 1e6,
           $5 / att, $8, $9 * 1e6, lmp / $9, $11 * 1e6, $12 * 1e6, lmp / $12
  }
  END {
    print "  LAMMPS: s per fix atom/swap attempt; acc. L / n: acceptance of LAMMPS and of nanoscape over the same number of"
    print "  trials from the same start; nanoscape: s per local Metropolis trial (long walk), commit 1/2: local trials committed"
    print "  with probability 1/2; full/trial: nanoscape with one full energy evaluation per trial. Goal: LAMMPS/this >= 1000x."
  }'
