#!/usr/bin/env bash
# External calculators ([potential] type = "external") under faults, with the fake calculator
# of tests/calculators (Lennard-Jones in reduced units that misbehaves on purpose): a crash, a
# hang past the timeout, garbage and NaN each fail one candidate (status failed, the message and
# the calculator's stderr in run.log) while the run goes on; a calculator that dies for good stops
# the run after max_failures (exit 1, results kept) and a resume after the repair finishes it;
# kill -9 and SIGINT midway lose nothing (the resumed run equals the uninterrupted one and takes
# the calls already made from reference_calls.xyz); per-call mode with two workers gives the
# persistent result; reference_calls.xyz holds every call that finished; no process is left.
# Usage: test_external.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
tag="nanoscape_test_$$"  # in every calculator's command line, to find leftovers
trap 'pkill -9 -f "$tag" 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$work" || exit 1
fake="$src/tests/calculators/fake_calculator.py"

# run_file NAME EXTRA_ARGS [POTENTIAL_LINES] [SEARCH_LINES]
run_file() {
  cat >"$1.toml" <<TOML
[system]
elements = ["Ar"]
composition = { Ar = 13 }
seed = 3
[potential]
type = "external"
command = "python3 $fake --counter $work/$1.count --dead-flag $work/$1.dead $2 --tag $tag"
timeout = 3
pair_distance = { "Ar-Ar" = 1.122462048309373 }
${3:-}
[relax]
fmax = 1e-3
[search]
driver = "basin_hopping"
max_steps = 6
${4:-}
TOML
}
frames() { grep -c '^13$' "$1/reference_calls.xyz"; }
json() { python3 -c "import json,sys; print(json.load(open('$1/summary.json')).get('$2'))"; }
# Waits until run directory $1 has its first checkpoint (at most 60 s), then a second more:
# the kill then falls mid-run however loaded the machine is.
wait_for_checkpoint() {
  for _ in $(seq 600); do [[ -s "$1/checkpoint/state.json" ]] && break; sleep 0.1; done
  sleep 1
}
no_leftovers() {
  sleep 0.3
  if pgrep -f "$tag" >/dev/null; then fail "$1: calculator processes left: $(pgrep -af "$tag")"; else ok; fi
  if ps -eo stat,args | grep -v grep | grep "^Z" | grep -q fake_calculator; then fail "$1: zombie calculator"; else ok; fi
}

# The reference run: nothing goes wrong.
run_file clean ""
"$bin" -q run clean.toml -o clean -j 1 >/dev/null 2>&1 && ok || fail "clean run"
[[ $(frames clean) == $(json clean reference_evaluations) && $(frames clean) == $(cat clean.count) ]] && ok ||
  fail "clean: $(frames clean) logged, $(json clean reference_evaluations) evaluations, $(cat clean.count) calls"
"$bin" -q run clean.toml -o clean2 -j 2 >/dev/null 2>&1
[[ "$(cut -d, -f1-6 clean/trace.csv)" == "$(cut -d, -f1-6 clean2/trace.csv)" ]] && ok || fail "clean: -j 2 differs from -j 1"
no_leftovers clean

# One failing call: the candidate fails with the reason, the run goes on.
for fault in crash hang garbage nan; do
  run_file "$fault" "--fault $fault --at 20"
  "$bin" -q run "$fault.toml" -o "$fault" -j 1 >/dev/null 2>"$fault.err"
  code=$?
  [[ $code == 0 && $(json "$fault" status) == finished && $(json "$fault" failed_evaluations) == 1 ]] && ok ||
    fail "$fault: exit $code, status $(json "$fault" status), $(json "$fault" failed_evaluations) failed"
  grep -q ',failed' "$fault/trace.csv" && ok || fail "$fault: no failed row in trace.csv"
  # Every call that finished is logged: all but the failed one.
  [[ $(frames "$fault") == $(( $(cat "$fault.count") - 1 )) ]] && ok ||
    fail "$fault: $(frames "$fault") frames logged for $(cat "$fault.count") calls"
  no_leftovers "$fault"
done
grep -q "simulated crash at call 20" crash/run.log && ok || fail "crash: the calculator's stderr is not in run.log"
grep -q "exited with status 3" crash/run.log && ok || fail "crash: exit status not reported"
grep -q "timeout of 3 s" hang/run.log && ok || fail "hang: the timeout is not reported"
grep -q "not an extended XYZ frame" garbage/run.log && ok || fail "garbage: not reported"
grep -q "energy is nan" nan/run.log && ok || fail "nan: not reported"

