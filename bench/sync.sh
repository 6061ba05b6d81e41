#!/usr/bin/env bash
# Runs the reach-sync benchmark on SQLite and PostgreSQL, against a fake
# GitHub, a fake X API v2 and a fake Bluesky AppView, and writes
# bench/results/sync.md. Usage:
# bench/sync.sh [accounts] [GitHub's limit per second] [X's limit per second] [Bluesky's limit per second]
set -euo pipefail
cd "$(dirname "$0")/.."
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
accounts=${1:-10000}
limit=${2:-250}
xlimit=${3:-5}
blimit=${4:-20}
pg_admin=${MVPGRAPH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=mvpgraph_syncbench
psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
pg_url=${pg_admin/\/postgres\?/\/$db?}
go build -o /tmp/mvpgraph-syncbench ./bench/syncbench
out=bench/results/sync.md
{
  echo "# Reach sync against a rate-limited API"
  echo
  echo "Produced by \`bench/sync.sh $accounts $limit $xlimit $blimit\`, which runs \`go run ./bench/syncbench -accounts $accounts -limit $limit -window 1s\` on each database."
  echo "A fake GitHub REST API allows $limit requests per one-second window (GitHub's headers, 403 body when over); the real workers and GitHub client sync $accounts accounts, one request each."
  echo "A fake X API v2 allows $xlimit requests of /2/users/by per one-second window (X's x-rate-limit headers, 429 problem body when over); the real workers and X v2 client sync $accounts accounts, 100 a request (-platform x -limit $xlimit)."
  echo "A fake Bluesky AppView allows $blimit requests per one-second window (RateLimit-* headers, 429 XRPC error body when over); the real workers and Bluesky client sync $accounts accounts, 25 a getProfiles request; one account in a hundred is left out of its batch and looked up alone with getProfile, which says it was taken down or not found (-platform bluesky -limit $blimit)."
  echo "Share is the accepted requests over what the windows touched allowed; refused counts requests over the limit (target: share at least 90 %, refused 0)."
  echo
  /tmp/mvpgraph-syncbench -accounts "$accounts" -limit "$limit" -window 1s
  /tmp/mvpgraph-syncbench -accounts "$accounts" -limit "$limit" -window 1s -database-url "$pg_url" | tail -n 1
  /tmp/mvpgraph-syncbench -platform x -accounts "$accounts" -limit "$xlimit" -window 1s | tail -n 1
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  /tmp/mvpgraph-syncbench -platform x -accounts "$accounts" -limit "$xlimit" -window 1s -database-url "$pg_url" | tail -n 1
  /tmp/mvpgraph-syncbench -platform bluesky -accounts "$accounts" -limit "$blimit" -window 1s | tail -n 1
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  /tmp/mvpgraph-syncbench -platform bluesky -accounts "$accounts" -limit "$blimit" -window 1s -database-url "$pg_url" | tail -n 1
} > "$out.tmp"
mv "$out.tmp" "$out"
psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db"
cat "$out"
