#!/usr/bin/env bash
# Test of the README's "C API in five minutes": CMake builds the README's
# C block as it stands (readme_example); run it twice in an empty
# directory. The first run writes and prints the account; the second one
# finds the handle taken, says so, and still prints what is there.
#   tests/readme_example_test.sh PATH/TO/readme_example
set -uo pipefail

example=${1:?usage: $0 PATH/TO/readme_example}
tmp=$(mktemp -d /tmp/orb-readme-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
status=0

expect() { # what, wanted, got
  if [[ $2 != "$3" ]]; then
    printf 'FAIL: %s\n  wanted: %q\n  got:    %q\n' "$1" "$2" "$3"
    status=1
  fi
}

out=$("$example" 2>err) || { echo "FAIL: first run exited $?"; status=1; }
expect "first run's output" '<Account jdoe>' "$out"
expect "first run's errors" '' "$(cat err)"
out=$("$example" 2>err) || { echo "FAIL: second run exited $?"; status=1; }
expect "second run's output" '<Account jdoe>' "$out"
expect "second run's errors" 'Account.handle: "jdoe" is already taken' "$(cat err)"
((status == 0)) && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $status
