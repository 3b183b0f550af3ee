#!/usr/bin/python3
"""The optbench.org global-optimisation benchmark for Lennard-Jones clusters, for every driver.

Protocol (optbench.org, "LJ38" and "LJ75"): 100 independent searches from random starts; the
cost of one search is the number of energy+force calls until the best energy is within
0.001 epsilon of the global minimum. Reported: the mean and the range over the starts. A search
that would run for hours gets a stated budget of energy+force calls; one that does not hit
within it is a miss, counted separately (and at its budget in a lower bound of the mean).

Each start k is `nanoscape run` with seed k (its random starting structure and streams) and the
target E_GM + 0.001 (Cambridge Cluster Database energies, tests/data/lj_cambridge_gm.csv), one
thread per run, two runs at a time. Every registered driver (`nanoscape list drivers --keys`)
runs with its defaults; basin hopping with the two walkers of inputs/lj38.toml. Relaxation:
L-BFGS to fmax 1e-3 (reduced units); every energy+force call of every relaxation is counted.

    bench/optbench_lj.py [--binary build/nanoscape] [--starts 100] [--systems 38,75]
                         [--budget 38=2000000,75=1000000] [--jobs 2] [--drivers a,b]

Prints one line per system and driver beside the published figures; the numbers are recorded
in docs/benchmarks.md, not asserted.
"""

import argparse
import concurrent.futures
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Mean energy+force calls to the global minimum published on optbench.org.
PUBLISHED = {
    38: "GMIN (symmetrisation) 6.42e3, GMIN (no symmetrisation) 2.66e5, pele BH 5.22e5",
    75: "GMIN (symmetrisation) 6.07e4",
}
DRIVER_KEYS = {"basin_hopping": "walkers = 2\n"}


def global_minima():
    table = {}
    with open(os.path.join(ROOT, "tests", "data", "lj_cambridge_gm.csv")) as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if row and row[0] != "N":
                table[int(row[0])] = float(row[1])
    return table


def run_start(binary, work, n, e_gm, driver, seed, budget):
    run_file = os.path.join(work, f"lj{n}_{driver}.toml")
    out = os.path.join(work, f"lj{n}_{driver}_{seed}")
    subprocess.run([binary, "-q", "run", run_file, "-o", out, "--seed", str(seed), "--threads", "1", "--overwrite"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    hit = s["target_reached"]
    return (s["evaluations_to_target"] if hit else s["reference_evaluations"]), hit, s["wall_time_s"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=os.path.join(ROOT, "build", "nanoscape"))
    p.add_argument("--starts", type=int, default=100)
    p.add_argument("--systems", default="38,75")
    p.add_argument("--budget", default="38=2000000,75=1000000", help="energy+force calls per start, N=calls,...")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--drivers", default="", help="comma-separated subset of the registered drivers")
    a = p.parse_args()
    budgets = {int(k): int(float(v)) for k, v in (item.split("=") for item in a.budget.split(","))}
    drivers = a.drivers.split(",") if a.drivers else subprocess.run(
        [a.binary, "list", "drivers", "--keys"], check=True, capture_output=True, text=True).stdout.split()
    gm = global_minima()
    print(f"optbench protocol: {a.starts} random starts, cost = energy+force calls until E <= E_GM + 0.001 epsilon")
    with tempfile.TemporaryDirectory() as work:
        for n in (int(x) for x in a.systems.split(",")):
            for driver in drivers:
                with open(os.path.join(work, f"lj{n}_{driver}.toml"), "w") as f:
                    f.write(f"[system]\nelements = [\"Ar\"]\nsize = {n}\n[potential]\ntype = \"lj\"\n"
                            f"[relax]\nfmax = 1e-3\n[search]\ndriver = \"{driver}\"\n{DRIVER_KEYS.get(driver, '')}"
                            f"max_evaluations = {budgets[n]}\ntarget_energy = {gm[n]}\ntarget_tolerance = 0.001\n"
                            f"[output]\ncheckpoint_interval = 600\n")
                with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
                    rows = list(pool.map(lambda seed: run_start(a.binary, work, n, gm[n], driver, seed, budgets[n]),
                                         range(1, a.starts + 1)))
                hits = [calls for calls, hit, _ in rows if hit]
                wall = sum(t for _, _, t in rows)
                line = f"LJ{n} {driver:<14} hits {len(hits):>3}/{len(rows)} within {budgets[n]:.1e} calls"
                if hits:
                    line += (f" | mean {statistics.mean(hits):.3g} (range {min(hits):.3g} - {max(hits):.3g})"
                             f" over hits")
                if len(hits) < len(rows):
                    everything = [calls if hit else budgets[n] for calls, hit, _ in rows]
                    line += f" | mean with misses at the budget >= {statistics.mean(everything):.3g}"
                line += f" | {wall:.0f} s of runs | published: {PUBLISHED.get(n, '-')}"
                print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
