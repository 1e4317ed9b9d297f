#!/usr/bin/env bash
# Export throughput on loopback: `orb URL export` of a big table beside
# `psql \copy (SELECT ...) to stdout` and `mariadb --batch -e 'SELECT ...'`
# doing the same job, measured side by side in one run, as ratios.
#
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-bench --target orb
#   bench/export/run.sh                         # 1M rows, 3 runs each, both dialects
#   bench/export/run.sh --rows 200k --repeat 5 --dialect postgresql
#   bench/export/run.sh --baseline ../old/build-bench   # another orb beside
#
# Options: --build DIR (orb's build, default build-bench), --baseline DIR
# (a second orb, "orb before"), --rows N (k and M suffixes), --repeat K
# (medians of K runs), --dialect postgresql|mysql (default both),
# --format csv|tsv (default csv).
#
# Needs root for scripts/with-servers.sh (it starts the throwaway servers
# when ORB_TEST_PG_URL is not set already). Each side writes its rows to a
# file in a temporary directory; the times are wall clock and the client's
# CPU (user + system) from bash's `time`, medians of the runs. The ratio
# is orb's wall time over the other client's.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ -z ${ORB_TEST_PG_URL:-} || -z ${ORB_TEST_MYSQL_URL:-} ]]; then
  exec "$root/scripts/with-servers.sh" "$0" "$@"
fi

build=${root}/build-bench baseline='' rows=1000000 repeat=3
dialects='postgresql mysql' format=csv
die() { echo "export bench: $*" >&2; exit 2; }
count() {
  case $1 in
    *[kK]) echo $((${1%?} * 1000)) ;;
    *[mM]) echo $((${1%?} * 1000000)) ;;
    *) echo "$1" ;;
  esac
}
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --rows) rows=$(count "$2"); shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --dialect) dialects=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    *) die "unknown option $1 (see the comment at the top of $0)" ;;
  esac
done
[[ -x ${build}/orb ]] || die "no ${build}/orb: build it first (see $0)"
[[ -z $baseline || -x ${baseline}/orb ]] || die "no ${baseline}/orb"
[[ $format == csv || $format == tsv ]] || die "--format csv or tsv"

