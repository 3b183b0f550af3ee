#!/usr/bin/env bash
# Learning curves of the training-set selection methods (review section IV.B, Fig. 4) on the
# Pt-Au 38 EMT benchmark of docs/surrogates.md: samples a pool and a test set, runs
# `nanoscape fit --learning-curve` for each model with every selection method, and plots
# docs/figures/learning_curves.png.
# Usage: tools/learning_curves.sh [WORK_DIR]   (default: build/learning_curves; ~10 min on 2 cores)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/nanoscape
work=${1:-$root/build/learning_curves}
mkdir -p "$work"
cd "$work"

common=(-p emt -m truncated_octahedron --size 38 -c Pt=19,Au=19 --perturbation 0.15)
[[ -s pool.xyz ]] || "$bin" -q sample "${common[@]}" -n 1200 --seed 101 -o pool.xyz
[[ -s test.xyz ]] || "$bin" -q sample "${common[@]}" -n 300 --seed 202 -o test.xyz

methods=random,fps,cur,descriptor_space,max_variance
printf '[surrogate]\ntype = "gpr"\nselection = { method = "random", batch = 25 }\n' >gpr.toml
printf '[surrogate]\ntype = "ridge"\nselection = { method = "random", batch = 25 }\n' >ridge.toml
for model in gpr ridge; do
  "$bin" fit "$model.toml" --train pool.xyz --test test.xyz --learning-curve 25,50,100,200,300 \
    --methods "$methods" -o "$model.model" | tee "$model.log"
done
/usr/bin/python3 "$root/tools/plot_learning_curves.py" "$root/docs/figures/learning_curves.png" \
  gpr.model/learning_curve.csv ridge.model/learning_curve.csv
