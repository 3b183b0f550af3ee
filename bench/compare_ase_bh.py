#!/usr/bin/python3
"""Basin hopping on LJ38: nanoscape against ASE 3.22's ase.optimize.basin.BasinHopping.

    /usr/bin/python3 bench/compare_ase_bh.py                   # defaults: about 17 min
    /usr/bin/python3 bench/compare_ase_bh.py --ase-budget 3000  # full size: many hours (ASE)

Must run with Debian's /usr/bin/python3 (python3-ase is installed for it only).

Lennard-Jones, epsilon = sigma = 1, no cutoff (ASE: LennardJones(sigma=1, epsilon=1, rc=1000);
ASE 3.22 shifts every pair energy by u(rc) = -4e-18, i.e. by < 1e-14 in total: negligible).
Global minimum -173.928427 (Cambridge Cluster Database); a run hits it when a relaxed energy is
<= -173.928427 + 2e-6.

For each of --starts K random compact 38-atom clusters (seeded numpy; no pair closer than
0.9 sigma; connected with bonds < 1.5 x 2^(1/6) sigma), written to an extended-XYZ file, both
codes start from that same structure and run until the first hit or until their budget of
relaxations is spent. Both count the relaxation of the starting structure as relaxation 1 and
then one relaxation per basin-hopping step.
  nanoscape  `nanoscape run` with start = that file, walkers = 1, [relax] fmax = --fmax, kT = 0.8,
             everything else default (L-BFGS relaxer; moves displacement 0.9 / surface 0.1;
             initial step 0.35 x 2^(1/6) = 0.39 sigma, adapted toward 50 % acceptance), --threads 1,
             max_steps = budget - 1. Relaxations, evaluations and wall time to the first hit
             come from summary.json.
  ASE        BasinHopping(atoms, temperature=0.8 (kT, energy units), fmax=--fmax, dr=0.4
             (its own move: every coordinate displaced uniformly in [-dr, dr]), optimizer=FIRE
             (ASE's default; --ase-optimizer LBFGS for L-BFGS)), numpy's global generator seeded
             per start. A subclass counts the relaxations (get_energy calls that relax), stops
             at the first hit or when the budget is spent; the calculator is wrapped to count
             energy+force evaluations (calculate() calls). Wall time from constructing
             BasinHopping (which relaxes the start) to the hit.

ASE is slow (~2 s per LJ38 relaxation with its Python LJ calculator and FIRE against ~1.4 ms
for nanoscape), so by default ASE gets a smaller budget (--ase-budget 50) than nanoscape
(--budget 3000); the summary then gives bounds, and the lowest energy each code found within
ASE's budget. --ase-calculator numpy swaps ASE's LennardJones for a vectorised numpy one (same
energies and forces to rounding; same BasinHopping and optimiser), several times faster, for
measuring ASE's relaxation counts at larger budgets; its wall times are then not ASE's.

Medians are over all runs with a miss counted as the budget (relaxations, evaluations) or as the
wall time its whole budget took; a median that is a miss is printed as ">= value".
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.lj import LennardJones
from ase.io import write
from ase.optimize import FIRE, LBFGS
from ase.optimize.basin import BasinHopping

N_ATOMS = 38
GLOBAL_MINIMUM = -173.928427
TOLERANCE = 2e-6
KT = 0.8
BOND = 1.5 * 2.0 ** (1.0 / 6.0)  # nanoscape's connectivity criterion: 1.5 pair distances


def random_cluster(rng, n=N_ATOMS, dmin=0.9):
    """n points uniform in a sphere 1.25x the radius of n atoms at fcc LJ density (one atom per
    sigma^3), no pair closer than dmin, bond graph connected; redrawn until all hold."""
    radius = 1.25 * (3.0 * n / (4.0 * np.pi)) ** (1.0 / 3.0)
    while True:
        pos = []
        for _ in range(200000):
            if len(pos) == n:
                break
            p = rng.uniform(-radius, radius, 3)
            if p @ p > radius * radius:
                continue
            if pos and np.min(np.linalg.norm(np.asarray(pos) - p, axis=1)) < dmin:
                continue
            pos.append(p)
        if len(pos) < n:
            continue
        pos = np.asarray(pos)
        d = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=2)
        seen, stack = {0}, [0]
        while stack:
            i = stack.pop()
            for j in np.nonzero(d[i] < BOND)[0]:
                if int(j) not in seen:
                    seen.add(int(j))
                    stack.append(int(j))
        if len(seen) == n:
            return pos - pos.mean(axis=0)


class CountingLJ(LennardJones):
    """ASE's LennardJones, counting energy+force evaluations."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.evaluations = 0

    def calculate(self, atoms=None, properties=None, system_changes=all_changes):
        self.evaluations += 1
        super().calculate(atoms, properties, system_changes)


