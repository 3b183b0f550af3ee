#!/usr/bin/env bash
# An MPI build (-DNANOSCAPE_MPI=ON) under mpirun gives the serial answer: summary, minima,
# trace and hull of 1 and 2 ranks equal those of a plain run, for a batch-parallel driver
# (GA), screening, a composition sweep and replicas; an external calculator on every rank, with
# calculations that fail, its calls all in rank 0's reference_calls.xyz and reused on a resume;
# a run started on 2 ranks resumes on 1; a rank that stops answering ends the run with a
# message naming it, the checkpoint intact.
# Usage: test_mpi_ranks.sh NANOSCAPE SOURCE_DIR
set -uo pipefail
nanoscape=$1
src=$2
source "$src/tests/cli/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mpirun=(mpirun --oversubscribe)
[[ $(id -u) -eq 0 ]] && mpirun+=(--allow-run-as-root)

# What must agree: summary.json without timings, thread and rank counts and the evaluator's
# description; the trace without its wall-time column; minima, best and hull files as they are.
strip_summary() { grep -Ev '"(wall_time_s|threads|mpi_ranks|elapsed_s|evaluations_per_second)"' "$1"; }
strip_trace() { sed -E 's/,[^,]*$//' "$1"; }
same_run() {  # same_run DIR_A DIR_B WHAT
  local a=$1 b=$2 what=$3 f
  if ! diff <(strip_summary "$a/summary.json") <(strip_summary "$b/summary.json") >/dev/null; then
    fail "$what: summary.json differs"; diff <(strip_summary "$a/summary.json") <(strip_summary "$b/summary.json") | head -5
    return
  fi
  for f in minima.xyz best.xyz hull.csv hull.xyz; do
    if [[ -f $a/$f ]] && ! cmp -s "$a/$f" "$b/$f"; then fail "$what: $f differs"; return; fi
  done
  if [[ -f $a/trace.csv ]] && ! diff <(strip_trace "$a/trace.csv") <(strip_trace "$b/trace.csv") >/dev/null; then
    fail "$what: trace.csv differs"; return
  fi
  ok
}

# The GA relaxes its children in batches: the batch is spread over the ranks.
sed -e 's/^max_steps = .*/max_steps = 60/' -e 's|^directory = .*|directory = "out"|' "$src/inputs/ptau38_ga.toml" > ga.toml
# Screening: the reference verifications go to the ranks, the surrogate stays on rank 0.
sed -e 's/^max_steps = .*/max_steps = 40/' -e 's|^directory = .*|directory = "out"|' "$src/inputs/ag27cu7_screened.toml" > screened.toml
# A sweep: compositions go to the ranks as they become free; its last wave (n = 20 alone, the
# inward waves being 5 and 35, 10 and 30, 15 and 25) has fewer compositions than 2 ranks, so
# that composition's batches go over both ranks instead.
sed -e 's/^max_steps = .*/max_steps = 20/' -e 's/^compositions = .*/compositions = { from = 0, to = 38, step = 5 }/' \
    -e 's|^directory = .*|directory = "out"|' "$src/inputs/ptau38_sweep.toml" > sweep.toml

for name in ga screened sweep; do
  "$nanoscape" run $name.toml -o $name.serial -q >/dev/null 2>&1 || fail "$name: serial run failed"
  for np in 1 2; do
    if "${mpirun[@]}" -np $np "$nanoscape" run $name.toml -o $name.np$np -q >$name.np$np.log 2>&1; then
      same_run $name.serial $name.np$np "$name with $np rank(s)"
    else
      fail "$name with $np rank(s) failed: $(tail -3 $name.np$np.log)"
    fi
  done
  grep -q '"mpi_ranks": 2' $name.np2/summary.json && ok || fail "$name: summary.json does not say 2 ranks"
done
# Replicas: whole searches go to the ranks as they become free; the merged result is the
# serial one (the merged frames name their replica directory, which differs by run).
sed -e 's/^max_steps = .*/max_steps = 30\nreplicas = 3/' "$src/inputs/ptau38_ga.toml" |
  sed -e 's|^directory = .*|directory = "out"|' > replicas.toml
strip_source() { sed -E 's/ source=[^ ]+//' "$1"; }
"$nanoscape" run replicas.toml -o replicas.serial -q >/dev/null 2>&1 || fail "replicas: serial run failed"
if "${mpirun[@]}" -np 2 "$nanoscape" run replicas.toml -o replicas.np2 -q >replicas.np2.log 2>&1; then
  for k in 0 1 2; do same_run replicas.serial/replicas/r$k replicas.np2/replicas/r$k "replica $k on 2 ranks"; done
  diff <(strip_source replicas.serial/minima.xyz) <(strip_source replicas.np2/minima.xyz) >/dev/null && ok ||
    fail "replicas on 2 ranks: merged minima differ"
  grep -q "over 2 MPI ranks" replicas.np2/run.log && ok || fail "the replicas were not spread over the ranks"
