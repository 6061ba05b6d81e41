#!/usr/bin/env bash
# Runs mvpgraph against the limit and writes bench/results/limit-<members>.md.
# Usage: bench/limit.sh [members] [seconds per run] [days of reach history] [rounds]
#
# The limit of a page is the same answer written by hand as one SQL
# statement that builds the whole JSON answer inside PostgreSQL
# (bench/apibench/limit.go): what the database itself can do. It seeds a
# program on PostgreSQL (mvpgraph seed --scale), starts `mvpgraph serve
# --no-worker` on it, and for the front page, a lead's page, a profile and
# the award candidates
# checks that the limit statement answers what mvpgraph answers, then runs
# each at 8 and 32 concurrent clients on mvpgraph and on the limit in
# turn, `rounds` times, with the same load generator, and reports
# mvpgraph's median throughput as a share of the limit's, and both p99s.
set -euo pipefail
cd "$(dirname "$0")/.."
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
members=${1:-100000}
seconds=${2:-10}
days=${3:-30}
rounds=${4:-3}
pg_admin=${MVPGRAPH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=mvpgraph_limitbench
pg_url=${pg_admin/\/postgres\?/\/$db?}
work=$(mktemp -d)
addr=127.0.0.1:18093
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/mvpgraph" ./cmd/mvpgraph
go build -o "$work/apibench" ./bench/apibench

psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
start=$(date +%s%N)
"$work/mvpgraph" seed --database-url "$pg_url" --scale "$members" --history-days "$days" >/dev/null 2>&1
took=$(( ($(date +%s%N) - start) / 1000000 ))
token=$("$work/mvpgraph" token create --database-url "$pg_url" --role ANALYST --name limitbench 2>/dev/null | tail -n 1)
MVPGRAPH_COST_BUDGET=0 "$work/mvpgraph" serve --no-worker --addr "$addr" --database-url "$pg_url" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 12000); do
  curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -fsS "http://$addr/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }
rows=$(
  header=-header
  for scenario in front-page lead-page profile candidates; do
    "$work/apibench" -url "http://$addr" -token "$token" -scenario "$scenario" -clients 8,32 -duration "${seconds}s" \
      -limit "$pg_url" -rounds "$rounds" $header || exit 1
    header=
  done
)
out=bench/results/limit-$members.md
{
  echo "# mvpgraph against the limit: $members members"
  echo
  echo "Produced by \`bench/limit.sh $members $seconds $days $rounds\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(go version | cut -d' ' -f3), $(psql "$pg_admin" -tAc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /')."
  echo "Load generator, server and database share the machine."
  echo
  echo "Dataset: \`mvpgraph seed --scale $members --history-days $days\` on PostgreSQL, seeded in $(awk "BEGIN {printf \"%.1f s\", $took / 1000}")."
  echo
  echo "The limit of each page is the same answer written by hand as one SQL statement that builds the whole JSON answer inside PostgreSQL (\`bench/apibench/limit.go\`), run over database/sql (lib/pq) by as many concurrent callers as mvpgraph has clients. Before loading, apibench checks that the limit statement's answer equals mvpgraph's \`data\`. Each level runs ${seconds} s on mvpgraph (\`serve --no-worker\`, ANALYST token, \`MVPGRAPH_COST_BUDGET=0\`), then ${seconds} s on the limit, $rounds times; the table has the medians."
  echo
  echo "- front-page: \`mvps(first: 50)\` with awards, their expertise, leads and social accounts."
  echo "- lead-page: \`node(id:) { ... on Lead { mvps(first: 100) } }\` of the lead with the most MVPs, with the same fields."
  echo "- profile: \`member(handle:)\` of the MVP with the most accounts among the first 100, with its accounts, each account's history of the last 90 days, and its reach by platform."
  echo "- candidates: \`awardCandidates(first: 20)\` of Dynamics CRM over the year the seed's activity ends with: each person's score over all identities, counts by kind, top spaces, identities with their scores, three best items and first answers."
  echo
  echo "Target: mvpgraph at 60 % or more of the limit's throughput, with a p99 at 32 clients no more than 1.5 times the limit's."
  echo
  echo "$rows"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
