#!/usr/bin/env bash
# Run every libFuzzer target of a fuzz build for SECONDS each, one after
# the other, keeping what each finds in BUILD/fuzz-long/NAME (so a later
# run goes on from there), and print the executions per target.
#   scripts/fuzz.sh BUILD_DIR SECONDS [CHECK_DIR]
#       e.g. scripts/fuzz.sh build-fuzz 600
# With CHECK_DIR (a build with ASan and UBSan, when BUILD_DIR is a volume
# build without them: make fuzz-volume), every input a target kept is run
# once more through CHECK_DIR's program of the same name, so what the
# fast run explored is also checked for memory errors, leaks and UB.
# A crash stops with the target's report; its input is left in the
# current directory as crash-* (add it to tests/fuzz/corpus/NAME/ once
# fixed, so the ordinary build replays it for good).
set -euo pipefail

if (($# != 2 && $# != 3)); then
  echo "usage: $0 BUILD_DIR SECONDS [CHECK_DIR]" >&2
  exit 2
fi
build=$1 seconds=$2 check=${3:-}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shopt -s nullglob
targets=("${build}"/fuzz_*)
((${#targets[@]})) || { echo "fuzz: no fuzz_* programs in ${build}" >&2; exit 1; }
for bin in "${targets[@]}"; do
  [[ -x ${bin} ]] || continue
  name=${bin##*/fuzz_}
  found=${build}/fuzz-long/${name}
  mkdir -p "${found}"
  log=$(mktemp)
  if ! "${bin}" -max_total_time="${seconds}" -rss_limit_mb=2048 \
    -print_final_stats=1 "${found}" "${src}/tests/fuzz/corpus/${name}" \
    >"${log}" 2>&1; then
    tail -n 60 "${log}" >&2
    rm -f "${log}"
    echo "fuzz: ${name} FAILED" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${log}")
  kept=""
  if [[ -n ${check} ]]; then
    if ! "${check}/fuzz_${name}" -runs=0 -rss_limit_mb=2048 "${found}" \
      >"${log}" 2>&1; then
      tail -n 60 "${log}" >&2
      rm -f "${log}"
      echo "fuzz: ${name} FAILED under ${check}'s sanitizers" >&2
      exit 1
    fi
    kept=", its $(find "${found}" -type f | wc -l) kept inputs clean under ${check}"
  fi
  echo "fuzz: ${name}: ${runs:-?} executions in ${seconds} s, nothing found${kept}"
  rm -f "${log}"
done
