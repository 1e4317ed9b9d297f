#!/bin/sh
# Run by ctest after the tests (CMakeLists.txt, fixture test_home): they
# ran with HOME and the XDG_*_HOME folders in DIR, made empty before them,
# and must have left nothing there. A test that writes to its HOME writes
# to the user's own files (~/.local/share/orb/state.db, ~/.config/orb)
# when it is run by hand.
#   tests/home_untouched.sh DIR
dir=${1:?usage: $0 DIR}
[ -d "$dir" ] || { echo "FAIL: $dir is gone"; exit 1; }
left=$(find "$dir" -mindepth 1 | sort)
if [ -n "$left" ]; then
  echo "FAIL: tests wrote into their HOME, $dir (the user's when run by hand):"
  echo "$left"
  exit 1
fi
echo "$dir is still empty"
