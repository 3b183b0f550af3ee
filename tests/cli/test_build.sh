#!/usr/bin/env bash
# `nanoscape build`: structures with the right number of atoms and species, exit code 2 for bad input.
# Usage: test_build.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# build OUT ATOMS -- args...: the command succeeds and OUT.xyz holds ATOMS atoms.
build() {
  local out=$work/$1 atoms=$2
  shift 3
  local err
  if ! err=$("$bin" build "$@" -o "$out" 2>&1 >/dev/null); then
    fail "build $* -> exit $?: $err"
    return
  fi
  if [[ "$(head -n 1 "$out")" != "$atoms" ]]; then
    fail "build $* wrote $(head -n 1 "$out") atoms, want $atoms"
    return
  fi
  ok
}

# count_species FILE SYMBOL: number of atoms of SYMBOL in a one-frame XYZ file.
count_species() { tail -n +3 "$1" | awk -v s="$2" '$1 == s { n++ } END { print n + 0 }'; }

build ico.xyz 147 -- --motif icosahedron --shells 3 --composition Pt=74,Au=73 --ordering core-shell
build deca.xyz 55 -- --motif decahedron --shells 2 --composition Ag=27,Cu=28 --seed 4
build marks.xyz 75 -- --motif decahedron --shape 2,2,1 --composition Ar=75 --potential lj
build oct.xyz 44 -- --motif octahedron --shells 3 --composition Pd=44
build to38.xyz 38 -- --motif truncated_octahedron --shells 1 --composition Au=32,Ag=6
build to79.xyz 79 -- --motif truncated_octahedron --shape 5,1 --composition Pt=79
build cubo.xyz 100 -- --motif cuboctahedron --size 100 --composition Pd=50,Pt=50
build rand.xyz 34 -- --motif random --size 34 --composition Ag=27,Cu=7 --seed 7 \
  --potential "$src/inputs/potentials/gupta_agcu_ferrando.toml"

# Counts per species, core-shell order (atoms are written from the centre out), info keys.
if [[ $(count_species "$work/ico.xyz" Pt) -ne 74 || $(count_species "$work/ico.xyz" Au) -ne 73 ]]; then
  fail "ico.xyz does not hold Pt74 Au73"
else
  ok
fi
if [[ "$(sed -n '3,76p' "$work/ico.xyz" | awk '{print $1}' | sort -u)" != "Pt" ]]; then
  fail "core-shell ico.xyz: the 74 innermost atoms are not all Pt"
else
  ok
fi
if ! sed -n 2p "$work/ico.xyz" | grep -q 'motif=icosahedron shells=3 ordering=core-shell seed=0'; then
  fail "ico.xyz comment line lacks motif/shells/ordering/seed: $(sed -n 2p "$work/ico.xyz")"
else
  ok
fi
# The summary line names formula, atoms, distance and the output file.
summary=$("$bin" build --motif cuboctahedron --shells 1 --composition Cu=13 -o "$work/c13.xyz" 2>/dev/null)
if ! grep -Eq '^Cu13 \(13 atoms\): .*nn distance 2\.6400 A.*c13\.xyz$' <<<"$summary"; then
  fail "summary line: $summary"
else
  ok
fi
# Same seed, same file; the built structure evaluates with the potential it was built for.
"$bin" build --motif random --size 34 --composition Ag=27,Cu=7 --seed 7 \
  --potential "$src/inputs/potentials/gupta_agcu_ferrando.toml" -o "$work/rand2.xyz" >/dev/null 2>&1
if ! cmp -s "$work/rand.xyz" "$work/rand2.xyz"; then
  fail "the same seed gave different files"
else
  ok
fi
expect 0 "" -- "$bin" eval --potential "$src/inputs/potentials/gupta_agcu_ferrando.toml" "$work/rand.xyz"

expect 2 "sums to 146 but a 3-shell icosahedron has 147 atoms" -- \
  "$bin" build --motif icosahedron --shells 3 --composition Pt=74,Au=72 -o "$work/x.xyz"
expect 2 "sums to 40 but --size is 38" -- \
  "$bin" build --motif random --size 38 --composition Pt=40 -o "$work/x.xyz"
expect 2 "did you mean 'icosahedron'" -- \
  "$bin" build --motif icosahedra --shells 2 --composition Pt=55 -o "$work/x.xyz"
expect 2 "did you mean 'core-shell'" -- \
  "$bin" build --motif icosahedron --shells 2 --composition Pt=55 --ordering coreshell -o "$work/x.xyz"
expect 2 "unknown element 'Xx'" -- \
  "$bin" build --motif icosahedron --shells 2 --composition Xx=55 -o "$work/x.xyz"
expect 2 "exactly one of --shells, --size and --shape" -- \
  "$bin" build --motif icosahedron --shells 2 --size 55 --composition Pt=55 -o "$work/x.xyz"
expect 2 "exactly one of --shells, --size and --shape" -- \
  "$bin" build --motif icosahedron --composition Pt=55 -o "$work/x.xyz"
expect 2 "random motif needs a size" -- \
  "$bin" build --motif random --shells 2 --composition Pt=55 -o "$work/x.xyz"
expect 2 "has no shape" -- \
  "$bin" build --motif icosahedron --shape 3 --composition Pt=55 -o "$work/x.xyz"
expect 2 "not an integer" -- \
  "$bin" build --motif decahedron --shape 2,x,1 --composition Pt=75 -o "$work/x.xyz"
expect 2 "no parameters for Ar" -- \
  "$bin" build --motif icosahedron --shells 1 --composition Ar=13 --potential gupta -o "$work/x.xyz"
expect 2 "required" -- "$bin" build --motif icosahedron --shells 1 --composition Pt=13
expect 2 "" -- "$bin" build --motif icosahedron --shells x --composition Pt=13 -o "$work/x.xyz"

finish "cli build"
