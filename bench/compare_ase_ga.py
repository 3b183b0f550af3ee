#!/usr/bin/python3
"""Cluster genetic algorithm: nanoscape's genetic_algorithm driver against ASE 3.22's ase.ga.

    /usr/bin/python3 bench/compare_ase_ga.py                # defaults: both systems, 3 seeds, 100 relaxations: ~25 min
    /usr/bin/python3 bench/compare_ase_ga.py --quick        # smoke test: 2 seeds, 40 relaxations: ~7 min
    /usr/bin/python3 bench/compare_ase_ga.py --systems Pt7Au6 --seeds 5 --budget 1000   # over 1 h (ASE)

Must run with Debian's /usr/bin/python3 (python3-ase 3.22 is installed for it only).
ASE is what takes the time: measured on the project's 2-core machine, a relaxation inside its GA
costs ~0.65 s for Pt7Au6 (~107 EMT calls with BFGS, 0.42 s of it relaxing, the rest database and
population bookkeeping) and ~4.5 s for Pt19Au19 (~220 EMT calls, 3.6 s relaxing), against
~0.3 ms and ~2 ms (30-40 calls, L-BFGS) for nanoscape. Hence the default budget of 100
relaxations per run (20 starting candidates + 80 offspring).

Systems: Pt7Au6 (13 atoms) and Pt19Au19 (38 atoms), free clusters, EMT (ASE's
ase.calculators.emt.EMT; nanoscape's `emt` reproduces it to 1e-11 eV, so both codes search the
same energy landscape). Both codes relax every candidate to the same largest force --fmax
(default 0.05 eV/A, the value of ASE's GA tutorial), at most --relax-steps optimiser steps, and
both get the same budget of --budget relaxations per run. Seeds 1..--seeds; run k of each code
uses seed k (the two codes' random streams are unrelated: the seeds only make runs repeatable).

ASE (set up as its GA tutorial "Optimization with a Genetic Algorithm" does, with an empty slab
because the cluster is free):
  - the simulation cell is an empty Atoms object (pbc False) with a cube of side L + 20 A; the
    start generator places the atoms in a centred cube of volume --box-factor (default 2) x N x
    the fcc atomic volume (mean of a^3/4 over the elements, ASE's reference lattice constants);
  - blmin = closest_distances_generator(types, ratio_of_covalent_radii=0.7);
  - StartGenerator(slab, [(Pt, nPt), (Au, nAu)], blmin, box_to_place_in=...) makes --population
    (default 20) random candidates, stored with PrepareDB(..., stoichiometry=...) in a fresh
    SQLite database and read back with DataConnection;
  - each unrelaxed start is relaxed (raw_score = -energy) and added with add_relaxed_step;
  - Population(da, population_size=--population, comparator=InteratomicDistanceComparator(
    n_top=N, pair_cor_cum_diff=0.015, pair_cor_max=0.7, dE=0.02, mic=False));
  - then, until the budget is spent: two parents from population.get_two_candidates(), a child
    from CutAndSplicePairing(slab, N, blmin); with probability --mutation-probability (0.3) the
    child is replaced by a mutant from OperationSelector([1, 1, 1], [MirrorMutation(blmin, N),
    RattleMutation(blmin, N), PermutationMutation(N)]); the child is relaxed, added with
    add_relaxed_step, and population.update() is called. A pairing or mutation that gives None
    costs no relaxation and is retried (counted as "failed operators").
  - relaxation: --ase-optimizer (default BFGS, the tutorial's; LBFGS, FIRE, BFGSLineSearch also
    possible) with logfile=None, run(fmax=--fmax, steps=--relax-steps); an unconverged relaxation
    is still added (as in the tutorial) and counted; ASE's EMT counts its calculate() calls.
  - every operator and the population get one numpy RandomState(seed) (rng=...), which also
    draws the mutation decision, so a run is repeatable.
  Counted: every relaxation the run does, the --population starting candidates included; so the
  run has exactly --budget relaxations (population + budget - population offspring). Wall time
  from just before the database is created (ASE imports excluded) to the end of each relaxation,
  so it includes start generation, the database and population bookkeeping.

nanoscape: a run file per seed with [system] elements, composition, seed; [potential] type =
"emt"; [relax] type = "lbfgs", fmax = --fmax, max_steps = --relax-steps; [search] driver =
--nanoscape-driver (default genetic_algorithm), max_steps = budget - starting structures
(the GA: population = --population starting structures, written as `population`; basin hopping:
1 walker, 1 start), plus any --nanoscape-set KEY=VALUE; run with `nanoscape -q run FILE --threads
1 --overwrite`. Every row of trace.csv is one relaxation (starting structures are the step 0
rows; failed relaxations are rows too); the relaxation count of a row is its reference_relaxations
column if the trace has one, else its row number. Wall time from the trace's wall_time_s column.

Per run, from the run's own history (one entry per relaxation, in order):
  best          the lowest energy of the run (both codes have the same budget, so the medians of
                the bests compare the codes at equal budget);
  relax->best   relaxations until best was first reached (within 1e-6 eV), and the wall time then;
  relax->target for the common target of the system, the lowest energy any run of either code
                found, the relaxations until a run's energy was <= target + --tolerance (default
                1e-3 eV), and the wall time then; a run that never gets there is a miss, counted
                as the whole budget and the wall time of the whole run.
At fmax 0.05 the energy of one and the same minimum scatters by ~1e-3 eV from run to run (seen:
two Pt7Au6 runs at 7.973456 and 7.972423 eV that both relax to 7.972298 eV at fmax 1e-5), so a
target tolerance of 1e-3 eV can count the same minimum as a miss: use a smaller --fmax or a
larger --tolerance (e.g. 3e-3) when that matters.
Medians are over the seeds; a median that depends on a miss (a miss at or below the middle) is a
lower bound, printed ">= value"; the ASE/nanoscape ratio of two medians is then a bound or
undetermined.
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

import numpy as np

SYSTEMS = {"Pt7Au6": (("Pt", 7), ("Au", 6)), "Pt19Au19": (("Pt", 19), ("Au", 19))}
BEST_TOLERANCE = 1e-6


# ---------------------------------------------------------------------------------------- ASE

def run_ase(system, seed, args, workdir):
    import ase
    from ase import Atoms
    from ase.calculators.emt import EMT
    from ase.data import atomic_numbers, reference_states
    from ase.ga import set_raw_score
    from ase.ga.cutandsplicepairing import CutAndSplicePairing
    from ase.ga.data import DataConnection, PrepareDB
    from ase.ga.offspring_creator import OperationSelector
    from ase.ga.population import Population
    from ase.ga.standard_comparators import InteratomicDistanceComparator
    from ase.ga.standardmutations import MirrorMutation, PermutationMutation, RattleMutation
    from ase.ga.startgenerator import StartGenerator
    from ase.ga.utilities import closest_distances_generator, get_all_atom_types
    import ase.optimize

    optimizer = getattr(ase.optimize, args.ase_optimizer)
    counter = {"evaluations": 0}

    class CountingEMT(EMT):
        def calculate(self, *a, **k):
            counter["evaluations"] += 1
            super().calculate(*a, **k)

    composition = SYSTEMS[system]
    n = sum(c for _, c in composition)
    stoichiometry = [atomic_numbers[s] for s, c in composition for _ in range(c)]
    v_atom = statistics.mean(reference_states[atomic_numbers[s]]["a"] ** 3 / 4.0 for s, _ in composition)
    side = (args.box_factor * n * v_atom) ** (1.0 / 3.0)
    cell = side + 20.0
    rng = np.random.RandomState(seed)
    db_file = os.path.join(workdir, f"ase_{system}_{seed}.db")
    if os.path.exists(db_file):
        os.remove(db_file)

    history = []  # (energy, wall time at the end of the relaxation, converged)
    t_relax = 0.0
    t0 = time.perf_counter()

    def relax(a):
        nonlocal t_relax
        t = time.perf_counter()
        a.calc = CountingEMT()
        dyn = optimizer(a, logfile=None, trajectory=None)
        converged = bool(dyn.run(fmax=args.fmax, steps=args.relax_steps))
        energy = a.get_potential_energy()
        set_raw_score(a, -energy)
        now = time.perf_counter()
        t_relax += now - t
        history.append((energy, now - t0, converged))

    slab = Atoms(cell=[cell, cell, cell], pbc=False)
    types = get_all_atom_types(slab, stoichiometry)
    blmin = closest_distances_generator(atom_numbers=types, ratio_of_covalent_radii=0.7)
    p0 = np.full(3, 0.5 * (cell - side))
    box = [p0, [[side, 0.0, 0.0], [0.0, side, 0.0], [0.0, 0.0, side]]]
    sg = StartGenerator(slab, [(s, c) for s, c in composition], blmin, box_to_place_in=box, rng=rng)
    starts = [sg.get_new_candidate() for _ in range(args.population)]
    prep = PrepareDB(db_file_name=db_file, simulation_cell=slab, stoichiometry=stoichiometry)
    for a in starts:
        prep.add_unrelaxed_candidate(a)

    da = DataConnection(db_file)
    n_top = len(da.get_atom_numbers_to_optimize())
    assert n_top == n
    while da.get_number_of_unrelaxed_candidates() > 0:
        a = da.get_an_unrelaxed_candidate()
        relax(a)
        da.add_relaxed_step(a)

    comparator = InteratomicDistanceComparator(n_top=n_top, pair_cor_cum_diff=0.015, pair_cor_max=0.7,
                                               dE=0.02, mic=False)
    pairing = CutAndSplicePairing(slab, n_top, blmin, rng=rng)
    mutations = OperationSelector([1.0, 1.0, 1.0],
                                  [MirrorMutation(blmin, n_top, rng=rng),
                                   RattleMutation(blmin, n_top, rng=rng),
                                   PermutationMutation(n_top, rng=rng)], rng=rng)
    population = Population(data_connection=da, population_size=args.population, comparator=comparator,
                            rng=rng)
    failed_operators = 0
    while len(history) < args.budget:
        a1, a2 = population.get_two_candidates()
        child, desc = pairing.get_new_individual([a1, a2])
        if child is None:
            failed_operators += 1
            continue
        da.add_unrelaxed_candidate(child, description=desc)
        if rng.rand() < args.mutation_probability:
            mutant, desc = mutations.get_new_individual([child])
            if mutant is not None:
                da.add_unrelaxed_step(mutant, desc)
                child = mutant
            else:
                failed_operators += 1
        relax(child)
        da.add_relaxed_step(child)
        population.update()
    spent_wall = time.perf_counter() - t0
    return {
        "code": "ASE",
        "energies": [e for e, _, _ in history],
        "relaxations": list(range(1, len(history) + 1)),
        "walls": [w for _, w, _ in history],
        "spent_relaxations": len(history),
        "spent_wall": spent_wall,
        "evaluations": counter["evaluations"],
        "unconverged": sum(not c for _, _, c in history),
        "failed_operators": failed_operators,
        "relax_time": t_relax,
        "version": ase.__version__,
    }


# ----------------------------------------------------------------------------------- nanoscape

def run_nanoscape(system, seed, args, workdir):
    composition = SYSTEMS[system]
    ga = args.nanoscape_driver == "genetic_algorithm"
    starts = args.population if ga else 1
    out = os.path.join(workdir, f"ns_{system}_{seed}")
    run_file = os.path.join(workdir, f"ns_{system}_{seed}.toml")
    extra = "".join(f"{kv}\n" for kv in args.nanoscape_set)
    comp = ", ".join(f"{s} = {c}" for s, c in composition)
    with open(run_file, "w") as f:
        f.write(f"""[system]
