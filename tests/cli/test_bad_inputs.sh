#!/usr/bin/env bash
# The bad-input corpus (tests/bad_inputs/*.case): every broken run file, structure file,
# potential file, command line and checkpoint gets exit code 2 (unless the case says otherwise),
# the message the case expects on stderr, no crash, and no file left behind that was not there.
#
# A case file:
#   # what is broken (comment lines start with #)
#   args: check run.toml          the nanoscape arguments, run in the case's own directory;
#                                 $SRC is the source tree
#   expect: key 'size'.*at least  an extended regular expression the error output must match
#   exit: 2                       optional, default 2
#   --- run.toml                  then the case's files, each after a "--- NAME" line
#   [system]
#   ...
# Usage: test_bad_inputs.sh NANOSCAPE_BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cases=("$src"/tests/bad_inputs/*.case)
for case in "${cases[@]}"; do
  name=$(basename "$case" .case)
  dir="$work/$name"
  mkdir -p "$dir"
  args="" expect="" want=2 file=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" == "--- "* ]]; then
      file="$dir/${line#--- }"
      mkdir -p "$(dirname "$file")"
      : > "$file"
      continue
    fi
    if [[ -n "$file" ]]; then printf '%s\n' "$line" >> "$file"; continue; fi
    case "$line" in
      args:*) args=${line#args: } ;;
      expect:*) expect=${line#expect: } ;;
      exit:*) want=${line#exit: } ;;
    esac
  done < "$case"
  [[ -n "$args" && -n "$expect" ]] || { fail "$name: the case has no args: or expect: line"; continue; }
  args=${args//\$SRC/$src}
  before=$(cd "$dir" && find . | sort)
  # shellcheck disable=SC2086  # the arguments are words by design
  err=$(cd "$dir" && "$bin" $args 2>&1 >/dev/null); code=$?
  after=$(cd "$dir" && find . | sort)
  if [[ $code -ne $want ]]; then
    fail "$name: exit $code, want $want; stderr: $err"
  elif ! grep -Eq -- "$expect" <<<"$err"; then
    fail "$name: stderr does not match /$expect/: $err"
  elif [[ "$before" != "$after" ]]; then
    fail "$name: left files behind: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
  else
    ok
  fi
done
[[ ${#cases[@]} -ge 60 ]] && ok || fail "the corpus has ${#cases[@]} cases, fewer than 60"

finish "cli bad inputs"