else
  fail "replicas on 2 ranks failed: $(tail -3 replicas.np2.log)"
fi
grep -q "mpi: 2 ranks" ga.np2/run.log && ok || fail "the 2-rank GA did not use the MPI evaluator"
grep -q "Au18Pt20: fewer compositions than the 2 ranks" sweep.np2/run.log && ok ||
  fail "the sweep's one-composition wave did not spread its batches over the ranks"
grep -q "mpi: 2 ranks" sweep.np2/compositions/Au18Pt20/run.log && ok ||
  fail "Au18Pt20 of the 2-rank sweep did not use the MPI evaluator"
if [[ ! -f sweep.np2/compositions/Au33Pt5/run.log ]]; then
  fail "the 2-rank sweep has no compositions/Au33Pt5/run.log"
elif grep -q "mpi: 2 ranks" sweep.np2/compositions/Au33Pt5/run.log; then
  fail "Au33Pt5 (a wave of two on two ranks) spread its batches instead of running on one rank"
else ok; fi

# A calculation that fails on a rank is a failed candidate, as in a serial run, and the search
# goes on: each rank drives its own external calculator, which answers NaN for the same
# structures wherever they are computed (fault injection by structure, not by call count).
cat > faults.toml <<TOML
[system]
elements = ["Ar"]
composition = { Ar = 13 }
seed = 3
[potential]
type = "external"
command = "python3 $src/tests/calculators/fake_calculator.py --fault nan --every 400"
pair_distance = { "Ar-Ar" = 1.122462048309373 }
[relax]
fmax = 1e-3
[search]
driver = "basin_hopping"
walkers = 4
max_steps = 24
[output]
directory = "out"
TOML
# The distinct calls of reference_calls.xyz without their number and timing, sorted: the same
# set, whichever rank made them and in whatever order they finished (a structure two threads
# or ranks compute at once, before either has logged it, is logged twice).
calls() { /usr/bin/python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read().splitlines()
frames, i = [], 0
while i < len(text):
    n = int(text[i])
    head = re.sub(r' (call|calc_time)=\S+', '', text[i + 1])
    frames.append("\n".join([head] + text[i + 2:i + 2 + n]))
    i += n + 2
print("\n".join(sorted(set(frames))))
PY
}
same_calls() {  # same_calls DIR_A DIR_B WHAT
  if [[ ! -s $1/reference_calls.xyz ]]; then fail "$3: $1/reference_calls.xyz is missing"; return; fi
  diff <(calls "$1/reference_calls.xyz") <(calls "$2/reference_calls.xyz") >/dev/null && ok ||
    fail "$3: reference_calls.xyz holds other calls ($(grep -c calc_time= "$1/reference_calls.xyz") against $(grep -c calc_time= "$2/reference_calls.xyz"))"
}
failed() { python3 -c "import json,sys; print(json.load(open(sys.argv[1] + '/summary.json'))['failed_evaluations'])" "$1"; }
"$nanoscape" run faults.toml -o faults.serial -q >/dev/null 2>&1 || fail "faults: serial run failed"
if "${mpirun[@]}" -np 2 "$nanoscape" run faults.toml -o faults.np2 -q >faults.np2.log 2>&1; then
  same_run faults.serial faults.np2 "failing calculations on 2 ranks"
  [[ $(failed faults.np2) -gt 0 ]] && ok || fail "faults: no failed candidate on 2 ranks (the fault never struck)"
  grep -q "energy is nan" faults.np2/run.log && ok || fail "faults: the 2-rank run.log does not give the reason"
  # Every rank's calls are in the run's reference_calls.xyz (rank 0 writes those of the others).
  same_calls faults.serial faults.np2 "failing calculations on 2 ranks"
else
  fail "faults on 2 ranks: the run stopped: $(tail -3 faults.np2.log)"
fi

# A resumed 2-rank run answers the calculations it repeats from reference_calls.xyz on every
# rank: resumed at step 12 with the file of a run that went on to step 24, it makes no new
# call (a worker without the file would compute and log its share again), and the summary
# counts the workers' answers from the file as reused.
"${mpirun[@]}" -np 2 "$nanoscape" run faults.toml -o cache --max-steps 12 -q >/dev/null 2>&1 || fail "cache: first part failed"
cp -r cache cache.12
"${mpirun[@]}" -np 2 "$nanoscape" run faults.toml -o cache --max-steps 24 --resume -q >/dev/null 2>&1 || fail "cache: second part failed"
cp cache/reference_calls.xyz cache.12/reference_calls.xyz
before=$(grep -c calc_time= cache.12/reference_calls.xyz)
"${mpirun[@]}" -np 2 "$nanoscape" run faults.toml -o cache.12 --max-steps 24 --resume -q >/dev/null 2>&1 || fail "cache: replay failed"
after=$(grep -c calc_time= cache.12/reference_calls.xyz)
reused=$(python3 -c "import json; print(json.load(open('cache.12/summary.json'))['reference_calls_reused'])")
[[ $after == "$before" ]] && ok || fail "cache: the replayed steps made $((after - before)) new calls (want 0)"
[[ $reused -gt 0 ]] && ok || fail "cache: no call reused"
cmp -s cache/minima.xyz cache.12/minima.xyz && diff <(strip_trace cache/trace.csv) <(strip_trace cache.12/trace.csv) >/dev/null &&
  ok || fail "cache: the replayed run found other minima"

