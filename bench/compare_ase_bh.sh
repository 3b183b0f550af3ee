#!/bin/sh
# LJ38 basin hopping, nanoscape vs ASE 3.22 (options: see bench/compare_ase_bh.py --help); about 17 min with the defaults.
exec /usr/bin/python3 "$(dirname "$0")/compare_ase_bh.py" "$@"
