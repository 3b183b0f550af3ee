#!/usr/bin/env bash
# Screened runs end to end: screening.csv and the summary's screening figures, honest counts
# (summary.json = the trace's last cumulative count; every reference relaxation is in the
# trace), a run stopped and resumed ending exactly as the run in one go (surrogate and training
# set restored from the checkpoint) on another thread count, basin hopping with trials under an
# ANN committee, a screened composition sweep, and screened homotop Monte Carlo (design,
# blocks on the model, resume). (Bad [screening] input is in tests/bad_inputs/screening_*.case.)
# Usage: test_screening.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cat > "$work/ga.toml" <<TOML
[system]
elements = ["Ag", "Cu"]
composition = { Ag = 10, Cu = 3 }
seed = 4
[potential]
type = "gupta"
parameters = "$src/inputs/potentials/gupta_agcu_ferrando.toml"
[relax]
fmax = 1e-3
[search]
driver = "genetic_algorithm"
population = 8
max_steps = 96
[surrogate]
type = "gpr"
[screening]
candidates = 12
verify = 2
initial_design = 8
[output]
checkpoint_interval = 1000
TOML

# summary.json's screening_error_mae is the mean |predicted - reference| of screening.csv's rows.
mae_matches() {
  python3 - "$1" <<'PY' && ok || fail "$2: screening_error_mae is not screening.csv's mean error"
import csv, json, sys
s = json.load(open(f"{sys.argv[1]}/summary.json"))
scr = list(csv.DictReader(open(f"{sys.argv[1]}/screening.csv")))
mae = sum(abs(float(r["predicted_energy"]) - float(r["reference_energy"])) for r in scr) / len(scr)
assert abs(mae - s["screening_error_mae"]) < 1e-6 * max(1, mae), (mae, s["screening_error_mae"])
PY
}
strip() { cut -d, -f1-8 "$1"; }  # trace.csv without the wall time
# A run stopped and resumed ($2) against the run in one go ($1): the same trace, screening.csv
# and summary figures $4...
same_as_once() {
  local once=$1 split=$2 label=$3
  shift 3
  cmp -s <(strip "$once/trace.csv") <(strip "$split/trace.csv") && ok || fail "resumed $label trace differs"
  cmp -s "$once/screening.csv" "$split/screening.csv" && ok || fail "resumed $label screening.csv differs"
  for key in "$@"; do
    a=$(grep "\"$key\"" "$once/summary.json") b=$(grep "\"$key\"" "$split/summary.json")
    [[ -n "$a" && "$a" == "$b" ]] && ok || fail "resumed $label $key: $a vs $b"
  done
}

"$bin" -q run "$work/ga.toml" -o "$work/once" -j 2 >/dev/null || fail "screened GA run"
python3 - "$work/once" <<'PY' && ok || fail "screened GA: files and counts"
import csv, json, sys
d = sys.argv[1]
s = json.load(open(f"{d}/summary.json"))
rows = list(csv.DictReader(open(f"{d}/trace.csv")))
scr = list(csv.DictReader(open(f"{d}/screening.csv")))
assert s["reference_evaluations"] == int(rows[-1]["reference_evaluations"]), "summary vs trace"
screened = [r for r in rows if r["status"] == "screened"]
assert screened and all(r["energy"] == "nan" for r in screened), "screened rows carry no energy"
assert s["screened_candidates"] == len(screened)
# 8 initial members, then rounds of 12 children of which 2 are verified once the model is ready.
verified = [r for r in rows if int(r["step"]) > 0 and r["status"] != "screened"]
assert len(scr) > 0 and len(scr) <= len(verified)
assert s["reference_relaxations"] == len([r for r in rows if r["status"] != "screened"]), "one relaxation per row"
assert s["training_set_size"] > 0 and s["retrain_count"] > 0 and s["surrogate_predictions"] > 0
PY
mae_matches "$work/once" "screened GA"

# Stopped after 48 steps and resumed on one thread: the same trace, screening.csv and summary.
"$bin" -q run "$work/ga.toml" -o "$work/split" -j 2 --max-steps 48 >/dev/null || fail "first half"
"$bin" -q run "$work/ga.toml" -o "$work/split" -j 1 --max-steps 96 --resume >/dev/null || fail "resume"
same_as_once "$work/once" "$work/split" GA best_energy reference_evaluations training_set_size screening_error_mae

# A different [screening] is refused on resume, naming the setting.
sed 's/^verify = 2/verify = 3/' "$work/ga.toml" > "$work/ga3.toml"
expect 2 "screening.*verify" -- "$bin" -q run "$work/ga3.toml" -o "$work/split" --resume --max-steps 200

