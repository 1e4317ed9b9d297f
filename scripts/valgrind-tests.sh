#!/usr/bin/env bash
# Run the unit test programs (no servers, no terminal, no orb processes)
# under valgrind's memcheck: any invalid read or write, use of an
# uninitialised value, or leaked block fails the run.
#   scripts/valgrind-tests.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR}
tests=(test_driver_sqlite test_expr test_fault test_filter test_modelfile
  test_number test_register test_state test_tui_browse test_tui_filter
  test_tui_grid test_tui_keymap test_tui_rowcache test_tui_text test_url
  test_value)
# test_oom runs under valgrind as a ctest of its own (CMakeLists.txt).
failed=()
for t in "${tests[@]}"; do
  if [[ ! -x $build/$t ]]; then
    echo "valgrind: $build/$t is not built" >&2
    exit 1
  fi
  start=$SECONDS
  if valgrind --quiet --error-exitcode=99 --leak-check=full \
    --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect \
    "$build/$t" >"$build/valgrind-$t.log" 2>&1; then
    echo "valgrind: $t ok ($((SECONDS - start)) s)"
  else
    echo "valgrind: $t FAILED ($((SECONDS - start)) s), see $build/valgrind-$t.log" >&2
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "valgrind: ${#failed[@]} failed: ${failed[*]}" >&2
  exit 1
fi
