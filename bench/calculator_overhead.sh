#!/bin/sh
# Cost per reference call of an external calculator: nanoscape's `emt`, ASE's EMT in Python, and ASE's EMT
# served to nanoscape through the bridge (type = "ase", tools/ase_calculator.py); see bench/calculator_overhead.py --help.
exec /usr/bin/python3 "$(dirname "$0")/calculator_overhead.py" "$@"
