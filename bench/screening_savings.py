#!/usr/bin/env python3
"""Reference calls saved by surrogate screening: the same search with and without [screening].

For every system and seed, runs the plain driver and the screened one with the same seed and
the same stop rule (reach the best known energy, from structures/), reads summary.json and
prints the reference energy+force evaluations and relaxations to the target, their medians
and the ratio plain / screened. A run that misses the target within its budget counts at the
budget (as ">="). With --plot, draws the best energy against reference evaluations of every
run (trace.csv), plain and screened, one panel per system.

Homotop systems (ptau147_*: the 147-atom Pt-Au Mackay icosahedron of MLaGA, EMT, fixed
geometry) run homotop Monte Carlo. There a plain run's swap trials are reference energies
too (a local update of EMT; DFT would need a calculation per trial), so its cost is its single
points plus its trials to the target: steps_to_target x trials per block. The plain run has
the settings that reached the target soonest in a scan (constant 100 K, one sweep per
block); the screened run anneals on the model with long blocks, since its trials cost no
reference calls. --surrogate sets the model of the structural systems; homotop systems use
--homotop-surrogate (default mapped).

Usage: bench/screening_savings.sh [--systems ag27cu7,pt19au19,lj38,ptau147_au37,ptau147_au73,ptau147_au110]
                                  [--seeds 5] [--surrogate gpr|ann_committee] [--plot FILE] [--keep DIR]
"""
import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The 147-atom Pt-Au icosahedron with Au atoms of Pt(147 - n)Au(n), EMT, homotop Monte Carlo.
HOMOTOP_RUN = """[system]
elements = ["Pt", "Au"]
composition = {{ Pt = {pt}, Au = {au} }}
start = "icosahedron"
[potential]
type = "emt"
[search]
driver = "homotop_mc"
"""
HOMOTOP_PLAIN = "temperature = 100.0\nsweeps_per_block = 1\n"
HOMOTOP_SCREENED = ('temperature = 600.0\nschedule = "geometric"\nfinal_temperature = 50.0\nanneal_blocks = 60\n'
                    'sweeps_per_block = 100\n')


def homotop_system(au, target, tolerance):
    return {"label": f"Pt{147 - au}Au{au} icosahedron EMT, homotop MC", "target": target, "tolerance": tolerance,
            "run": HOMOTOP_RUN.format(pt=147 - au, au=au), "homotop": True, "atoms": 147}


# Best known energies (structures/ headers): the targets.
SYSTEMS = {
    "ag27cu7": {
        "label": "Ag27Cu7 Gupta (Ferrando), GA",
        "target": -90.165961, "tolerance": 1e-5,
        "run": """[system]
elements = ["Ag", "Cu"]
composition = { Ag = 27, Cu = 7 }
[potential]
type = "gupta"
parameters = "ROOT/inputs/potentials/gupta_agcu_ferrando.toml"
[relax]
fmax = 1e-3
[search]
driver = "genetic_algorithm"
""",
    },
    "pt19au19": {
        "label": "Pt19Au19 EMT, GA from truncated-octahedron homotops",
        "target": 15.465815, "tolerance": 1e-5,
        "run": """[system]
elements = ["Pt", "Au"]
composition = { Pt = 19, Au = 19 }
start = "truncated_octahedron"
ordering = "random"
[potential]
type = "emt"
[relax]
fmax = 1e-3
[search]
driver = "genetic_algorithm"
""",
    },
    "lj38": {
        "label": "LJ38, GA",
        "target": -173.928427, "tolerance": 2e-6,
        "run": """[system]
elements = ["Ar"]
size = 38
[potential]
type = "lj"
[relax]
fmax = 1e-4
[search]
driver = "genetic_algorithm"
""",
    },
}


# Homotops: the lowest of long parallel-tempering runs (structures/README.md,
# ptau147_emt_icosahedron_homotops.xyz). Pt110Au37's four runs ended within 0.34 meV of each
# other, hence its wider tolerance (0.1 meV).
SYSTEMS["ptau147_au37"] = homotop_system(37, 47.87851274, 1e-4)
SYSTEMS["ptau147_au73"] = homotop_system(73, 42.24375073, 1e-6)
SYSTEMS["ptau147_au110"] = homotop_system(110, 39.65346055, 1e-6)


def run(binary, text, directory, seed, budget, threads):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "run.toml")
    with open(path, "w") as f:
        f.write(text)
    start = time.time()
    subprocess.run([binary, "-q", "run", path, "-o", os.path.join(directory, "out"), "--overwrite", "--seed", str(seed),
                    "--max-steps", str(budget), "-j", str(threads)], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(directory, "out", "summary.json")) as f:
        s = json.load(f)
    s["_seconds"] = time.time() - start
    return s


def figure(s, trials_per_step=0):
    """(evaluations, relaxations, reached) to the target, or at the end of the budget; a
    homotop run's swap trials on the reference (trials_per_step per block) count as evaluations."""
    if s.get("target_reached"):
        return s["evaluations_to_target"] + trials_per_step * s["steps_to_target"], s["relaxations_to_target"], True
    return s["reference_evaluations"] + s.get("reference_local_updates", 0), s["reference_relaxations"], False


def trace_curve(directory, trials_per_step=0):
    xs, ys = [], []
    with open(os.path.join(directory, "out", "trace.csv")) as f:
        for row in csv.DictReader(f):
            b = float(row["best"])
            if math.isfinite(b):
                xs.append(int(row["reference_evaluations"]) + trials_per_step * int(row["step"]))
                ys.append(b)
    return xs, ys


