#!/usr/bin/env bash
# The latency bench: orb's jobs over a slow network, in round trips.
#
#   bench/latency/run.sh [OPTIONS] [RTT_MS...]     default RTT: 20
#     --build DIR      orb, latency_probe and nfq_delay from DIR (default build)
#     --baseline DIR   also run DIR's orb and latency_probe, side by side
#     --repeat K       median of K runs per job (default 3)
#     --dialect D      postgresql or mysql (default both)
#     --no-export      skip the 1M-row export (the slowest job)
#     --exec CMD...    instead of the jobs, run CMD (e.g. bash) with the delay
#                      of the first RTT and LATENCY_PG_URL, LATENCY_MYSQL_URL
#
# A network namespace with a veth pair; a throwaway PostgreSQL and MariaDB
# (scripts/with-servers.sh) listen inside it, orb and the clients run
# outside. This kernel has no sch_netem, so every packet entering or
# leaving the namespace goes through iptables' NFQUEUE to nfq_delay, which
# holds each one coming in for the RTT and lets each going out go at once
# (held inside the servers' kernel, it would slow TCP down as a real link
# does not; nfq_delay.c says why). Each job's time is divided by the round
# trip time measured in the same run (median of 21 `SELECT 1`) and printed
# beside the minimum the protocol allows and beside psql / mariadb or a
# minimal libpq / MySQL client program doing the same job (bench/README.md).
# Needs root (namespaces, iptables) and scripts/deps.sh --bench.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${here}/../.." && pwd)

say() { echo "latency: $*" >&2; }
# A command line as it may be shown: URL passwords replaced by ***.
redact() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#g' <<<"$*"; }

if [[ ${1-} == --inner ]]; then
  inner=1
  shift
else
  inner=0
fi

build=${root}/build baseline='' repeat=3 dialects='postgresql mysql' export_job=1
rtts=() exec_cmd=()
while (($#)); do
  case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --baseline) baseline=$(cd "$2" && pwd); shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --dialect) dialects=$2; shift 2 ;;
    --no-export) export_job=0; shift ;;
    --exec) shift; exec_cmd=("$@"); break ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) rtts+=("$1"); shift ;;
    *) say "unknown argument '$1' (see --help)"; exit 2 ;;
  esac
