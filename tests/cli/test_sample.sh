#!/usr/bin/env bash
# `nanoscape sample`: labelled data sets that ASE reads back with EMT's energies and forces,
# the same file for any thread count, exit code 2 and a clear message for bad input.
# Usage: test_sample.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# run NAME -- args...: `nanoscape sample ... -o $work/NAME` succeeds.
run() {
  local out=$work/$1
  shift 2
  local err
  if ! err=$("$bin" sample "$@" -o "$out" 2>&1 >/dev/null); then
    fail "sample $* -> exit $?: $err"
    return 1
  fi
  ok
}

# frames FILE: number of frames of an extended XYZ file.
frames() { grep -c 'Properties=' "$1"; }

to38=(--potential emt --motif truncated_octahedron --shells 1 --composition Pt=19,Au=19)

run emt.xyz -- "${to38[@]}" --count 16 --kinds homotop,perturbed,relaxation,random --snapshots 3 --seed 3 --threads 1
run emt2.xyz -- "${to38[@]}" --count 16 --kinds homotop,perturbed,relaxation,random --snapshots 3 --seed 3 --threads 2
if ! cmp -s "$work/emt.xyz" "$work/emt2.xyz"; then fail "1 and 2 threads wrote different files"; else ok; fi
run seed4.xyz -- "${to38[@]}" --count 16 --kinds homotop,perturbed,relaxation,random --snapshots 3 --seed 4
if cmp -s "$work/emt.xyz" "$work/seed4.xyz"; then fail "seeds 3 and 4 wrote the same file"; else ok; fi

# ASE reads every frame with its energy and forces, which equal ASE's own EMT; info keys kind
# and source are there and the kinds come in the requested numbers.
if ! out=$(/usr/bin/python3 - "$work/emt.xyz" 2>&1 <<'EOF'
import sys
from collections import Counter
import numpy as np
from ase.io import read
from ase.calculators.emt import EMT

frames = read(sys.argv[1], ":")
assert len(frames) == 16, len(frames)
kinds = Counter(a.info["kind"] for a in frames)
assert kinds == {"homotop": 4, "perturbed": 4, "relaxation": 4, "random": 4}, kinds
for k, atoms in enumerate(frames):
    assert atoms.get_chemical_formula() == "Au19Pt19", atoms.get_chemical_formula()
    assert "EMT" in atoms.info["source"].upper(), atoms.info
    e, f = atoms.get_potential_energy(), atoms.get_forces()
    atoms.calc = EMT()
    de = abs(atoms.get_potential_energy() - e)
    df = np.abs(atoms.get_forces() - f).max()
    assert de < 1e-9 and df < 1e-9, (k, de, df)
print("ok")
EOF
); then
  fail "ASE read-back: $out"
else
  ok
fi

# Explicit counts per kind; random clusters need no motif; several compositions.
run random.xyz -- --potential emt --composition Pt=10,Au=3 --kinds random=3,homotop=0
if [[ $(frames "$work/random.xyz") -ne 3 ]]; then fail "random.xyz: $(frames "$work/random.xyz") frames, want 3"; else ok; fi
run two.xyz -- "${to38[@]/Pt=19,Au=19/Pt=19,Au=19;Pt=30,Au=8}" --count 4 --kinds homotop,perturbed
if [[ $(frames "$work/two.xyz") -ne 8 ]]; then fail "two.xyz: $(frames "$work/two.xyz") frames, want 8"; else ok; fi
if [[ $(grep -c 'kind=perturbed' "$work/two.xyz") -ne 4 ]]; then fail "two.xyz: not 4 perturbed frames"; else ok; fi
# The summary names the kinds and the output file.
summary=$("$bin" sample "${to38[@]}" --count 3 -o "$work/s.xyz" 2>/dev/null)
if ! grep -Eq '^3 structures \(1 composition\(s\)\) labelled by emt -> .*s\.xyz' <<<"$summary"; then
  fail "summary: $summary"
else
  ok
fi

x=$work/x.xyz
expect 2 "did you mean 'relaxation'" -- "$bin" sample "${to38[@]}" --count 3 --kinds relaxations -o "$x"
expect 2 "sums to 37 but a 1-shell truncated octahedron has 38 atoms" -- \
  "$bin" sample --potential emt --motif truncated_octahedron --shells 1 --composition Pt=19,Au=18 --count 3 -o "$x"
expect 2 "give --count N" -- "$bin" sample "${to38[@]}" -o "$x"
expect 2 "disagrees with the counts of --kinds" -- "$bin" sample "${to38[@]}" --count 5 --kinds homotop=2 -o "$x"
expect 2 "--motif is required" -- "$bin" sample --potential emt --composition Pt=13 --count 2 -o "$x"
expect 2 "exactly one of --shells, --size and --shape" -- \
  "$bin" sample --potential emt --motif icosahedron --composition Pt=13 --count 2 -o "$x"
expect 2 "--perturbation must be >= 0" -- "$bin" sample "${to38[@]}" --count 2 --perturbation -1 -o "$x"
expect 2 "--snapshots must be >= 1" -- "$bin" sample "${to38[@]}" --count 2 --snapshots 0 -o "$x"
expect 2 "did you mean 'fire'" -- "$bin" sample "${to38[@]}" --count 2 --optimizer fir -o "$x"
expect 2 "no parameters for Ar" -- \
  "$bin" sample --potential emt --motif icosahedron --shells 1 --composition Ar=13 --count 2 -o "$x"
expect 2 "unknown element 'Xx'" -- \
  "$bin" sample --potential emt --motif icosahedron --shells 1 --composition Xx=13 --count 2 -o "$x"
expect 2 "did you mean 'emt'" -- "$bin" sample --potential emtt --motif icosahedron --shells 1 --composition Pt=13 \
  --count 2 -o "$x"
expect 2 "not a non-negative integer" -- "$bin" sample "${to38[@]}" --kinds homotop=-2 -o "$x"
expect 2 "required" -- "$bin" sample "${to38[@]}" --count 2
expect 2 "required" -- "$bin" sample --motif icosahedron --shells 1 --composition Pt=13 --count 2 -o "$x"
if [[ -e $x ]]; then fail "a failed command wrote $x"; else ok; fi

finish "cli sample"
