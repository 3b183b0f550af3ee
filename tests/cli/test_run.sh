#!/usr/bin/env bash
# nanoscape run / check end to end: messages and exit codes of bad run files (2), budgets from
# the command line, resume refusals. (Thread-count independence, kill -9 and SIGINT with resume
# are checked for every driver by tests/conformance/test_driver_conformance.cpp.)
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

"$bin" check "$work/lj26.toml" >/dev/null && ok || fail "check of a valid run file"
"$bin" -q run "$work/lj26.toml" -o "$work/ref" --threads 2 >/dev/null && ok || fail "reference run"

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


# Moves that cannot apply: a swap on a pure metal is an input error, not a crash.
expect_error swap_pure_metal "moves.*no move of positive weight applies to Ar13: swap \(swap needs two elements\)" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
moves = { swap = 1 }"
expect_error move_parameter "move_parameter.toml:8:.*\[search.moves.surface\] unknown key 'trails'.*did you mean 'trials'" "[system]
elements = [\"Ar\"]
size = 13
$base
[search.moves.surface]
weight = 1
trails = 50"
expect_error move_weight_missing "\[search.moves.surface\] key 'weight'.*is required" "[system]
elements = [\"Ar\"]
size = 13
$base
[search.moves.surface]
trials = 50"
expect_error twice "is also given as \[search\] step_size" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
step_size = 0.3
[search.moves.displacement]
weight = 1
step_size = 0.4"
expect_error ga_selection "ga_selection.toml:8:.*\[search\] key 'selection'.*must be \"roulette\" or \"tournament\"" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"genetic_algorithm\"
selection = \"roulete\""
expect_error ga_crossover "ga_crossover.toml:8:.*\\[search.crossover\\] unknown key 'one_plain'.*did you mean 'one_plane'" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"genetic_algorithm\"
crossover = { one_plain = 1 }"
expect_error ga_population "ga_population.toml:8:.*\[search\] key 'population'" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"genetic_algorithm\"
population = 1"
expect_error ga_key_of_bh "key 'walkers'.*is a key of driver basin_hopping, not of genetic_algorithm" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"genetic_algorithm\"
walkers = 2"
expect_error other_driver "key 'walkers'.*is a key of driver basin_hopping, not of random_search" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"random_search\"
walkers = 2"
expect_error mc_pure "homotop_mc: Ar13 has one element, so no homotops" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
driver = \"homotop_mc\""
expect_error mc_kelvin "mc_kelvin.toml:8:.*\[search\] key 'temperature'.*kelvin" "[system]
elements = [\"Ar\", \"Kr\"]
composition = { Ar = 10, Kr = 3 }
$base
[search]
driver = \"homotop_mc\"
temperature = 0.1"
expect_error mc_relax "mc_relax.toml:8:.*\[search\] key 'relax'.*did you mean 'best'" "[system]
elements = [\"Ar\", \"Kr\"]
composition = { Ar = 10, Kr = 3 }
$base
[search]
driver = \"homotop_mc\"
relax = \"bset\""
expect_error never_stops "every limit is 0" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
max_steps = 0"

# A swap in the moves of a pure metal with other moves: skipped, and said so.
printf '[system]\nelements = ["Ar"]\nsize = 13\n%s\n[search]\nmoves = { displacement = 1, swap = 0.5 }\n' "$base" > "$work/skip.toml"
out=$("$bin" check "$work/skip.toml" 2>&1); code=$?
[[ $code -eq 0 && "$out" == *"skipped: swap"* ]] && ok || fail "inapplicable move not reported as skipped: exit $code, $out"

# Budgets from the command line override the run file; the default cap of 1000 steps applies
# only when no stop criterion is given at all.
printf '[system]\nelements = ["Ar"]\nsize = 13\n%s\n' "$base" > "$work/plain.toml"
"$bin" -q run "$work/plain.toml" -o "$work/default_cap" >/dev/null
grep -q '"steps": 1000,' "$work/default_cap/summary.json" && ok || fail "default step cap"
"$bin" -q run "$work/plain.toml" -o "$work/cli_steps" --max-steps 17 >/dev/null
grep -q '"stop_reason": "max_steps"' "$work/cli_steps/summary.json" && grep -q '"steps": 17,' "$work/cli_steps/summary.json" &&
  ok || fail "--max-steps"
"$bin" -q run "$work/plain.toml" -o "$work/cli_time" --max-wall-time 1.5 >/dev/null
/usr/bin/python3 - "$work/cli_time/summary.json" <<'PY' && ok || fail "--max-wall-time alone runs for that long, not 1000 steps"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["stop_reason"] == "max_wall_time" and 1.5 <= s["wall_time_s"] < 5 and s["steps"] > 1000 else 1)
PY
"$bin" -q run "$work/plain.toml" -o "$work/cli_evals" --max-evaluations 2000 >/dev/null
grep -q '"stop_reason": "max_evaluations"' "$work/cli_evals/summary.json" && ok || fail "--max-evaluations"
"$bin" -q run "$work/plain.toml" -o "$work/cli_target" --target-energy -44.326801 --max-steps 5000 >/dev/null
grep -q '"target_reached": true' "$work/cli_target/summary.json" && ok || fail "--target-energy (LJ13 -44.326801)"
# A finished run extended on resume with a larger budget.
"$bin" -q run "$work/plain.toml" -o "$work/cli_steps" --resume --max-steps 40 >/dev/null &&
  grep -q '"steps": 40,' "$work/cli_steps/summary.json" && ok || fail "resume with a larger --max-steps"

# Honest counts: minima_found counts every distinct minimum seen, the archive keeps 50.
/usr/bin/python3 - "$work/default_cap/summary.json" <<'PY' && ok || fail "minima_found vs unique_minima"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["unique_minima"] <= 50 and s["minima_found"] >= s["unique_minima"] else 1)
PY

# A checkpoint of another run is refused, naming what differs (and only that).
out=$("$bin" -q run "$work/plain.toml" -o "$work/cli_steps" --resume --seed 99 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"seed is 1 in the checkpoint, 99 in this run"* && "$out" != *composition* ]] && ok ||
  fail "resume with another seed: exit $code, $out"
# A damaged checkpoint is an input error, not a crash.
cp -r "$work/cli_steps" "$work/damaged"
echo '{"format": "nanoscape-checkpoint", "version": 2, "identity":' > "$work/damaged/checkpoint/state.json"
out=$("$bin" -q run "$work/plain.toml" -o "$work/damaged" --resume 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"damaged checkpoint"* ]] && ok || fail "damaged checkpoint: exit $code, $out"
# A checkpoint of the earlier format (state.txt) is recognised.
mkdir -p "$work/legacy/checkpoint" && echo "nanoscape-checkpoint 1" > "$work/legacy/checkpoint/state.txt"
out=$("$bin" -q run "$work/plain.toml" -o "$work/legacy" --resume 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"earlier nanoscape"* ]] && ok || fail "format-1 checkpoint: exit $code, $out"


