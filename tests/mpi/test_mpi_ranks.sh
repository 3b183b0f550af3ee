#!/usr/bin/env bash
# An MPI build (-DNANOSCAPE_MPI=ON) under mpirun gives the serial answer: summary, minima,
# trace and hull of 1 and 2 ranks equal those of a plain run, for a batch-parallel driver
# (GA), screening, a composition sweep and replicas; a run started on 2 ranks resumes on 1; a rank that
# stops answering ends the run with a message naming it, the checkpoint intact.
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
