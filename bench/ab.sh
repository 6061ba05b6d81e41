#!/usr/bin/env bash
# Compares two builds of mvpgraph on one database, taking turns, and writes
# bench/results/ab-<members>.md.
# Usage: bench/ab.sh OLD NEW [members] [seconds] [rounds] [days] [scenarios]
#
# OLD and NEW are git revisions (a commit, a branch, HEAD~3); each is
# built from a clean checkout of its own. It seeds one program on
# PostgreSQL with NEW's `mvpgraph seed --scale`, then, `rounds` times,
# starts OLD and then NEW with `serve --no-worker` on it and loads each
# scenario at 8 and 32 clients with NEW's bench/apibench: the same data,
# the same load, in the same run, so that what differs is the build.
# (OLD migrates nothing: NEW seeded with its own migrations, which OLD
# must be able to read.)
set -euo pipefail
cd "$(dirname "$0")/.."
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
old=${1:?usage: bench/ab.sh OLD NEW [members] [seconds] [rounds] [days] [scenarios]}
new=${2:?usage: bench/ab.sh OLD NEW [members] [seconds] [rounds] [days] [scenarios]}
members=${3:-100000}
seconds=${4:-5}
rounds=${5:-2}
days=${6:-30}
scenarios=${7:-front-page lead-page profile lead-growth leaderboard trends analyst}
pg_admin=${MVPGRAPH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=mvpgraph_abbench
pg_url=${pg_admin/\/postgres\?/\/$db?}
work=$(mktemp -d)
addr=127.0.0.1:18094
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  for side in old new; do git worktree remove --force "$work/$side-src" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
for side in old new; do
  rev=$old
  [ "$side" = new ] && rev=$new
  git worktree add --detach "$work/$side-src" "$rev" >/dev/null
  (cd "$work/$side-src" && go build -o "$work/$side" ./cmd/mvpgraph)
done
(cd "$work/new-src" && go build -o "$work/apibench" ./bench/apibench)

psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
"$work/new" seed --database-url "$pg_url" --scale "$members" --history-days "$days" >/dev/null 2>&1
token=$("$work/new" token create --database-url "$pg_url" --role ANALYST --name abbench 2>/dev/null | tail -n 1)
rows=$(
  trap '[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null' EXIT
  for round in $(seq 1 "$rounds"); do
    for side in old new; do
      MVPGRAPH_COST_BUDGET=0 "$work/$side" serve --no-worker --addr "$addr" --database-url "$pg_url" >"$work/serve.log" 2>&1 &
      server=$!
      for _ in $(seq 1 1200); do curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
      for scenario in $scenarios; do
        "$work/apibench" -url "http://$addr" -token "$token" -scenario "$scenario" -label "$scenario, $side, round $round" \
          -clients 8,32 -duration "${seconds}s" || exit 1
      done
      kill "$server"; wait "$server" 2>/dev/null || true; server=
    done
  done
)
out=bench/results/ab-$members.md
{
  echo "# Two builds on one database: $members members"
  echo
  echo "Produced by \`bench/ab.sh $old $new $members $seconds $rounds $days\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(go version | cut -d' ' -f3), $(psql "$pg_admin" -tAc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /')."
  echo "old is $(git rev-parse --short "$old") ($old), new is $(git rev-parse --short "$new") ($new). Dataset: \`mvpgraph seed --scale $members --history-days $days\` on PostgreSQL. Each build serves in turn (\`serve --no-worker\`, ANALYST token, \`MVPGRAPH_COST_BUDGET=0\`), $rounds rounds of every scenario, ${seconds} s a level."
  echo
  echo "| scenario | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "$rows" | sort -t'|' -k2,2 -s
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
