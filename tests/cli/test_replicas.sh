#!/usr/bin/env bash
# Replicas end to end ([search] replicas, docs/scale.md): replica 0 is the plain run, the
# replicas differ from one another, the merged summary's counts are the replicas' sums and its
# best their lowest; the Slurm-array way (one replica per task via SLURM_ARRAY_TASK_ID, then
# `nanoscape merge`) gives the same merged minima as one run with replicas; a run stopped early
# resumes to the same result; a sweep's replicas merge into one hull; a sweep's slices ([sweep]
# slices), run at once or one per array task, merge into the hull of all; bad input is exit 2.
# Usage: test_replicas.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
work=$(mktemp -d)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
unset SLURM_ARRAY_TASK_ID

# LJ13 (global minimum -44.326801, Cambridge Cluster Database): easy for every replica.
cat > "$work/plain.toml" <<'TOML'
[system]
elements = ["Ar"]
size = 13
seed = 4
[potential]
type = "lj"
[relax]
fmax = 1e-4
[search]
walkers = 2
max_steps = 80
[output]
checkpoint_interval = 0
TOML
sed 's/^max_steps = 80/max_steps = 80\nreplicas = 3/' "$work/plain.toml" > "$work/rep.toml"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
strip_source() { sed -E 's/ source=[^ ]+//' "$1"; }
# trace.csv without its last column (wall time)
same_trace() { diff <(sed -E 's/,[^,]*$//' "$1") <(sed -E 's/,[^,]*$//' "$2") >/dev/null; }

"$bin" -q run "$work/plain.toml" -o "$work/plain" -j 2 >/dev/null 2>&1 && ok || fail "plain run"
out=$("$bin" -q run "$work/rep.toml" -o "$work/rep" -j 2 2>/dev/null); code=$?
[[ $code -eq 0 && "$out" == *"3 replicas of Ar13"* ]] && ok || fail "replicas run: exit $code, $out"
for k in 0 1 2; do
  for f in summary.json best.xyz minima.xyz trace.csv run.log; do
    [[ -s "$work/rep/replicas/r$k/$f" ]] && ok || fail "missing replicas/r$k/$f"
  done
done
for f in summary.json best.xyz minima.xyz run.log; do [[ -s "$work/rep/$f" ]] && ok || fail "missing merged $f"; done
# Replica 0 is the plain run; the others are other searches.
same_trace "$work/plain/trace.csv" "$work/rep/replicas/r0/trace.csv" && ok || fail "replica 0 differs from the plain run"
cmp -s "$work/plain/minima.xyz" "$work/rep/replicas/r0/minima.xyz" && ok || fail "replica 0's minima differ from the plain run's"
! same_trace "$work/rep/replicas/r0/trace.csv" "$work/rep/replicas/r1/trace.csv" && ok || fail "replicas 0 and 1 ran the same search"
! same_trace "$work/rep/replicas/r1/trace.csv" "$work/rep/replicas/r2/trace.csv" && ok || fail "replicas 1 and 2 ran the same search"
# Counts are sums, the best is the lowest, every figure as its name says.
s="$work/rep/summary.json"
for key in reference_evaluations reference_relaxations steps; do
  total=0
  for k in 0 1 2; do total=$((total + $(json "$work/rep/replicas/r$k/summary.json" "d['$key']"))); done
  [[ $(json "$s" "d['$key']") -eq $total ]] && ok || fail "merged $key $(json "$s" "d['$key']") is not the sum $total"