class NumpyLJ(Calculator):
    """All-pairs Lennard-Jones (epsilon = sigma = 1, no cutoff), vectorised; counts evaluations."""

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(self):
        super().__init__()
        self.evaluations = 0

    def calculate(self, atoms=None, properties=None, system_changes=all_changes):
        self.evaluations += 1
        super().calculate(atoms, properties, system_changes)
        pos = self.atoms.positions
        dv = pos[None, :, :] - pos[:, None, :]  # dv[i, j] = r_j - r_i
        r2 = np.einsum("ijk,ijk->ij", dv, dv)
        np.fill_diagonal(r2, np.inf)
        c6 = r2 ** -3
        c12 = c6 * c6
        energy = 2.0 * np.sum(c12 - c6)  # 4 (c12 - c6) over pairs, each pair counted twice
        forces = np.einsum("ij,ijk->ik", -24.0 * (2.0 * c12 - c6) / r2, dv)
        self.results = {"energy": energy, "free_energy": energy, "forces": forces}


class Stop(Exception):
    pass


class CountingBasinHopping(BasinHopping):
    """ASE's BasinHopping that counts relaxations and stops at the first hit or the budget."""

    def __init__(self, atoms, budget, **kwargs):
        self.budget = budget
        self.relaxations = 0
        self.hit = False
        self.best = np.inf
        self.t0 = time.perf_counter()
        self.hit_time = None
        self.hit_evaluations = None
        self.running = False  # Stop is raised only inside run(), not in the constructor
        super().__init__(atoms, **kwargs)  # relaxes the start (relaxation 1)

    def done(self):
        return self.hit or self.relaxations >= self.budget

    def get_energy(self, positions):
        relaxes = bool(np.any(self.positions != positions))
        energy = super().get_energy(positions)
        if relaxes:
            self.relaxations += 1
            self.best = min(self.best, energy)
            if energy <= GLOBAL_MINIMUM + TOLERANCE:
                self.hit = True
                self.hit_time = time.perf_counter() - self.t0
                self.hit_evaluations = self.atoms.calc.evaluations
            if self.running and self.done():
                raise Stop
        return energy


def run_ase(positions, seed, budget, fmax, optimizer, calculator):
    atoms = Atoms("Ar%d" % N_ATOMS, positions=positions)
    atoms.calc = NumpyLJ() if calculator == "numpy" else CountingLJ(sigma=1.0, epsilon=1.0, rc=1000.0)
    np.random.seed(seed)
    start = time.perf_counter()
    bh = CountingBasinHopping(atoms, budget, temperature=KT, optimizer=optimizer, fmax=fmax, dr=0.4,
                              logfile=None, trajectory=None, optimizer_logfile=None, local_minima_trajectory=None)
    if not bh.done():
        bh.running = True
        try:
            bh.run(budget)
        except Stop:
            pass
    wall = time.perf_counter() - start
    return {
        "hit": bh.hit,
        "relaxations": bh.relaxations,
        "evaluations": atoms.calc.evaluations if not bh.hit else bh.hit_evaluations,
        "wall": bh.hit_time if bh.hit else wall,
        "spent_relaxations": bh.relaxations,
        "spent_evaluations": atoms.calc.evaluations,
        "spent_wall": wall,
        "best": bh.best,
    }