done
((${#rtts[@]})) || rtts=(20)
for r in "${rtts[@]}"; do
  [[ $r =~ ^[0-9]+(\.[0-9]+)?$ ]] || { say "bad RTT '$r' (milliseconds)"; exit 2; }
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { say "bad --repeat '$repeat'"; exit 2; }

# ---- outside: the namespace, the delay, the servers ----
if ((inner == 0)); then
  ((EUID == 0)) || { say "must run as root (network namespace, iptables)"; exit 2; }
  for tool in ip iptables nsenter psql mariadb; do
    command -v "$tool" >/dev/null || {
      say "$tool is missing: run scripts/deps.sh --bench"
      exit 2
    }
  done
  for prog in orb latency_probe nfq_delay; do
    [[ -x ${build}/${prog} ]] || {
      say "${build}/${prog} is missing: build it (bench/README.md)"
      exit 2
    }
  done
  if [[ -n $baseline ]]; then
    for prog in orb latency_probe; do
      [[ -x ${baseline}/${prog} ]] || { say "${baseline}/${prog} is missing"; exit 2; }
    done
  fi
  ns=orb-latency-$$
  veth_host=olh$$ veth_ns=oln$$
  # A /24 of 10.213.0.0/16 that no interface uses yet.
  net=''
  for ((i = $$ % 250, k = 0; k < 250; k++, i = (i + 1) % 250)); do
    if ! ip -4 addr show | grep -q "inet 10\.213\.${i}\."; then
      net=10.213.${i}
      break
    fi
  done
  [[ -n $net ]] || { say "no free 10.213.x.0/24 network"; exit 1; }
  state=$(mktemp -d /tmp/orb-latency.XXXXXX)
  cleanup() {
    set +e
    if [[ -f ${state}/delay.pid ]]; then
      ip netns exec "$ns" iptables -F 2>/dev/null
      kill "$(<"${state}/delay.pid")" 2>/dev/null
      wait "$(<"${state}/delay.pid")" 2>/dev/null
    fi
    ip netns del "$ns" 2>/dev/null # takes the veth pair with it
    rm -rf "$state"
  }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ip netns add "$ns"
  ip link add "$veth_host" type veth peer name "$veth_ns"
  ip link set "$veth_ns" netns "$ns"
  ip addr add "${net}.1/24" dev "$veth_host"
  ip link set "$veth_host" up
  ip netns exec "$ns" ip addr add "${net}.2/24" dev "$veth_ns"
  ip netns exec "$ns" ip link set "$veth_ns" up
  ip netns exec "$ns" ip link set lo up
  say "namespace ${ns}: servers on ${net}.2, orb on ${net}.1"
  export LATENCY_NS=$ns LATENCY_VETH=$veth_ns LATENCY_STATE=$state
  export LATENCY_BUILD=$build
  args=(--build "$build" --repeat "$repeat" --dialect "$dialects")
  [[ -n $baseline ]] && args+=(--baseline "$baseline")
  ((export_job)) || args+=(--no-export)
  ((${#exec_cmd[@]} == 0)) || args+=(--exec "${exec_cmd[@]}")
  # The servers start inside the namespace; the jobs run back outside it
  # (in this script's own network namespace) with the servers' URLs.
  status=0
  ip netns exec "$ns" env ORB_SERVER_ADDR="${net}.2" \
    "${root}/scripts/with-servers.sh" \
    nsenter --net="/proc/$$/ns/net" -- "$0" --inner "${rtts[@]}" "${args[@]}" ||
    status=$?
  exit "$status"
fi

# ---- inside: set the delay, load the data, run the jobs ----
ns=$LATENCY_NS state=$LATENCY_STATE
export LATENCY_COUNT_FILE=${state}/trips
pg_url="${ORB_TEST_PG_URL}?sslmode=disable"
my_url=$ORB_TEST_MYSQL_URL

# Hold every packet coming into the namespace for the RTT; count those
# going out too, but let them go at once.
set_delay() {
  local rtt_us
  rtt_us=$(awk -v r="$1" 'BEGIN { printf "%d", r * 1000 }')
  if [[ -f ${state}/delay.pid ]]; then
    ip netns exec "$ns" iptables -F
    kill "$(<"${state}/delay.pid")" 2>/dev/null || true
    while kill -0 "$(<"${state}/delay.pid")" 2>/dev/null; do sleep 0.01; done
  fi
  # Real-time priority where allowed: a busy machine would add its own delay.
  local prio=()
  chrt -f 50 true 2>/dev/null && prio=(chrt -f 50)
  ip netns exec "$ns" "${prio[@]}" "${LATENCY_BUILD}/nfq_delay" 0 "$rtt_us" \
    "$LATENCY_COUNT_FILE" >"${state}/delay.log" 2>&1 &
  echo $! >"${state}/delay.pid"
  until grep -q '^nfq_delay: queue' "${state}/delay.log" 2>/dev/null; do
    kill -0 "$(<"${state}/delay.pid")" 2>/dev/null || {
      cat "${state}/delay.log" >&2
      say "nfq_delay did not start"
      exit 1
    }
    sleep 0.01
  done
  ip netns exec "$ns" iptables -A INPUT -i "$LATENCY_VETH" -j NFQUEUE --queue-num 0
  ip netns exec "$ns" iptables -A OUTPUT -o "$LATENCY_VETH" -j NFQUEUE --queue-num 0
}

# The tables: items (100k rows, browsed, edited), ledger (1M rows,
# exported) and eight small ones, so schema reading and the models screen
# see a database with some tables.
load_data() {
  local sql_pg sql_my small=''
  for i in 1 2 3 4 5 6 7 8; do
    small+="CREATE TABLE tag_0${i} (id integer PRIMARY KEY, name varchar(40) NOT NULL);"
  done
  sql_pg="CREATE TABLE items (id serial PRIMARY KEY, label varchar(40) NOT NULL,
    grp integer NOT NULL, price double precision, note text);
    INSERT INTO items (label, grp, price, note) SELECT 'item-' || i, i % 10,
      i * 0.25, 'Ünïcode note ' || i FROM generate_series(1, 100000) i;
    CREATE TABLE ledger (id serial PRIMARY KEY, label varchar(40) NOT NULL,
    grp integer NOT NULL, price double precision, note text);
    INSERT INTO ledger (label, grp, price, note) SELECT 'entry-' || i, i % 10,
      i * 0.25, 'Ünïcode note ' || i FROM generate_series(1, 1000000) i;
    ${small} ANALYZE items; ANALYZE ledger;"
  sql_my="CREATE TABLE items (id integer AUTO_INCREMENT PRIMARY KEY,
    label varchar(40) NOT NULL, grp integer NOT NULL, price double, note text);
    INSERT INTO items (label, grp, price, note) SELECT CONCAT('item-', seq),
      seq % 10, seq * 0.25, CONCAT('Ünïcode note ', seq) FROM seq_1_to_100000;
    CREATE TABLE ledger (id integer AUTO_INCREMENT PRIMARY KEY,
    label varchar(40) NOT NULL, grp integer NOT NULL, price double, note text);
    INSERT INTO ledger (label, grp, price, note) SELECT CONCAT('entry-', seq),
      seq % 10, seq * 0.25, CONCAT('Ünïcode note ', seq) FROM seq_1_to_1000000;
    ${small} ANALYZE TABLE items, ledger;"
  case $1 in
    postgresql) psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -c "$sql_pg" >/dev/null ;;
    mysql) my_client -e "$sql_my" >/dev/null ;;
  esac
}

# The mariadb client with the URL's parts (the password through the
# environment, never on a command line).
my_client() {
  local rest=${my_url#mysql://} user pw hostport host port db
  user=${rest%%:*} rest=${rest#*:}
  pw=${rest%%@*} rest=${rest#*@}
  hostport=${rest%%/*} db=${rest#*/}
  host=${hostport%:*} port=${hostport##*:}
  MYSQL_PWD=$pw mariadb --no-defaults -h "$host" -P "$port" -u "$user" "$db" "$@"
}

now_ms() { echo "${EPOCHREALTIME/./}" | awk '{ printf "%.3f", $1 / 1000 }'; }

# Round trips counted on the wire so far (nfq_delay's count file).
trips_now() { awk '{ print $1 + 0; exit }' "$LATENCY_COUNT_FILE" 2>/dev/null || echo 0; }

# Lines "MS TRIPS" on stdin: the median of each column.
median() {
  awk '{ ms[NR] = $1; tr[NR] = $2 }
    function med(a, n,   i, j, t) {
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return a[int((n + 1) / 2)]
    }
    END { if (NR) print med(ms, NR), med(tr, NR) }'
}

# "MS TRIPS" of one run of a command (output discarded; failure is fatal).
time_cmd() {
  local t0 t1 c0 c1
  c0=$(trips_now)
  t0=$(now_ms)
  if ! "$@" >/dev/null 2>"${state}/cmd.err"; then
    say "failed: $(redact "$*")"
    redact "$(cat "${state}/cmd.err")" >&2
    exit 1
  fi
  t1=$(now_ms)
  c1=$(trips_now)
  awk -v a="$t0" -v b="$t1" -v c="$((c1 - c0))" 'BEGIN { printf "%.3f %d\n", b - a, c }'
}

# Median "MS TRIPS" of a command over $repeat runs.
time_median() {
  local i
  for ((i = 0; i < repeat; i++)); do time_cmd "$@"; done | median
}

# Several steps of one probe job, $repeat runs, into ${state}/steps.
probe_steps() {
  local i
  for ((i = 0; i < repeat; i++)); do
    if ! "$@" >>"${state}/steps" 2>"${state}/probe.err"; then
      redact "$(cat "${state}/probe.err")" >&2
      say "failed: $(redact "$*")"
      exit 1
    fi
  done
}
# Median "MS TRIPS" of STEP in ${state}/steps.
step_median() { awk -F'\t' -v s="$1" '$1 == s { print $2, $3 }' "${state}/steps" | median; }

# Median "MS TRIPS" of STEP over $repeat runs of the probe.
probe_median() {
  local step=$1
  shift
  : >"${state}/steps"
  probe_steps "$@"
  step_median "$step"
}

# Record one measurement: SIDE (orb, before, other) of JOB took "MS TRIPS".
put() { [[ -z $3 ]] || printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"${state}/out"; }

# Every job of dialect D on every side, into ${state}/out.
measure() {
  local d=$1 url orb_bin=${LATENCY_BUILD}/orb probe=${LATENCY_BUILD}/latency_probe
  local b_orb=${baseline:+${baseline}/orb} b_probe=${baseline:+${baseline}/latency_probe}
  local side bin prb
  url=$pg_url
  [[ $d == mysql ]] && url=$my_url
  : >"${state}/out"
  put rtt other "$(probe_median rtt "$probe" rtt "$url")"
  put connect other "$(probe_median connect "$probe" raw-connect "$url")"

  local -A sql_of=(
    [get]="SELECT * FROM items WHERE id = 4242"
    [count]="SELECT count(*) FROM items"
    [rows]="SELECT * FROM items ORDER BY id LIMIT 40"
  )
  local -A args_of=([get]="get items 4242" [count]="count items"
    [rows]="rows items --limit 40" [models]="models")
  local job
  for job in get count rows models; do
    if [[ $job == models ]]; then
      if [[ $d == postgresql ]]; then
        put models other "$(time_median psql -X "$url" -c '\dt+')"
      else
        put models other "$(time_median my_client --batch -e 'SHOW TABLE STATUS')"
      fi
    elif [[ $d == postgresql ]]; then
      put "$job" other "$(time_median psql -X -A -t "$url" -c "${sql_of[$job]}")"
    else
      put "$job" other "$(time_median my_client --batch -e "${sql_of[$job]}")"
    fi
  done
  : >"${state}/steps"
  probe_steps "$probe" raw-browse "$url" items
  put first other "$(step_median first-screen)"
  put pages other "$(step_median pages)"
  put commit other "$(probe_median commit "$probe" raw-commit "$url" items 100)"

  for side in orb before; do
    bin=$orb_bin prb=$probe
    if [[ $side == before ]]; then
      [[ -n $baseline ]] || continue
      bin=$b_orb prb=$b_probe
    fi
    put connect "$side" "$(probe_median connect "$prb" connect "$url")"
    for job in get count rows models; do
      local -a orb_args
      read -ra orb_args <<<"${args_of[$job]}"
      put "$job" "$side" "$(time_median "$bin" "$url" "${orb_args[@]}")"
    done
    # The browser on the in-memory screen: one probe run gives every step.
    : >"${state}/steps"
    probe_steps "$prb" browse "$url" items
    put open "$side" "$(step_median open)"
    put counts "$side" "$(step_median models-counts)"
    put first "$side" "$(step_median first-screen-from-start)"
    put tcount "$side" "$(step_median table-count)"
    put pages "$side" "$(step_median pages)"
    : >"${state}/steps"
    probe_steps "$prb" commit "$url" items 100
    put load "$side" "$(step_median load)"
    put commit "$side" "$(step_median commit)"
    put mixed "$side" "$(probe_median mixed "$prb" mixed "$url" items 1000)"
  done
}

# Export of 1M rows: throughput, so seconds at the given delay.
measure_export() {
  local d=$1 url side bin
  url=$pg_url
  [[ $d == mysql ]] && url=$my_url
  : >"${state}/out"
  for side in orb before; do
    bin=${LATENCY_BUILD}/orb
    if [[ $side == before ]]; then
      [[ -n $baseline ]] || continue
      bin=${baseline}/orb
    fi
    put export "$side" "$(time_median "$bin" "$url" export ledger --format csv --output -)"
  done
  if [[ $d == postgresql ]]; then
    put export other "$(time_median psql -X "$url" -c '\copy ledger to stdout with (format csv)')"
  else
    put export other "$(time_median my_client --batch -e 'SELECT * FROM ledger')"
  fi
}

# The table of dialect D from the zero-delay run ($2) and the delayed one
# ($3). Each cell: the round trips counted on the wire (nfq_delay), then
# in parentheses (time at RTT - time at 0) / (RTT - RTT at 0): the time
# the job waited on the network, in round trips. The subtraction leaves
# out what client and server spend computing (a busy machine would
# otherwise count its CPU time as round trips).
render() {
  local d=$1 zero=$2 slow=$3 rtt_ms=$4 exports=${5-} client cmin
  if [[ $d == postgresql ]]; then
    client=psql cmin=4 # TCP 1 + SCRAM 3
  else
    client=mariadb cmin=2 # counted: TCP 1 + login 1 (the greeting is half a trip more)
  fi
  echo
  awk -F'\t' -v zero="$zero" -v d="$d" -v r="$rtt_ms" -v rep="$repeat" \
    -v base="${baseline:+1}" -v client="$client" -v cmin="$cmin" \
    -v exports="$exports" '
    { split($3, v, " ") }
    FILENAME == zero { z[$1, $2] = v[1]; next }
    FILENAME == exports { e[$1, $2] = v[1]; next }
    { t[$1, $2] = v[1]; n[$1, $2] = v[2] }
    # Round trips counted on the wire (time at RTT - time at 0) / RTT.
    function rts(job, side) {
      if (!((job, side) in t) || !((job, side) in z)) return "–"
      return sprintf("%d (%.1f)", n[job, side], (t[job, side] - z[job, side]) / rtt)
    }
    function row(job, text, min) {
      if (base)
        printf "| %s | %s | %s | %s | %s |\n", text, min, rts(job, "orb"),
          rts(job, "before"), rts(job, "other")
      else
        printf "| %s | %s | %s | %s |\n", text, min, rts(job, "orb"),
          rts(job, "other")
    }
    function secs(side) {
      if (!(("export", side) in e)) return "–"
      return sprintf("%.2f s (%.2f×)", e["export", side] / 1000,
        e["export", side] / e["export", "other"])
    }
    END {
      rtt = t["rtt", "other"] - z["rtt", "other"]
      printf "### %s, %s ms round trip (measured %.1f ms over %.1f ms without delay), median of %s\n\n",
        d, r, t["rtt", "other"], z["rtt", "other"], rep
      if (base) {
        printf "| job | protocol minimum | orb | orb before | %s / minimal client |\n", client
        print "|---|---:|---:|---:|---:|"
      } else {
        printf "| job | protocol minimum | orb | %s / minimal client |\n", client
        print "|---|---:|---:|---:|"
      }
      row("connect", "connect", cmin)
      row("get", "CLI `get items 4242`", cmin + 1)
      row("count", "CLI `count items`", cmin + 1)
      row("rows", "CLI `rows items --limit 40`", cmin + 1)
      row("models", "CLI `models` (10 tables)", cmin + 1)
      row("open", "browser: open (connect, schema)", cmin)
      row("counts", "browser: models screen counts (10 tables, estimates)", 1)
      row("first", "browser: first screen of items (100k rows), connect included", cmin + 1)
      row("tcount", "browser: its row count, after the first screen", 1)
      row("pages", "browser: 100 × PageDown", 100)
      row("load", "load 100 rows to edit (connected)", 1)
      row("commit", "commit of 100 edited rows (connected)", 1)
      row("mixed", "commit of 1,000 updates, 1,000 deletes, 1,000 inserts (connected)", 1)
      if (exports != "") {
        if (base)
          printf "| export of 1M rows as CSV (× %s) | – | %s | %s | %.2f s |\n", client,
            secs("orb"), secs("before"), e["export", "other"] / 1000
        else
          printf "| export of 1M rows as CSV (× %s) | – | %s | %.2f s |\n", client,
            secs("orb"), e["export", "other"] / 1000
      }
    }' "$zero" ${exports:+"$exports"} "$slow"
}

say "loading data (items 100k rows, ledger 1M rows, 8 small tables)"
for d in $dialects; do load_data "$d"; done
if ((${#exec_cmd[@]})); then
  set_delay "${rtts[0]}"
  LATENCY_PG_URL=$pg_url LATENCY_MYSQL_URL=$my_url "${exec_cmd[@]}"
  exit
fi
set_delay 0
for d in $dialects; do
  say "${d}: no delay"
  measure "$d"
  mv "${state}/out" "${state}/zero.${d}"
done
for r in "${rtts[@]}"; do
  set_delay "$r"
  for d in $dialects; do
    say "${d}: ${r} ms"
    measure "$d"
    mv "${state}/out" "${state}/slow.${d}"
    exports=''
    if ((export_job)); then
      measure_export "$d"
      mv "${state}/out" "${state}/export.${d}"
      exports=${state}/export.${d}
    fi
    render "$d" "${state}/zero.${d}" "${state}/slow.${d}" "$r" "$exports"
  done
done
