#!/usr/bin/env python3
"""Cross-check `nanoscape eval --potential emt` against ASE's EMT calculator (ASE 3.22).

Fresh random clusters (a new seed each run unless EMT_ORACLE_SEED is set) of Pt-Au, Cu-Ag and
Ni-Pd, 13-309 atoms: random homotops of ase.cluster icosahedra and the 38-atom truncated
octahedron, perturbed by up to 0.1 A per coordinate, and random compact clusters. nanoscape
evaluates the file; its extended XYZ output is read back with ase.io.read and compared with
ASE EMT (default asap_cutoff=False) evaluated on the positions as read back from the input file
(ASE writes positions with 8 decimals). Tolerances: 1e-6 eV for the energy and per-atom
energies, 1e-6 eV/A for every force component.
Usage: test_emt_ase.py NANOSCAPE_BINARY SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase import Atoms
from ase.calculators.emt import EMT, beta, parameters
from ase.cluster import Icosahedron, Octahedron
from ase.io import read, write
from ase.units import Bohr

SYSTEMS = [("Pt", "Au"), ("Cu", "Ag"), ("Ni", "Pd")]
TOLERANCE = 1e-6


def nn_distance(a, b):
    return beta * 0.5 * (parameters[a][1] + parameters[b][1]) * Bohr


def homotop(n, a, b, rng):
    lattice = nn_distance(a, b) * np.sqrt(2.0)
    atoms = (Octahedron(a, 4, 1, latticeconstant=lattice) if n == 38
             else Icosahedron(a, {13: 2, 55: 3, 147: 4, 309: 5}[n], latticeconstant=lattice))
    n_b = int(rng.integers(1, n))
    symbols = [a] * (n - n_b) + [b] * n_b
    rng.shuffle(symbols)
    atoms.set_chemical_symbols(symbols)
    atoms.positions += rng.uniform(-0.1, 0.1, atoms.positions.shape)
    return atoms


def random_compact(n, a, b, rng):
    d = nn_distance(a, b)
    radius = d * (3.0 * n / (4.0 * np.pi * np.sqrt(2.0))) ** (1.0 / 3.0) * 1.15
    pos, tries = [np.zeros(3)], 0
    while len(pos) < n:
        tries += 1
        if tries % 20000 == 0:
            radius *= 1.05
        p = rng.uniform(-radius, radius, 3)
        dist = np.linalg.norm(np.asarray(pos) - p, axis=1)
        if np.linalg.norm(p) <= radius and 0.85 * d <= dist.min() <= 1.3 * d:
            pos.append(p)
    return Atoms([a if rng.random() < 0.5 else b for _ in range(n)], positions=pos)


def main():
    binary = sys.argv[1]
    seed = int(os.environ.get("EMT_ORACLE_SEED", np.random.SeedSequence().entropy % 2**32))
    rng = np.random.default_rng(seed)
    print(f"seed {seed} (set EMT_ORACLE_SEED to repeat)")
    frames = []
    for a, b in SYSTEMS:
        for n in (13, 38, 55, 147, 309):
            frames.append(homotop(n, a, b, rng))
        for n in (13, 38):
            frames.append(random_compact(n, a, b, rng))
    passed = failed = 0
    worst = {"energy": 0.0, "forces": 0.0, "per-atom energies": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = os.path.join(tmp, "in.xyz"), os.path.join(tmp, "out.xyz")
        write(inp, frames, format="extxyz")
        subprocess.run([binary, "-q", "eval", "--potential", "emt", inp, "-o", out], check=True,
                       stdout=subprocess.DEVNULL)
        ours = read(out, index=":")
        if len(ours) != len(frames):
            print(f"FAIL: nanoscape wrote {len(ours)} frames, expected {len(frames)}")
            failed += 1
        for atoms, mine in zip(read(inp, index=":"), ours):
            atoms.calc = EMT()
            deviations = {
                "energy": abs(mine.get_potential_energy() - atoms.get_potential_energy()),
                "forces": np.abs(mine.get_forces() - atoms.get_forces()).max(),
                "per-atom energies": np.abs(mine.get_potential_energies() - atoms.get_potential_energies()).max(),
            }
            positions_equal = np.array_equal(mine.positions, atoms.positions)
            if not positions_equal:
                failed += 1
                print(f"FAIL {atoms.get_chemical_formula()}: positions changed in nanoscape's output")
            for what, dev in deviations.items():
                worst[what] = max(worst[what], dev)
                if dev <= TOLERANCE:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL {atoms.get_chemical_formula()} {what}: deviation {dev:.3e}")
            print(f"{atoms.get_chemical_formula():>10} N={len(atoms):<4} E = {atoms.get_potential_energy():.10f} "
                  f"(ASE) vs {mine.get_potential_energy():.10f} (nanoscape)")
    print("largest deviations: " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
    print(f"emt vs ASE: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
