#!/bin/sh
# Reference calls saved by surrogate screening, plain vs screened (options: bench/screening_savings.py --help).
exec /usr/bin/python3 "$(dirname "$0")/screening_savings.py" "$@"
