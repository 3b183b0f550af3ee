#!/usr/bin/env python3
"""The ASE bridge (`[potential] type = "ase"`, tools/ase_calculator.py) against nanoscape's own EMT.

1. `nanoscape eval` of the EMT test frames (tests/data/emt_reference.xyz) through the bridge
   serving ase.calculators.emt.EMT equals `eval -p emt` to 1e-10 eV and 1e-10 eV/A.
2. Basin hopping on Pt6Au7 with the bridge (bond lengths from ASE's EMT parameters, as `emt`
   has them) and with `emt`, same seed: the same minima (energies to 1e-8 eV), the same counts.
3. reference_calls.xyz of the bridge run: one frame per reference evaluation, read by ase.io.read
   with energies and forces that ASE's EMT reproduces, and accepted by `nanoscape fit`.
Usage: test_ase_bridge.py NANOSCAPE_BINARY SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase.calculators.emt import EMT, beta, parameters
from ase.io import read
from ase.units import Bohr

TOLERANCE = 1e-10


def run(*args, cwd):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} -> {r.returncode}\n{r.stderr}")
    return r


def nn(a, b):
    return beta * 0.5 * (parameters[a][1] + parameters[b][1]) * Bohr


def main():
    binary, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        frames = os.path.join(source, "tests", "data", "emt_reference.xyz")
        with open(os.path.join(work, "ase_emt.toml"), "w") as f:
            f.write('type = "ase"\ncalculator = "ase.calculators.emt.EMT"\n')
        run(binary, "-q", "eval", "-p", "ase_emt.toml", frames, "-o", "bridge.xyz", cwd=work)
        run(binary, "-q", "eval", "-p", "emt", frames, "-o", "own.xyz", cwd=work)
        bridge = read(os.path.join(work, "bridge.xyz"), ":")
        own = read(os.path.join(work, "own.xyz"), ":")
        worst_e = max(abs(a.get_potential_energy() - b.get_potential_energy()) for a, b in zip(bridge, own))
        worst_f = max(np.abs(a.get_forces() - b.get_forces()).max() for a, b in zip(bridge, own))
        if len(bridge) != len(own) or worst_e > TOLERANCE or worst_f > TOLERANCE:
            print(f"FAIL: bridge vs emt on {len(own)} frames: energy {worst_e:.3e} eV, force {worst_f:.3e} eV/A")
            failures += 1
        else:
            print(f"ok: {len(own)} EMT frames, bridge = emt to {worst_e:.1e} eV, {worst_f:.1e} eV/A")

        pairs = "{ " + ", ".join(f'"{a}-{b}" = {nn(a, b)!r}' for a, b in [("Pt", "Pt"), ("Au", "Pt"), ("Au", "Au")]) + " }"
        body = """[system]
elements = ["Pt", "Au"]
composition = {{ Pt = 6, Au = 7 }}
seed = 5
start = "icosahedron"
[potential]
{potential}
[relax]
fmax = 1e-3
[search]
driver = "basin_hopping"
walkers = 2
max_steps = 24
moves = {{ displacement = 0.5, swap = 0.5 }}
"""
        with open(os.path.join(work, "ase_run.toml"), "w") as f:
            f.write(body.format(potential=f'type = "ase"\ncalculator = "ase.calculators.emt.EMT"\nworkers = 2\n'
                                           f'pair_distance = {pairs}'))
        with open(os.path.join(work, "emt_run.toml"), "w") as f:
            f.write(body.format(potential='type = "emt"'))
        run(binary, "-q", "run", "ase_run.toml", "-o", "ase_run", "-j", "2", cwd=work)
        run(binary, "-q", "run", "emt_run.toml", "-o", "emt_run", "-j", "1", cwd=work)
        minima = {k: [a.info["energy"] if "energy" in a.info else a.get_potential_energy()
                      for a in read(os.path.join(work, f"{k}_run", "minima.xyz"), ":")] for k in ("ase", "emt")}
        summary = {k: json.load(open(os.path.join(work, f"{k}_run", "summary.json"))) for k in ("ase", "emt")}
        same = (len(minima["ase"]) == len(minima["emt"]) and
                all(abs(a - b) < 1e-8 for a, b in zip(minima["ase"], minima["emt"])) and
                summary["ase"]["reference_evaluations"] == summary["emt"]["reference_evaluations"])
        if not same:
            print(f"FAIL: basin hopping through the bridge found {minima['ase']} "
                  f"({summary['ase']['reference_evaluations']} evaluations), with emt {minima['emt']} "
                  f"({summary['emt']['reference_evaluations']})")
            failures += 1
        else:
            print(f"ok: basin hopping, same {len(minima['emt'])} minima (best {minima['emt'][0]:.8f} eV) and "
                  f"{summary['emt']['reference_evaluations']} evaluations through the bridge and with emt")

        calls = read(os.path.join(work, "ase_run", "reference_calls.xyz"), ":")
        logged = summary["ase"].get("reference_calls_logged")
        worst = 0.0
        for atoms in calls[:: max(1, len(calls) // 25)]:
            e, f = atoms.get_potential_energy(), atoms.get_forces()
            atoms.calc = EMT()
            worst = max(worst, abs(atoms.get_potential_energy() - e), np.abs(atoms.get_forces() - f).max())
        if len(calls) != summary["ase"]["reference_evaluations"] or logged != len(calls) or worst > TOLERANCE:
            print(f"FAIL: reference_calls.xyz has {len(calls)} frames (logged {logged}, evaluations "
                  f"{summary['ase']['reference_evaluations']}), EMT differs by {worst:.2e}")
            failures += 1
        else:
            print(f"ok: reference_calls.xyz holds all {len(calls)} calls, EMT agrees to {worst:.1e}")
        with open(os.path.join(work, "model.toml"), "w") as f:
            f.write('[surrogate]\ntype = "ridge"\n')
        r = subprocess.run([binary, "-q", "fit", "model.toml", "--train", "ase_run/reference_calls.xyz", "-o", "m"],
                           cwd=work, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL: fit on reference_calls.xyz: {r.stderr}")
            failures += 1
        else:
            print("ok: nanoscape fit trains on reference_calls.xyz as it is")
    print(f"test_ase_bridge: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
