#!/usr/bin/env bash
# Times the whole-program growth ranking on a cold cache and writes
# bench/results/history-<members>.md.
# Usage: bench/history.sh [members] [days of reach history] [base revision]
#
# It makes a PostgreSQL cluster of its own (the machine's binaries, a
# directory and port of their own, the main cluster's shared_buffers),
# seeds it (mvpgraph seed --scale), and before each measurement stops the
# cluster, drops the kernel's page cache and starts it again, so that
# nothing of the history is in memory. Measured, each on a cold cache:
#   - the first answer of reachLeaderboard(orderBy: GROWTH, days: 30) from
#     `mvpgraph serve --no-worker`, which ranks every account of the
#     program;
#   - the limit: the same ranking written by hand as one SQL statement (the
#     window's first day as one slice, joined to the accounts), in psql;
#   - with a base revision, the first two again on a program seeded by
#     that revision's mvpgraph, to compare the designs.
# With MVPGRAPH_BENCH_SCENARIOS (bench/apibench scenarios, such as
# "activity-cold activity-days-cold analyst-cold front-page"), it then
# loads the same program with each at 8 and 32 clients for 10 s, warm.
# Needs root, for the page cache.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3
members=${1:-100000}
days=${2:-365}
base=${3:-}
if [ "$(id -u)" != 0 ]; then
  echo "bench/history.sh drops the kernel's page cache between runs: run it as root" >&2
  exit 1
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=55440
addr=127.0.0.1:18093
work=$(mktemp -d)
chown postgres: "$work"
server=
buffers=$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW shared_buffers' 2>/dev/null || echo 128MB)
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
runuser -u postgres -- "$bin/initdb" -D "$work/pg" -U postgres --auth=trust --no-sync >/dev/null
cat >>"$work/pg/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
shared_buffers = $buffers
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 8GB
EOF
pg() { runuser -u postgres -- "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -t 300 "$@" >/dev/null; }
pg start
admin="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"

# cold empties every cache the history could be read from.
cold() {
  pg -m fast stop
  sync
  echo 3 >/proc/sys/vm/drop_caches
  pg start
}

# first_answer starts the server at $1 on database $2 and prints the
# seconds to the ranking's first answer, and what it was: an answer, or
# the error of a request that timed out, then the seconds until a later
# request got the ranking the server went on computing.
first_answer() {
  local exe=$1 url=$2 start body took
  MVPGRAPH_COST_BUDGET=0 "$exe" serve --no-worker --addr "$addr" --database-url "$url" >"$work/serve.log" 2>&1 &
  server=$!
  until curl -fsS "http://$addr/readyz" >/dev/null 2>&1; do sleep 0.05; done
  local q='{"query":"{ reachLeaderboard(orderBy: GROWTH, days: 30, first: 50) { totalCount edges { node { rank followers growth member { handle name country } } } } }"}'
  start=$(date +%s%N)
  body=$(curl -sS -m 120 -H 'Content-Type: application/json' -d "$q" "http://$addr/graphql")
  took=$(( ($(date +%s%N) - start) / 1000000 ))
  if echo "$body" | grep -q '"errors"'; then
    local code
    code=$(echo "$body" | grep -o '"code":"[A-Z_]*"' | head -n 1)
    until curl -sS -m 120 -H 'Content-Type: application/json' -d "$q" "http://$addr/graphql" | grep -q '"totalCount"'; do sleep 1; done
    echo "$took ms, $code; answered $(( ($(date +%s%N) - start) / 1000000 )) ms after the first request"
  else
    echo "$took ms"
  fi
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

# limit runs the hand-written ranking in psql on database $1 and prints
# its milliseconds: without JIT compilation, as mvpgraph's sessions run,
# and, where the accounts keep their newest snapshot's day, searching for
# a first snapshot after the window's start only for accounts that have
# one after it.
limit() {
  local since url skip=
  since=$(date -u -d '30 days ago' +%Y-%m-%d)
  url="${admin/\/postgres\?/\/$1?}"
  if [ -n "$(psql "$url" -Atc "SELECT 1 FROM information_schema.columns WHERE table_name = 'social_accounts' AND column_name = 'last_snapshot_day'")" ]; then
    skip="WHEN a.last_snapshot_day <= DATE '$since' THEN NULL"
  fi
  psql "$url" -qAt -c 'SET jit = off' -c '\timing on' -c "
    WITH first AS (SELECT account_id, followers FROM reach_snapshots WHERE day = DATE '$since'),
    ranked AS (
      SELECT m.id, m.handle, m.name, m.country, COALESCE(SUM(a.followers), 0) AS followers,
             SUM(COALESCE(a.followers - CASE WHEN f.account_id IS NOT NULL THEN f.followers $skip ELSE
               (SELECT g.followers FROM reach_snapshots g WHERE g.account_id = a.id AND g.day > DATE '$since' ORDER BY g.day LIMIT 1) END, 0)) AS growth
      FROM members m JOIN social_accounts a ON a.member_id = m.id LEFT JOIN first f ON f.account_id = a.id
      GROUP BY m.id)
    SELECT (SELECT count(*) FROM ranked), json_agg(r) FROM (SELECT * FROM ranked ORDER BY growth DESC, id LIMIT 50) r" |
    grep -o 'Time: [0-9.]*' | awk '{printf "%.0f ms\n", $2}'
}

# seed builds mvpgraph at revision $1 (empty: the working tree) into $2 and
# seeds database $3 with it, printing the seconds it took.
seed() {
  local rev=$1 exe=$2 db=$3 start
  if [ -z "$rev" ]; then
    go build -o "$exe" ./cmd/mvpgraph
  else
    git worktree add -f "$work/src" "$rev" >/dev/null 2>&1
    (cd "$work/src" && go build -o "$exe" ./cmd/mvpgraph)
    git worktree remove --force "$work/src"
  fi
  psql "$admin" -qc "CREATE DATABASE $db"
  start=$(date +%s)
  "$exe" seed --database-url "${admin/\/postgres\?/\/$db?}" --scale "$members" --history-days "$days" >/dev/null
  echo $(( $(date +%s) - start )) s
}

rows=()
took=$(seed "" "$work/mvpgraph" ranked)
size=$(psql "$admin" -Atc "SELECT pg_size_pretty(pg_database_size('ranked'))")
echo "seeded $members members with $days days in $took ($size)" >&2
cold; new=$(first_answer "$work/mvpgraph" "${admin/\/postgres\?/\/ranked?}")
cold; lim=$(limit ranked)
cold; new2=$(first_answer "$work/mvpgraph" "${admin/\/postgres\?/\/ranked?}")
cold; lim2=$(limit ranked)
rows+=("| this revision ($(git rev-parse --short HEAD)), seeded in $took, $size | $new; $new2 | $lim; $lim2 |")
loaded=
if [ -n "${MVPGRAPH_BENCH_SCENARIOS:-}" ]; then
  go build -o "$work/apibench" ./bench/apibench
  url="${admin/\/postgres\?/\/ranked?}"
  token=$("$work/mvpgraph" token create --database-url "$url" --role ANALYST --name historybench 2>/dev/null | tail -n 1)
  MVPGRAPH_COST_BUDGET=0 "$work/mvpgraph" serve --no-worker --addr "$addr" --database-url "$url" >"$work/serve.log" 2>&1 &
  server=$!
  until curl -fsS "http://$addr/readyz" >/dev/null 2>&1; do sleep 0.05; done
  for scenario in $MVPGRAPH_BENCH_SCENARIOS; do
    loaded+=$("$work/apibench" -url "http://$addr" -token "$token" -scenario "$scenario" -label "$scenario" -clients 8,32 -duration 10s)$'\n'
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
fi
if [ -n "$base" ]; then
  psql "$admin" -qc "DROP DATABASE ranked"
  took=$(seed "$base" "$work/mvpgraph-base" ranked_base)
  size=$(psql "$admin" -Atc "SELECT pg_size_pretty(pg_database_size('ranked_base'))")
  echo "seeded $members members with $days days at $base in $took ($size)" >&2
  cold; old=$(first_answer "$work/mvpgraph-base" "${admin/\/postgres\?/\/ranked_base?}")
  cold; lim=$(limit ranked_base)
  rows+=("| $base, seeded in $took, $size | $old | $lim |")
fi
out=bench/results/history-$members.md
{
  echo "# The whole-program growth ranking on a cold cache: $members members, $days days of reach"
  echo
  echo "Produced by \`bench/history.sh $members $days${base:+ $base}\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(go version | cut -d' ' -f3), PostgreSQL $("$bin/postgres" --version | awk '{print $3}') with shared_buffers $buffers."
  echo
  echo "Each figure is a first answer after the cluster was stopped, the kernel's page cache dropped and the cluster started again. mvpgraph: \`reachLeaderboard(orderBy: GROWTH, days: 30, first: 50)\` with totalCount, rank, followers, growth and each member's handle, name and country, from \`serve --no-worker\` (a request's timeout is 30 s; a ranking that takes longer goes on, kept for those who ask after). The limit: the same ranking as one hand-written SQL statement in psql without JIT compilation (as mvpgraph's sessions run), the window's first day read as one slice of snapshots joined to the accounts, and a first snapshot after it searched for only where the accounts' newest snapshot day (when kept) says there is one."
  echo
  echo "| program | mvpgraph, first answer | limit |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [ -n "$loaded" ]; then
    echo
    echo "Then, on the same program and this revision, each scenario of bench/apibench (\`MVPGRAPH_BENCH_SCENARIOS=\"$MVPGRAPH_BENCH_SCENARIOS\"\`) for 10 s at each level, warm, with an ANALYST token; see bench/api.sh for what each asks."
    echo
    echo "| scenario | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    echo "$loaded"
  fi
} >"$out"
cat "$out"
