#!/usr/bin/env bash
# The install test (ctest: install). From a copy of the source tree:
# configure for the prefix /usr (as a Debian package is), build, install
# with DESTDIR into a temporary directory and move the staged /usr to a
# prefix of its own, then delete the copy and the build directory, so that
# only the install is left, and use it:
#   - the libraries in the multiarch libdir Debian expects under /usr
#     (lib/x86_64-linux-gnu, from GNUInstallDirs; a /usr/local prefix gets
#     plain lib), and orb.pc finding its prefix from its own place;
#   - the installed orb --version: the version of CMakeLists.txt and the
#     drivers built in (the copy is configured with ORB_WITH_MYSQL=OFF, which
#     also checks that a driver can be left out: CMake says so, --version
#     does not list it and a mysql:// URL says it is not built in);
#   - examples/seed.c built with `pkg-config --cflags --libs orb` alone, with
#     `pkg-config --static --cflags --libs orb`, with find_package(orb) in a
#     small CMake project, with liborb.a and what
#     `pkg-config --static --libs orb` adds, and with every library of that
#     list static but libpq (Debian cannot link it statically) and libc's;
#     all five run;
#   - the prefix moved elsewhere, its orb opens a database in tmux with
#     `--theme light` and draws the light theme's colours, while a theme
#     that does not exist is reported on screen.
#
#   tests/test_install.sh SOURCE_DIR [CMAKE [CC]]
set -euo pipefail

src=${1:?usage: $0 SOURCE_DIR [CMAKE [CC]]}
cmake=${2:-cmake}
cc=${3:-cc}
start=${SECONDS}

fail() {
    echo "test_install: FAIL: $*" >&2
    exit 1
}
say() { echo "test_install: $*"; }
# Any other command that fails says which one.
trap 'echo "test_install: FAIL: line ${LINENO}: ${BASH_COMMAND}" >&2' ERR

work=$(mktemp -d /tmp/orb-install-test.XXXXXX)
# One tmux server per orb started, each on its own socket: a new server on
# the socket of one still shutting down could fail to start.
tmux_socks=()
tmux_sock=''
cleanup() {
    local sock
    for sock in "${tmux_socks[@]}"; do
        tmux -S "${sock}" kill-server >/dev/null 2>&1 || true
    done
    rm -rf "${work}"
}
trap cleanup EXIT

version=$(sed -n 's/^project(orb VERSION \([0-9.]*\) .*/\1/p' "${src}/CMakeLists.txt")
[[ -n ${version} ]] || fail "no project(orb VERSION ...) in ${src}/CMakeLists.txt"

# ---- copy, build, install, delete ----
copy=${work}/src build=${work}/build prefix=${work}/prefix
mkdir -p "${copy}"
# Everything but VCS data and build trees (build*/ as .gitignore has it).
tar -C "${src}" --exclude=./.git --exclude='./build*' -cf - . | tar -C "${copy}" -xf -
# The outside program, kept for after the copy is gone.
cp "${copy}/examples/seed.c" "${work}/seed.c"

# Under /usr/local (CMake's default prefix) the libraries go to plain lib.
"${cmake}" -S "${copy}" -B "${work}/build-local" -DCMAKE_INSTALL_PREFIX=/usr/local \
    -DBUILD_TESTING=OFF >"${work}/configure-local.log" 2>&1 ||
    { cat "${work}/configure-local.log" >&2; fail "configure for /usr/local"; }
grep -qx 'CMAKE_INSTALL_LIBDIR:PATH=lib' "${work}/build-local/CMakeCache.txt" ||
    fail "under /usr/local the libdir is not lib"
rm -rf "${work}/build-local"

"${cmake}" -S "${copy}" -B "${build}" -DCMAKE_INSTALL_PREFIX=/usr \
    -DBUILD_TESTING=OFF -DORB_WITH_MYSQL=OFF >"${work}/configure.log" 2>&1 ||
    { cat "${work}/configure.log" >&2; fail "configure"; }
grep -q 'MariaDB/MySQL driver left out (ORB_WITH_MYSQL=OFF)' "${work}/configure.log" ||
    { cat "${work}/configure.log" >&2; fail "CMake did not say the MySQL driver is left out"; }
"${cmake}" --build "${build}" -j2 >"${work}/build.log" 2>&1 ||
    { tail -50 "${work}/build.log" >&2; fail "build"; }
DESTDIR=${work}/destdir "${cmake}" --install "${build}" >"${work}/install.log" 2>&1 ||
    { cat "${work}/install.log" >&2; fail "install"; }
