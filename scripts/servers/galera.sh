#!/usr/bin/env bash
# A three-node MariaDB Galera cluster (Debian's galera-4) on loopback, for
# tests/test_galera.c. Started only when those tests run: ctest's fixture
# `galera` runs
#
#   scripts/servers/galera.sh start   (test galera_start, ~30-60 s)
#   scripts/servers/galera.sh stop    (test galera_stop)
#
# under scripts/with-servers.sh, which sources this file for galera_plan:
# that picks the addresses, ports and password up front and exports
#   ORB_TEST_GALERA_URLS="mysql://orb:PW@127.A.B.1:PORT/orb_test ...2... ...3..."
#   ORB_TEST_GALERA_DIR=BASE/galera
# so every test knows the URLs from the start; the nodes live in BASE,
# whose cleanup (every exit path, and the next run's reaping after a
# SIGKILL) stops them like the other servers.
#
# Node i listens on 127.A.B.i, one random A.B per run, so that concurrent
# runs cannot take each other's ports (each node needs four: SQL, group
# communication, IST, SST). Node 1 bootstraps the cluster; nodes 2 and 3
# join it and get their data by a state transfer (rsync SST) from a node
# already in it. Buffers are small and durability relaxed: the data dies
# with the run.

readonly GALERA_PROVIDER=/usr/lib/galera/libgalera_smm.so

# Sourced by with-servers.sh: BASE and PASSWORD in, the exports above out.
galera_plan() {
  local base=$1 pw=$2 net port tries i k ok
  net=127.$((RANDOM % 254 + 1)).$((RANDOM % 254 + 1))
  for ((tries = 0; tries < 20; tries++)); do
    port=$((20000 + RANDOM % 11996))
    ok=1
    for ((i = 1; i <= 3 && ok; i++)); do
      for ((k = 0; k < 4; k++)); do
        if (: <>"/dev/tcp/${net}.${i}/$((port + k))") 2>/dev/null; then
          ok=0
          break
        fi
      done
    done
    ((ok)) && break
  done
  export ORB_TEST_GALERA_DIR=${base}/galera
  export ORB_TEST_GALERA_URLS="mysql://orb:${pw}@${net}.1:${port}/orb_test \
mysql://orb:${pw}@${net}.2:${port}/orb_test mysql://orb:${pw}@${net}.3:${port}/orb_test"
}

# ---- the rest runs as `galera.sh start|stop` ----
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0
set -euo pipefail

say() { echo "galera: $*" >&2; }

if [[ ${ORB_TEST_SKIP_SERVERS:-} == 1 ]]; then
  say "skipped: ORB_TEST_SKIP_SERVERS=1"
  exit 77
fi
if [[ -z ${ORB_TEST_GALERA_DIR:-} || -z ${ORB_TEST_GALERA_URLS:-} ]]; then
  say "ORB_TEST_GALERA_DIR/URLS not set: run under scripts/with-servers.sh"
  exit 1
