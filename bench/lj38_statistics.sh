#!/bin/sh
# LJ38 hit statistics of `nanoscape run inputs/lj38.toml` (basin hopping, 2 walkers, budget
# 20 000 steps; the target -173.928427 stops a run): seeds 1..20, 2 threads. Prints per seed
# whether the global minimum was reached and the reference relaxations to the first hit, then
# the hit count and the median relaxations to the first hit (over the seeds that hit; the median
# over all 20 seeds, misses counted as their whole budget, is printed too if any seed missed).
#     bench/lj38_statistics.sh [path/to/nanoscape]      # a few minutes
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/nanoscape}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%5s %8s %12s %12s %14s %10s\n' seed reached relaxations evaluations best_energy wall_s
for seed in $(seq 1 20); do
    "$bin" -q run "$root/inputs/lj38.toml" -o "$tmp/s$seed" --seed "$seed" --overwrite --threads 2 >/dev/null
    /usr/bin/python3 - "$tmp/s$seed/summary.json" "$seed" >>"$tmp/rows" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = s["relaxations_to_target"]
print(sys.argv[2], "yes" if s["target_reached"] else "no", r if r is not None else "-",
      s["evaluations_to_target"] if r is not None else "-", f'{s["best_energy"]:.6f}',
      f'{s["wall_time_s"]:.1f}', s["reference_relaxations"])
PY
    tail -n 1 "$tmp/rows" | awk '{printf "%5s %8s %12s %12s %14s %10s\n", $1, $2, $3, $4, $5, $6}'
done
/usr/bin/python3 - "$tmp/rows" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
hits = [int(r[2]) for r in rows if r[1] == "yes"]
missed = [r[0] for r in rows if r[1] != "yes"]
print(f"hits: {len(hits)} of {len(rows)} seeds" + (f" (missed: seeds {', '.join(missed)})" if missed else ""))
if hits:
    print(f"median reference relaxations to the first hit (hits only): {statistics.median(hits):g}")
if missed:  # a miss counts as the relaxations its run spent (the whole budget)
    all_runs = [int(r[2]) if r[1] == "yes" else int(r[6]) for r in rows]
    print(f"median over all {len(rows)} seeds, misses counted as their full budget: {statistics.median(all_runs):g}")
PY
