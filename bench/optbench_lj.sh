#!/bin/sh
# optbench.org's LJ38 / LJ75 global-optimisation protocol for every registered driver (see
# bench/optbench_lj.py --help). The full run (100 starts each) takes about two hours on 2 cores;
# `bench/optbench_lj.sh --starts 10 --systems 38` gives a first look in a few minutes.
exec /usr/bin/python3 "$(dirname "$0")/optbench_lj.py" "$@"
