#!/usr/bin/env bash
# `cmake --install` to a prefix gives a working nanoscape: the program, its parameter files
# (found from the program's own location, never from the source tree), the example inputs and
# structures, and tools/plot.py as nanoscape-plot.
# Usage: test_install.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

prefix="$work/prefix"
cmake --install "$(dirname "$bin")" --prefix "$prefix" >/dev/null && ok || fail "cmake --install"
installed="$prefix/bin/nanoscape"
[[ -x "$installed" && -x "$prefix/bin/nanoscape-plot" ]] && ok || fail "bin/nanoscape and bin/nanoscape-plot installed"
[[ -s "$prefix/share/nanoscape/potentials/gupta_agcu_ferrando.toml" && -s "$prefix/share/nanoscape/inputs/quickstart.toml" &&
   -s "$prefix/share/nanoscape/structures/ag27cu7_ferrando_gm.xyz" ]] && ok || fail "data installed"

# A run file naming a parameter file by its bare name finds the installed one.
mkdir -p "$work/run" && cp "$prefix/share/nanoscape/inputs/quickstart.toml" "$work/run/"
(cd "$work/run" && "$installed" -q run quickstart.toml -o out --max-steps 20 >/dev/null) && ok || fail "installed run"
# ... and looks in the prefix, not in the source tree it was built from.
sed 's/gupta_agcu_ferrando.toml/nothere.toml/' "$work/run/quickstart.toml" > "$work/run/bad.toml"
out=$("$installed" check "$work/run/bad.toml" 2>&1); code=$?
[[ $code -eq 2 && "$out" == *"$prefix/share/nanoscape/potentials/nothere.toml"* && "$out" != *"$src/inputs"* ]] && ok ||
  fail "installed lookup: exit $code, $out"
# The energy of the installed potential file equals the source tree's.
e1=$("$installed" eval --potential gupta_agcu_ferrando.toml "$src/structures/ag27cu7_ferrando_gm.xyz" 2>/dev/null | awk 'NR==2{print $4}')
e2=$("$bin" eval --potential gupta_agcu_ferrando.toml "$src/structures/ag27cu7_ferrando_gm.xyz" 2>/dev/null | awk 'NR==2{print $4}')
[[ -n "$e1" && "$e1" == "$e2" ]] && ok || fail "installed energy $e1, build tree $e2"
# The ASE bridge is installed beside the data and the installed program uses that copy.
[[ -x "$prefix/share/nanoscape/tools/ase_calculator.py" ]] && ok || fail "tools/ase_calculator.py installed"
if /usr/bin/python3 -c "import ase" 2>/dev/null; then
  printf 'type = "ase"\ncalculator = "ase.calculators.emt.EMT"\ndescription = "x"\n' > "$work/ase.toml"
  out=$("$installed" -v eval -p "$work/ase.toml" "$src/structures/pt13_cleri_rosato_gm.xyz" 2>&1)
  e1=$(awk '$1 == 1 {print $4}' <<<"$out")
  e2=$("$bin" eval -p emt "$src/structures/pt13_cleri_rosato_gm.xyz" 2>/dev/null | awk 'NR==2{print $4}')
  [[ -n "$e1" && "$e1" == "$e2" ]] && ok || fail "installed ASE bridge: $out"
fi
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  "$prefix/bin/nanoscape-plot" "$work/run/out" >/dev/null && [[ -s "$work/run/out/plots/trace.png" ]] && ok || fail "nanoscape-plot"
fi

finish "cli install"