def cost_to_level(directory, level, trials_per_step=0):
    """Reference evaluations (trials included) a run spent until its best was <= level; None if never."""
    for x, y in zip(*trace_curve(directory, trials_per_step)):
        if y <= level + 1e-9:
            return x
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--systems", default="ag27cu7,pt19au19,lj38")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--surrogate", default="gpr", choices=["gpr", "ann_committee"])
    p.add_argument("--homotop-surrogate", default="mapped", choices=["mapped", "gpr", "ann_committee", "ridge"])
    p.add_argument("--candidates", type=int, default=24, help="candidates per screened round")
    p.add_argument("--verify", type=int, default=2, help="candidates verified per screened round")
    p.add_argument("--kappa", type=float, default=None, help="[screening] kappa (default: nanoscape's)")
    p.add_argument("--budget", type=int, default=20000, help="max_steps of every run")
    p.add_argument("--homotop-budget", type=int, default=400, help="max_steps (blocks) of a screened homotop run")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--binary", default=os.path.join(ROOT, "build", "nanoscape"))
    p.add_argument("--plot", help="write best energy vs reference evaluations to this image")
    p.add_argument("--keep", help="keep the runs in this directory")
    a = p.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="nanoscape_screening_")
    screening = f"[surrogate]\ntype = \"{a.surrogate}\"\n[screening]\ncandidates = {a.candidates}\nverify = {a.verify}\n"
    if a.kappa is not None:
        screening += f"kappa = {a.kappa}\n"
    curves = {}
    print(f"surrogate {a.surrogate}, {a.candidates} candidates and {a.verify} verified per screened round, "
          f"budget {a.budget} steps, {a.seeds} seeds; runs in {work}")
    for name in a.systems.split(","):
        system = SYSTEMS[name]
        base = system["run"].replace("ROOT", ROOT)
        base = base.replace('[search]\n', f'[search]\ntarget_energy = {system["target"]}\ntarget_tolerance = {system["tolerance"]}\n')
        modes = (("plain", base, 0), ("screened", base + screening, 0))
        if system.get("homotop"):
            # The plain run's trials: one sweep (N swaps) per block.
            modes = (("plain", base + HOMOTOP_PLAIN, system["atoms"]),
                     ("screened", base + HOMOTOP_SCREENED + f'[surrogate]\ntype = "{a.homotop_surrogate}"\n[screening]\n', 0))
        rows = {"plain": [], "screened": []}
        for seed in range(1, a.seeds + 1):
            dirs, bests = {}, {}
            for mode, text, trials in modes:
                d = os.path.join(work, name, f"{mode}_{seed}")
                budget = a.homotop_budget if system.get("homotop") and mode == "screened" else a.budget
                s = run(a.binary, text, d, seed, budget, a.threads)
                e, r, hit = figure(s, trials)
                rows[mode].append((e, r, hit))
                curves.setdefault(name, []).append((mode, seed, trace_curve(d, trials)))
                extra = f" mae {s['screening_error_mae']:.3f} eV" if s.get("screening_error_mae") is not None else ""
                print(f"{name} seed {seed} {mode:8s} {'hit ' if hit else 'miss'} evaluations {'' if hit else '>='}{e} "
                      f"relaxations {r} best {s['best_energy']:.6f} ({s['_seconds']:.0f} s){extra}", flush=True)
                dirs[mode], bests[mode] = (d, trials), s["best_energy"]
            # Equal quality: what the plain run spent to reach the screened run's best.
            plain_dir, plain_trials = dirs["plain"]
            c = cost_to_level(plain_dir, bests["screened"], plain_trials)
            print(f"{name} seed {seed} plain reaches the screened best {bests['screened']:.6f} after "
                  f"{c if c is not None else 'never (>= its budget)'} evaluations", flush=True)
        med = {m: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v), sum(x[2] for x in v))
               for m, v in rows.items()}
        # A ratio of medians only means something when both medians are hits.
        ratio = "ratio n/a (a median is a miss)"
        if 2 * med["plain"][2] > a.seeds and 2 * med["screened"][2] > a.seeds:
            ratio = (f"ratio {med['plain'][0] / med['screened'][0]:.2f}x evaluations, "
                     f"{max(med['plain'][1], 1) / max(med['screened'][1], 1):.2f}x relaxations")
        print(f"{name}: {system['label']}; plain {med['plain'][2]}/{a.seeds} hits, median {med['plain'][0]:.0f} "
              f"evaluations ({med['plain'][1]:.0f} relaxations); screened {med['screened'][2]}/{a.seeds} hits, median "
              f"{med['screened'][0]:.0f} evaluations ({med['screened'][1]:.0f} relaxations); {ratio}", flush=True)
    if a.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 4), squeeze=False)
        for ax, (name, runs) in zip(axes[0], curves.items()):
            for mode, seed, (xs, ys) in runs:
                ax.step(xs, ys, where="post", color="tab:blue" if mode == "plain" else "tab:red", alpha=0.7,
                        label=mode if seed == 1 else None)
            ax.axhline(SYSTEMS[name]["target"], color="k", lw=0.8, ls="--", label="best known")
            ax.set_xscale("log")
            ax.set_xlabel("reference evaluations")
            ax.set_ylabel("best energy")
            ax.set_title(SYSTEMS[name]["label"], fontsize=9)
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(a.plot, dpi=120)
        print(f"plot: {a.plot}")


if __name__ == "__main__":
    sys.exit(main())
