#!/usr/bin/env python3
"""Cross-check `nanoscape eval --potential lj` against ASE's LennardJones calculator.

ASE (python3-ase) computes energy, forces and per-atom energies of random clusters; nanoscape
evaluates the same file; the extended XYZ nanoscape writes is read back with ase.io.read.
Numbers must agree to 1e-10 relative. ASE's LJ always has a cutoff rc and shifts the pair
energy by its value at rc; with rc = 1000 sigma that shift is ~4e-18 per pair, far below the
tolerance, so it matches nanoscape's default of no cutoff.
Usage: test_lj_ase.py NANOSCAPE_BINARY SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase import Atoms
from ase.calculators.lj import LennardJones
from ase.io import read, write


def close(a, b, rel=1e-10):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.all(np.abs(a - b) <= rel * np.maximum(1.0, np.abs(b)))


def main():
    binary = sys.argv[1]
    rng = np.random.default_rng(12)
    frames = []
    for n in (2, 7, 13, 38, 80):
        # Random compact cluster, no pair closer than 0.9 sigma.
        pos = []
        while len(pos) < n:
            p = rng.uniform(-1, 1, 3) * (0.7 * n ** (1 / 3))
            if all(np.linalg.norm(p - q) > 0.9 for q in pos):
                pos.append(p)
        frames.append(Atoms(["Ar"] * n, positions=pos))
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = os.path.join(tmp, "in.xyz"), os.path.join(tmp, "out.xyz")
        write(inp, frames, format="extxyz")
        subprocess.run([binary, "-q", "eval", "--potential", "lj", inp, "-o", out], check=True,
                       stdout=subprocess.DEVNULL)
        ours = read(out, index=":")
        # ASE writes positions with 8 decimals: evaluate ASE on the positions it wrote.
        for atoms, mine in zip(read(inp, index=":"), ours):
            atoms.calc = LennardJones(sigma=1.0, epsilon=1.0, rc=1000.0)
            e, f = atoms.get_potential_energy(), atoms.get_forces()
            ea = atoms.get_potential_energies()
            checks = {
                "energy": close(mine.get_potential_energy(), e),
                "forces": close(mine.get_forces(), f),
                "per-atom energies": close(mine.get_potential_energies(), ea),
                "positions": close(mine.positions, atoms.positions, 1e-15),
            }
            for what, ok in checks.items():
                if not ok:
                    failures += 1
                    print(f"FAIL LJ{len(atoms)} {what}")
            print(f"LJ{len(atoms)}: E = {e:.10f} (ASE) vs {mine.get_potential_energy():.10f} (nanoscape)")
    print(f"lj vs ASE: {len(frames) * 4 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