done
lowest=$(python3 -c "import json; print(min(json.load(open('$work/rep/replicas/r%d/summary.json' % k))['best_energy'] for k in range(3)))")
[[ $(json "$s" "d['best_energy']") == "$lowest" ]] && ok || fail "merged best $(json "$s" "d['best_energy']") is not the lowest $lowest"
python3 -c "import sys; sys.exit(abs($lowest + 44.326801) > 1e-5)" && ok || fail "LJ13 not reached: $lowest"
[[ $(json "$s" "d['replicas']") -eq 3 && $(json "$s" "len(d['runs'])") -eq 3 ]] && ok || fail "replicas table"
# Minima are unique after the merge: every replica finds the icosahedron, it is kept once.
[[ $(grep -c "energy=-44.3268" "$work/rep/minima.xyz") -eq 1 ]] && ok || fail "the global minimum is not kept once"
/usr/bin/python3 - "$work/rep/minima.xyz" <<'PY' && ok || fail "merged minima.xyz unreadable by ASE or not sorted"
import sys
from ase.io import read
frames = read(sys.argv[1], index=":")
energies = [f.get_potential_energy() for f in frames]
assert energies == sorted(energies) and len(frames) > 1
assert all("source" in f.info for f in frames)
PY

# The Slurm-array way: each task runs its replica (SLURM_ARRAY_TASK_ID), merge joins them.
for k in 2 0 1; do
  SLURM_ARRAY_TASK_ID=$k "$bin" -q run "$work/rep.toml" -o "$work/array" -j 1 >/dev/null 2>&1 && ok || fail "array task $k"
done
[[ ! -e "$work/array/summary.json" ]] && ok || fail "an array task wrote the merged summary"
out=$("$bin" merge "$work/array" 2>&1); code=$?
[[ $code -eq 0 && "$out" == *"merged 3 run directories"* ]] && ok || fail "merge: exit $code, $out"
for k in 0 1 2; do
  same_trace "$work/rep/replicas/r$k/trace.csv" "$work/array/replicas/r$k/trace.csv" && ok || fail "array replica $k differs"
done
diff <(strip_source "$work/rep/minima.xyz") <(strip_source "$work/array/minima.xyz") >/dev/null && ok ||
  fail "merged array minima differ from the replicas run's"
[[ $(json "$work/array/summary.json" "d['reference_evaluations']") -eq $(json "$s" "d['reference_evaluations']") ]] && ok ||
  fail "merged array counts differ"
"$bin" hull "$work/rep" >/dev/null 2>&1; [[ $? -eq 2 ]] && ok || fail "hull of a one-element run should be bad input"

# Stopped early, resumed with a larger budget: the same replicas as the run that went through.
"$bin" -q run "$work/rep.toml" -o "$work/cut" -j 1 --max-steps 30 >/dev/null 2>&1 && ok || fail "short replicas run"
"$bin" -q run "$work/rep.toml" -o "$work/cut" -j 2 --max-steps 80 --resume >/dev/null 2>&1 && ok || fail "resumed replicas run"
for k in 0 1 2; do
  same_trace "$work/rep/replicas/r$k/trace.csv" "$work/cut/replicas/r$k/trace.csv" && ok || fail "resumed replica $k differs"
done
diff <(strip_source "$work/rep/minima.xyz") <(strip_source "$work/cut/minima.xyz") >/dev/null && ok || fail "resumed merge differs"
expect 2 "already holds a run" -- "$bin" -q run "$work/rep.toml" -o "$work/rep"

# A sweep's replicas: each a sweep, their compositions merged into one hull.
"$bin" build --motif icosahedron --shells 1 --composition Pt=13 -o "$work/ico13.xyz" >/dev/null || fail "build"
cat > "$work/sweep.toml" <<TOML
[system]
elements = ["Pt", "Au"]
size = 13
seed = 5
start = "ico13.xyz"
[potential]
type = "emt"
[search]
driver = "homotop_mc"
temperature = 800.0
max_steps = 60
replicas = 2
[sweep]
compositions = [0, 1, 6, 12, 13]
polish_passes = 0
TOML
out=$("$bin" -q run "$work/sweep.toml" -o "$work/sweep" -j 2 2>/dev/null); code=$?
[[ $code -eq 0 && "$out" == *"hull vertices"* ]] && ok || fail "sweep replicas: exit $code, $out"
[[ $(wc -l < "$work/sweep/hull.csv") -eq 6 && -s "$work/sweep/compositions/Au7Pt6/minima.xyz" ]] && ok ||
  fail "merged sweep hull / compositions"
