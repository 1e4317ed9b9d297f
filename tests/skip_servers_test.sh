#!/usr/bin/env bash
# ORB_TEST_SKIP_SERVERS=1, for package builds without database servers:
# a program that only talks to a server exits 77, which ctest reports as
# skipped, and says why; a program with SQLite and server cases runs the
# SQLite ones and skips the others, naming them.
#   tests/skip_servers_test.sh PATH/TO/test_conformance PATH/TO/test_seed \
#     PATH/TO/test_sample
set -uo pipefail

usage="usage: $0 TEST_CONFORMANCE TEST_SEED TEST_SAMPLE"
conformance=${1:?$usage}
seed=${2:?$usage}
sample=${3:?$usage}
tmp=$(mktemp -d /tmp/orb-skip-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Even with a URL set: the variable is what a packager sets, and wins.
ORB_TEST_SKIP_SERVERS=1 ORB_TEST_PG_URL=postgresql://nobody@127.0.0.1:1/x \
  "$conformance" postgresql >"$tmp/out" 2>&1
status=$?
((status == 77)) || { cat "$tmp/out"; fail "conformance postgresql exited $status, not 77"; }
grep -q 'skipped: ORB_TEST_SKIP_SERVERS=1' "$tmp/out" ||
  { cat "$tmp/out"; fail "no reason given for the skip"; }

# Every program that runs once per server dialect skips the same way.
for program in "$conformance" "$sample"; do
  for dialect in postgresql mysql; do
    ORB_TEST_SKIP_SERVERS=1 ORB_TEST_PG_URL=postgresql://nobody@127.0.0.1:1/x \
      ORB_TEST_MYSQL_URL=mysql://nobody@127.0.0.1:1/x \
      "$program" "$dialect" >"$tmp/out" 2>&1
    status=$?
    ((status == 77)) ||
      { cat "$tmp/out"; fail "${program##*/} $dialect exited $status, not 77"; }
    grep -q 'skipped: ORB_TEST_SKIP_SERVERS=1' "$tmp/out" ||
      { cat "$tmp/out"; fail "${program##*/} $dialect gave no reason for the skip"; }
  done
done

ORB_TEST_SKIP_SERVERS=1 "$seed" >"$tmp/out" 2>&1 ||
  { cat "$tmp/out"; fail "test_seed failed with ORB_TEST_SKIP_SERVERS=1"; }
for name in test_seed__postgresql_prints_the_same test_seed__mysql_prints_the_same; do
  grep -q "SKIPPED \] $name" "$tmp/out" || { cat "$tmp/out"; fail "$name not skipped"; }
done
grep -q "OK  *\] test_seed__sqlite_prints_every_tutorial_step" "$tmp/out" ||
  { cat "$tmp/out"; fail "the SQLite cases did not run"; }

# Without the variable, a missing URL is still a failure.
for program in "$conformance" "$sample"; do
  env -u ORB_TEST_SKIP_SERVERS -u ORB_TEST_PG_URL "$program" postgresql >"$tmp/out" 2>&1
  status=$?
  ((status != 0 && status != 77)) ||
    fail "${program##*/} without a URL exited $status"
done
echo "1 passed, 0 failed"