# A calculator that dies for good: the run stops after max_failures, results and calls kept.
run_file dead "--fault dead --at 300" "max_failures = 3" $'[output]\ncheckpoint_interval = 1000'
touch dead.dead
"$bin" -q run dead.toml -o dead -j 1 >/dev/null 2>dead.err
code=$?
[[ $code == 1 ]] && ok || fail "dead: exit $code (want 1)"
grep -q "failed 3 calls in a row" dead.err && ok || fail "dead: $(cat dead.err)"
[[ $(json dead status) == failed && $(frames dead) == 299 ]] && ok ||
  fail "dead: status $(json dead status), $(frames dead) calls logged (want 299)"
[[ -s dead/best.xyz && -s dead/checkpoint/state.json ]] && ok || fail "dead: results not kept"
no_leftovers dead
rm dead.dead  # the repair
"$bin" -q run dead.toml -o dead -j 1 --resume >/dev/null 2>&1 && ok || fail "dead: resume after the repair"
[[ $(json dead status) == finished ]] && ok || fail "dead: resumed status $(json dead status)"

# kill -9 midway, then a resume: as if never stopped; the calls already made are reused.
run_file slow "--slow 0.02"
"$bin" -q run slow.toml -o killed -j 1 >/dev/null 2>&1 &
pid=$!
wait_for_checkpoint killed
{ kill -9 $pid && wait $pid; } 2>/dev/null
no_leftovers "kill -9"
"$bin" -q run slow.toml -o killed -j 1 --resume >/dev/null 2>&1 && ok || fail "resume after kill -9"
[[ "$(cut -d, -f1-6 killed/trace.csv)" == "$(cut -d, -f1-6 clean/trace.csv)" ]] && ok || fail "kill -9 + resume differs"
[[ $(json killed reference_evaluations) == $(json clean reference_evaluations) && $(json killed reference_calls_reused) -gt 0 ]] &&
  ok || fail "kill -9 + resume: $(json killed reference_evaluations) evaluations, $(json killed reference_calls_reused) reused"

# SIGINT: calls in progress finish, none starts, exit 130; the resume equals the clean run.
"$bin" -q run slow.toml -o interrupted -j 1 >/dev/null 2>&1 &
pid=$!
wait_for_checkpoint interrupted
kill -INT $pid
wait $pid
code=$?
[[ $code == 130 && $(json interrupted status) == interrupted ]] && ok || fail "SIGINT: exit $code, status $(json interrupted status)"
no_leftovers SIGINT
"$bin" -q run slow.toml -o interrupted -j 1 --resume >/dev/null 2>&1 && ok || fail "resume after SIGINT"
[[ "$(cut -d, -f1-6 interrupted/trace.csv)" == "$(cut -d, -f1-6 clean/trace.csv)" ]] && ok || fail "SIGINT + resume differs"

# Per-call mode, two workers: the persistent answer; no call directory left behind.
run_file percall "--per-call" $'mode = "per_call"\nworkers = 2\nworkdir = "calls"' "walkers = 2"
run_file persistent "" "" "walkers = 2"
"$bin" -q run percall.toml -o percall -j 2 --max-steps 3 >/dev/null 2>&1 && ok || fail "per-call run"
"$bin" -q run persistent.toml -o persistent -j 1 --max-steps 3 >/dev/null 2>&1 && ok || fail "persistent run"
[[ "$(cut -d, -f1-6 percall/trace.csv)" == "$(cut -d, -f1-6 persistent/trace.csv)" ]] && ok || fail "per-call differs from persistent"
[[ -z "$(ls calls)" ]] && ok || fail "per-call: directories left: $(ls calls | head -3)"
run_file pcgarbage "--per-call --fault garbage --at 5" $'mode = "per_call"\nworkdir = "calls"'
"$bin" -q run pcgarbage.toml -o pcgarbage -j 1 --max-steps 1 >/dev/null 2>pcgarbage.err && ok || fail "per-call garbage run"
kept=$(ls calls)
[[ $(echo "$kept" | wc -w) == 1 ]] && grep -q "$kept" pcgarbage/run.log && ok || fail "per-call garbage: kept '$kept'"
no_leftovers per-call

finish "cli external calculators"