# Basin hopping with trials: one candidate per walker step is judged, the rest rejected.
cat > "$work/bh.toml" <<TOML
[system]
elements = ["Ag", "Cu"]
composition = { Ag = 10, Cu = 3 }
seed = 2
[potential]
type = "gupta"
parameters = "$src/inputs/potentials/gupta_agcu_ferrando.toml"
[search]
driver = "basin_hopping"
max_steps = 60
[surrogate]
type = "ann_committee"
[screening]
candidates = 6
initial_design = 6
TOML
"$bin" -q run "$work/bh.toml" -o "$work/bh" >/dev/null || fail "screened basin hopping with ann_committee"
python3 - "$work/bh" <<'PY' && ok || fail "basin hopping trials"
import csv, json, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(open(f"{d}/trace.csv")) if int(r["step"]) > 0]
s = json.load(open(f"{d}/summary.json"))
assert len(rows) == 60 and s["steps"] == 60
assert s["screened_candidates"] > 0 and "ann_committee" in s["surrogate"]
PY
# A screened sweep: every composition screens with its own model and writes screening.csv.
cat > "$work/sweep.toml" <<TOML
[system]
elements = ["Ag", "Cu"]
size = 13
seed = 3
[potential]
type = "gupta"
parameters = "$src/inputs/potentials/gupta_agcu_ferrando.toml"
[search]
driver = "genetic_algorithm"
population = 8
max_steps = 48
[sweep]
compositions = [0, 6, 13]
polish_passes = 1
[surrogate]
type = "gpr"
[screening]
candidates = 12
initial_design = 8
TOML
"$bin" -q run "$work/sweep.toml" -o "$work/sweep" >/dev/null || fail "screened sweep"
python3 - "$work/sweep" <<'PY' && ok || fail "screened sweep: per-composition screening"
import json, os, sys
d = sys.argv[1]
for formula in ("Cu13", "Ag6Cu7", "Ag13"):
    c = os.path.join(d, "compositions", formula)
    s = json.load(open(os.path.join(c, "summary.json")))
    assert os.path.exists(os.path.join(c, "screening.csv")), formula
    assert s["screened_candidates"] > 0 and s["training_set_size"] > 0, (formula, s)
PY

# Homotop Monte Carlo screened on a fixed geometry: random homotops as the design, then blocks of
# swaps on the model, one reference single point per block; stopped and resumed on another
# thread count it ends as the run in one go (walkers on the model, surrogate restored).
cat > "$work/homotop.toml" <<TOML
[system]
elements = ["Ag", "Cu"]
composition = { Ag = 42, Cu = 13 }
seed = 5
start = "icosahedron"
[potential]
type = "gupta"
parameters = "$src/inputs/potentials/gupta_agcu_ferrando.toml"
[search]
driver = "homotop_mc"
temperature = [300.0, 800.0]
sweeps_per_block = 5
max_steps = 40
[surrogate]
type = "mapped"
[screening]
initial_design = 8
[output]
checkpoint_interval = 1000
TOML
"$bin" -q run "$work/homotop.toml" -o "$work/h_once" -j 2 >/dev/null || fail "screened homotop_mc"
python3 - "$work/h_once" <<'PY' && ok || fail "screened homotop_mc: counts and files"
import csv, json, sys
d = sys.argv[1]
s = json.load(open(f"{d}/summary.json"))
rows = list(csv.DictReader(open(f"{d}/trace.csv")))
scr = list(csv.DictReader(open(f"{d}/screening.csv")))
moves = [r["move"] for r in rows]
# 2 starts + 6 design homotops make the 8 of the design; then blocks on the model, 2 per round.
assert moves.count("start") == 2 and moves.count("design") == 6, moves
blocks = [r for r in rows if r["move"] == "swap_block"]
assert len(blocks) == 34 and all(r["status"] == "single_point" for r in blocks)
assert s["reference_evaluations"] == len(rows) and s["reference_local_updates"] == 0, s
assert s["surrogate_predictions"] >= len(blocks) * 275, s["surrogate_predictions"]
assert len(scr) == len(blocks) and all(r["move"] == "swap_block" for r in scr)
PY
mae_matches "$work/h_once" "screened homotop_mc"
"$bin" -q run "$work/homotop.toml" -o "$work/h_split" -j 2 --max-steps 20 >/dev/null || fail "homotop first half"
"$bin" -q run "$work/homotop.toml" -o "$work/h_split" -j 1 --resume >/dev/null || fail "homotop resume"
same_as_once "$work/h_once" "$work/h_split" homotop best_energy reference_evaluations surrogate_predictions training_set_size
finish "cli screening"