mv "${work}/destdir/usr" "${prefix}"
rm -rf "${copy}" "${build}" "${work}/destdir"
say "built and installed in $((SECONDS - start)) s"

# Debian's multiarch libdir under /usr (the compiler names the tuple).
multiarch=$("${cc}" -print-multiarch)
[[ -n ${multiarch} ]] || fail "${cc} -print-multiarch printed nothing"
libdir=lib/${multiarch}
for f in bin/orb share/orb/themes/light.theme include/orb/orm/orm.h \
    include/orb/orm/version.h include/orb/orm/sys/driver.h "${libdir}/liborb.a" \
    "${libdir}/liborb.so" "${libdir}/pkgconfig/orb.pc" \
    "${libdir}/cmake/orb/orbConfig.cmake" \
    "${libdir}/cmake/orb/orbConfigVersion.cmake"; do
    [[ -e ${prefix}/${f} ]] || fail "not installed: ${f}"
done
# orb.pc names no place of the build machine: its prefix is its own.
[[ $(head -1 "${prefix}/${libdir}/pkgconfig/orb.pc") == 'prefix=${pcfiledir}/../../..' ]] ||
    fail "orb.pc's prefix is not relative to the file: $(head -1 "${prefix}/${libdir}/pkgconfig/orb.pc")"
! grep -q "${work}" "${prefix}/${libdir}/pkgconfig/orb.pc" ||
    fail "orb.pc names the staging directory"

# ---- orb --version, and a dialect that is not built in ----
out=$("${prefix}/bin/orb" --version) || fail "orb --version failed"
[[ ${out} == "orb ${version}"$'\n'"dialects: sqlite postgresql" ]] ||
    fail "orb --version printed: ${out}"
status=0
out=$("${prefix}/bin/orb" mysql://me@127.0.0.1:1/shop models 2>&1) || status=$?
[[ ${status} == 1 && ${out} == *"no mysql driver"* && ${out} == *"sqlite, postgresql"* ]] ||
    fail "a mysql:// URL without the driver gave status ${status}: ${out}"

# ---- programs outside the tree, against the installed library ----
export PKG_CONFIG_PATH=${prefix}/${libdir}/pkgconfig
cd "${work}"
run_seed() { # NAME: run ./NAME on a fresh SQLite file, keep its output
    "./$1" "sqlite:///${work}/$1.db" >"$1.out" 2>"$1.err" ||
        { cat "$1.err" >&2; fail "$1 exited with $?"; }
    [[ -s $1.out ]] || fail "$1 printed nothing"
}

# pkg-config alone (the shared library).
# shellcheck disable=SC2046 # the flags are meant to split
"${cc}" -std=c11 -Wall -Wextra -pedantic -Werror seed.c \
    $(pkg-config --cflags --libs orb) -o seed_pkgconfig ||
    fail "seed.c does not build with pkg-config --cflags --libs orb"
LD_LIBRARY_PATH=${prefix}/${libdir} run_seed seed_pkgconfig
LD_LIBRARY_PATH=${prefix}/${libdir} ldd seed_pkgconfig >seed_pkgconfig.ldd
grep -q "${prefix}/${libdir}/liborb.so" seed_pkgconfig.ldd ||
    fail "seed_pkgconfig does not use the installed liborb.so"

# pkg-config --static: flags that link as they are (Debian ships no
# static libpgcommon/libpgport nor Kerberos or LDAP -dev libraries, which
# libpq's own private list names: orb.pc keeps libpq out of that chase).
# shellcheck disable=SC2046
"${cc}" -std=c11 seed.c $(pkg-config --static --cflags --libs orb) \
    -o seed_static_flags || fail "seed.c does not link with pkg-config --static --libs orb"
LD_LIBRARY_PATH=${prefix}/${libdir} run_seed seed_static_flags

# liborb.a with what pkg-config --static adds: no liborb.so needed.
# shellcheck disable=SC2046
"${cc}" -std=c11 seed.c $(pkg-config --cflags orb) "${prefix}/${libdir}/liborb.a" \
    -Wl,--as-needed $(pkg-config --static --libs orb) \
    -o seed_static || fail "seed.c does not link with liborb.a and pkg-config --static --libs orb"
readelf -d seed_static >seed_static.dynamic
! grep -q 'liborb\.so' seed_static.dynamic || fail "seed_static needs liborb.so"
run_seed seed_static

# As static as Debian allows: every library pkg-config --static names from
# its .a, but libpq and the C library's own (libm, libdl, libpthread).
static_libs=() dynamic_libs=()
for flag in $(pkg-config --static --libs-only-l orb); do
    case ${flag} in
        -lpq | -lm | -ldl | -lpthread) dynamic_libs+=("${flag}") ;;
        *) static_libs+=("${flag}") ;;
    esac
