#!/usr/bin/python3
"""Cross-check of nanoscape's extended XYZ against ASE (ase.io.extxyz).

Usage: /usr/bin/python3 tests/oracle/test_xyz_ase.py NANOSCAPE_BINARY SOURCE_DIR

Runs `NANOSCAPE_BINARY convert IN.xyz -o OUT.xyz` (read every frame, write it back) on
  1. random clusters written by ase.io.write (energy, forces, per-atom energies, info keys,
     one periodic frame): ASE must read OUT back as it read IN (1e-10 relative, in practice
     exact), info keys, cell and pbc included;
  2. a file with full 17-digit doubles: ASE must read OUT back bit for bit, which checks
     that nanoscape writes the shortest representation that round-trips.
Exit code 0 if everything matches, 1 with the first mismatches listed otherwise.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import ase.io
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

SEED = 20240611
SPECIES = ['Pt', 'Au', 'Cu']


def random_frames(rng):
    frames = []
    for index, natoms in enumerate([1, 2, 13, 40, 7, 25]):
        symbols = [SPECIES[i] for i in rng.integers(0, len(SPECIES), natoms)]
        positions = rng.uniform(-8.0, 8.0, (natoms, 3))
        atoms = Atoms(symbols, positions=positions)
        atoms.info['label'] = 'frame {} of the oracle'.format(index + 1)
        atoms.info['step'] = int(rng.integers(0, 10000))
        atoms.info['temperature'] = float(rng.uniform(100.0, 1000.0))
        atoms.info['relaxed'] = bool(index % 2)
        if index == 4:
            # A periodic frame: Lattice and pbc must survive as comment-line text.
            atoms.cell = [12.5, 13.0, 14.25]
            atoms.pbc = [True, True, False]
        energies = rng.normal(-4.0, 0.5, natoms)
        atoms.calc = SinglePointCalculator(
            atoms, energy=float(energies.sum()) + rng.normal(0.0, 1e-3),
            forces=rng.normal(0.0, 0.7, (natoms, 3)), energies=energies)
        frames.append(atoms)
    return frames


def full_precision_text(rng):
    """Two frames whose numbers use all 17 significant digits, and what they are."""
    lines = []
    expected = []
    for natoms in (5, 3):
        symbols = [SPECIES[i] for i in rng.integers(0, len(SPECIES), natoms)]
        scale = 10.0 ** rng.integers(-6, 4, (natoms, 7))
        values = rng.uniform(-1.0, 1.0, (natoms, 7)) * scale
        values[0, 0] = -0.0
        values[-1, -1] = 5e-324
        energy = float(rng.uniform(-100.0, 0.0))
        lines.append(str(natoms))
        lines.append('Properties=species:S:1:pos:R:3:forces:R:3:energies:R:1 energy={!r} pbc="F F F"'
                     .format(energy))
        for s, row in zip(symbols, values):
            lines.append(' '.join([s] + [repr(float(v)) for v in row]))
        expected.append((symbols, values, energy))
    return '\n'.join(lines) + '\n', expected


class Checker:
    def __init__(self):
        self.failures = []
        self.checked = 0

    def close(self, what, a, b):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        self.checked += a.size
        if a.shape != b.shape:
            self.failures.append('{}: shape {} vs {}'.format(what, a.shape, b.shape))
            return
        bad = np.abs(a - b) > 1e-10 * np.maximum(1.0, np.abs(a))
        if bad.any():
            i = np.argwhere(bad)[0]
            self.failures.append('{}: {} values differ, first at {}: {!r} vs {!r}'.format(
                what, int(bad.sum()), tuple(i), a[tuple(i)], b[tuple(i)]))

    def exact(self, what, a, b):
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        self.checked += a.size
        if a.shape != b.shape:
            self.failures.append('{}: shape {} vs {}'.format(what, a.shape, b.shape))
            return
        # Compare bits, so -0.0 and 0.0 differ.
        bad = a.view(np.int64) != b.view(np.int64)
        if bad.any():
            i = np.argwhere(bad)[0]
            self.failures.append('{}: {} values not bit-identical, first at {}: {!r} vs {!r}'.format(
                what, int(bad.sum()), tuple(i), a[tuple(i)], b[tuple(i)]))

    def equal(self, what, a, b):
        self.checked += 1
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            same = np.array_equal(np.asarray(a), np.asarray(b))
        else:
            same = a == b and type(a) == type(b)
        if not same:
            self.failures.append('{}: {!r} vs {!r}'.format(what, a, b))


def convert(binary, source, target):
    command = [binary, 'convert', source, '-o', target]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print('FAIL: {} exited with {}\n{}{}'.format(' '.join(command), result.returncode,
                                                    result.stdout, result.stderr))
        sys.exit(1)


def results(atoms, key):
    return atoms.calc.results.get(key) if atoms.calc is not None else None


def check_ase_frames(binary, workdir, check):
    rng = np.random.default_rng(SEED)
    source = os.path.join(workdir, 'ase_in.xyz')
    target = os.path.join(workdir, 'nanoscape_out.xyz')
    ase.io.write(source, random_frames(rng), format='extxyz')
    convert(binary, source, target)
    # ASE writes per-atom columns with 8 decimals, so the reference is what ASE reads from its
    # own file, not the Atoms in memory.
    expected = ase.io.read(source, index=':', format='extxyz')
    got = ase.io.read(target, index=':', format='extxyz')
    check.equal('number of frames', len(expected), len(got))
    for n, (e, g) in enumerate(zip(expected, got), start=1):
        where = 'ASE frame {}'.format(n)
        check.equal(where + ' species', e.get_chemical_symbols(), g.get_chemical_symbols())
        check.close(where + ' positions', e.positions, g.positions)
        for key in ('energy', 'forces', 'energies'):
            a, b = results(e, key), results(g, key)
            if a is None or b is None:
                check.equal('{} {} present'.format(where, key), a is None, b is None)
            else:
                check.close('{} {}'.format(where, key), a, b)
        check.equal(where + ' info keys', sorted(e.info), sorted(g.info))
        for key in e.info:
            if key == 'energy':
                continue  # compared above, to tolerance
            check.equal('{} info {}'.format(where, key), e.info[key], g.info.get(key))
        check.equal(where + ' pbc', e.pbc, g.pbc)
        check.close(where + ' cell', e.cell.array, g.cell.array)
    print('checked {} ASE-written frames (1-40 atoms, Pt/Au/Cu): species, positions, energy, '
          'forces, per-atom energies, info keys, cell and pbc'.format(len(expected)))


def check_full_precision(binary, workdir, check):
    rng = np.random.default_rng(SEED + 1)
    text, expected = full_precision_text(rng)
    source = os.path.join(workdir, 'full_in.xyz')
    target = os.path.join(workdir, 'full_out.xyz')
    with open(source, 'w') as f:
        f.write(text)
    convert(binary, source, target)
    got = ase.io.read(target, index=':', format='extxyz')
    check.equal('number of full-precision frames', len(expected), len(got))
    for n, ((symbols, values, energy), g) in enumerate(zip(expected, got), start=1):
        where = 'full-precision frame {}'.format(n)
        check.equal(where + ' species', symbols, g.get_chemical_symbols())
        check.exact(where + ' positions', values[:, 0:3], g.positions)
        check.exact(where + ' forces', values[:, 3:6], results(g, 'forces'))
        check.exact(where + ' energies', values[:, 6], results(g, 'energies'))
        check.exact(where + ' energy', energy, results(g, 'energy'))
    print('checked {} frames of 17-digit doubles read back by ASE bit for bit'.format(len(expected)))


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 1
    binary = os.path.abspath(argv[1])
    check = Checker()
    with tempfile.TemporaryDirectory(prefix='nanoscape_xyz_oracle_') as workdir:
        check_ase_frames(binary, workdir, check)
        check_full_precision(binary, workdir, check)
    if check.failures:
        print('FAIL: {} mismatches between nanoscape and ASE:'.format(len(check.failures)))
        for failure in check.failures[:20]:
            print('  ' + failure)
        return 1
    print('PASS: {} values checked against ASE {}'.format(check.checked, ase.__version__))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
