#!/usr/bin/env python3
"""Cross-check nanoscape's `eam` potential and `export-eam` against LAMMPS (/usr/bin/lmp).

1. LAMMPS's own EAM tables: CuNi.eam.alloy (Cu-Ni, eam/alloy), Cu_mishin1.eam.alloy (Cu),
   Au_u3.eam + Pt_u3.eam (Au-Pt, pair_style eam with two funcfl files combined by LAMMPS).
   Clusters of 38, 147, 561 and 1415 atoms (the fcc sites nearest a lattice site, shaken by up
   to 0.15 A, species mixed at random) in a non-periodic box. LAMMPS writes the total energy
   (thermo), per-atom energies (compute pe/atom) and forces (dump custom, %20.15g);
   `nanoscape eval --potential <file>` evaluates the same positions (written with 17 digits to
   both). Tolerances: total energy 1e-6 eV and 1e-9 relative, per-atom energies and forces
   1e-6 eV, eV/A.
2. Gupta exported with `nanoscape export-eam` (eam/fs) and evaluated by LAMMPS `pair_style
   eam/fs` reproduces nanoscape's Gupta energy within the tabulation error (printed): a
   147-atom Ag-Cu cluster with the Ferrando set (SMATB tail; tolerance 1e-5 eV) and a 147-atom
   Pt-Pd cluster with gupta_ptpd_johnston.toml (no cutoff: the table is truncated where every
   term is below 1e-6 eV; tolerance 1e-3 eV). LAMMPS and nanoscape's `eam` must also agree on
   the exported tables as in part 1.
Usage: test_eam_lammps.py NANOSCAPE_BINARY SOURCE_DIR. Skipped (exit 0) if /usr/bin/lmp is missing.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase.io import read

LMP = "/usr/bin/lmp"
POTENTIALS = "/usr/share/lammps/potentials"


def fcc_cluster(n, a, symbols, rng, shake=0.15):
    """The n fcc sites nearest the origin (a site), shaken, species drawn from `symbols`."""
    k = int(np.ceil((n * 3.0 / (16 * np.pi)) ** (1 / 3) * 2)) + 2
    g = np.arange(-k, k + 1)
    sites = np.array([(i, j, l) for i in g for j in g for l in g if (i + j + l) % 2 == 0], float) * (a / 2)
    order = np.lexsort((sites[:, 2], sites[:, 1], sites[:, 0], np.round(np.einsum("ij,ij->i", sites, sites), 9)))
    pos = sites[order[:n]] + rng.uniform(-shake, shake, (n, 3))
    species = [symbols[i] for i in rng.integers(0, len(symbols), n)]
    return species, pos


def write_xyz(path, species, pos):
    with open(path, "w") as f:
        f.write(f"{len(species)}\nProperties=species:S:1:pos:R:3 pbc=\"F F F\"\n")
        for s, p in zip(species, pos):
            f.write(f"{s} {p[0]!r} {p[1]!r} {p[2]!r}\n")


def run_lammps(tmp, species, pos, type_order, pair_lines):
    """Energy, per-atom energies and forces from LAMMPS (atoms in input order)."""
    data, script = os.path.join(tmp, "data.lmp"), os.path.join(tmp, "in.lmp")
    lo, hi = pos.min() - 30.0, pos.max() + 30.0
    with open(data, "w") as f:
        f.write(f"cluster\n\n{len(species)} atoms\n{len(type_order)} atom types\n\n")
        for axis in "xyz":
            f.write(f"{lo!r} {hi!r} {axis}lo {axis}hi\n")
        f.write("\nAtoms # atomic\n\n")
        for i, (s, p) in enumerate(zip(species, pos), 1):
            f.write(f"{i} {type_order.index(s) + 1} {p[0]!r} {p[1]!r} {p[2]!r}\n")
    dump = os.path.join(tmp, "dump.txt")
    with open(script, "w") as f:
        f.write("units metal\natom_style atomic\natom_modify map array\nboundary f f f\n")
        f.write(f"read_data {data}\n")
        f.write("\n".join(pair_lines) + "\n")
        f.write("compute pe all pe/atom\n")
        f.write(f"dump d all custom 1 {dump} id type x y z fx fy fz c_pe\n")
        f.write("dump_modify d sort id format float %20.15g\n")
        f.write("thermo_style custom step pe\nthermo_modify format float %20.15g\nrun 0\n")
    out = subprocess.run([LMP, "-in", script, "-log", os.path.join(tmp, "log.lammps"), "-screen", "none"],
                         cwd=tmp, capture_output=True, text=True)
    log = open(os.path.join(tmp, "log.lammps")).read()
    if out.returncode != 0:
        raise RuntimeError(f"lmp failed:\n{out.stdout}\n{out.stderr}\n{log[-2000:]}")
    lines = log.splitlines()
    head = next(i for i, l in enumerate(lines) if l.split()[:2] == ["Step", "PotEng"])
    energy = float(lines[head + 1].split()[1])
    rows = []
    with open(dump) as f:
        body = f.read().splitlines()
    start = body.index("ITEM: ATOMS id type x y z fx fy fz c_pe") + 1
    for line in body[start:start + len(species)]:
        rows.append([float(x) for x in line.split()])
    rows = np.array(rows)
    return energy, rows[:, 8], rows[:, 5:8]


def run_nanoscape(binary, tmp, species, pos, spec):
    inp, outp = os.path.join(tmp, "in.xyz"), os.path.join(tmp, "out.xyz")
    write_xyz(inp, species, pos)
    subprocess.run([binary, "-q", "eval", "--potential", spec, inp, "-o", outp], check=True, stdout=subprocess.DEVNULL)
    atoms = read(outp)
    return atoms.get_potential_energy(), atoms.get_potential_energies(), atoms.get_forces()


class Tally:
    def __init__(self):
        self.passed = self.failed = 0
        self.worst = {}

    def check(self, label, what, ours, ref, tol, key):
        dev = float(np.max(np.abs(np.asarray(ours) - np.asarray(ref))))
        self.worst[(key, what)] = max(self.worst.get((key, what), 0.0), dev)
        if dev <= tol:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {label} {what}: deviation {dev:.3e} > {tol:.1e}")
        return dev


def compare(binary, tmp, tally, key, label, species, pos, type_order, pair_lines, spec):
    e_l, ea_l, f_l = run_lammps(tmp, species, pos, type_order, pair_lines)
    e_n, ea_n, f_n = run_nanoscape(binary, tmp, species, pos, spec)
    de = tally.check(label, "energy", e_n, e_l, 1e-6, key)
    if abs(e_n - e_l) > 1e-9 * abs(e_l):
        tally.failed += 1
        print(f"FAIL {label} energy: relative deviation {abs(e_n - e_l) / abs(e_l):.3e} > 1e-9")
    dea = tally.check(label, "per-atom energy", ea_n, ea_l, 1e-6, key)
    df = tally.check(label, "force", f_n, f_l, 1e-6, key)
    print(f"{label}: E = {e_l:.10f} (LAMMPS) {e_n:.10f} (nanoscape); |dE| {de:.2e} eV, "
          f"max |dE_i| {dea:.2e} eV, max |dF| {df:.2e} eV/A")


def main():
    if not os.path.exists(LMP):
        print("skipped: lmp not found")
        return 0
    binary, source = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(2024)
    tally = Tally()
    cases = [
        # key, symbols, lattice constant (A), LAMMPS pair lines, nanoscape SPEC, type order
        ("CuNi.eam.alloy", ["Cu", "Ni"], 3.57,
         ["pair_style eam/alloy", f"pair_coeff * * {POTENTIALS}/CuNi.eam.alloy Cu Ni"],
         f"{POTENTIALS}/CuNi.eam.alloy"),
        ("Cu_mishin1.eam.alloy", ["Cu"], 3.615,
         ["pair_style eam/alloy", f"pair_coeff * * {POTENTIALS}/Cu_mishin1.eam.alloy Cu"],
         f"{POTENTIALS}/Cu_mishin1.eam.alloy"),
        ("Au_u3.eam+Pt_u3.eam", ["Au", "Pt"], 4.00,
         ["pair_style eam", f"pair_coeff 1 1 {POTENTIALS}/Au_u3.eam", f"pair_coeff 2 2 {POTENTIALS}/Pt_u3.eam"],
         "Au_u3.eam,Pt_u3.eam"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for key, symbols, a, pair_lines, spec in cases:
            for n in (38, 147, 561, 1415):
                species, pos = fcc_cluster(n, a, symbols, rng)
                compare(binary, tmp, tally, key, f"{key} N={n}", species, pos, symbols, pair_lines, spec)

        # Squeezed clusters: densities beyond the tables' rhomax, where LAMMPS continues F
        # linearly; and a single funcfl file (LAMMPS re-grids it too, dropping the last knot).
        squeezed = [
            ("Cu_u3.eam", ["Cu"], 3.615, ["pair_style eam", f"pair_coeff 1 1 {POTENTIALS}/Cu_u3.eam"], "Cu_u3.eam"),
            cases[0][:1] + (cases[0][1], 3.57 * 0.72) + cases[0][3:],
            cases[2][:1] + (cases[2][1], 4.00 * 0.72) + cases[2][3:],
        ]
        for key, symbols, a, pair_lines, spec in squeezed:
            for n in (147,):
                species, pos = fcc_cluster(n, a, symbols, rng, shake=0.05)
                compare(binary, tmp, tally, key, f"{key} a={a:.3f} N={n}", species, pos, symbols, pair_lines, spec)

        # Part 2: exported Gupta sets.
        exports = [
            ("gupta_agcu_ferrando.toml", ["Ag", "Cu"], 3.85, 1e-5),
            ("gupta_ptpd_johnston.toml", ["Pd", "Pt"], 3.90, 1e-3),
        ]
        for toml, symbols, a, tol in exports:
            gupta = os.path.join(source, "inputs", "potentials", toml)
            table = os.path.join(tmp, toml.replace(".toml", ".eam.fs"))
            subprocess.run([binary, "-q", "export-eam", "--potential", gupta, "-o", table], check=True,
                           stdout=subprocess.DEVNULL)
            species, pos = fcc_cluster(147, a, symbols, rng, shake=0.1)
            pair_lines = ["pair_style eam/fs", f"pair_coeff * * {table} {' '.join(symbols)}"]
            key = f"export {toml}"
            # LAMMPS and nanoscape on the same exported table.
            compare(binary, tmp, tally, key, f"{key} (table) N=147", species, pos, symbols, pair_lines, table)
            # The table against the Gupta set it came from: the tabulation error.
            e_l, ea_l, f_l = run_lammps(tmp, species, pos, symbols, pair_lines)
            e_g, ea_g, f_g = run_nanoscape(binary, tmp, species, pos, gupta)
            de = tally.check(key, "Gupta vs LAMMPS table energy", e_l, e_g, tol, key)
            df = float(np.max(np.abs(f_l - f_g)))
            print(f"{key}: tabulation error on a 147-atom {'-'.join(symbols)} cluster: |dE| {de:.3e} eV "
                  f"({de / 147:.2e} eV/atom), max |dF| {df:.3e} eV/A (Gupta {e_g:.10f}, LAMMPS eam/fs {e_l:.10f})")

    print("largest deviations from LAMMPS:")
    for (key, what), dev in sorted(tally.worst.items()):
        print(f"  {key:40s} {what:30s} {dev:.3e}")
    print(f"eam vs LAMMPS: {tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
