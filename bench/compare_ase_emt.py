#!/usr/bin/python3
"""Time nanoscape's EMT against ASE's EMT (ASE 3.22) on the same 147- and 561-atom clusters.

    cmake --build build --target bench_emt
    /usr/bin/python3 bench/compare_ase_emt.py [build/bench/bench_emt]     # about 30 s

The clusters are random Pt-Au homotops of Mackay icosahedra (147 and 561 atoms) at the mean
EMT nearest-neighbour distance, each coordinate moved by up to 0.1 A. Both codes do one
energy+forces evaluation per step on the same positions:
  nanoscape  bench/bench_emt (Google Benchmark, single thread) on the same structures, read from
             an extended XYZ file written here;
  ASE        EMT() attached to the Atoms; each timed step moves the atoms by 1e-6 A (as a
             relaxation step would, well inside the neighbour-list skin so the list is not
             rebuilt) and calls get_forces(), which computes energy and forces together.
It prints the time per evaluation of both and the ratio ASE / nanoscape. Must run with
Debian's /usr/bin/python3 (python3-ase is installed for it only).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from ase.calculators.emt import EMT, beta, parameters
from ase.cluster import Icosahedron
from ase.io import write
from ase.units import Bohr


def clusters():
    rng = np.random.default_rng(2026)
    lattice = beta * 0.5 * (parameters["Pt"][1] + parameters["Au"][1]) * Bohr * np.sqrt(2.0)
    out = []
    for shells in (4, 6):  # 147 and 561 atoms
        atoms = Icosahedron("Pt", shells, latticeconstant=lattice)
        atoms.set_chemical_symbols(["Pt" if rng.random() < 0.5 else "Au" for _ in atoms])
        atoms.positions += rng.uniform(-0.1, 0.1, atoms.positions.shape)
        out.append(atoms)
    return out


def time_ase(atoms, min_seconds=3.0, min_steps=5):
    atoms = atoms.copy()
    atoms.calc = EMT()
    atoms.get_forces()  # set-up (parameters, neighbour list) not timed
    steps, start = 0, time.perf_counter()
    while steps < min_steps or time.perf_counter() - start < min_seconds:
        atoms.positions[0, 0] += 1e-6 if steps % 2 == 0 else -1e-6
        atoms.get_forces()
        steps += 1
    return (time.perf_counter() - start) / steps


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build", "bench", "bench_emt")
    frames = clusters()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "clusters.xyz")
        write(path, frames, format="extxyz")
        result = subprocess.run([binary, "--structures", path, "--benchmark_min_time=0.5"], check=True,
                                capture_output=True, text=True)
    ours = {int(n): float(t) for n, t in re.findall(r"emt_seconds_per_evaluation N=(\d+) (\S+)", result.stdout)}
    print(f"{'atoms':>6} {'nanoscape (ms)':>15} {'ASE (ms)':>10} {'ASE / nanoscape':>16}")
    for atoms in frames:
        n = len(atoms)
        t_ase = time_ase(atoms)
        t_ns = ours[n]
        print(f"{n:>6} {t_ns * 1e3:>15.3f} {t_ase * 1e3:>10.1f} {t_ase / t_ns:>16.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
