#!/usr/bin/env python3
"""Writes the demo structures in structures/ (run with Debian's /usr/bin/python3, which has ASE).

agcu55_perturbed.xyz: a 55-atom Mackay icosahedron (ase.cluster.Icosahedron, nearest-neighbour
distance of Ag) whose 13 innermost atoms are Cu (Ag42Cu13 core-shell), every coordinate
displaced by a uniform random amount in [-0.15, 0.15] A (numpy seed 2026). The quickstart
relaxes it with the Ferrando Ag-Cu Gupta potential.

pt13_icosahedron.xyz: the 13-atom Mackay icosahedron of ASE (fcc lattice constant
2.775 * sqrt(2) A, i.e. the Cleri-Rosato Pt nearest-neighbour distance), unrelaxed: the README's
eval / relax example (relaxed with Cleri-Rosato Pt: -64.91633912 eV).
"""
import os

import numpy as np
from ase.cluster import Icosahedron
from ase.io import write

here = os.path.dirname(os.path.abspath(__file__))
atoms = Icosahedron("Ag", noshells=3, latticeconstant=4.09)
atoms.center(about=0.0)
order = np.argsort(np.linalg.norm(atoms.positions, axis=1), kind="stable")
symbols = np.array(atoms.get_chemical_symbols())
symbols[order[:13]] = "Cu"
atoms.set_chemical_symbols(list(symbols))
rng = np.random.default_rng(2026)
atoms.positions += rng.uniform(-0.15, 0.15, atoms.positions.shape)
atoms.info["source"] = "tools/make_demo_structures.py"
write(os.path.join(here, "..", "structures", "agcu55_perturbed.xyz"), atoms, format="extxyz")

pt13 = Icosahedron("Pt", noshells=2, latticeconstant=2.775 * 2 ** 0.5)
pt13.center(about=0.0)
pt13.info["source"] = "tools/make_demo_structures.py"
write(os.path.join(here, "..", "structures", "pt13_icosahedron.xyz"), pt13, format="extxyz")