done
# shellcheck disable=SC2046
"${cc}" -std=c11 seed.c $(pkg-config --cflags orb) \
    $(pkg-config --static --libs-only-L orb) -Wl,-Bstatic "${static_libs[@]}" \
    -Wl,-Bdynamic "${dynamic_libs[@]}" -pthread -o seed_most_static ||
    fail "seed.c does not link with ${static_libs[*]} static"
readelf -d seed_most_static >seed_most_static.dynamic
for lib in liborb libsqlite3 libinih libjansson libutf8proc; do
    ! grep -q "\[${lib}\.so" seed_most_static.dynamic ||
        fail "seed_most_static needs ${lib}.so"
done
grep -q '\[libpq\.so' seed_most_static.dynamic || fail "seed_most_static has no libpq.so"
run_seed seed_most_static

# find_package(orb) in a CMake project.
mkdir cmake_project
cat >cmake_project/CMakeLists.txt <<EOF
cmake_minimum_required(VERSION 3.16)
project(uses_orb C)
find_package(orb ${version} REQUIRED)
add_executable(seed_cmake ${work}/seed.c)
target_link_libraries(seed_cmake PRIVATE orb::orb)
EOF
"${cmake}" -S cmake_project -B cmake_build -DCMAKE_PREFIX_PATH="${prefix}" \
    >cmake_project.log 2>&1 || { cat cmake_project.log >&2; fail "find_package(orb)"; }
"${cmake}" --build cmake_build >>cmake_project.log 2>&1 ||
    { cat cmake_project.log >&2; fail "building against orb::orb"; }
cp cmake_build/seed_cmake .
run_seed seed_cmake # its RUNPATH points at the prefix

cmp -s seed_pkgconfig.out seed_static.out || fail "seed_static printed other text"
cmp -s seed_pkgconfig.out seed_static_flags.out || fail "seed_static_flags printed other text"
cmp -s seed_pkgconfig.out seed_most_static.out || fail "seed_most_static printed other text"
cmp -s seed_pkgconfig.out seed_cmake.out || fail "seed_cmake printed other text"

# ---- the install moved, orb with a theme ----
moved=${work}/moved
mv "${prefix}" "${moved}"
mkdir -p "${work}/home"
# Nothing outside the install may provide themes; orb's state (its
# recovery journal and the journal's lock, left behind when tmux kills it)
# stays in the test's folder too.
orb_env="HOME=${work}/home XDG_CONFIG_HOME=${work}/home/config \
XDG_DATA_HOME=${work}/home/data XDG_STATE_HOME=${work}/home/state \
XDG_CACHE_HOME=${work}/home/cache XDG_DATA_DIRS=/nonexistent"

screen() { tmux -S "${tmux_sock}" capture-pane -p -t t "$@"; }
# Start orb with THEME in a private tmux; wait until the screen shows TEXT.
orb_screen() {
    local theme=$1 text=$2 i
    [[ -z ${tmux_sock} ]] || tmux -S "${tmux_sock}" kill-server >/dev/null 2>&1 || true
    tmux_sock=${work}/tmux.${#tmux_socks[@]}.sock
    tmux_socks+=("${tmux_sock}")
    tmux -S "${tmux_sock}" -f /dev/null new-session -d -s t -x 100 -y 24 \
        -e LANG=C.UTF-8 -e TERM=tmux-256color \
        "env ${orb_env} ${moved}/bin/orb --theme ${theme} \
sqlite:///${work}/seed_static.db; sleep 600" || fail "tmux did not start"
    for ((i = 0; i < 500; i++)); do
        [[ $(screen) == *"${text}"* ]] && return 0
        sleep 0.02
    done
    screen >&2 || true
    fail "orb --theme ${theme}: the screen never showed '${text}'"
}

orb_screen no-such-theme "theme 'no-such-theme' not found"
orb_screen light accounts
[[ $(screen) != *"not found"* ]] || { screen >&2; fail "--theme light: not found"; }
# The title line in light's colours: white on colour 25 (default: 24).
title=$(screen -e)
title=${title%%$'\n'*}
[[ ${title} == *"48;5;25"* ]] || { echo "${title}" | od -c | head >&2; fail "the title is not in the light theme's colours"; }

say "passed in $((SECONDS - start)) s"