# Bad command-line budgets.
out=$("$bin" -q run "$work/plain.toml" -o "$work/nan_target" --target-energy nan 2>&1); code=$?
[[ $code -eq 2 && "$out" == *"--target-energy must be a finite energy"* ]] && ok || fail "--target-energy nan: exit $code, $out"
out=$("$bin" -q run "$work/plain.toml" -o "$work/no_limit" --max-steps 0 2>&1); code=$?
[[ $code -eq 2 && "$out" == *"--max-steps"*"would never stop"* ]] && ok || fail "--max-steps 0 alone: exit $code, $out"
# A basin-hopping key in [search] is reported in [search]; one that no listed move uses is an error.
expect_error bh_step "bh_step.toml:7:.*\[search\] key 'step_size'.*must be in" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
step_size = -1"
expect_error unused_step "\[search\] key 'step_size'.*sets the displacement move, which \[search.moves\] does not list" "[system]
elements = [\"Ar\"]
size = 13
$base
[search]
step_size = 0.5
moves = { surface = 1 }"
# Changing how the run relaxes before a resume is refused, naming the field.
sed 's/^\[potential\]/[relax]\nfmax = 0.1\n[potential]/' "$work/plain.toml" > "$work/plain_fmax.toml"
out=$("$bin" -q run "$work/plain_fmax.toml" -o "$work/cli_steps" --resume 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"relax.fmax is 0.01 in the checkpoint, 0.1 in this run"* ]] && ok || fail "resume with another fmax: exit $code, $out"
# A checkpoint whose walker has another composition, or whose version is not a number: exit 2.
cp -r "$work/cli_steps" "$work/bad_walker"
/usr/bin/python3 - "$work/bad_walker/checkpoint/state.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
w = d["driver"]["walkers"][0]["current"]
w["species"] = w["species"][:5]; w["positions"] = w["positions"][:5]
json.dump(d, open(sys.argv[1], "w"))
PY
out=$("$bin" -q run "$work/plain.toml" -o "$work/bad_walker" --resume 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"damaged checkpoint (a structure is Ar5 but the run is Ar13)"* ]] && ok || fail "walker of another size: exit $code, $out"
cp -r "$work/cli_steps" "$work/bad_version"
sed -i 's/"version": 2/"version": "2"/' "$work/bad_version/checkpoint/state.json"
out=$("$bin" -q run "$work/plain.toml" -o "$work/bad_version" --resume 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"checkpoint format version"* ]] && ok || fail "version as a string: exit $code, $out"