python3 - "$work/sweep" <<'PY' && ok || fail "merged sweep: a composition's best is not the lower of the replicas'"
import json, sys
root = sys.argv[1]
merged = {c["formula"]: c["best_energy"] for c in json.load(open(root + "/summary.json"))["compositions"]}
for formula, best in merged.items():
    mine = [c["best_energy"] for r in (0, 1) for c in json.load(open(f"{root}/replicas/r{r}/summary.json"))["compositions"]
            if c["formula"] == formula]
    assert abs(best - min(mine)) < 1e-9, (formula, best, mine)
assert len(merged) == 5
PY

# `check` says where the parts go (the size of a Slurm array and what each task runs).
"$bin" check "$work/rep.toml" | grep -q "parts      3 replicas in .*replicas/r0..r2, merged into" && ok ||
  fail "check does not describe the replicas: $("$bin" check "$work/rep.toml" | tail -2)"

# A sweep in slices ([sweep] slices): each slice a sweep of neighbouring compositions, merged
# into one hull of all of them; the array way (one slice per task) gives the same merge.
sed -e 's/^replicas = 2$//' -e 's/^compositions = .*/compositions = [0, 1, 3, 6, 9, 12, 13]\nslices = 3/' \
  "$work/sweep.toml" > "$work/slices.toml"
out=$("$bin" -q run "$work/slices.toml" -o "$work/slices" -j 2 2>/dev/null); code=$?
[[ $code -eq 0 && "$out" == *"3 slices"* && "$out" == *"hull vertices"* ]] && ok || fail "sliced sweep: exit $code, $out"
# The slice sizes `check` gives are those the run made.
sizes=$(for k in 0 1 2; do python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['compositions']))" \
  "$work/slices/slices/s$k/summary.json"; done | paste -sd, | sed 's/,/, /g')
"$bin" check "$work/slices.toml" | grep -q "parts      3 slices of $sizes compositions in .*slices/s0..s2" && ok ||
  fail "check's slices ($("$bin" check "$work/slices.toml" | grep parts)) are not the run's ($sizes)"
python3 - "$work/slices" <<'PY' && ok || fail "slices hold the wrong compositions, or the merge misses some"
import json, sys
root = sys.argv[1]
def formulas(d):
    return sorted(c["formula"] for c in json.load(open(d + "/summary.json"))["compositions"])
# Runs of neighbouring counts of Pt: [0, 1], [3, 6], [9, 12, 13].
assert formulas(root + "/slices/s0") == ["Au12Pt", "Au13"], formulas(root + "/slices/s0")
assert formulas(root + "/slices/s1") == ["Au10Pt3", "Au7Pt6"], formulas(root + "/slices/s1")
assert formulas(root + "/slices/s2") == ["Au4Pt9", "AuPt12", "Pt13"], formulas(root + "/slices/s2")
merged = json.load(open(root + "/summary.json"))
assert merged["slices"] == 3 and merged["compositions_total"] == 7, merged
assert len(merged["hull_vertices"]) >= 2 and all(c["excess_energy"] is not None for c in merged["compositions"])
# Counts are the slices' sums.
total = sum(json.load(open(f"{root}/slices/s{k}/summary.json"))["reference_evaluations"] for k in range(3))
assert merged["reference_evaluations"] == total, (merged["reference_evaluations"], total)
PY
[[ $(wc -l < "$work/slices/hull.csv") -eq 8 ]] && ok || fail "merged hull of the slices: $(wc -l < "$work/slices/hull.csv") lines"
for k in 1 2 0; do
  SLURM_ARRAY_TASK_ID=$k "$bin" -q run "$work/slices.toml" -o "$work/slarray" -j 1 >/dev/null 2>&1 && ok || fail "slice task $k"
