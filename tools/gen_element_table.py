#!/usr/bin/env python3
"""Print the rows of src/core/elements.cpp (Z = 1..83, H..Bi) from ASE's tables.

Masses: IUPAC 2016 standard atomic weights, covalent radii: Cordero et al., Dalton Trans.
(2008) 2832, both as tabulated in ase.data (python3-ase 3.22). Run with Debian's python:
    /usr/bin/python3 tools/gen_element_table.py
and paste the output between the markers in src/core/elements.cpp.
"""
from ase.data import atomic_masses, chemical_symbols, covalent_radii

for z in range(1, 84):
    print(f'    {{"{chemical_symbols[z]}", {z}, {atomic_masses[z]!r}, {covalent_radii[z]!r}}},')