# Under --quiet the console is silent, but run.log has the whole log.
grep -q "driver: basin_hopping" "$work/default_cap/run.log" && grep -q "finished: max_steps" "$work/default_cap/run.log" &&
  ok || fail "run.log under -q"

# `nanoscape list` names every registered driver.
out=$("$bin" list drivers --keys); [[ "$out" == *basin_hopping* && "$out" == *random_search* ]] && ok || fail "list drivers: $out"

# The resume hint after Ctrl-C repeats the command-line overrides the run was started with.
# SIGINT only once the run is under way (its first trace rows exist), not during start-up.
"$bin" -q run "$work/lj26.toml" -o "$work/hint" --seed 3 --max-steps 1000000 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do
  [[ $(wc -l < "$work/hint/trace.csv" 2>/dev/null || echo 0) -gt 5 ]] && break
  sleep 0.1
done
kill -INT "$pid"; wait "$pid"; code=$?
grep -q -- "--seed 3 --max-steps 1000000 --resume" "$work/hint/run.log" && [[ $code -eq 130 ]] && ok ||
  fail "resume hint after SIGINT: exit $code, $(grep -i interrupted "$work/hint/run.log")"

# A full disk, simulated by a file-size limit (SIGXFSZ ignored, so writes fail with EFBIG): the
# run stops with a message naming the file and the way to continue, leaves no temporary file,
# and resumes from its last complete checkpoint once writes succeed again.
(ulimit -f 40; trap '' XFSZ; exec "$bin" -q run "$work/lj26.toml" -o "$work/full" -j 1 --max-steps 3000) \
  >/dev/null 2>"$work/full.err"; code=$?
[[ $code -eq 1 ]] && grep -q "cannot write" "$work/full.err" && grep -q -- "--resume" "$work/full.err" && ok ||
  fail "full disk: exit $code, $(cat "$work/full.err")"
ls "$work/full/checkpoint/"*.tmp >/dev/null 2>&1 && fail "full disk left a temporary file" || ok
"$bin" -q run "$work/lj26.toml" -o "$work/full" -j 1 --max-steps 3000 --resume >/dev/null 2>&1 &&
  grep -q '"status": "finished"' "$work/full/summary.json" && ok || fail "resume after a full disk"

# Every example run file in inputs/ is valid (`nanoscape check`).
for f in "$src"/inputs/*.toml; do
  out=$("$bin" check "$f" 2>&1) && ok || fail "check $f: $out"
done

finish "cli run"