done
[[ ! -e "$work/slarray/summary.json" && -s "$work/slarray/slices/s1/summary.json" ]] && ok || fail "slice tasks' layout"
out=$("$bin" merge "$work/slarray" 2>&1); code=$?
[[ $code -eq 0 && "$out" == *"merged 3 run directories"* ]] && ok || fail "merge slices: exit $code, $out"
bests() { python3 -c "import json,sys; print(sorted((c['formula'], c['best_energy'], c['on_hull']) for c in json.load(open(sys.argv[1]))['compositions']))" "$1"; }
[[ "$(bests "$work/slarray/summary.json")" == "$(bests "$work/slices/summary.json")" ]] && ok ||
  fail "array slices merge differently from the sliced run"
for k in 0 1 2; do
  for f in $(cd "$work/slices/slices/s$k/compositions" && ls); do
    same_trace "$work/slices/slices/s$k/compositions/$f/trace.csv" "$work/slarray/slices/s$k/compositions/$f/trace.csv" &&
      ok || fail "slice $k composition $f differs between the array task and the sliced run"
  done
done
# Merged again (a slice rerun, say): the directory still stands for its slices.
"$bin" merge "$work/slices" >/dev/null 2>&1 && [[ "$(bests "$work/slices/summary.json")" == "$(bests "$work/slarray/summary.json")" ]] &&
  ok || fail "merging a merged sliced sweep again"
expect 2 "is not a slice of this run.*slices = 3" -- "$bin" -q run "$work/slices.toml" -o "$work/bad" --replica-index 3
sed 's/^slices = 3/slices = 8/' "$work/slices.toml" > "$work/slices8.toml"
expect 2 "slices8.toml:[0-9]+:[0-9]+.*at most one slice per composition" -- "$bin" check "$work/slices8.toml"
sed 's/^max_steps = 60/max_steps = 60\nreplicas = 2/' "$work/slices.toml" > "$work/slicerep.toml"
expect 2 "replicas.*exclude each other" -- "$bin" check "$work/slicerep.toml"

# Bad input: exit 2 with the reason.
expect 2 "is not a replica of this run" -- "$bin" -q run "$work/rep.toml" -o "$work/bad" --replica-index 3
expect 2 "needs replicas > 1" -- "$bin" -q run "$work/plain.toml" -o "$work/bad" --replica-index 1
SLURM_ARRAY_TASK_ID=5 "$bin" -q run "$work/plain.toml" -o "$work/slurm_plain" --max-steps 5 >/dev/null 2>&1 &&
  [[ -s "$work/slurm_plain/summary.json" ]] && ok || fail "a run without replicas must ignore SLURM_ARRAY_TASK_ID"
expect 2 "SLURM_ARRAY_TASK_ID=7 is not a replica" -- env SLURM_ARRAY_TASK_ID=7 "$bin" -q run "$work/rep.toml" -o "$work/bad"
sed 's/^replicas = 3/replicas = 0/' "$work/rep.toml" > "$work/rep0.toml"
expect 2 "rep0.toml:[0-9]+:[0-9]+.*replicas" -- "$bin" check "$work/rep0.toml"
expect 2 "only runs of one system merge" -- "$bin" merge "$work/plain" "$work/sweep/compositions/Au7Pt6" -o "$work/mix"
expect 2 "sweeps merge only with sweeps" -- "$bin" merge "$work/plain" "$work/sweep" -o "$work/mix"
expect 2 "give --output" -- "$bin" merge "$work/plain"
expect 2 "not a directory" -- "$bin" merge "$work/nothing" -o "$work/mix"
expect 2 "also an input" -- "$bin" merge "$work/plain" "$work/rep/replicas/r1" -o "$work/plain"

finish test_replicas