def run_nanoscape(binary, workdir, index, seed, budget, fmax):
    run_file = os.path.join(workdir, "run_%d.toml" % index)
    out = os.path.join(workdir, "ns_%d" % index)
    with open(run_file, "w") as f:
        f.write(f"""[system]
elements = ["Ar"]
size = {N_ATOMS}
seed = {seed}
start = "start_{index}.xyz"

[potential]
type = "lj"

[relax]
fmax = {fmax!r}

[search]
walkers = 1
temperature = {KT}
max_steps = {budget - 1}
target_energy = {GLOBAL_MINIMUM}
target_tolerance = {TOLERANCE}

[output]
directory = "{out}"
""")
    subprocess.run([binary, "-q", "run", run_file, "-o", out, "--seed", str(seed), "--overwrite", "--threads", "1"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    hit = bool(s["target_reached"])
    with open(os.path.join(out, "trace.csv")) as f:  # one row per relaxation (walkers = 1)
        next(f)
        bests = [float(line.split(",")[4]) for line in f]
    return {
        "bests": bests,
        "hit": hit,
        "relaxations": s["relaxations_to_target"] if hit else s["reference_relaxations"],
        "evaluations": s["evaluations_to_target"] if hit else s["reference_evaluations"],
        "wall": s["wall_time_s"],  # the run stops at the hit, so this is the time to it
        "spent_relaxations": s["reference_relaxations"],
        "spent_evaluations": s["reference_evaluations"],
        "spent_wall": s["wall_time_s"],
        "best": s["best_energy"],
    }


def median(runs, key):
    """(median over all runs with misses counted as what they spent, whether that median is a miss)."""
    values = sorted((r[key], not r["hit"]) for r in runs)
    m = statistics.median(v for v, _ in values)
    n = len(values)
    # the median is censored if it depends on a miss: more than half (at the middle) are misses
    mid = values[(n - 1) // 2: n // 2 + 1]
    return m, any(miss for _, miss in mid)


def fmt_median(value, censored, spec):
    return (">= " if censored else "") + format(value, spec)


def ratio(ase, ns):
    (a, a_c), (b, b_c) = ase, ns
    r = a / b
    if a_c and b_c:
        return "undetermined (both medians are misses)"
    if a_c:
        return f">= {r:.2f}"
    if b_c:
        return f"<= {r:.2f}"
    return f"{r:.2f}"


def cell(r):
    return ("%d" % r["relaxations"]) if r["hit"] else ("> %d" % r["spent_relaxations"])


def main():
    # A row per start as soon as it is done, also when the output goes to a file (a long run
    # may be cut short; block buffering would lose every row).
    sys.stdout.reconfigure(line_buffering=True)
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--starts", type=int, default=10, help="random starting structures (default 10)")
    p.add_argument("--budget", type=int, default=3000, help="nanoscape's relaxations per start (default 3000)")
    p.add_argument("--ase-budget", type=int, default=50,
                   help="ASE's relaxations per start (default 50: ASE takes ~1 s per relaxation; "
                        "use --ase-budget 3000 for equal budgets)")
    p.add_argument("--fmax", type=float, default=1e-3, help="relaxation tolerance, reduced units (default 1e-3)")
    p.add_argument("--ase-optimizer", choices=["FIRE", "LBFGS"], default="FIRE",
                   help="ASE local optimiser (default FIRE, BasinHopping's default)")
    p.add_argument("--ase-calculator", choices=["ase", "numpy"], default="ase",
                   help="ASE's LennardJones (default) or a vectorised numpy LJ (fast; ASE wall times not ASE's)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the starting structures (default 2026)")
    p.add_argument("--nanoscape", default=os.path.join(here, "..", "build", "nanoscape"),
                   help="nanoscape binary (default build/nanoscape)")
    p.add_argument("--skip-ase", action="store_true", help="run nanoscape only")
    args = p.parse_args()
    optimizer = {"FIRE": FIRE, "LBFGS": LBFGS}[args.ase_optimizer]

    rng = np.random.default_rng(args.seed)
    starts = [random_cluster(rng) for _ in range(args.starts)]
    print(f"LJ38 basin hopping, {args.starts} random starts (seed {args.seed}), fmax {args.fmax:g}, kT {KT}, "
          f"target {GLOBAL_MINIMUM} + {TOLERANCE:g}")
    print(f"nanoscape: {os.path.relpath(args.nanoscape)}, walkers 1, L-BFGS, default moves, 1 thread, "
          f"budget {args.budget} relaxations")
    if not args.skip_ase:
        print(f"ASE {__import__('ase').__version__}: BasinHopping, {args.ase_optimizer}, dr 0.4, "
              f"{'LennardJones(rc=1000)' if args.ase_calculator == 'ase' else 'numpy LJ calculator'}, "
              f"budget {args.ase_budget} relaxations")
    print()
    head = f"{'start':>5} | {'ns relax':>9} {'ns evals':>9} {'ns s':>7} {'ns best':>11}"
    if not args.skip_ase:
        head += f" | {'ASE relax':>9} {'ASE evals':>10} {'ASE s':>8} {'ASE best':>11} | {'ns best@':>8}{args.ase_budget:<3}"
    print(head)
    print("-" * len(head))
    ns_runs, ase_runs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k, pos in enumerate(starts):
            write(os.path.join(tmp, "start_%d.xyz" % k), Atoms("Ar%d" % N_ATOMS, positions=pos), format="extxyz")
            seed = k + 1
            ns = run_nanoscape(os.path.abspath(args.nanoscape), tmp, k, seed, args.budget, args.fmax)
            ns_runs.append(ns)
            line = (f"{k:>5} | {cell(ns):>9} {ns['evaluations']:>9} {ns['wall']:>7.2f} {ns['best']:>11.6f}")
            if not args.skip_ase:
                a = run_ase(pos, seed, args.ase_budget, args.fmax, optimizer, args.ase_calculator)
                ase_runs.append(a)
                ns["best_at_ase_budget"] = min(ns["bests"][:args.ase_budget])
                line += (f" | {cell(a):>9} {a['evaluations']:>10} {a['wall']:>8.1f} {a['best']:>11.6f}"
                         f" | {ns['best_at_ase_budget']:>11.6f}")
            print(line, flush=True)
    print("(relax: relaxations to the first hit, '> n' = not reached within n; evals and s: to the hit, or "
          "spent on the whole budget if missed; best: lowest energy found")
    if not args.skip_ase:
        print(f" within the run; ns best@{args.ase_budget}: nanoscape's lowest energy within its first "
              f"{args.ase_budget} relaxations, i.e. at ASE's budget)")
    else:
        print(" within the run)")
    print()

    def summary(name, runs, budget):
        hits = sum(r["hit"] for r in runs)
        rel = median(runs, "relaxations")
        ev = median(runs, "evaluations")
        wall = median(runs, "wall")
        spent = sum(r["spent_relaxations"] for r in runs)
        per_hit = f"{spent / hits:.0f}" if hits else f"> {spent}"
        ms = 1e3 * sum(r["spent_wall"] for r in runs) / spent
        epr = sum(r["spent_evaluations"] for r in runs) / spent
        print(f"{name:<10} hits {hits:>2}/{len(runs)} within {budget:>5} | median relaxations "
              f"{fmt_median(*rel, '.0f'):>9} | median evaluations {fmt_median(*ev, '.0f'):>10} | median wall "
              f"{fmt_median(*wall, '.2f'):>9} s | relaxations spent per hit {per_hit:>7} | "
              f"{epr:.0f} evaluations and {ms:.2f} ms per relaxation")
        return rel, ev, wall, ms, epr

    print("Summary (medians over all runs, a miss counted as its whole budget; '>=': the median is a miss)")
    ns_s = summary("nanoscape", ns_runs, args.budget)
    if not args.skip_ase:
        ase_s = summary("ASE", ase_runs, args.ase_budget)
        print(f"ratio ASE / nanoscape: relaxations to first hit {ratio(ase_s[0], ns_s[0])}, "
              f"evaluations {ratio(ase_s[1], ns_s[1])}, wall time {ratio(ase_s[2], ns_s[2])}; "
              f"per relaxation: evaluations {ase_s[4] / ns_s[4]:.1f}, wall time {ase_s[3] / ns_s[3]:.0f}")
        ns_b = statistics.median(r["best_at_ase_budget"] for r in ns_runs)
        ase_b = statistics.median(r["best"] for r in ase_runs)
        print(f"median lowest energy within the first {args.ase_budget} relaxations: nanoscape {ns_b:.6f}, "
              f"ASE {ase_b:.6f} (icosahedral funnel bottom -173.252378)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
