#!/usr/bin/env python3
"""`nanoscape export-table` against LAMMPS (/usr/bin/lmp, pair_style table).

A `mapped` model is fitted to EMT-labelled Pt-Au 38 structures (`nanoscape sample` + `fit`), its
pair functions exported as a LAMMPS table, and Pt-Au clusters of 38 and 147 atoms (fcc sites,
shaken, species at random) evaluated by LAMMPS (`pair_style table spline`) and by
`nanoscape eval --potential MODEL`. LAMMPS' pair energy plus sum_Z n_Z e_Z (the table header)
must equal the model's energy within 1e-6 eV and its forces within 1e-5 eV/A: what remains is
the spline through the exported points.
Usage: test_mapped_lammps.py NANOSCAPE_BINARY SOURCE_DIR. Skipped (exit 0) if /usr/bin/lmp is missing.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_eam_lammps import LMP, fcc_cluster, run_lammps, run_nanoscape  # noqa: E402


def main():
    if not os.path.exists(LMP):
        print("skipped: lmp not found")
        return 0
    binary = sys.argv[1]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        def run(*args):
            subprocess.run([binary, "-q", *args], cwd=tmp, check=True, stdout=subprocess.DEVNULL)

        run("sample", "-p", "emt", "-m", "truncated_octahedron", "--size", "38", "-c", "Pt=19,Au=19", "-n", "60",
            "--seed", "1", "-o", "train.xyz")
        with open(os.path.join(tmp, "m.toml"), "w") as f:
            f.write('[surrogate]\ntype = "mapped"\n')
        run("fit", "m.toml", "--train", "train.xyz", "-o", "m.model")
        table = os.path.join(tmp, "m.table")
        run("export-table", "--model", "m.model", "-o", table, "--points", "20000")
        header = open(table).read().splitlines()[:4]
        line = next(l for l in header if l.startswith("# element energies"))
        fields = line.split(":", 1)[1].split()
        e_z = {fields[i]: float(fields[i + 1]) for i in range(0, len(fields), 2)}
        order = ["Pt", "Au"]  # Z order, the table's type order
        pair_lines = ["pair_style table spline 20000",
                      f"pair_coeff 1 1 {table} Pt_Pt 5.0", f"pair_coeff 1 2 {table} Pt_Au 5.0",
                      f"pair_coeff 2 2 {table} Au_Au 5.0", "mass 1 195.084", "mass 2 196.96657"]
        rng = np.random.default_rng(16)
        for n in (38, 147):
            species, pos = fcc_cluster(n, 3.98, order, rng, shake=0.1)
            e_l, _, f_l = run_lammps(tmp, species, pos, order, pair_lines)
            e_l += sum(e_z[s] for s in species)
            e_n, _, f_n = run_nanoscape(binary, tmp, species, pos, os.path.join(tmp, "m.model"))
            de, df = abs(e_n - e_l), float(np.max(np.abs(f_n - f_l)))
            ok = de <= 1e-6 and df <= 1e-5
            failed += not ok
            print(f"{'ok' if ok else 'FAIL'} {n} atoms: E = {e_l:.10f} (LAMMPS + e_Z) {e_n:.10f} (nanoscape); "
                  f"|dE| {de:.2e} eV, max |dF| {df:.2e} eV/A")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
