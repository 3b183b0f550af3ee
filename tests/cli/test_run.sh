#!/usr/bin/env bash
# nanoscape run / check end to end: a run killed with SIGKILL and resumed ends exactly like an
# uninterrupted one; 1 and 2 threads give the same results; bad run files exit with code 2.
# Usage: test_run.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cat > "$work/lj26.toml" <<'TOML'
[system]
elements = ["Ar"]
size = 26
seed = 7
[potential]
type = "lj"
[relax]
fmax = 1e-4
[search]
walkers = 3
max_steps = 900
[output]
checkpoint_interval = 0
TOML

# Results that must agree: the summary without wall time and thread count, and the minima.
same_results() {
  diff <(grep -v -E '"(wall_time_s|threads)"' "$1/summary.json") <(grep -v -E '"(wall_time_s|threads)"' "$2/summary.json") >/dev/null &&
    cmp -s "$1/minima.xyz" "$2/minima.xyz" &&
    diff <(cut -d, -f1-8 "$1/trace.csv") <(cut -d, -f1-8 "$2/trace.csv") >/dev/null
}

"$bin" check "$work/lj26.toml" >/dev/null && ok || fail "check of a valid run file"
"$bin" -q run "$work/lj26.toml" -o "$work/ref" --threads 2 >/dev/null && ok || fail "reference run"
"$bin" -q run "$work/lj26.toml" -o "$work/one" --threads 1 >/dev/null && ok || fail "1-thread run"
same_results "$work/ref" "$work/one" && ok || fail "1 and 2 threads differ"

# Kill -9 once the checkpoint shows some progress, then resume.
"$bin" -q run "$work/lj26.toml" -o "$work/killed" --threads 2 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  steps=$(awk '/^counters/ {print $2}' "$work/killed/checkpoint/state.txt" 2>/dev/null)
  [[ -n "$steps" && "$steps" -ge 60 ]] && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if grep -q '"status": "finished"' "$work/killed/summary.json" 2>/dev/null; then
  fail "the run finished before it could be killed (machine too fast for this test's budget)"
else
  ok
fi
"$bin" -q run "$work/lj26.toml" -o "$work/killed" --resume >/dev/null && ok || fail "resume"
same_results "$work/ref" "$work/killed" && ok || fail "resumed run differs from the uninterrupted one"

# A directory that holds a run is never overwritten by accident.
out=$("$bin" -q run "$work/lj26.toml" -o "$work/ref" 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"--resume"* ]] && ok || fail "rerun into an existing run directory: exit $code, $out"

# Bad run files: exit 2 with file:line and the closest name.
expect_error() {  # NAME PATTERN TOML
  printf '%s\n' "$3" > "$work/$1.toml"
  local out code
  out=$("$bin" check "$work/$1.toml" 2>&1 >/dev/null); code=$?
  if [[ $code -eq 2 ]] && grep -Eq -- "$2" <<<"$out"; then ok; else fail "$1: exit $code, message: $out (want /$2/)"; fi
}
base='[potential]
type = "lj"'
expect_error misspelt_key "misspelt_key.toml:3:.*did you mean 'size'" "[system]
elements = [\"Ar\"]
sise = 13
$base"
expect_error unknown_element "unknown_element.toml:2:.*unknown element 'Agg'" "[system]
elements = [\"Agg\"]
size = 13
$base"
expect_error unknown_driver "did you mean 'basin_hopping'" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"basin_hoping\""
expect_error wrong_type "wrong_type.toml:3:.*expected an integer" "[system]
elements = [\"Ar\"]
size = \"13\"
$base"
expect_error bad_sum "is 30 but the composition adds up to 34" "[system]
elements = [\"Ag\", \"Cu\"]
size = 30
composition = { Ag = 27, Cu = 7 }
[potential]
type = \"gupta\"
parameters = \"gupta_agcu_ferrando.toml\""
expect_error missing_pair "Ag-Au" "[system]
elements = [\"Ag\", \"Au\"]
composition = { Ag = 7, Au = 6 }
[potential]
type = \"gupta\""
expect_error unknown_table "unknown table \\[serach\\].*did you mean 'search'" "[system]
elements = [\"Ar\"]
size = 13
$base
[serach]
max_steps = 3"
expect_error syntax "syntax.toml:3:1: TOML syntax error" "[system]
elements = [\"Ar\"
size = 13"
expect_error composition_element "Cu is not in \\[system\\] elements" "[system]
elements = [\"Ag\"]
composition = { Ag = 7, Cu = 6 }
$base"

expect_error bad_start "did you mean 'icosahedron'" "[system]
elements = [\"Ar\"]
size = 13
start = \"icosahedon\"
$base"
expect_error core_shell_random "core-shell ordering needs a motif start" "[system]
elements = [\"Ar\"]
size = 13
ordering = \"core_shell\"
$base"

# A motif start with core-shell ordering: Cu fills the centre of a 55-atom icosahedron.
cat > "$work/motif.toml" <<'TOML'
[system]
elements = ["Cu", "Ag"]
composition = { Ag = 42, Cu = 13 }
start = "icosahedron"
ordering = "core-shell"
[potential]
type = "gupta"
parameters = "gupta_agcu_ferrando.toml"
[search]
max_steps = 1
TOML
if "$bin" -q run "$work/motif.toml" -o "$work/motif" >/dev/null && /usr/bin/python3 - "$work/motif/minima.xyz" <<'PY'
import sys
import numpy as np
from ase.io import read
a = read(sys.argv[1], index=-1)  # the relaxed starting structure is among the minima
r = np.linalg.norm(a.positions - a.positions.mean(0), axis=1)
s = np.array(a.get_chemical_symbols())
sys.exit(0 if r[s == "Cu"].max() < r[s == "Ag"].min() else 1)
PY
then ok; else fail "core-shell motif start"; fi

finish "cli run"
