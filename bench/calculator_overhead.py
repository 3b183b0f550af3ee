#!/usr/bin/env python3
"""Cost per reference call through the ASE bridge, measured in one run.

The same frames (perturbed random homotops of a Pt-Au cluster, `nanoscape sample`) are
evaluated (energy and forces) by
  own     `nanoscape eval -p emt` (compiled EMT),
  ase     ASE 3.22's EMT called in Python (atoms.calc = EMT(); get_potential_energy, get_forces),
  bridge  `nanoscape eval -p ase.toml`: ASE's EMT served by tools/ase_calculator.py through the
          persistent external-calculator protocol (one Python process, frames over pipes),
  percall the same EMT behind a per-call program (a fresh Python process for every call).
Each is the best of --repeats timings; the bridge's overhead per call is bridge - ase, the price of
the protocol (writing, parsing and piping two extended XYZ frames) on top of the calculator's own
time. With DFT (seconds to hours per call) it is negligible; the table shows by how much.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

PERCALL = r'''
import sys
from ase.io import read, write
from ase.calculators.emt import EMT
a = read("input.xyz"); a.calc = EMT()
e = a.get_potential_energy(); f = a.get_forces()
with open("output.xyz", "w") as out:
    out.write(f"{len(a)}\nProperties=species:S:1:pos:R:3:forces:R:3 energy={e!r} pbc=\"F F F\"\n")
    for s, p, g in zip(a.get_chemical_symbols(), a.positions, f):
        out.write(" ".join([s] + [repr(float(x)) for x in p] + [repr(float(x)) for x in g]) + "\n")
'''


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nanoscape", default=os.path.join(os.path.dirname(__file__), "..", "build", "nanoscape"))
    p.add_argument("--frames", type=int, default=400)
    p.add_argument("--atoms", type=int, default=55, help="13, 55, 147 or 309 (icosahedron)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--percall-frames", type=int, default=40, help="frames for the per-call program (slow)")
    a = p.parse_args()
    binary = os.path.abspath(a.nanoscape)
    from ase.calculators.emt import EMT
    from ase.io import read
    shells = {13: 1, 55: 2, 147: 3, 309: 4}[a.atoms]
    n_au = a.atoms // 2
    with tempfile.TemporaryDirectory() as work:
        def run(*args):
            subprocess.run([binary, "-q", *args], cwd=work, check=True, stdout=subprocess.DEVNULL)
        run("sample", "-p", "emt", "-m", "icosahedron", "--shells", str(shells), "-c", f"Pt={a.atoms - n_au},Au={n_au}",
            "-n", str(a.frames), "--seed", "1", "-o", "frames.xyz")
        run("sample", "-p", "emt", "-m", "icosahedron", "--shells", str(shells), "-c", f"Pt={a.atoms - n_au},Au={n_au}",
            "-n", str(a.percall_frames), "--seed", "2", "-o", "few.xyz")
        with open(os.path.join(work, "ase.toml"), "w") as f:
            f.write('type = "ase"\ncalculator = "ase.calculators.emt.EMT"\n')
        with open(os.path.join(work, "percall.py"), "w") as f:
            f.write(PERCALL)
        with open(os.path.join(work, "percall.toml"), "w") as f:
            f.write(f'type = "external"\nmode = "per_call"\ncommand = "/usr/bin/python3 {work}/percall.py"\n')
        frames = read(os.path.join(work, "frames.xyz"), ":")

        def ase_direct():
            calc = EMT()
            for atoms in frames:
                atoms.calc = calc
                atoms.get_potential_energy()
                atoms.get_forces()

        own = best_of(a.repeats, lambda: run("eval", "-p", "emt", "frames.xyz"))
        ase = best_of(a.repeats, ase_direct)
        bridge = best_of(a.repeats, lambda: run("eval", "-p", "ase.toml", "frames.xyz"))
        percall = best_of(1, lambda: run("eval", "-p", "percall.toml", "few.xyz"))
    n = a.frames
    per = {"own": own / n, "ase": ase / n, "bridge": bridge / n, "percall": percall / a.percall_frames}
    print(f"Pt{a.atoms - n_au}Au{n_au}, {n} frames (per-call program: {a.percall_frames}), best of {a.repeats}; "
          "times per call include process start-up amortised over the frames")
    print(f"{'calculator':<44} {'ms/call':>10} {'vs ASE':>8}")
    rows = [("nanoscape emt (compiled)", "own"), ("ASE EMT in Python", "ase"),
            ("ASE EMT through the bridge (persistent)", "bridge"), ("ASE EMT, a fresh process per call", "percall")]
    for label, key in rows:
        print(f"{label:<44} {per[key] * 1e3:>10.3f} {per[key] / per['ase']:>7.2f}x")
    print(f"bridge overhead per call: {(per['bridge'] - per['ase']) * 1e3:.3f} ms "
          f"(protocol, parsing and the process start-up spread over {n} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
