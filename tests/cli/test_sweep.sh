#!/usr/bin/env bash
# Composition sweeps end to end: a sweep run, Ctrl-C and --resume ending as the uninterrupted
# sweep, `nanoscape hull` on a sweep and on merged single runs, bad [sweep] input (exit 2),
# and tools/plot.py on the results. (The exhaustive hull check is tests/unit/io/test_sweep.cpp.)
# Usage: test_sweep.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'pkill -9 -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
temperature = 1500.0
schedule = "geometric"
final_temperature = 20.0
anneal_blocks = 400
sweeps_per_block = 2.0
max_steps = 400
[sweep]
compositions = "all"
TOML

"$bin" check "$work/sweep.toml" | grep -q "14 compositions" && ok || fail "check of a sweep"
# The same on a motif start: each composition would get its own lattice, and the user is told.
sed 's/^start = "ico13.xyz"/start = "icosahedron"/' "$work/sweep.toml" > "$work/motif.toml"
"$bin" check "$work/motif.toml" 2>&1 | grep -q "to search every composition on one geometry" && ok ||
  fail "fixed-geometry sweep on a motif start: no warning"
out=$("$bin" run "$work/sweep.toml" -o "$work/ref" -j 2 2>/dev/null); code=$?
[[ $code -eq 0 && "$out" == *"14 of 14 finished"* && "$out" == *"hull vertices"* ]] && ok || fail "sweep run: exit $code, $out"
for f in hull.csv hull.xyz hull_history.csv summary.json run.log compositions/Au7Pt6/best.xyz compositions/Pt13/trace.csv; do
  [[ -s "$work/ref/$f" ]] && ok || fail "missing $f"
done
[[ $(wc -l < "$work/ref/hull.csv") -eq 15 ]] && ok || fail "hull.csv rows: $(wc -l < "$work/ref/hull.csv")"

# Ctrl-C while a composition is running, then --resume: the same hull, history and counts.
"$bin" -q run "$work/sweep.toml" -o "$work/cut" -j 2 --max-steps 1500 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do
  [[ -e "$work/cut/compositions/Au11Pt2/trace.csv" ]] && break
  sleep 0.05
done
kill -INT "$pid"; wait "$pid"; code=$?
[[ $code -eq 130 || $code -eq 0 ]] && ok || fail "SIGINT of a sweep: exit $code"
if [[ $code -eq 130 ]]; then
  grep -q '"status": "interrupted"' "$work/cut/summary.json" && ok || fail "interrupted summary"
  grep -q -- "--max-steps 1500 --resume" "$work/cut/run.log" && ok || fail "resume hint: $(tail -2 "$work/cut/run.log")"
fi
"$bin" -q run "$work/sweep.toml" -o "$work/cut" -j 1 --max-steps 1500 --resume >/dev/null 2>&1 && ok || fail "resume"
"$bin" -q run "$work/sweep.toml" -o "$work/long" -j 1 --max-steps 1500 >/dev/null 2>&1 && ok || fail "uninterrupted"
cmp -s "$work/cut/hull.csv" "$work/long/hull.csv" && cmp -s "$work/cut/hull_history.csv" "$work/long/hull_history.csv" &&
  ok || fail "resumed sweep differs: $(diff "$work/cut/hull.csv" "$work/long/hull.csv" | head -4)"

# nanoscape hull: the table of a sweep, rewritten files equal to the sweep's own.
cp "$work/ref/hull.csv" "$work/hull_before.csv"
out=$("$bin" hull "$work/ref"); code=$?
[[ $code -eq 0 && "$out" == *"Au7Pt6"* && "$out" == *vertex* ]] && ok || fail "hull of a sweep: exit $code, $out"
cmp -s "$work/ref/hull.csv" "$work/hull_before.csv" && ok || fail "hull rewrote a different hull.csv"
# ... and merged from single-composition runs (their best.xyz), written with --output.
mkdir -p "$work/single/a" "$work/single/b"
cp "$work/ref/compositions/Pt13/best.xyz" "$work/single/a/"
cp "$work/ref/compositions/Au13/best.xyz" "$work/single/b/"
out=$("$bin" hull "$work/single/a" "$work/single/b" "$work/ref" -o "$work/merged"); code=$?
[[ $code -eq 0 && -s "$work/merged/hull.csv" ]] && ok || fail "merged hull: exit $code, $out"
out=$("$bin" hull "$work/single/a" 2>&1); code=$?
[[ $code -eq 2 && "$out" == *"two elements"* ]] && ok || fail "hull of one element: exit $code, $out"
out=$("$bin" hull "$work/nowhere" 2>&1); code=$?
[[ $code -eq 2 && "$out" == *"not a directory"* ]] && ok || fail "hull of a missing directory: exit $code, $out"

# Bad [sweep] input: exit 2 naming the key.
expect_sweep_error() {  # NAME PATTERN SED-EXPRESSION
  sed "$3" "$work/sweep.toml" > "$work/$1.toml"
  local out code
  out=$("$bin" check "$work/$1.toml" 2>&1 >/dev/null); code=$?
  [[ $code -eq 2 && "$out" =~ $2 ]] && ok || fail "$1: exit $code, $out"
}
expect_sweep_error range "sweep\] key 'compositions'.*outside 0..13" 's/^compositions = .*/compositions = [0, 20]/'
expect_sweep_error misspelt "compositons.*compositions" 's/^compositions = /compositons = /'
expect_sweep_error composition "composition.*\[sweep\]" 's/^size = 13/composition = { Pt = 6, Au = 7 }/'
expect_sweep_error target "target_energy" 's/^max_steps = 400/target_energy = -10.0/'
expect_sweep_error seeds "seeds" 's/^compositions = "all"/compositions = "all"\nseeds = -1/'
out=$("$bin" run "$work/sweep.toml" -o "$work/ref" 2>&1 >/dev/null); code=$?
[[ $code -eq 2 && "$out" == *"--resume"* ]] && ok || fail "sweep into an existing run: exit $code, $out"

# tools/plot.py makes the four pictures of a sweep (Debian's python3 with matplotlib).
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  out=$(/usr/bin/python3 "$src/tools/plot.py" "$work/ref" 2>&1); code=$?
  [[ $code -eq 0 ]] && ok || fail "plot.py: exit $code, $out"
  for f in hull trace hull_history hull_structures; do
    [[ -s "$work/ref/plots/$f.png" ]] && ok || fail "plot $f.png missing"
  done
else
  fail "python3-matplotlib is not installed (tools/setup.sh --test installs it)"
fi

finish "cli sweep"
