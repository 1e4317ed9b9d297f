#!/usr/bin/env bash
# Run CMD with a throwaway PostgreSQL 15 and MariaDB 10.11 on 127.0.0.1:
#
#   scripts/with-servers.sh CMD [ARGS...]   e.g. ctest --test-dir build
#   scripts/with-servers.sh bash            an interactive shell for poking
#
# Each server gets a login user `orb` (random hex password) and a database
# `orb_test` it owns. CMD sees
#   ORB_TEST_PG_URL=postgresql://orb:PW@127.0.0.1:PORT/orb_test
#   ORB_TEST_MYSQL_URL=mysql://orb:PW@127.0.0.1:PORT/orb_test
# and the same servers' database orb_foreign as ORB_TEST_PG_FOREIGN_URL and
# ORB_TEST_MYSQL_FOREIGN_URL (see test_foreign.c), pgbouncer, a hot standby
# and a restartable copy of the PostgreSQL server (scripts/servers/),
# and, for TLS (scripts/servers/tls.sh), ORB_TEST_TLS_CA (the CA that
# signed both servers' certificate for 127.0.0.1/localhost) and
# ORB_TEST_TLS_OTHER_CA (one that did not),
# and the URLs of a Galera cluster as ORB_TEST_GALERA_URLS (started by
# ctest: scripts/servers/galera.sh),
# and its exit status becomes ours. Both servers and their temp dirs go away
# on exit, INT and TERM; runs killed with SIGKILL are reaped by the next run.
# If a server cannot start we print its log and fail: the tests must never
# skip silently. ORB_KEEP_SERVER_LOGS=1 keeps the server logs.
# ORB_SERVER_ADDR=IP listens on that address instead of 127.0.0.1 (the
# latency bench runs the servers in a network namespace).
set -euo pipefail

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly STATE_PREFIX=/tmp/orb-test-servers.
# 20000-31999: away from the default ports and below Linux's ephemeral range
# (32768+), where outgoing connections could be holding a port.
readonly PORT_MIN=20000 PORT_SPAN=12000 PORT_TRIES=20
readonly ADDR=${ORB_SERVER_ADDR:-127.0.0.1}

say() { echo "with-servers: $*" >&2; }
# shellcheck source=scripts/servers/tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers/tls.sh"
# shellcheck source=scripts/servers/pg-deployments.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers/pg-deployments.sh"

