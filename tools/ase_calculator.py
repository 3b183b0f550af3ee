#!/usr/bin/env python3
"""Serve an ASE calculator to nanoscape through the persistent external-calculator protocol.

nanoscape starts this script once per worker (`[potential] type = "ase"`) and sends it one
extended XYZ frame per calculation on stdin; the script answers each with one extended XYZ
frame on stdout: the same atoms, `energy=` (eV) and a `forces` column (eV/Angstrom), floats
written with repr() so they read back exactly. Logs and tracebacks go to stderr. A failing
calculation ends the script with status 1 and the traceback on stderr; nanoscape records the
failure and starts a fresh process for its next call.

Usage (what nanoscape runs; also handy by hand):
    python3 tools/ase_calculator.py --calculator ase.calculators.emt.EMT [--parameters '{"k": 1}']
The protocol is described in docs/potentials.md.
"""

import argparse
import importlib
import io
import json
import sys


def load_calculator(path, parameters):
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        sys.exit(f"ase_calculator.py: --calculator {path!r} is not module.Class")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        sys.exit(f"ase_calculator.py: cannot import {module_name}: {e}")
    cls = getattr(module, class_name, None)
    if cls is None:
        sys.exit(f"ase_calculator.py: {module_name} has no {class_name}")
    return cls(**parameters)


def read_frame(stream):
    """The next frame as text, or None at the end of the input."""
    first = stream.readline()
    while first and not first.strip():
        first = stream.readline()
    if not first:
        return None
    count = int(first)
    lines = [first]
    for _ in range(count + 1):
        line = stream.readline()
        if not line:
            raise EOFError("truncated frame on stdin")
        lines.append(line)
    return "".join(lines)


def answer(atoms):
    energy = atoms.get_potential_energy()
    forces = atoms.get_forces()
    out = [str(len(atoms)),
           f'Properties=species:S:1:pos:R:3:forces:R:3 energy={float(energy)!r} pbc="F F F"']
    for symbol, pos, f in zip(atoms.get_chemical_symbols(), atoms.positions, forces):
        out.append(" ".join([symbol] + [repr(float(x)) for x in pos] + [repr(float(x)) for x in f]))
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calculator", required=True, help="importable class, e.g. ase.calculators.emt.EMT")
    parser.add_argument("--parameters", default="{}", help="keyword arguments of the class, as JSON")
    args = parser.parse_args()
    import ase.io  # imported here so --help works without ASE

    calculator = load_calculator(args.calculator, json.loads(args.parameters))
    stdin = sys.stdin
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return 0
        atoms = ase.io.read(io.StringIO(frame), format="extxyz")
        atoms.calc = calculator
        sys.stdout.write(answer(atoms))
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
