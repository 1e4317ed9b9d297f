#!/usr/bin/env bash
# Install the Debian packages orb needs -- only the missing ones. Checking with
# dpkg-query takes ~0.01 s, whereas apt-get is slow, takes the dpkg lock and
# may upgrade packages that are already there.
#   scripts/deps.sh               everything `make check` needs
#   scripts/deps.sh --build-only  just enough to build (`make demo`)
#   scripts/deps.sh --bench       build, plus the latency bench's servers,
#                                 clients, iptables and libnetfilter-queue
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libsqlite3-dev libpq-dev
  libmariadb-dev libncurses-dev libcmocka-dev libinih-dev libutf8proc-dev
  libjansson-dev)
# Test-only: database servers for the driver tests (galera-4 for a Galera
# cluster of MariaDB servers; rsync and iproute2's ss for its joiners' state
# transfer), tmux for the TUI tests,
# doxygen for the API reference test, clang and its runtime for the fuzz
# smoke run, locales (localedef and the de_DE source) for the comma-decimal
# test runs, openssl for the test servers' certificates.
test_pkgs=(tmux postgresql pgbouncer mariadb-server mariadb-client galera-4 rsync
  iproute2 valgrind clang libclang-rt-14-dev doxygen locales openssl)

# The latency bench (bench/latency/run.sh): NFQUEUE delays packets.
bench_pkgs=(postgresql mariadb-server mariadb-client iptables
  libnetfilter-queue-dev)

case ${1-} in
  --build-only) pkgs=("${build_pkgs[@]}") ;;
  --bench) pkgs=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  '') pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [--build-only|--bench]" >&2; exit 2 ;;
esac

# One dpkg-query for all names. Unknown names only produce an error, so they
# stay out of `installed` and count as missing.
declare -A installed=()
# shellcheck disable=SC2016 # ${...} is dpkg-query's format syntax, not bash's
while read -r name status; do
  [[ $status == 'install ok installed' ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null || true)

missing=()
for p in "${pkgs[@]}"; do
  [[ -n ${installed[$p]-} ]] || missing+=("$p")
done

as_root=()
((EUID == 0)) || as_root=(sudo)

# Every test also runs under LC_ALL=de_DE.UTF-8 (CMakeLists.txt): make that
# locale when the system lacks it (a few seconds, once).
make_test_locale() {
  [[ ${1-} == --build-only || ${1-} == --bench ]] && return 0
  locale -a 2>/dev/null | grep -qixE 'de_DE\.utf-?8' && return 0
  echo 'deps: generating the de_DE.UTF-8 locale'
  "${as_root[@]}" localedef -i de_DE -f UTF-8 de_DE.UTF-8
}
if ((${#missing[@]} == 0)); then
  make_test_locale "${1-}"
  exit 0
fi
# env(1) rather than sudo's VAR=value, which the sudoers policy may refuse.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q
  -o DPkg::Lock::Timeout=600)

printf 'deps: installing %s\n' "${missing[@]}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail() { cat "$log" >&2; echo "deps: $1 failed" >&2; exit 1; }

if ! "${apt[@]}" install -y --no-upgrade "${missing[@]}" >"$log" 2>&1; then
  # Missing or stale package lists (fresh container, or versions gone from the
  # mirror): refresh them once and retry. Any other failure is real.
  grep -qE 'Unable to locate package|has no installation candidate|Failed to fetch' "$log" ||
    fail 'apt-get install'
  "${apt[@]}" update >"$log" 2>&1 || fail 'apt-get update'
  "${apt[@]}" install -y --no-upgrade "${missing[@]}" >"$log" 2>&1 || fail 'apt-get install'
fi
make_test_locale "${1-}"
