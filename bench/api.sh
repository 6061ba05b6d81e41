#!/usr/bin/env bash
# Runs the GraphQL API benchmark and writes bench/results/api-<members>.md.
# Usage: bench/api.sh [members] [seconds per level] [days of reach history]
#
# It seeds a deterministic program of the given size (mvpgraph seed
# --scale) on PostgreSQL, and for 10,000 members or fewer on SQLite too,
# starts `mvpgraph serve --no-worker` on it and loads it with bench/apibench
# at 8, 32 and 128 concurrent clients, one scenario after another. It also
# times the first answer of `mvpgraph serve --demo` on a new embedded
# database.
set -euo pipefail
cd "$(dirname "$0")/.."
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
members=${1:-1000}
seconds=${2:-10}
days=${3:-365}
pg_admin=${MVPGRAPH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=mvpgraph_apibench
pg_url=${pg_admin/\/postgres\?/\/$db?}
work=$(mktemp -d)
addr=127.0.0.1:18089
server=
scenarios="front-page front-page-cached analyst analyst-cold activity-cold activity-days-cold lead-growth leaderboard trends"
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/mvpgraph" ./cmd/mvpgraph
go build -o "$work/apibench" ./bench/apibench

# wait_ready waits for the server, up to ten minutes: on its first start
# over a large program it freezes the accounts of every platform that is
# switched off before it answers.
wait_ready() {
  for _ in $(seq 1 12000); do
    curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "the server did not become ready; its log:" >&2
  cat "$work/serve.log" >&2
  return 1
}

# first_answer prints the milliseconds from starting `serve --demo` on a
# new SQLite file to the first successful GraphQL answer.
first_answer() {
  local start end
  start=$(date +%s%N)
  "$work/mvpgraph" serve --demo --no-worker --addr "$addr" --database-url "sqlite:$work/first.db" >"$work/serve.log" 2>&1 &
  server=$!
  local tries=0
  until curl -fsS -H 'Content-Type: application/json' -d '{"query":"{ mvps(first: 1) { totalCount } }"}' "http://$addr/graphql" 2>/dev/null | grep -q '"totalCount"'; do
    tries=$((tries + 1))
    if [ "$tries" -gt 6000 ]; then
      echo "serve --demo gave no answer; its log:" >&2
      cat "$work/serve.log" >&2
      return 1
    fi
    sleep 0.005
  done
  end=$(date +%s%N)
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  echo $(( (end - start) / 1000000 ))
}

# load seeds the database at $1 and runs every scenario against it.
load() {
  local url=$1 dialect=$2 start took size token
  start=$(date +%s%N)
  "$work/mvpgraph" seed --database-url "$url" --scale "$members" --history-days "$days" >/dev/null 2>&1
  took=$(( ($(date +%s%N) - start) / 1000 / 1000 ))
  if [ "$dialect" = PostgreSQL ]; then
    size=$(psql "$pg_admin" -tAc "SELECT pg_size_pretty(pg_database_size('$db'))")
  else
    size=$(du -h "${url#sqlite:}" | cut -f1)B
  fi
  echo "Seeding $members members on $dialect took $took ms; the database is $size." >&2
  echo "$dialect|$took|$size" >>"$work/seeding"
  token=$("$work/mvpgraph" token create --database-url "$url" --role ANALYST --name apibench 2>/dev/null | tail -n 1)
  MVPGRAPH_COST_BUDGET=0 "$work/mvpgraph" serve --no-worker --addr "$addr" --database-url "$url" >"$work/serve.log" 2>&1 &
  server=$!
  wait_ready || exit 1
  for scenario in $scenarios; do
    "$work/apibench" -url "http://$addr" -token "$token" -scenario "$scenario" -label "$scenario, $dialect" -clients 8,32,128 -duration "${seconds}s" || exit 1
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
# Five starts, each on a new database file: the median and the slowest.
first_runs=$(for _ in 1 2 3 4 5; do rm -f "$work"/first.db*; first_answer || exit 1; done | sort -n | tr '\n' ' ')
first_median=$(echo "$first_runs" | awk '{print $3}')
first_max=$(echo "$first_runs" | awk '{print $5}')
rows=$(
  # A subshell does not run the script's EXIT trap: stop its server here,
  # or a failed run leaves it holding the database.
  trap '[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null' EXIT
  if [ "$members" -le 10000 ]; then load "sqlite:$work/bench.db" SQLite; fi
  load "$pg_url" PostgreSQL
)
out=bench/results/api-$members.md
{
  echo "# GraphQL API under load: $members members"
  echo
  echo "Produced by \`bench/api.sh $members $seconds $days\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(go version | cut -d' ' -f3), $(psql "$pg_admin" -tAc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /')."
  echo "Load generator, server and database share the machine."
  echo
  echo "Dataset: \`mvpgraph seed --scale $members --history-days $days\` (deterministic): members with awards, about 2 social accounts per MVP with $days days of daily reach snapshots, 800 community spaces with about 10 items of activity per member."
  echo
  echo "| database | seeding | size |"
  echo "|---|---:|---:|"
  while IFS='|' read -r dialect took size; do
    echo "| $dialect | $(awk "BEGIN {printf \"%.1f s\", $took / 1000}") | $size |"
  done <"$work/seeding"
  echo
  echo "Each level runs its clients back to back for ${seconds} s (vegeta, keep-alive), with an ANALYST token. The cost budget per caller is turned off (\`MVPGRAPH_COST_BUDGET=0\`) because all load comes from one address."
  echo "SQL statements per request are read from the server's \`mvpgraph_sql_statements_per_request\` histogram; peak RSS from its \`process_resident_memory_bytes\`, polled every 250 ms."
  echo
  echo "- front-page: \`mvps(first: 50)\` with awards, their expertise, leads and social accounts."
  echo "- front-page-cached: the same query marked \`@cached(ttl: 60)\`, as a front end would ask it: answered from memory after the first request."
  echo "- analyst: \`programStats(groupBy: [COUNTRY, CATEGORY])\` and \`members(first: 100)\` filtered with \`_and\`/\`_or\`/\`_in\`/\`_ilike\` and ordered by two columns."
  echo "- analyst-cold: the same \`programStats\` as a question not asked before (\`where: {country: {_neq: X}}\`, X rotating through AA to ZZ), so that no answer kept for \`MVPGRAPH_ANALYTICS_TTL\` serves it: the cost of an analyst's new question. (analyst asks the same question each time, answered from memory after the first within the TTL.)"
  echo "- activity-cold: \`activityStats(groupBy: [SPACE, MONTH], where: {expertiseId})\` of Dynamics CRM's spaces with their names, counts, contributors and score sums, each request over another run of whole months (\`from\` and \`to\` among 36 month starts, 630 pairs in turn): a new question each time, answered from each space's months (\`activity_months\`)."
  echo "- activity-days-cold: the same by space and day (\`groupBy: [SPACE, DAY]\`), each request over a run of 7 to 28 whole days starting on another day of the year: answered from each space's days (\`activity_days\`)."
  echo "- lead-growth: the MVPs of the lead with the most, by 30-day reach growth (\`reachLeaderboard(where: {leadId}, orderBy: GROWTH, first: 100)\`), the 20th page by cursor or the last there is."
  echo "- leaderboard: \`reachLeaderboard(orderBy: GROWTH, first: 50)\` over the whole program."
  echo "- trends: \`communityTrends\` of Dynamics CRM over a year, by week, with every space and the series."
  echo
  echo "| scenario | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "$rows"
  echo
  echo "First answer of \`mvpgraph serve --demo\` on a new embedded database (migrate, load the demo, answer \`mvps\`), five starts: median $first_median ms, slowest $first_max ms after start (each: $first_runs ms; target: under 1000 ms)."
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
