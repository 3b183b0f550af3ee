#!/bin/sh
# Cluster GA (Pt7Au6, Pt19Au19, EMT), nanoscape's genetic_algorithm vs ASE 3.22's ase.ga (options: see bench/compare_ase_ga.py --help).
exec /usr/bin/python3 "$(dirname "$0")/compare_ase_ga.py" "$@"