# A sweep with an external calculator: whole compositions on the workers, their calls in the
# sweep's one reference_calls.xyz (none in the composition directories).
sed -e 's/^elements = .*/elements = ["Ar", "Kr"]/' -e 's/^composition = .*/size = 7/' \
    -e 's/^pair_distance = .*/pair_distance = { "Ar-Ar" = 1.122462048309373, "Ar-Kr" = 1.122462048309373, "Kr-Kr" = 1.122462048309373 }/' \
    -e 's/ --fault nan --every 400//' -e 's/^walkers = .*/walkers = 2/' -e 's/^max_steps = .*/max_steps = 4/' \
    faults.toml > external_sweep.toml
printf '[sweep]\ncompositions = "all"\nseeds = 0\npolish_passes = 1\n' >> external_sweep.toml
"$nanoscape" run external_sweep.toml -o xsweep.serial -q >/dev/null 2>&1 || fail "external sweep: serial run failed"
if "${mpirun[@]}" -np 2 "$nanoscape" run external_sweep.toml -o xsweep.np2 -q >xsweep.np2.log 2>&1; then
  same_run xsweep.serial xsweep.np2 "external sweep on 2 ranks"
  same_calls xsweep.serial xsweep.np2 "external sweep on 2 ranks"
  stray=$(find xsweep.np2/compositions -name reference_calls.xyz | head -1)
  [[ -z $stray ]] && ok || fail "external sweep on 2 ranks: a worker wrote $stray"
else
  fail "external sweep on 2 ranks: the run stopped: $(tail -3 xsweep.np2.log)"
fi

# Started on 2 ranks, resumed on 1: the same as a serial run stopped and resumed at the same
# step (the GA's last batch of a budget depends on the steps left, so a stop-and-resume is
# compared with a stop-and-resume).
"${mpirun[@]}" -np 2 "$nanoscape" run ga.toml -o resumed --max-steps 30 -q >/dev/null 2>&1 || fail "2-rank first part failed"
"${mpirun[@]}" -np 1 "$nanoscape" run ga.toml -o resumed --max-steps 60 --resume -q >/dev/null 2>&1 || fail "1-rank resume failed"
"$nanoscape" run ga.toml -o serial.resumed --max-steps 30 -q >/dev/null 2>&1
"$nanoscape" run ga.toml -o serial.resumed --max-steps 60 --resume -q >/dev/null 2>&1
same_run serial.resumed resumed "2 ranks resumed on 1"

# A rank that stops answering (SIGSTOP: alive, silent) ends the run within the timeout with a
# message naming it, instead of a hang; the last checkpoint stays resumable.
sed -e 's/^max_steps = .*/max_steps = 1000000/' -e 's|^directory = .*|directory = "out"|' "$src/inputs/ptau38_ga.toml" > long.toml
"${mpirun[@]}" -np 2 "$nanoscape" run long.toml -o lost --mpi-timeout 3 >lost.out 2>lost.err &
launcher=$!
worker=""
for _ in $(seq 100); do
  sleep 0.1
  for p in $(pgrep -f "nanoscape run long.toml"); do
    if tr '\0' '\n' </proc/$p/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then worker=$p; fi
  done
  [[ -n $worker && -f lost/checkpoint ]] && break
done
if [[ -z $worker ]]; then
  fail "no rank-1 process found"; kill $launcher 2>/dev/null
else
  kill -STOP "$worker"
  for _ in $(seq 300); do kill -0 $launcher 2>/dev/null || break; sleep 0.1; done
  if kill -0 $launcher 2>/dev/null; then
    fail "the run did not stop within 30 s of rank 1 going silent"; kill -KILL "$worker" $launcher 2>/dev/null
  else
    wait $launcher; code=$?
    [[ $code -ne 0 ]] && ok || fail "a lost rank gave exit code 0"
    grep -Eq "rank 1 of 2 (sent nothing|did not take a message) for 3 s" lost.err && ok || fail "no message naming the lost rank: $(tail -3 lost.err)"
    "$nanoscape" run long.toml -o lost --resume --max-steps 200 -q >/dev/null 2>&1 && ok || fail "the run of the lost rank does not resume"
  fi
  kill -KILL "$worker" 2>/dev/null
fi
finish test_mpi_ranks