elements = [{", ".join(f'"{s}"' for s, _ in composition)}]
composition = {{ {comp} }}
seed = {seed}

[potential]
type = "emt"

[relax]
type = "lbfgs"
fmax = {args.fmax!r}
max_steps = {args.relax_steps}

[search]
driver = "{args.nanoscape_driver}"
max_steps = {args.budget - starts}
{f"population = {args.population}" + chr(10) if ga else ""}{extra}
[output]
directory = "{out}"
""")
    proc = subprocess.run([args.nanoscape, "-q", "run", run_file, "--threads", "1", "--overwrite"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"nanoscape failed on {run_file} (exit {proc.returncode}):\n{proc.stderr}")
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    with open(os.path.join(out, "trace.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"nanoscape wrote an empty trace in {out}")
    has_count = "reference_relaxations" in rows[0]
    relaxations = [int(r["reference_relaxations"]) if has_count else i + 1 for i, r in enumerate(rows)]
    energies = [float(r["energy"]) for r in rows]
    walls = [float(r["wall_time_s"]) for r in rows]
    spent = int(s["reference_relaxations"])
    if spent != args.budget or relaxations[-1] != spent:
        print(f"  note: nanoscape {system} seed {seed} spent {spent} relaxations ({len(rows)} trace rows, "
              f"last count {relaxations[-1]}), budget {args.budget}; only the first {args.budget} are used")
    keep = [i for i, r in enumerate(relaxations) if r <= args.budget]
    return {
        "code": "nanoscape",
        "energies": [energies[i] for i in keep],
        "relaxations": [relaxations[i] for i in keep],
        "walls": [walls[i] for i in keep],
        "spent_relaxations": min(spent, args.budget),
        "spent_wall": walls[keep[-1]] if spent > args.budget else float(s["wall_time_s"]),
        "evaluations": int(s["reference_evaluations"]),
        "summary_best": float(s["best_energy"]),
        "unconverged": sum(r["status"] != "converged" for r in rows),
        "run_file": run_file,
    }


# ------------------------------------------------------------------------------------ analysis

def first_reach(run, level):
    """(relaxations, wall time) at the first relaxation with energy <= level, or None."""
    for e, r, w in zip(run["energies"], run["relaxations"], run["walls"]):
        if not math.isnan(e) and e <= level:
            return r, w
    return None


def analyse(run, target, tolerance):
    run["to_best"] = first_reach(run, run["best"] + BEST_TOLERANCE)
    hit = first_reach(run, target + tolerance)
    run["hit"] = hit is not None
    run["to_target"] = hit[0] if hit else run["spent_relaxations"]
    run["wall_to_target"] = hit[1] if hit else run["spent_wall"]


def median(values):
    """values: (value, is_miss). Returns (median, is_lower_bound): a lower bound when a miss (whose
    true value is only known to be >= its value) sorts at or below the middle."""
    v = sorted(values)
    m = statistics.median(x for x, _ in v)
    upper = len(v) // 2  # index of the upper middle element
    return m, any(miss for _, miss in v[:upper + 1])


def fmt(med, spec):
    value, bound = med
    return (">= " if bound else "") + format(value, spec)


def ratio(ase, ns):
    (a, a_bound), (b, b_bound) = ase, ns
    if a_bound and b_bound:
        return "undetermined (both medians are misses)"
    if b == 0:
        return "undefined (nanoscape median 0)"
    r = a / b
    return (">= " if a_bound else "<= " if b_bound else "") + f"{r:.2f}"


def report(system, runs, args):
    composition = SYSTEMS[system]
    n = sum(c for _, c in composition)
    for r in runs:
        finite = [e for e in r["energies"] if not math.isnan(e)]
        r["best"] = min(finite) if finite else math.inf
    best_run = min(runs, key=lambda r: r["best"])
    target = best_run["best"]
    for r in runs:
        analyse(r, target, args.tolerance)
    print()
    print(f"=== {system} ({n} atoms), budget {args.budget} relaxations, fmax {args.fmax:g} eV/A ===")
    print(f"common target {target:.6f} eV (lowest of all runs: {best_run['code']} seed {best_run['seed']}), "
          f"reached when energy <= target + {args.tolerance:g}")
    head = (f"{'code':<9} {'seed':>4} | {'best (eV)':>11} {'relax->best':>11} {'s->best':>8} | "
            f"{'relax->target':>13} {'s->target':>9} | {'spent s':>8} {'evals':>7} {'unconv':>6}")
    print(head)
    print("-" * len(head))
    for r in runs:
        rb, wb = r["to_best"]
        rt = f"{r['to_target']}" if r["hit"] else f"> {r['spent_relaxations']}"
        wt = f"{r['wall_to_target']:.2f}" if r["hit"] else f"> {r['spent_wall']:.2f}"
        print(f"{r['code']:<9} {r['seed']:>4} | {r['best']:>11.6f} {rb:>11} {wb:>8.2f} | {rt:>13} {wt:>9} | "
              f"{r['spent_wall']:>8.2f} {r['evaluations']:>7} {r['unconverged']:>6}")
    print("(relax->best, s->best: relaxations and wall time until the run's own best was first reached; "
          "relax->target, s->target: until the common target, '>' = missed within the budget; "
          "unconv: relaxations not converged, or for nanoscape failed)")
    codes = [c for c in ("nanoscape", "ASE") if any(r["code"] == c for r in runs)]
    meds = {}
    print()
    for c in codes:
        rs = [r for r in runs if r["code"] == c]
        m = {
            "best": statistics.median(r["best"] for r in rs),
            "to_best": statistics.median(r["to_best"][0] for r in rs),
            "to_target": median([(r["to_target"], not r["hit"]) for r in rs]),
            "wall_to_target": median([(r["wall_to_target"], not r["hit"]) for r in rs]),
            "hits": sum(r["hit"] for r in rs),
            "s_per_relax": sum(r["spent_wall"] for r in rs) / sum(r["spent_relaxations"] for r in rs),
            "evals_per_relax": sum(r["evaluations"] for r in rs) / sum(r["spent_relaxations"] for r in rs),
        }
        meds[c] = m
        extra = ""
        if c == "ASE":
            relax_s = sum(r["relax_time"] for r in rs) / sum(r["spent_relaxations"] for r in rs)
            extra = (f", of it {relax_s:.3f} s relaxing; failed operators "
                     f"{sum(r['failed_operators'] for r in rs)}")
        print(f"{c:<9} median: best {m['best']:.6f} eV | relax->best {m['to_best']:.0f} | target hits "
              f"{m['hits']}/{len(rs)}, relax->target {fmt(m['to_target'], '.0f')}, s->target "
              f"{fmt(m['wall_to_target'], '.2f')} | {m['s_per_relax']:.4f} s and {m['evals_per_relax']:.0f} "
              f"evaluations per relaxation{extra}")
    if len(codes) == 2:
        a, b = meds["ASE"], meds["nanoscape"]
        print(f"ratio ASE / nanoscape of the medians: relaxations to target {ratio(a['to_target'], b['to_target'])}, "
              f"wall time to target {ratio(a['wall_to_target'], b['wall_to_target'])}")
        print(f"median best energy at equal budget ({args.budget} relaxations): nanoscape {b['best']:.6f}, "
              f"ASE {a['best']:.6f} eV (ASE - nanoscape {a['best'] - b['best']:+.6f} eV)")
    return {"system": system, "target": target, "medians": meds}


def main():
    sys.stdout.reconfigure(line_buffering=True)
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Protocol: see the module docstring (head of this file).")
    p.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS),
                   help="systems (default: both)")
    p.add_argument("--seeds", type=int, default=None, help="runs per code and system, seeds 1..N (default 3)")
    p.add_argument("--budget", type=int, default=None,
                   help="relaxations per run, starting population included (default 100)")
    p.add_argument("--fmax", type=float, default=0.05, help="relaxation tolerance, eV/A (default 0.05)")
    p.add_argument("--relax-steps", type=int, default=1000, help="optimiser steps per relaxation (default 1000)")
    p.add_argument("--population", type=int, default=20, help="GA population size, both codes (default 20)")
    p.add_argument("--tolerance", type=float, default=1e-3,
                   help="a run reaches the common target at energy <= target + this (default 1e-3 eV)")
    p.add_argument("--quick", action="store_true", help="smoke test: 2 seeds, budget 40 (unless given)")
    p.add_argument("--nanoscape", default=os.path.join(here, "..", "build", "nanoscape"),
                   help="nanoscape binary (default build/nanoscape)")
    p.add_argument("--nanoscape-driver", default="genetic_algorithm",
                   help="nanoscape [search] driver (default genetic_algorithm)")
    p.add_argument("--nanoscape-set", action="append", default=[], metavar="KEY=VALUE",
                   help="extra [search] line for nanoscape's run file, TOML (repeatable)")
    p.add_argument("--ase-optimizer", choices=["BFGS", "LBFGS", "FIRE", "BFGSLineSearch"], default="BFGS",
                   help="ASE optimiser (default BFGS, as in ASE's GA tutorial)")
    p.add_argument("--mutation-probability", type=float, default=0.3,
                   help="ASE: probability that a child is mutated (default 0.3, the tutorial's)")
    p.add_argument("--box-factor", type=float, default=2.0,
                   help="ASE start box volume / (N x fcc atomic volume) (default 2)")
    p.add_argument("--skip-ase", action="store_true", help="run nanoscape only")
    p.add_argument("--skip-nanoscape", action="store_true", help="run ASE only")
    p.add_argument("--workdir", help="keep run files, run directories and ASE databases here (default: a temporary directory)")
    p.add_argument("--json", help="write all results to this file")
    args = p.parse_args()
    if args.seeds is None:
        args.seeds = 2 if args.quick else 3
    if args.budget is None:
        args.budget = 40 if args.quick else 100
    args.nanoscape = os.path.abspath(args.nanoscape)
    if args.budget <= args.population:
        p.error("--budget must exceed --population")
    if args.skip_ase and args.skip_nanoscape:
        p.error("nothing to run")

    import ase
    print(f"cluster GA, EMT, fmax {args.fmax:g} eV/A (at most {args.relax_steps} steps), budget {args.budget} "
          f"relaxations per run (starting population included), seeds 1..{args.seeds}, population "
          f"{args.population}")
    if not args.skip_nanoscape:
        print(f"nanoscape: {args.nanoscape}, driver {args.nanoscape_driver}, L-BFGS, 1 thread")
    if not args.skip_ase:
        print(f"ASE {ase.__version__}: ase.ga (StartGenerator, CutAndSplicePairing, Mirror/Rattle/Permutation "
              f"mutations with probability {args.mutation_probability}, Population, "
              f"InteratomicDistanceComparator), {args.ase_optimizer}, EMT")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = os.path.abspath(args.workdir) if args.workdir else tmp
        os.makedirs(workdir, exist_ok=True)
        for system in args.systems:
            runs = []
            for seed in range(1, args.seeds + 1):
                for code, fn, skip in (("nanoscape", run_nanoscape, args.skip_nanoscape),
                                       ("ASE", run_ase, args.skip_ase)):
                    if skip:
                        continue
                    r = fn(system, seed, args, workdir)
                    r["seed"] = seed
                    best = min(e for e in r["energies"] if not math.isnan(e))
                    print(f"  {system} {code:<9} seed {seed}: best {best:.6f} eV, {r['spent_relaxations']} "
                          f"relaxations in {r['spent_wall']:.2f} s")
                    runs.append(r)
            results.append(report(system, runs, args))
            results[-1]["runs"] = [{k: v for k, v in r.items()} for r in runs]
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