if (($# == 0)); then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
if ((EUID != 0)); then
  # initdb/pg_ctl must run as postgres and mariadbd as mysql: needs root.
  say "must run as root (server processes run as postgres/mysql)"
  exit 2
fi

# Process start time (field 22 of /proc/PID/stat): with the pid it identifies
# a process even after its pid has been reused.
starttime() {
  local stat fields
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  read -ra fields <<<"${stat##*) }" # skip "pid (comm) ", comm may hold spaces
  echo "${fields[19]}"
}

# Alive and not a zombie (PID 1 here may not reap orphans promptly).
alive() {
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  [[ ${stat##*) } != Z* ]]
}

# Pids of processes whose command line mentions DIR. Our temp dirs are unique,
# so this finds exactly the servers (and pg_ctl etc.) of one run.
pids_using() {
  local p args
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    ((p != $$ && p != BASHPID)) || continue
    # The 2>/dev/null comes first: a process may vanish before the < opens.
    mapfile -d '' args 2>/dev/null <"/proc/${p}/cmdline" || continue
    [[ "${args[*]-}" == *"$1"* ]] && echo "${p}"
  done
  return 0
}

# Signal everything running out of DIR with SIG (again each second, to catch
# late children), escalate to KILL after ~5 s.
kill_using() {
  local dir=$1 sig=$2 pids i
  for ((i = 0; i < 200; i++)); do
    mapfile -t pids < <(pids_using "${dir}")
    ((${#pids[@]})) || return 0
    ((i < 100)) || sig=KILL
    ((i % 20)) || kill -s "${sig}" "${pids[@]}" 2>/dev/null || true
    sleep 0.05
  done
  say "could not stop: ${pids[*]}"
}

# Clean up after earlier runs that were killed before their EXIT trap ran.
reap_stale() {
  local state key a b pid start dir
  for state in "${STATE_PREFIX}"*; do
    [[ -f ${state} ]] || continue
    pid='' start='' dir=''
    while read -r key a b; do
      case ${key} in
        owner) pid=${a} start=${b} ;;
        dir) dir=${a} ;;
        *) ;;
      esac
    done <"${state}" || true
    # Owner still running: a concurrent run, not ours to touch.
    [[ -n ${pid} && $(starttime "${pid}") == "${start}" ]] && continue
    if [[ ${dir} == /tmp/orb-test.* ]]; then
      # SIGQUIT: immediate shutdown for the postmaster (it then frees its
      # shared memory), plain shutdown for mariadbd.
      kill_using "${dir}" QUIT
      rm -rf "${dir}"
      say "reaped servers of a killed run (${dir})"
    fi
    rm -f "${state}"
  done
}

BASE='' STATE='' SETUP_PIDS=()
# shellcheck disable=SC2317 # only reached through the traps below
cleanup() {
  set +e
  trap '' INT TERM HUP # a second Ctrl-C must not leave servers behind
  [[ -n ${BASE} ]] || return 0
  local pid
  # Still setting up (INT/TERM during startup): stop that first.
  for pid in "${SETUP_PIDS[@]}"; do kill "${pid}" 2>/dev/null; done
  local pg
  for pg in "${BASE}"/pg-* "${BASE}/pg"; do
    [[ -f ${pg}/postmaster.pid ]] || continue
    (cd / && runuser -u postgres -- "${PG_BIN}/pg_ctl" -D "${pg}" \
      -m fast -w -t 10 -s stop) >/dev/null 2>&1
  done
  if [[ -f ${BASE}/mariadbd.pid ]]; then
    pid=$(<"${BASE}/mariadbd.pid")
    kill -TERM "${pid}" 2>/dev/null
  fi
  kill_using "${BASE}" TERM # waits for mariadbd; catches anything left
  if [[ ${ORB_KEEP_SERVER_LOGS:-0} == 1 ]]; then
    find "${BASE}" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
    say "server logs kept in ${BASE}/logs"
  else
    rm -rf "${BASE}"
  fi
  rm -f "${STATE}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Show a server's log tail and fail.
die_with_log() {
  local what=$1 f
  shift
  say "${what} failed; log tail:"
  for f in "$@"; do
    [[ -s ${f} ]] || continue
    echo "--- ${f}" >&2
    tail -n 40 "${f}" >&2
  done
  exit 1
}

# Something already accepts connections there (a cheap pre-check; the real
# test is the server's own bind).
port_taken() { (: <>"/dev/tcp/${ADDR}/$1") 2>/dev/null; }

random_hex() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

start_pg() {
  local dir=${BASE}/pg logs=${BASE}/logs port i
  local log=${logs}/postgresql.log ctl_log=${logs}/pg_ctl.log
  install -d -o postgres -g postgres -m 700 "${dir}"
  install -o postgres -g postgres -m 644 /dev/null "${log}"
  # initdb/pg_ctl refuse root; cd / so postgres can read its working dir.
  cd /
  runuser -u postgres -- "${PG_BIN}/initdb" -D "${dir}" -U postgres -A trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 -N \
    >"${logs}/initdb.log" 2>&1 || die_with_log "PostgreSQL initdb" "${logs}/initdb.log"
  [[ ${ADDR} == 127.0.0.1 ]] ||
    echo "host all all ${ADDR%.*}.0/24 scram-sha-256" >>"${dir}/pg_hba.conf"
  port=$((PORT_MIN + RANDOM % PORT_SPAN))
  for ((i = 0; ; i++, port++)); do
    ((i < PORT_TRIES)) || die_with_log "PostgreSQL: no free port" "${log}"
    port_taken "${port}" && continue
    : >"${log}"
    # Durability off: the data dies with the run anyway.
    runuser -u postgres -- "${PG_BIN}/pg_ctl" -D "${dir}" -l "${log}" -w -t 30 -s \
      start -o "-c listen_addresses=${ADDR} -p ${port} -k ${dir} -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=50 \
${TLS_PG_OPTS}" \
      >"${ctl_log}" 2>&1 && break
    grep -q 'Address already in use' "${log}" ||
      die_with_log "PostgreSQL start" "${ctl_log}" "${log}"
  done
  "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h "${dir}" -p "${port}" -U postgres \
    -d postgres -c "CREATE ROLE orb LOGIN PASSWORD '$1'" \
    -c "CREATE DATABASE orb_test OWNER orb" \
    -c "CREATE DATABASE orb_foreign OWNER orb TEMPLATE template0 \
LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C.UTF-8'" >>"${ctl_log}" 2>&1 ||
    die_with_log "PostgreSQL user setup" "${ctl_log}" "${log}"
  echo "${port}" >"${BASE}/pg.port"
}

start_mariadb() {
  local dir=${BASE}/my logs=${BASE}/logs port i pid
  local log=${logs}/mariadb.log sock=${BASE}/my/sock
  # mariadbd drops to mysql before creating socket, pid file and log.
  install -d -o mysql -g mysql -m 700 "${dir}" "${dir}/tmp"
  install -o mysql -g mysql -m 640 /dev/null "${log}"
  # --no-defaults everywhere: /etc/mysql would inject the system datadir/port.
  # A private --tmpdir: in the shared /tmp a concurrent run (or a test
  # cleaning up its own temp files) could delete the server's temporary
  # tables ("Error on delete of '/tmp/#sql-temptable-...'").
  mariadb-install-db --no-defaults --user=mysql --datadir="${dir}/data" \
    --tmpdir="${dir}/tmp" \
    --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
    >"${logs}/mariadb-install-db.log" 2>&1 ||
    die_with_log "mariadb-install-db" "${logs}/mariadb-install-db.log"
  port=$((PORT_MIN + RANDOM % PORT_SPAN))
  for ((i = 0; ; i++, port++)); do
    ((i < PORT_TRIES)) || die_with_log "MariaDB: no free port" "${log}"
    port_taken "${port}" && continue
    : >"${log}"
    # max-allowed-packet: the tests insert 1 MB blobs. Durability relaxed.
    /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="${dir}/data" \
      --tmpdir="${dir}/tmp" --bind-address="${ADDR}" --port="${port}" --socket="${sock}" \
      --pid-file="${dir}/mariadbd.pid" --log-error="${log}" --skip-name-resolve \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --skip-log-bin --innodb-flush-log-at-trx-commit=2 --innodb-use-native-aio=0 \
      --max-allowed-packet=64M "${TLS_MARIADB_ARGS[@]}" </dev/null >>"${log}" 2>&1 &
    pid=$!
    echo "${pid}" >"${BASE}/mariadbd.pid"
    # Ready once it answers on its socket; if it dies, see why.
    local deadline=$((SECONDS + 30))
    until mariadb-admin --no-defaults --socket="${sock}" -uroot ping >/dev/null 2>&1; do
      ((SECONDS < deadline)) || die_with_log "MariaDB start (timeout)" "${log}"
      if ! alive "${pid}"; then
        grep -q 'Address already in use' "${log}" ||
          die_with_log "MariaDB start" "${log}"
        continue 2
      fi
      sleep 0.05
    done
    break
  done
  # Both host forms: '%' for anything, 127.0.0.1 so no anonymous account can
  # shadow it. ALL on orb_test covers CREATE/DROP; killing one's own
  # connections needs no extra privilege.
  mariadb --no-defaults --socket="${sock}" -uroot -e "
    CREATE DATABASE orb_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER 'orb'@'%' IDENTIFIED BY '$1';
    CREATE USER 'orb'@'127.0.0.1' IDENTIFIED BY '$1';
    GRANT ALL ON orb_test.* TO 'orb'@'%';
    GRANT ALL ON orb_test.* TO 'orb'@'127.0.0.1';
    CREATE DATABASE orb_foreign CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
    GRANT ALL ON orb_foreign.* TO 'orb'@'%';
    GRANT ALL ON orb_foreign.* TO 'orb'@'127.0.0.1';" >>"${log}" 2>&1 ||
    die_with_log "MariaDB user setup" "${log}"
  echo "${port}" >"${BASE}/mariadb.port"
}

reap_stale

BASE=$(mktemp -d /tmp/orb-test.XXXXXX)
chmod 755 "${BASE}" # postgres and mysql must traverse it
install -d -m 755 "${BASE}/logs"
STATE=${STATE_PREFIX}${BASE##*.}
printf 'owner %s %s\ndir %s\n' "$$" "$(starttime "$$")" "${BASE}" >"${STATE}"

tls_setup "${BASE}/tls" "${BASE}/logs/tls.log" ||
  die_with_log "TLS certificates" "${BASE}/logs/tls.log"

pg_pw=$(random_hex)
my_pw=$(random_hex)
# Both servers start in parallel: ~1-1.5 s each.
start_pg "${pg_pw}" &
SETUP_PIDS+=($!)
start_mariadb "${my_pw}" &
SETUP_PIDS+=($!)
failed=0
for pid in "${SETUP_PIDS[@]}"; do wait "${pid}" || failed=1; done
SETUP_PIDS=()
((failed == 0)) || exit 1

pg_port=$(<"${BASE}/pg.port")
my_port=$(<"${BASE}/mariadb.port")
say "PostgreSQL 15 on ${ADDR}:${pg_port}"
say "MariaDB 10.11 on ${ADDR}:${my_port}"
start_pg_deployments "${pg_port}" "${pg_pw}"
export ORB_TEST_PG_URL="postgresql://orb:${pg_pw}@${ADDR}:${pg_port}/orb_test"
export ORB_TEST_MYSQL_URL="mysql://orb:${my_pw}@${ADDR}:${my_port}/orb_test"
# A second database each, for schemas made the way users' are (test_foreign):
# MariaDB utf8mb4_general_ci; PostgreSQL with an ICU collation (only the C
# and C.UTF-8 OS locales exist here).
export ORB_TEST_PG_FOREIGN_URL="postgresql://orb:${pg_pw}@${ADDR}:${pg_port}/orb_foreign"
export ORB_TEST_TLS_CA=${BASE}/tls/ca.pem
export ORB_TEST_TLS_OTHER_CA=${BASE}/tls/other-ca.pem
export ORB_TEST_MYSQL_FOREIGN_URL="mysql://orb:${my_pw}@${ADDR}:${my_port}/orb_foreign"
# The Galera cluster is started by ctest's fixture `galera`, only when its
# tests run; its URLs and directory are fixed here (scripts/servers/galera.sh).
# shellcheck disable=SC1091 # checked on its own
source "$(dirname "${BASH_SOURCE[0]}")/servers/galera.sh"
galera_plan "${BASE}" "$(random_hex)"

# CMD runs in the background and we wait for it: bash defers traps while a
# foreground command runs, so a TERM sent to this script alone would only act
# once CMD had finished. Signals are forwarded to CMD instead; cleanup follows
# when it exits. Background commands start with SIGINT/SIGQUIT ignored and
# stdin from /dev/null: env and <&0 undo that (Ctrl-C, interactive shells).
env --default-signal=INT,QUIT "$@" <&0 &
cmd_pid=$!
# shellcheck disable=SC2317 # only reached through the traps below
forward() { kill -s "$1" "${cmd_pid}" 2>/dev/null || true; }
trap 'forward INT' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP
status=0
wait "${cmd_pid}" || status=$?
# wait also returns early when a trapped signal arrives: wait on for CMD.
while kill -0 "${cmd_pid}" 2>/dev/null; do
  status=0
  wait "${cmd_pid}" || status=$?
done
exit "${status}"
