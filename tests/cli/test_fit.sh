#!/usr/bin/env bash
# `nanoscape fit`: model directory, metrics.json keys, learning curve, and exit code 2 with a
# located message for every kind of bad input.
# Usage: test_fit.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$work" || exit 1

"$bin" -q sample -p emt -m icosahedron --shells 1 -c Pt=6,Au=7 -n 60 --seed 1 -o train.xyz >/dev/null || fail "sample train"
"$bin" -q sample -p emt -m icosahedron --shells 1 -c Pt=6,Au=7 -n 30 --seed 2 -o test.xyz >/dev/null || fail "sample test"

for model in gpr ridge ann_committee mapped; do
  printf '[surrogate]\ntype = "%s"\n' "$model" >"$model.toml"
done
# A small, fast committee for the CLI test (the defaults are tuned for accuracy, not speed).
printf '[surrogate]\ntype = "ann_committee"\nmembers = 3\nepochs = 40\n' >ann_committee.toml

for model in gpr ridge ann_committee mapped; do
  if ! out=$("$bin" -q fit "$model.toml" --train train.xyz --test test.xyz -o "$model.model" 2>&1); then
    fail "fit $model: $out"
    continue
  fi
  ok
  grep -q "coverage" <<<"$out" && ok || fail "fit $model printed no coverage: $out"
  for f in model.toml model.state metrics.json predictions.csv; do
    [[ -s "$model.model/$f" ]] && ok || fail "fit $model wrote no $f"
  done
  for key in n_train energy_mae_per_atom energy_rmse_per_atom force_mae coverage_1sigma coverage_2sigma \
    fit_time_s predict_time_per_atom_s; do
    grep -q "\"$key\"" "$model.model/metrics.json" && ok || fail "$model metrics.json lacks $key"
  done
  # metrics.json is valid JSON and the numbers are sane.
  if /usr/bin/python3 - "$model.model/metrics.json" <<'PY'; then ok; else fail "$model metrics.json check"; fi
import json, sys
m = json.load(open(sys.argv[1]))
assert m["n_train"] == 60 and m["n_test"] == 30, m
assert 0 <= m["energy_mae_per_atom"] < 0.1, m
assert 0 <= m["coverage_2sigma"] <= 1 and m["coverage_1sigma"] <= m["coverage_2sigma"], m
PY
  # The saved model.toml is itself a model file.
  "$bin" -q fit "$model.model/model.toml" --train train.xyz -o "$model.refit" >/dev/null 2>&1 && ok ||
    fail "saved $model model.toml is not accepted by fit"
done

# training_size + selection, and a learning curve comparing methods.
printf '[surrogate]\ntype = "ridge"\ntraining_size = 20\nselection = "fps"\n' >sel.toml
if out=$("$bin" -q fit sel.toml --train train.xyz --test test.xyz --learning-curve 10,20 --methods random,fps,cur,descriptor_space -o sel.model 2>&1); then
  ok
  [[ $(wc -l <sel.model/learning_curve.csv) -eq 9 ]] && ok || fail "learning_curve.csv: $(cat sel.model/learning_curve.csv)"
  grep -q '"n_train": 20' sel.model/metrics.json && ok || fail "training_size ignored: $(cat sel.model/metrics.json)"
  grep -q '"selection": "fps"' sel.model/metrics.json && ok || fail "selection not recorded"
else
  fail "learning curve: $out"
fi

# Bad input: exit 2, a message naming the file, line or key.
printf '[system]\nsize = 3\n' >nosurrogate.toml
expect 2 "nosurrogate.toml.*no \[surrogate\]" -- "$bin" fit nosurrogate.toml --train train.xyz
printf '[surrogate]\ntype = "gpr"\nkernal = "soap"\n' >typo.toml
expect 2 "typo.toml:3.*kernal.*kernel" -- "$bin" fit typo.toml --train train.xyz
printf '[surrogate]\ntype = "gpx"\n' >type.toml
expect 2 "type.toml:2.*gpx.*gpr" -- "$bin" fit type.toml --train train.xyz
printf '[surrogate]\ntype = "gpr"\ndescriptor = { type = "sop" }\n' >desc.toml
expect 2 "desc.toml:3.*sop.*soap" -- "$bin" fit desc.toml --train train.xyz
printf '[surrogate]\ntype = "gpr"\nselection = "fsp"\n' >seltypo.toml
expect 2 "seltypo.toml:3.*fsp.*fps" -- "$bin" fit seltypo.toml --train train.xyz
printf '[surrogate\ntype = "gpr"\n' >syntax.toml
expect 2 "syntax.toml:1" -- "$bin" fit syntax.toml --train train.xyz
expect 2 "missing.toml" -- "$bin" fit missing.toml --train train.xyz
"$bin" -q build -m icosahedron --shells 1 -c Pt=13 -o unlabelled.xyz >/dev/null
expect 2 "unlabelled.xyz: frame 1 has no energy" -- "$bin" fit gpr.toml --train unlabelled.xyz
expect 2 "learning-curve needs a test set" -- "$bin" fit gpr.toml --train train.xyz --learning-curve
head -n 20 train.xyz >truncated.xyz
expect 2 "truncated.xyz" -- "$bin" fit gpr.toml --train truncated.xyz
# A failed fit leaves an earlier model directory untouched.
before=$(md5sum gpr.model/model.state)
expect 2 "kernal" -- "$bin" fit typo.toml --train train.xyz -o gpr.model
[[ "$(md5sum gpr.model/model.state)" == "$before" ]] && ok || fail "failed fit changed gpr.model"

# A fitted model is a potential: eval gives the energies fit reported (predictions.csv) and
# the model's sigma; relax relaxes on it (every energy goes down, and eval agrees with relax).
# The GP only: the small committee of this test is too rough to relax on (it collapses clusters,
# which relax then reports as overlapping atoms).
for model in gpr; do
  if "$bin" -q eval -p "$model.model" test.xyz -o "$model.eval.xyz" >/dev/null &&
     "$bin" -q relax -p "$model.model" test.xyz -o "$model.relaxed.xyz" --fmax 0.01 >/dev/null &&
     "$bin" -q eval -p "$model.model/model.toml" "$model.relaxed.xyz" -o "$model.again.xyz" >/dev/null; then
    ok
  else
    fail "eval/relax with --potential $model.model"
    continue
  fi
  /usr/bin/python3 - "$model" <<'PY' && ok || fail "$model as a potential"
import csv, sys
from ase.io import read
m = sys.argv[1]
pred = [float(r["predicted_energy"]) for r in csv.DictReader(open(f"{m}.model/predictions.csv"))]
sig = [float(r["sigma"]) for r in csv.DictReader(open(f"{m}.model/predictions.csv"))]
ev = read(f"{m}.eval.xyz", ":")
got = [a.get_potential_energy() for a in ev]
assert len(got) == len(pred), (len(got), len(pred))
worst = max(abs(a - b) for a, b in zip(got, pred))
assert worst <= 1e-9 * max(1.0, max(abs(p) for p in pred)), f"eval vs fit: {worst}"
worst_sigma = max(abs(float(a.info["sigma"]) - s) for a, s in zip(ev, sig))
assert worst_sigma <= 1e-9, f"sigma: {worst_sigma}"
relaxed = read(f"{m}.relaxed.xyz", ":")
again = read(f"{m}.again.xyz", ":")
for start, r, a in zip(got, relaxed, again):
    assert r.get_potential_energy() <= start + 1e-9, (start, r.get_potential_energy())
    assert abs(r.get_potential_energy() - a.get_potential_energy()) <= 1e-9, "relax vs eval"
PY
done

finish test_fit
