#!/usr/bin/env bash
# Measures what analysts' load does to the front page's p99, with the
# analysts on a read replica and with them on the primary, and writes
# bench/results/replica-<members>.md.
# Usage: bench/replica.sh [members] [seconds] [days of reach history]
#
# On the primary and streaming replica of scripts/replica-pair (their own
# directory and ports, started here if they are not running), it seeds a
# program on the primary, waits for the replica to replay it, and starts
# three `mvpgraph serve --no-worker`: one on the primary alone for the
# front page, one reading from the replica for the analysts, and one on
# the primary alone for the analysts. Then, at 8 clients each, the front
# page alone; with analysts (analyst-cold: a new programStats question
# each request) on the replica's server; and with them on the primary's.
#
# With two cores or more, each side is kept to a core of its own, as on
# two machines: the primary, the front page's server and its load on the
# first; the replica, the analysts' servers and their load on the second
# (taskset, inherited by each cluster's new backends). The analysts'
# server on the primary still sends its statements to the primary's core.
# MVPGRAPH_BENCH_PIN=no runs everything on every core.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3
members=${1:-100000}
seconds=${2:-20}
days=${3:-30}
work=$(mktemp -d)
servers=()
started=
[ -d "${MVPGRAPH_REPLICA_DIR:-/tmp/mvpgraph-replica-pair}/primary" ] || started=yes
eval "$(scripts/replica-pair start)"
primary=${MVPGRAPH_TEST_PRIMARY_URL/\/postgres\?/\/replicabench?}
replica=${MVPGRAPH_TEST_REPLICA_URL/\/postgres\?/\/replicabench?}
pair=${MVPGRAPH_REPLICA_DIR:-/tmp/mvpgraph-replica-pair}
# pin keeps the cluster in $1 (its postmaster and every process it has
# started) to the cores $2; its later backends inherit them.
pin() {
  local pm
  pm=$(head -n 1 "$pair/$1/postmaster.pid")
  for pid in $pm $(pgrep -P "$pm"); do taskset -a -p -c "$2" "$pid" >/dev/null; done
}
all=0-$(( $(nproc) - 1 ))
side_a=() side_b=()
if [ "$(nproc)" -ge 2 ] && [ "${MVPGRAPH_BENCH_PIN:-yes}" != no ]; then
  side_a=(taskset -c 0) side_b=(taskset -c 1)
fi
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  if [ ${#side_a[@]} -gt 0 ] && [ -z "$started" ]; then
    pin primary "$all" 2>/dev/null || true
    pin replica "$all" 2>/dev/null || true
  fi
  psql "$MVPGRAPH_TEST_PRIMARY_URL" -qc "DROP DATABASE IF EXISTS replicabench" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ -z "$started" ] || scripts/replica-pair stop
}
trap cleanup EXIT
go build -o "$work/mvpgraph" ./cmd/mvpgraph
go build -o "$work/apibench" ./bench/apibench
psql "$MVPGRAPH_TEST_PRIMARY_URL" -qc "DROP DATABASE IF EXISTS replicabench" -c "CREATE DATABASE replicabench"
"$work/mvpgraph" seed --database-url "$primary" --scale "$members" --history-days "$days" >/dev/null 2>&1
token=$("$work/mvpgraph" token create --database-url "$primary" --role ANALYST --name replicabench 2>/dev/null | tail -n 1)
lsn=$(psql "$MVPGRAPH_TEST_PRIMARY_URL" -Atc "SELECT pg_current_wal_lsn()")
until [ "$(psql "$MVPGRAPH_TEST_REPLICA_URL" -Atc "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ]; do sleep 0.5; done

if [ ${#side_a[@]} -gt 0 ]; then
  pin primary 0
  pin replica 1
fi

# serve starts a server on $1, on side $2 (a or b), with the environment
# after them.
serve() {
  local addr=$1 side=$2
  shift 2
  local on=("${side_a[@]}")
  [ "$side" = b ] && on=("${side_b[@]}")
  env MVPGRAPH_COST_BUDGET=0 "$@" "${on[@]}" "$work/mvpgraph" serve --no-worker --addr "$addr" --database-url "$primary" >>"$work/serve.log" 2>&1 &
  servers+=($!)
  until curl -fsS "http://$addr/readyz" >/dev/null 2>&1; do sleep 0.05; done
}
front=127.0.0.1:18094
on_replica=127.0.0.1:18095
on_primary=127.0.0.1:18096
serve "$front" a
serve "$on_replica" b MVPGRAPH_READ_DATABASE_URL="$replica"
serve "$on_primary" b
# bench loads the server at $1 from side $2 with scenario $3, labelled $4.
bench() {
  local on=("${side_a[@]}")
  [ "$2" = b ] && on=("${side_b[@]}")
  "${on[@]}" "$work/apibench" -url "http://$1" -token "$token" -scenario "$3" -label "$4" -clients 8 -duration "${seconds}s"
}
# A first round warms every server and both databases' caches.
bench "$front" a front-page warm >/dev/null
bench "$on_replica" b analyst-cold warm >/dev/null
bench "$on_primary" b analyst-cold warm >/dev/null
rows=$(bench "$front" a front-page "front page alone")$'\n'
for analysts in "$on_replica:on the replica" "$on_primary:on the primary"; do
  addr=${analysts%%:on*}
  where=${analysts##*:}
  bench "$addr" b analyst-cold "analysts $where, beside the front page" >"$work/analysts" &
  analysts_pid=$!
  rows+=$(bench "$front" a front-page "front page, analysts $where")$'\n'
  wait "$analysts_pid"
  rows+=$(cat "$work/analysts")$'\n'
done
rows+=$(bench "$front" a front-page "front page alone, again")$'\n'
if [ ${#side_a[@]} -gt 0 ]; then
  layout="Each side had a core of its own (taskset), as on two machines: the primary, the front page's server and its load on core 0; the replica, the analysts' two servers and their load on core 1. The analysts' server on the primary sends its statements to the primary, on core 0."
else
  layout="Every server, both databases and the load generator share the machine's cores: analysts on the replica still take CPU from the front page here, as they would not on a replica of its own machine."
fi
out=bench/results/replica-$members.md
{
  echo "# The front page with analysts on a read replica: $members members"
  echo
  echo "Produced by \`bench/replica.sh $members $seconds $days\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(go version | cut -d' ' -f3), on the primary and streaming replica of scripts/replica-pair (shared_buffers 64MB each, fsync off)."
  echo "$layout"
  echo
  echo "Dataset: \`mvpgraph seed --scale $members --history-days $days\` on the primary, replayed by the replica. Each row runs ${seconds} s at 8 clients; a front page row and the analysts' row below it ran at the same time. front-page: \`mvps(first: 50)\` with awards, expertise, leads and accounts, from a server on the primary alone. analyst-cold: a new \`programStats\` question each request, from a server whose reads go to the replica (\`MVPGRAPH_READ_DATABASE_URL\`), or from one on the primary alone."
  echo
  echo "| run | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "$rows"
} >"$out"
cat "$out"
