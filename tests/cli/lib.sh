# Shared by the tests/cli/test_*.sh scripts (sourced, not run): counters, results and the
# closing line CTest's log shows ("NAME: N passed, M failed").
passed=0
failures=0

ok() { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN -- command...   (PATTERN is a grep -E regex matched against stderr)
expect() {
  local code=$1 pattern=$2
  shift 3
  local err
  err=$("$@" 2>&1 >/dev/null)
  local got=$?
  if [[ $got -ne $code ]] || ! grep -Eq -- "$pattern" <<<"$err"; then
    fail "$* -> exit $got (want $code), stderr: $err (want /$pattern/)"
  else
    ok
  fi
}

# finish NAME: prints the closing line; the exit status is the verdict.
finish() {
  echo "$1: $passed passed, $failures failed"
  [[ $failures -eq 0 ]]
}
