#!/usr/bin/python3
"""Runs the console examples of README.md and docs/*.md and checks that they print what the
documentation says, so the examples cannot drift from the program.

    tools/check_examples.py [--root DIR] [FILE.md ...]

An example is a ```console block: lines starting with "$ " are commands (a trailing backslash
continues one), the lines after a command are what it prints (standard output and standard
error together). Every printed line shown must appear in the real output; "..." lines mark
output left out, and a line ending in "..." matches any line that starts with the rest. Wall
times, rates and dates are masked. A block preceded by `<!-- example: skip -->` is not run; one
preceded by `<!-- example-setup: COMMAND -->` runs COMMAND first (quietly). All commands of a
file run in one scratch directory in which build/, inputs/, structures/ and tools/ of the source
tree are visible, so files one example writes are there for the next.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Figures that change from run to run: wall times, throughputs, dates and clock times.
VOLATILE = [
    (re.compile(r"\d+(\.\d+)?\s*(relax|trials|evaluations)/s"), "<rate>"),
    (re.compile(r"[\d.]+e[+-]?\d+\s*(relax|trials)/s"), "<rate>"),
    (re.compile(r"\(\d+(\.\d+)? s\)"), "(<time>)"),
    (re.compile(r"wall time\s+\d+(\.\d+)? s"), "wall time <time>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?"), "<date>"),
    (re.compile(r"~?\d+(\.\d+)? s on 2 cores"), "<time> on 2 cores"),
    (re.compile(r"\d+(\.\d+)? us/(atom|structure)"), "<cost>"),
]


def normalise(line):
    line = line.rstrip()
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return re.sub(r"\s+", " ", line).strip()


def examples(path):
    """(line number, setup commands, [(command, expected lines)]) for each runnable block."""
    lines = open(path).read().splitlines()
    out = []
    i = 0
    marker = None
    setup = []
    while i < len(lines):
        line = lines[i]
        m = re.match(r"<!-- example(-setup)?: (.*) -->", line.strip())
        if m:
            if m.group(1):
                setup.append(m.group(2))
            else:
                marker = m.group(2)
            i += 1
            continue
        if line.strip() == "```console":
            start = i + 1
            block = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                block.append(lines[i])
                i += 1
            if marker != "skip":
                commands = []
                k = 0
                while k < len(block):
                    if block[k].startswith("$ "):
                        cmd = block[k][2:]
                        while cmd.endswith("\\") and k + 1 < len(block):
                            k += 1
                            cmd = cmd[:-1] + " " + block[k].strip()
                        commands.append((cmd, []))
                    elif commands:
                        commands[-1][1].append(block[k])
                    k += 1
                out.append((start, setup, commands))
            marker = None
            setup = []
        elif line.strip():
            # A marker belongs to the block right after it (blank lines between are fine).
            marker = None
            setup = []
        i += 1
    return out


def check_file(path, root, work):
    failures = 0
    for start, setup, commands in examples(path):
        for cmd in setup:
            subprocess.run(cmd, shell=True, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for cmd, expected in commands:
            run = subprocess.run(cmd, shell=True, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, errors="replace")
            actual = [normalise(l) for l in run.stdout.splitlines()]
            missing = []
            for want in expected:
                w = normalise(want)
                if not w or w == "...":
                    continue
                if w.endswith("..."):
                    prefix = w[:-3].rstrip()
                    if not any(a.startswith(prefix) for a in actual):
                        missing.append(want)
                elif w not in actual:
                    missing.append(want)
            if missing:
                failures += 1
                print(f"{path}:{start}: `{cmd}` does not print what the documentation shows:", file=sys.stderr)
                for m in missing:
                    print(f"    documented: {m}", file=sys.stderr)
                print("    it printed:", file=sys.stderr)
                for a in run.stdout.splitlines()[:40]:
                    print(f"      {a}", file=sys.stderr)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--build", help="the build directory that holds nanoscape (default: ROOT/build)")
    args = parser.parse_args()
    root = os.path.abspath(args.root)  # the scratch directory links to it: a relative root would loop
    build = os.path.abspath(args.build) if args.build else os.path.join(root, "build")
    files = args.files or [os.path.join(root, "README.md")] + sorted(
        os.path.join(root, "docs", f) for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
    failures = 0
    checked = 0
    for path in files:
        work = tempfile.mkdtemp(prefix="nanoscape_examples_")
        try:
            os.symlink(build, os.path.join(work, "build"))
            for name in ("inputs", "structures", "tools", "tests"):
                os.symlink(os.path.join(root, name), os.path.join(work, name))
            n = len(examples(path))
            if n:
                failures += check_file(path, root, work)
                checked += n
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"check_examples: {checked} example blocks, {failures} commands differ from their documentation")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
