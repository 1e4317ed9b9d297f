#!/usr/bin/env bash
# A hot standby of the restartable test server (ORB_TEST_PG_RESTART_URL),
# made for the failover test of tests/test_pg_deploy.c and promoted by it.
# pg-deployments.sh exports ORB_TEST_PG_FAILOVER as this script with its
# arguments; the test appends the action:
#
#   up        a fresh standby in BASE/pg-failover, streaming from the
#             restartable server (which must be running), started on a free
#             port; prints the port
#   promote   promote it (pg_ctl promote -w): it takes writes
#   down      stop it and remove it (nothing when there is none)
#
# The shared hot standby of the other tests is never touched. with-servers.sh
# stops whatever runs in BASE/pg-* when it exits.
set -euo pipefail

(($# == 5)) || { echo "usage: $0 BASE PG_BIN ADDR PRIMARY_PORT up|promote|down" >&2; exit 2; }
base=$1 pg_bin=$2 addr=$3 primary_port=$4 action=$5
dir=${base}/pg-failover log=${base}/logs/pg-failover.log

ctl() {
  (cd / && runuser -u postgres -- "${pg_bin}/pg_ctl" -D "${dir}" -l "${log}" -w -t 30 -s "$@")
}

down() {
  [[ -d ${dir} ]] || return 0
  [[ -f ${dir}/postmaster.pid ]] && { ctl -m fast stop >/dev/null 2>&1 || true; }
  rm -rf "${dir}"
}

case ${action} in
  up)
    down
    install -d -o postgres -g postgres -m 700 "${dir}"
    install -o postgres -g postgres -m 644 /dev/null "${log}"
    (cd / && runuser -u postgres -- "${pg_bin}/pg_basebackup" -h "${base}/pg-restart" \
      -p "${primary_port}" -U postgres -D "${dir}" -X stream -c fast -R) >>"${log}" 2>&1 ||
      { echo "pg-failover: pg_basebackup failed:" >&2; tail -20 "${log}" >&2; exit 1; }
    for ((i = 0; i < 20; i++)); do
      port=$((20000 + RANDOM % 12000))
      (: <>"/dev/tcp/${addr}/${port}") 2>/dev/null && continue
      : >"${log}"
      if ctl start -o "-c listen_addresses=${addr} -p ${port} -k ${dir} -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null 2>&1; then
        echo "${port}"
        exit 0
      fi
      grep -q 'Address already in use' "${log}" || break
    done
    echo "pg-failover: the standby did not start:" >&2
    tail -20 "${log}" >&2
    exit 1
    ;;
  promote) ctl promote ;;
  down) down ;;
  *) echo "pg-failover: unknown action '${action}'" >&2; exit 2 ;;
esac
