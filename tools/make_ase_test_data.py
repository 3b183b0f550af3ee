#!/usr/bin/python3
"""Writes tests/data/ase_written.xyz with ASE's own extended-XYZ writer.

The unit test Xyz_ReadAseWrittenFile_* reads that file and compares it with the numbers
below, so the test data and the expected values come from one place. Every number has at
most 8 decimals because ASE 3.22 writes per-atom columns with '%16.8f'; the energies on the
comment line are written with Python's repr and keep all their digits.

Run with Debian's python (python3-ase): /usr/bin/python3 tools/make_ase_test_data.py
"""
import os
import sys

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
import ase.io

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'tests', 'data', 'ase_written.xyz')


def frames():
    # Frame 1: a Pt3Au cluster with energy, forces, per-atom energies and a string info key.
    a = Atoms('Pt3Au', positions=[[0.0, 0.0, 0.0],
                                  [2.77, 0.0, 0.0],
                                  [1.385, 2.39889, 0.0],
                                  [1.385, 0.79963, 2.26168]])
    a.info['label'] = 'Pt3Au test cluster'
    a.info['step'] = 7
    a.calc = SinglePointCalculator(
        a, energy=-21.123456789012345,
        forces=np.array([[0.1, -0.2, 0.3],
                         [-0.125, 0.0, 1e-05],
                         [0.5, 0.25, -0.75],
                         [-0.475, -0.05, 0.44999]]),
        energies=np.array([-5.25, -5.5, -5.125, -5.24845679]))

    # Frame 2: Cu2 in a periodic box, so ASE writes Lattice and pbc="T T T".
    b = Atoms('Cu2', positions=[[0.5, 0.5, 0.5], [1.78, 1.78, 0.5]],
              cell=[10.0, 11.0, 12.5], pbc=True)
    b.calc = SinglePointCalculator(b, energy=-7.0,
                                   forces=np.array([[0.01, 0.02, 0.0],
                                                    [-0.01, -0.02, 0.0]]),
                                   energies=np.array([-3.5, -3.5]))

    # Frame 3: one gold atom, no calculator: plain species + positions.
    c = Atoms('Au', positions=[[-1.5, 2.25, -3.125]])
    return [a, b, c]


def main():
    ase.io.write(OUT, frames(), format='extxyz')
    print('wrote', os.path.normpath(OUT))
    return 0


if __name__ == '__main__':
    sys.exit(main())