tmp=$(mktemp -d /tmp/orb-export-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pg_url="${ORB_TEST_PG_URL}?sslmode=disable"
my_url=$ORB_TEST_MYSQL_URL

# The mariadb client with the URL's parts; the password through an
# option file only we can read, never on a command line.
rest=${my_url#mysql://}
my_user=${rest%%:*} rest=${rest#*:}
my_pw=${rest%%@*} rest=${rest#*@}
my_host=${rest%%:*} rest=${rest#*:}
my_port=${rest%%/*} my_db=${rest#*/}
umask 077
printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\ndatabase=%s\n' \
  "$my_user" "$my_pw" "$my_host" "$my_port" "$my_db" >"${tmp}/my.cnf"
umask 022
my_client() { mariadb --defaults-extra-file="${tmp}/my.cnf" "$@"; }

# Every kind of column an export renders: integers, text with non-ASCII,
# commas and quotes, a decimal, a timestamp, a boolean, and NULLs.
load() {
  case $1 in
    postgresql) psql -X -q -v ON_ERROR_STOP=1 "$pg_url" >/dev/null <<SQL ;;
SET client_min_messages = warning; DROP TABLE IF EXISTS export_bench;
CREATE TABLE export_bench (id integer PRIMARY KEY, qty integer,
  label varchar(60) NOT NULL, note text, price numeric(12,2),
  at timestamp, active boolean);
INSERT INTO export_bench SELECT i, (i::bigint * 7919) % 100000 - 50000,
  'Zoë Ærøskøbing №' || i,
  CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN 'a, "quoted" note ' || i
       ELSE 'Ünïcode note ' || i END,
  round((i % 100000) * 0.37, 2),
  timestamp '2020-01-01' + i * interval '17 seconds',
  CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2 = 0 END
  FROM generate_series(1, ${rows}) i;
ANALYZE export_bench;
SQL
    mysql) my_client >/dev/null <<SQL ;;
DROP TABLE IF EXISTS export_bench;
CREATE TABLE export_bench (id integer PRIMARY KEY, qty integer,
  label varchar(60) NOT NULL, note text, price decimal(12,2),
  at datetime, active boolean);
INSERT INTO export_bench SELECT seq, (CAST(seq AS SIGNED) * 7919) % 100000 - 50000,
  CONCAT('Zoë Ærøskøbing №', seq),
  CASE WHEN seq % 7 = 0 THEN NULL WHEN seq % 5 = 0
       THEN CONCAT('a, "quoted" note ', seq)
       ELSE CONCAT('Ünïcode note ', seq) END,
  ROUND((seq % 100000) * 0.37, 2),
  TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq * 17 SECOND,
  CASE WHEN seq % 11 = 0 THEN NULL ELSE seq % 2 = 0 END
  FROM seq_1_to_${rows};
ANALYZE TABLE export_bench;
SQL
  esac
}

# One timed run of "$@" with stdout into $out: "wall cpu" in seconds.
timed() {
  local out=$1 t
  shift
  t=$( { TIMEFORMAT='%R %U %S'; time "$@" >"$out"; } 2>&1 ) ||
    die "failed: $* ($t)"
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"${t##*$'\n'}"
}

# Median wall and CPU of $repeat runs of a side: "wall cpu bytes".
measure() {
  local name=$1 out
  shift
  out=${tmp}/${name}.out
  for ((i = 0; i < repeat; i++)); do timed "$out" "$@"; done >"${tmp}/times"
  sort -n "${tmp}/times" | awk -v n="$repeat" -v bytes="$(stat -c %s "$out")" '
    { w[NR] = $1; c[NR] = $2 }
    END { m = int((n + 1) / 2); asort(c)
          printf "%s %s %s\n", w[m], c[m], bytes }'
}

status=0
printf '%s rows, %s, medians of %s runs (wall s, client CPU s, bytes)\n\n' \
  "$rows" "$format" "$repeat"
printf '| dialect | side | wall | CPU | output | wall vs other |\n'
printf '|---|---|---:|---:|---:|---:|\n'
for d in $dialects; do
  url=$pg_url
  [[ $d == mysql ]] && url=$my_url
  load "$d"
  if [[ $d == postgresql ]]; then
    other_name='psql \copy'
    copy="\\copy (SELECT * FROM export_bench ORDER BY id) to stdout with (format ${format}, header)"
    [[ $format == tsv ]] && copy="\\copy (SELECT * FROM export_bench ORDER BY id) to stdout with (format text)"
    read -r ow oc ob < <(measure other psql -X "$url" -c "$copy")
  else
    other_name='mariadb --batch'
    read -r ow oc ob < <(measure other my_client --batch \
      -e 'SELECT * FROM export_bench ORDER BY id')
  fi
  for side in orb before; do
    bin=${build}/orb
    if [[ $side == before ]]; then
      [[ -n $baseline ]] || continue
      bin=${baseline}/orb
    fi
    read -r w c b < <(measure "$side" "$bin" "$url" export export_bench \
      --format "$format" --output -)
    printf '| %s | orb%s | %.2f | %.2f | %s | %.2f× |\n' "$d" \
      "$([[ $side == before ]] && echo ' before')" "$w" "$c" "$b" \
      "$(awk -v a="$w" -v b="$ow" 'BEGIN { print a / b }')"
  done
  printf '| %s | %s | %.2f | %.2f | %s | 1.00× |\n' "$d" "$other_name" \
    "$ow" "$oc" "$ob"
  # Two orbs must write the same bytes.
  if [[ -n $baseline ]] && ! cmp -s "${tmp}/orb.out" "${tmp}/before.out"; then
    echo "export bench: orb and orb before wrote different bytes ($d)" >&2
    status=1
  fi
  case $d in
    postgresql) psql -X -q "$pg_url" -c 'DROP TABLE export_bench' >/dev/null ;;
    mysql) my_client -e 'DROP TABLE export_bench' ;;
  esac
done
exit "$status"
