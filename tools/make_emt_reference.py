#!/usr/bin/python3
"""Writes tests/data/emt_reference.xyz: ASE EMT energies, forces and per-atom energies.

Run with Debian's python (python3-ase is installed for it only):

    /usr/bin/python3 tools/make_emt_reference.py            # from the repository root

Frames (systems Pt-Au, Cu-Ag, Ni-Pd; random compositions and random homotops):
  perturbed  Mackay icosahedra (13, 55, 147, 309 atoms) and the 38-atom truncated octahedron
             from ase.cluster, at the mean EMT lattice constant of the two metals, every
             coordinate moved by a uniform random amount in [-0.1, 0.1] A;
  relaxed    the same, relaxed with ASE BFGS to fmax 0.05 eV/A;
  random     compact random clusters of 13, 38 and 55 atoms (no pair closer than 0.85 d_nn);
  separated  a perturbed 13-atom icosahedron plus one atom 15 A away (free-atom branch);
  asap       a perturbed 38-atom octahedron and a random 13-atom cluster, computed with
             EMT(asap_cutoff=True) (info key asap_cutoff=T; all other frames F).
Positions are written with 6 decimals and read back before ASE evaluates them, so nanoscape
sees exactly the positions ASE used. Energies are written with 17 significant digits, forces
and per-atom energies with 10 decimals (rounding 5e-11, far below the 1e-6 test tolerance).
"""
import os
import sys

import numpy as np
from ase import Atoms
from ase.calculators.emt import EMT, beta, parameters
from ase.cluster import Icosahedron, Octahedron
from ase.optimize import BFGS
from ase.units import Bohr

SYSTEMS = [("Pt", "Au"), ("Cu", "Ag"), ("Ni", "Pd")]
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "emt_reference.xyz")


def nn_distance(a, b):
    """fcc nearest-neighbour distance beta * s0 (Angstrom), mean of the two metals."""
    return beta * 0.5 * (parameters[a][1] + parameters[b][1]) * Bohr


def template(n, a, b):
    lattice = nn_distance(a, b) * np.sqrt(2.0)
    if n == 38:
        return Octahedron(a, 4, 1, latticeconstant=lattice)
    shells = {13: 2, 55: 3, 147: 4, 309: 5}[n]
    return Icosahedron(a, shells, latticeconstant=lattice)


def random_homotop(atoms, a, b, rng):
    """Random composition (20-80 % of b) on random sites."""
    n = len(atoms)
    n_b = int(rng.integers(max(1, n // 5), n - max(1, n // 5) + 1))
    symbols = [a] * (n - n_b) + [b] * n_b
    rng.shuffle(symbols)
    atoms.set_chemical_symbols(symbols)
    return atoms


def random_compact(n, a, b, rng):
    d = nn_distance(a, b)
    radius = d * (3.0 * n / (4.0 * np.pi * np.sqrt(2.0))) ** (1.0 / 3.0) * 1.15
    pos = [np.zeros(3)]
    tries = 0
    while len(pos) < n:
        p = rng.uniform(-radius, radius, 3)
        tries += 1
        if tries % 20000 == 0:
            radius *= 1.05  # too dense to place the rest: widen the sphere
        if np.linalg.norm(p) > radius:
            continue
        dist = np.linalg.norm(np.asarray(pos) - p, axis=1)
        if dist.min() >= 0.85 * d and dist.min() <= 1.3 * d:
            pos.append(p)
    symbols = [a if rng.random() < 0.5 else b for _ in range(n)]
    return Atoms(symbols, positions=pos)


def as_written(atoms):
    """Positions rounded through the text written to the file, so both codes see the same doubles."""
    out = atoms.copy()
    out.positions = np.array([[float(f"{x:.6f}") for x in row] for row in atoms.positions])
    return out


def frame_text(atoms, info):
    calc = EMT(asap_cutoff=info["asap_cutoff"] == "T")
    atoms = atoms.copy()
    atoms.calc = calc
    e = atoms.get_potential_energy()
    f = atoms.get_forces()
    ea = atoms.get_potential_energies()
    assert abs(ea.sum() - e) < 1e-9
    keys = " ".join(f"{k}={v}" for k, v in info.items())
    lines = [str(len(atoms)),
             f'Properties=species:S:1:pos:R:3:forces:R:3:energies:R:1 energy={e!r} {keys} pbc="F F F"']
    for s, p, fi, ei in zip(atoms.get_chemical_symbols(), atoms.positions, f, ea):
        lines.append(f"{s:<2} {p[0]:.6f} {p[1]:.6f} {p[2]:.6f} {fi[0]:.10f} {fi[1]:.10f} {fi[2]:.10f} {ei:.10f}")
    return "\n".join(lines) + "\n", e, np.abs(f).max()


def main():
    rng = np.random.default_rng(20261125)
    frames = []  # (atoms, info)
    for a, b in SYSTEMS:
        system = a + b
        for n in (13, 38, 55, 147, 309):
            atoms = random_homotop(template(n, a, b), a, b, rng)
            atoms.positions += rng.uniform(-0.1, 0.1, atoms.positions.shape)
            atoms = as_written(atoms)
            frames.append((atoms, {"system": system, "kind": "perturbed", "asap_cutoff": "F"}))
            relaxed = atoms.copy()
            relaxed.calc = EMT()
            BFGS(relaxed, logfile=None).run(fmax=0.05, steps=1000)
            frames.append((as_written(relaxed), {"system": system, "kind": "relaxed", "asap_cutoff": "F"}))
            if n == 38:
                frames.append((atoms, {"system": system, "kind": "perturbed", "asap_cutoff": "T"}))
        for n in (13, 38, 55):
            atoms = as_written(random_compact(n, a, b, rng))
            frames.append((atoms, {"system": system, "kind": "random", "asap_cutoff": "F"}))
            if n == 13:
                frames.append((atoms, {"system": system, "kind": "random", "asap_cutoff": "T"}))
        atoms = random_homotop(template(13, a, b), a, b, rng)
        atoms.positions += rng.uniform(-0.1, 0.1, atoms.positions.shape)
        atoms += Atoms(b, positions=[atoms.positions.mean(axis=0) + [15.0, 0.0, 0.0]])
        frames.append((as_written(atoms), {"system": system, "kind": "separated", "asap_cutoff": "F"}))

    with open(OUTPUT, "w") as out:
        for atoms, info in frames:
            text, e, fmax = frame_text(atoms, info)
            out.write(text)
            print(f"{info['system']:<5} {info['kind']:<10} asap={info['asap_cutoff']} N={len(atoms):<4} "
                  f"E = {e:12.6f} eV  max|F_i| = {fmax:.4f} eV/A")
    print(f"wrote {len(frames)} frames to {os.path.normpath(OUTPUT)} ({os.path.getsize(OUTPUT) // 1024} KB)")

    # The file must read back (with ASE) to exactly the positions ASE evaluated.
    from ase.io import read
    for (atoms, _), back in zip(frames, read(OUTPUT, index=":")):
        assert np.array_equal(atoms.positions, back.positions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