fi
DIR=${ORB_TEST_GALERA_DIR}
LOGS=${DIR%/*}/logs # with-servers.sh keeps them with ORB_KEEP_SERVER_LOGS=1
# The first URL gives the password, the network and the SQL port; the other
# three ports follow it.
[[ ${ORB_TEST_GALERA_URLS} =~ ^mysql://orb:([0-9a-f]+)@([0-9.]+)\.1:([0-9]+)/ ]] || {
  say "cannot read ORB_TEST_GALERA_URLS"
  exit 1
}
PW=${BASH_REMATCH[1]} NET=${BASH_REMATCH[2]} PORT_SQL=${BASH_REMATCH[3]}
PORT_GCOMM=$((PORT_SQL + 1)) PORT_IST=$((PORT_SQL + 2)) PORT_SST=$((PORT_SQL + 3))

alive() {
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  [[ ${stat##*) } != Z* ]]
}

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

# mariadbd's options for node $1 in NODE_ARGS.
node_args() {
  local i=$1 dir=${DIR}/n$1 ip=${NET}.$1
  local peers=gcomm://${NET}.1:${PORT_GCOMM},${NET}.2:${PORT_GCOMM},${NET}.3:${PORT_GCOMM}
  NODE_ARGS=(--no-defaults --user=mysql --datadir="${dir}/data"
    --tmpdir="${dir}/tmp" --bind-address="${ip}" --port="${PORT_SQL}"
    --socket="${dir}/sock" --pid-file="${dir}/mariadbd.pid"
    --log-error="${LOGS}/galera-n${i}.log" --skip-name-resolve
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci
    --skip-log-bin --innodb-flush-log-at-trx-commit=2 --innodb-use-native-aio=0
    --innodb-buffer-pool-size=32M --innodb-log-file-size=8M
    --max-allowed-packet=64M
    --binlog-format=ROW --innodb-autoinc-lock-mode=2
    --wsrep-on=ON --wsrep-provider="${GALERA_PROVIDER}"
    --wsrep-cluster-name="orb-test-${NET}" --wsrep-cluster-address="${peers}"
    --wsrep-node-name="n${i}" --wsrep-node-address="${ip}:${PORT_GCOMM}"
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="${ip}:${PORT_SST}"
    "--wsrep-provider-options=gmcast.listen_addr=tcp://${ip}:${PORT_GCOMM}; \
ist.recv_addr=${ip}:${PORT_IST}; gcache.size=16M; gcache.page_size=16M; pc.recovery=false")
  ((i == 1)) && NODE_ARGS+=(--wsrep-new-cluster)
  return 0
}

# Start node $1 and wait until it says Synced (a joiner answers on its
# socket while its state transfer is still running).
start_node() {
  local i=$1 dir=${DIR}/n$1 pid state deadline=$((SECONDS + 300))
  local log=${LOGS}/galera-n$1.log
  node_args "${i}"
  /usr/sbin/mariadbd "${NODE_ARGS[@]}" </dev/null >>"${log}" 2>&1 &
  pid=$!
  echo "${pid}" >"${dir}/orb.pid"
  while :; do
    state=$(mariadb --no-defaults --socket="${dir}/sock" -uroot -N -B -e \
      "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
       WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'" 2>/dev/null) || state=''
    [[ ${state} == Synced ]] && return 0
    ((SECONDS < deadline)) || die_with_log "node ${i} (timeout, state '${state}')" "${log}"
    alive "${pid}" || die_with_log "node ${i}" "${log}"
    sleep 0.1
  done
}

# Node $1 runs (its mariadbd from this DIR) and says Synced.
node_synced() {
  local dir=${DIR}/n$1 pid
  [[ -f ${dir}/orb.pid ]] || return 1
  pid=$(<"${dir}/orb.pid")
  alive "${pid}" || return 1
  [[ $(mariadb --no-defaults --socket="${dir}/sock" -uroot -N -B -e \
    "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
     WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'" 2>/dev/null) == Synced ]]
}

start() {
  local i pids=() pid
  [[ -r ${GALERA_PROVIDER} ]] ||
    die_with_log "${GALERA_PROVIDER} missing (scripts/deps.sh installs galera-4)"
  # Started already (ctest --repeat runs the fixture's setup again before
  # its cleanup): the cluster serves the next run as it is; the tests make
  # their tables afresh. A cluster left half up is stopped and made anew.
  if node_synced 1 && node_synced 2 && node_synced 3; then
    say "3 nodes already synced on ${NET}.1-3:${PORT_SQL}"
    return 0
  fi
  stop
  rm -rf "${DIR}"
  # Everything from here on is below BASE, which with-servers.sh removes.
  install -d -m 755 "${DIR}"
  for i in 1 2 3; do
    install -d -o mysql -g mysql -m 700 "${DIR}/n${i}" "${DIR}/n${i}/tmp" "${DIR}/n${i}/data"
    install -o mysql -g mysql -m 640 /dev/null "${LOGS}/galera-n${i}.log"
  done
  # Only the bootstrap node is installed: the joiners get everything, the
  # system tables, users and database included, by the state transfer.
  mariadb-install-db --no-defaults --user=mysql --datadir="${DIR}/n1/data" \
    --tmpdir="${DIR}/n1/tmp" --innodb-log-file-size=8M \
    --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
    >"${LOGS}/galera-install-db.log" 2>&1 ||
    die_with_log "mariadb-install-db" "${LOGS}/galera-install-db.log"
  start_node 1
  # PROCESS and SUPER: the tests watch lock waits (INNODB_TRX) and make a
  # node refuse queries (wsrep_reject_queries).
  mariadb --no-defaults --socket="${DIR}/n1/sock" -uroot -e "
    CREATE DATABASE orb_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    CREATE USER 'orb'@'%' IDENTIFIED BY '${PW}';
    GRANT ALL ON orb_test.* TO 'orb'@'%';
    GRANT PROCESS, SUPER ON *.* TO 'orb'@'%';" >>"${LOGS}/galera-n1.log" 2>&1 ||
    die_with_log "user setup" "${LOGS}/galera-n1.log"
  # The joiners start together: the second one's state transfer script
  # starts while the first one's runs (the donor serves one at a time).
  for i in 2 3; do
    start_node "${i}" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "${pid}" || exit 1; done
  say "3 nodes synced on ${NET}.1-3:${PORT_SQL} in ${SECONDS} s"
}

# Every node gets TERM at once (a node leaving alone makes the others
# reconfigure); KILL after 30 s.
stop() {
  local i pid pids=() deadline=$((SECONDS + 30))
  for i in 1 2 3; do
    [[ -f ${DIR}/n${i}/orb.pid ]] || continue
    pid=$(<"${DIR}/n${i}/orb.pid")
    alive "${pid}" && kill -TERM "${pid}" 2>/dev/null && pids+=("${pid}")
  done
  for pid in "${pids[@]}"; do
    while alive "${pid}"; do
      if ((SECONDS >= deadline)); then
        kill -KILL "${pid}" 2>/dev/null || true
        break
      fi
      sleep 0.05
    done
  done
  return 0
}

case ${1-} in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop (under scripts/with-servers.sh)" >&2
    exit 2
    ;;
esac
