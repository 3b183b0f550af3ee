#!/usr/bin/env bash
# Bad input never crashes: each case must exit with code 2 and a message naming the problem.
# Usage: test_errors.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cat > "$work/ok.xyz" <<'XYZ'
2
Properties=species:S:1:pos:R:3
Ar 0 0 0
Ar 0 0 1.12
XYZ
cat > "$work/truncated.xyz" <<'XYZ'
3
comment
Ar 0 0 0
Ar 0 0 1.12
XYZ
cat > "$work/badelement.xyz" <<'XYZ'
1
comment
Xx 0 0 0
XYZ
cat > "$work/overlap.xyz" <<'XYZ'
3
comment
Pt 0 0 0
Pt 0 0 0.1
Pt 0 2.7 0
XYZ
cat > "$work/auag.xyz" <<'XYZ'
2
comment
Au 0 0 0
Ag 0 0 2.8
XYZ
printf '[potential]\ntype = "gupat"\n' > "$work/badtype.toml"
printf '[potential]\ntype = "lj"\nsigmaa = 1.0\n' > "$work/badkey.toml"

expect 0 "" -- "$bin" --version
expect 0 "" -- "$bin" eval --help
expect 2 "required" -- "$bin" eval "$work/ok.xyz"
expect 2 "cannot read .*missing.xyz" -- "$bin" eval --potential lj "$work/missing.xyz"
expect 2 "truncated.xyz:[0-9]+" -- "$bin" eval --potential lj "$work/truncated.xyz"
expect 2 "badelement.xyz:3:.*unknown element 'Xx'" -- "$bin" eval --potential lj "$work/badelement.xyz"
expect 2 "overlap" -- "$bin" relax --potential gupta "$work/overlap.xyz" -o "$work/o.xyz"
expect 2 "Ag-Au" -- "$bin" eval --potential gupta "$work/auag.xyz"
expect 2 "did you mean 'gupta'" -- "$bin" eval --potential guppta "$work/ok.xyz"
expect 2 "badtype.toml:2:.*did you mean 'gupta'" -- "$bin" eval --potential "$work/badtype.toml" "$work/ok.xyz"
expect 2 "badkey.toml:3:.*did you mean 'sigma'" -- "$bin" eval --potential "$work/badkey.toml" "$work/ok.xyz"
expect 2 "variant" -- "$bin" eval --potential "$src/inputs/potentials/gupta_pdau_pittaway.toml" --variant dft "$work/auag.xyz"
expect 2 "" -- "$bin" relax --potential lj --fmax -1 "$work/ok.xyz"
expect 2 "" -- "$bin" relax --potential lj --optimizer bfgs "$work/ok.xyz"
expect 2 "" -- "$bin" frobnicate

# An existing output file is never left half-written by a failing command.
echo "precious" > "$work/keep.xyz"
"$bin" eval --potential gupta "$work/auag.xyz" -o "$work/keep.xyz" 2>/dev/null
if [[ "$(cat "$work/keep.xyz")" != "precious" ]]; then
  fail "a failed eval changed an existing output file"
else
  ok
fi

finish "cli errors"
