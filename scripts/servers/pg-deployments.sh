# shellcheck shell=bash
# PostgreSQL deployments around the throwaway server of with-servers.sh
# (sourced by it; uses its BASE, PG_BIN, PORT_* and helpers):
#
#   pgbouncer (Debian's) in front of it, one database per pooling mode:
#     ORB_TEST_PGBOUNCER_TX_URL        pool_mode=transaction, 3 server conns
#     ORB_TEST_PGBOUNCER_SESSION_URL   pool_mode=session
#   a streaming replica (pg_basebackup -R), a hot standby:
#     ORB_TEST_PG_STANDBY_URL
#     ORB_TEST_PG_HOSTS_URL            both servers, the standby listed first
#                                      (libpq's host=a,b&port=x,y); add
#                                      &target_session_attrs=read-write|...
#   an independent copy of it (pg_basebackup without -R) for tests that
#   stop, start and restart the server (shell text; append the action):
#     ORB_TEST_PG_RESTART_URL, ORB_TEST_PG_RESTART_CTL
#   and a standby of that copy for the failover test, made and promoted by
#   the test itself (pg-failover.sh; append up, promote or down):
#     ORB_TEST_PG_FAILOVER
#
# pgbouncer knows the orb role by its SCRAM secret (copied from pg_authid):
# no password in any file, and it logs in to the server with the client's
# own SCRAM proof.

# A free port from PORT_MIN on, as the servers pick theirs.
pg_deploy_port() {
  local port=$((PORT_MIN + RANDOM % PORT_SPAN)) i
  for ((i = 0; i < PORT_TRIES; i++, port++)); do
    port_taken "${port}" || { echo "${port}"; return 0; }
  done
  return 1
}

# Copy the running server ($1: its port) into $2 and start it on a free
# port; $3 = -R makes it a streaming standby. Prints the port.
pg_deploy_clone() {
  local primary_port=$1 dir=$2 standby=$3 logs=${BASE}/logs port i
  local name=${dir##*/} log
  log=${logs}/${name}.log
  install -d -o postgres -g postgres -m 700 "${dir}"
  install -o postgres -g postgres -m 644 /dev/null "${log}"
  cd /
  runuser -u postgres -- "${PG_BIN}/pg_basebackup" -h "${BASE}/pg" \
    -p "${primary_port}" -U postgres -D "${dir}" -X stream -c fast ${standby:+"${standby}"} \
    >"${logs}/${name}-basebackup.log" 2>&1 ||
    die_with_log "pg_basebackup (${name})" "${logs}/${name}-basebackup.log"
  for ((i = 0; ; i++)); do
    ((i < PORT_TRIES)) || die_with_log "${name}: no free port" "${log}"
    port=$(pg_deploy_port) || continue
    : >"${log}"
    runuser -u postgres -- "${PG_BIN}/pg_ctl" -D "${dir}" -l "${log}" -w -t 30 -s \
      start -o "-c listen_addresses=${ADDR} -p ${port} -k ${dir} -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
      >"${logs}/${name}-pg_ctl.log" 2>&1 && break
    grep -q 'Address already in use' "${log}" ||
      die_with_log "${name} start" "${logs}/${name}-pg_ctl.log" "${log}"
  done
  echo "${port}"
}

# pgbouncer in front of the server on port $1; prints its port.
pg_deploy_pgbouncer() {
  local pg_port=$1 dir=${BASE}/pgbouncer logs=${BASE}/logs port i pid secret
  local log=${logs}/pgbouncer.log
  install -d -o postgres -g postgres -m 700 "${dir}"
  install -o postgres -g postgres -m 644 /dev/null "${log}"
  secret=$("${PG_BIN}/psql" -X -At -h "${BASE}/pg" -p "${pg_port}" -U postgres \
    -d postgres -c "SELECT rolpassword FROM pg_authid WHERE rolname = 'orb'")
  [[ ${secret} == SCRAM-SHA-256* ]] || die_with_log "pgbouncer: no SCRAM secret" "${log}"
  (umask 077 && printf '"orb" "%s"\n' "${secret}" >"${dir}/userlist.txt")
  chown postgres:postgres "${dir}/userlist.txt"
  for ((i = 0; ; i++)); do
    ((i < PORT_TRIES)) || die_with_log "pgbouncer: no free port" "${log}"
    port=$(pg_deploy_port) || continue
    cat >"${dir}/pgbouncer.ini" <<EOF
[databases]
orb_test_tx = host=${ADDR} port=${pg_port} dbname=orb_test pool_mode=transaction
orb_test_session = host=${ADDR} port=${pg_port} dbname=orb_test pool_mode=session
[pgbouncer]
listen_addr = ${ADDR}
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${dir}/userlist.txt
logfile = ${log}
pidfile = ${dir}/pgbouncer.pid
; fewer server connections than concurrent clients: statements of
; different clients share them, as on a busy pooler
default_pool_size = 3
max_client_conn = 200
EOF
    : >"${log}"
    runuser -u postgres -- /usr/sbin/pgbouncer "${dir}/pgbouncer.ini" \
      </dev/null >>"${log}" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + 30))
    until port_taken "${port}"; do
      ((SECONDS < deadline)) || die_with_log "pgbouncer start (timeout)" "${log}"
      if ! alive "${pid}"; then
        grep -q 'Address already in use' "${log}" || die_with_log "pgbouncer start" "${log}"
        continue 2
      fi
      sleep 0.05
    done
    break
  done
  echo "${port}"
}

# Start all three next to the server on port $1 whose orb password is $2;
# exports the URLs above.
start_pg_deployments() {
  local pg_port=$1 pw=$2 bouncer standby copy here
  bouncer=$(pg_deploy_pgbouncer "${pg_port}") || exit 1
  standby=$(pg_deploy_clone "${pg_port}" "${BASE}/pg-standby" -R) || exit 1
  copy=$(pg_deploy_clone "${pg_port}" "${BASE}/pg-restart" '') || exit 1
  say "pgbouncer on ${ADDR}:${bouncer}, hot standby on ${ADDR}:${standby}"
  export ORB_TEST_PGBOUNCER_TX_URL="postgresql://orb:${pw}@${ADDR}:${bouncer}/orb_test_tx"
  export ORB_TEST_PGBOUNCER_SESSION_URL="postgresql://orb:${pw}@${ADDR}:${bouncer}/orb_test_session"
  export ORB_TEST_PG_STANDBY_URL="postgresql://orb:${pw}@${ADDR}:${standby}/orb_test"
  export ORB_TEST_PG_HOSTS_URL="postgresql://orb:${pw}@${ADDR}/orb_test?host=${ADDR},${ADDR}&port=${standby},${pg_port}"
  export ORB_TEST_PG_RESTART_URL="postgresql://orb:${pw}@${ADDR}:${copy}/orb_test"
  export ORB_TEST_PG_RESTART_CTL="cd / && runuser -u postgres -- ${PG_BIN}/pg_ctl -D ${BASE}/pg-restart -l ${BASE}/logs/pg-restart.log -m fast -w -t 30 -s"
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  export ORB_TEST_PG_FAILOVER="bash ${here}/pg-failover.sh ${BASE} ${PG_BIN} ${ADDR} ${copy}"
}
