#!/usr/bin/env python3
"""A small external calculator for the fault tests (tests/cli/test_external.sh).

It speaks nanoscape's calculator protocol (docs/potentials.md) and computes Lennard-Jones
energies and forces in reduced units (epsilon = sigma = 1, every pair, as nanoscape's `lj`),
so the runs it serves are real searches; on purpose it misbehaves at a chosen call:

  --fault crash|hang|garbage|nan|dead   what goes wrong (default: nothing)
  --at K                                at the K-th call over all processes (a counter file)
  --every M                             instead of --at: at every structure whose CRC-32 is 0
                                        modulo M (the same structures fail whichever process or
                                        MPI rank gets them, so a run with faults is reproducible)
  --counter FILE                        the shared call counter (default: calls.count in cwd)
  --dead-flag FILE                      with --fault dead: fail every call from K on while FILE
                                        exists (remove it to "repair" the calculator)
  --per-call                            read input.xyz, write output.xyz, exit (per-call mode)
  --slow S                              sleep S seconds per call (for interrupt tests)
  --tag T                               ignored (the test finds leftover processes by it)
Plain Python, no ASE: it is a fault injector, not an oracle.
"""

import argparse
import math
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import ase_calculator as bridge  # noqa: E402 (its ASE import happens only in its main())


def read_frame(stream):
    """The next frame as (symbol, [x, y, z]) pairs, or None at the end of the input."""
    text = bridge.read_frame(stream)  # the shipped bridge's frame reader: one protocol, one reader
    if text is None:
        return None
    return [(p[0], [float(x) for x in p[1:4]]) for p in (line.split() for line in text.splitlines()[2:])]


def lennard_jones(atoms):
    n = len(atoms)
    forces = [[0.0, 0.0, 0.0] for _ in range(n)]
    energy = 0.0
    for i in range(n):
        xi = atoms[i][1]
        for j in range(i + 1, n):
            d = [xi[k] - atoms[j][1][k] for k in range(3)]
            r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
            s6 = 1.0 / (r2 * r2 * r2)
            energy += 4.0 * (s6 * s6 - s6)
            g = (48.0 * s6 * s6 - 24.0 * s6) / r2  # -dE/dr / r
            for k in range(3):
                forces[i][k] += g * d[k]
                forces[j][k] -= g * d[k]
    return energy, forces


def answer(atoms, energy, forces):
    lines = [str(len(atoms)), f'Properties=species:S:1:pos:R:3:forces:R:3 energy={energy!r} pbc="F F F"']
    for (symbol, pos), f in zip(atoms, forces):
        lines.append(" ".join([symbol] + [repr(x) for x in pos] + [repr(x) for x in f]))
    return "\n".join(lines) + "\n"


def next_call(counter):
    count = 0
    if os.path.exists(counter):
        with open(counter) as f:
            count = int(f.read() or 0)
    count += 1
    with open(counter, "w") as f:
        f.write(str(count))
    return count


def serve(atoms, args, out):
    call = next_call(args.counter)
    if args.slow:
        time.sleep(args.slow)
    if args.every > 0:
        chosen = zlib.crc32(repr(atoms).encode()) % args.every == 0
    else:
        chosen = call == args.at or (args.fault == "dead" and call >= args.at)
    fault = args.fault if chosen else None
    if fault == "dead" and not os.path.exists(args.dead_flag):
        fault = None
    if fault in ("crash", "dead"):
        sys.stderr.write(f"fake_calculator: simulated crash at call {call}\n")
        sys.stderr.flush()
        os._exit(3)
    if fault == "hang":
        sys.stderr.write(f"fake_calculator: hanging at call {call}\n")
        sys.stderr.flush()
        time.sleep(3600)
    if fault == "garbage":
        out.write("SCF not converged, here is some noise\n")
        out.flush()
        return
    energy, forces = lennard_jones(atoms)
    if fault == "nan":
        energy = math.nan
    out.write(answer(atoms, energy, forces))
    out.flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fault", choices=["crash", "hang", "garbage", "nan", "dead"])
    p.add_argument("--at", type=int, default=0)
    p.add_argument("--every", type=int, default=0)
    p.add_argument("--counter", default="calls.count")
    p.add_argument("--dead-flag", default="dead.flag")
    p.add_argument("--per-call", action="store_true")
    p.add_argument("--slow", type=float, default=0.0)
    p.add_argument("--tag", default="", help="ignored; marks the process for the test's leftover check")
    args = p.parse_args()
    args.counter = os.path.abspath(args.counter)
    args.dead_flag = os.path.abspath(args.dead_flag)
    if args.per_call:
        with open("input.xyz") as f:
            atoms = read_frame(f)
        with open("output.xyz", "w") as out:
            serve(atoms, args, out)
        return 0
    while True:
        atoms = read_frame(sys.stdin)
        if atoms is None:
            return 0
        serve(atoms, args, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
