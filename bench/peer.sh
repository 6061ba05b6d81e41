#!/usr/bin/env bash
# Runs mvpgraph and PostGraphile v4 side by side on the same PostgreSQL
# database and writes bench/results/peer-<members>.md.
# Usage: bench/peer.sh [members] [seconds per run] [rounds] [days of reach history]
#
# It installs PostGraphile (bench/peer/package.json, into the ignored
# bench/peer/node_modules) with the machine's Node.js, seeds a program
# (mvpgraph seed --scale), starts both servers on it, and runs the front
# page and the analyst scenarios on one, then the other, alternating, at 8
# and 32 concurrent clients, `rounds` times. The ratio is mvpgraph's
# median throughput over PostGraphile's, from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
members=${1:-1000}
seconds=${2:-10}
rounds=${3:-3}
days=${4:-365}
pg_admin=${MVPGRAPH_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db=mvpgraph_peerbench
pg_url=${pg_admin/\/postgres\?/\/$db?}
work=$(mktemp -d)
ours=127.0.0.1:18089
peer=127.0.0.1:18090
cold=127.0.0.1:18091
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
(cd bench/peer && npm ci --no-audit --no-fund --silent)
go build -o "$work/mvpgraph" ./cmd/mvpgraph
go build -o "$work/apibench" ./bench/apibench

wait_ready() { # $1: a URL that answers when the server is up
  for _ in $(seq 1 600); do
    curl -fsS -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}' "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "no answer from $1; the servers' logs:" >&2
  tail -n 20 "$work"/*.log >&2
  return 1
}

psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
start=$(date +%s%N)
"$work/mvpgraph" seed --database-url "$pg_url" --scale "$members" --history-days "$days" >/dev/null 2>&1
took=$(( ($(date +%s%N) - start) / 1000000 ))

MVPGRAPH_COST_BUDGET=0 "$work/mvpgraph" serve --no-worker --addr "$ours" --database-url "$pg_url" >"$work/ours.log" 2>&1 &
pids="$pids $!"
# The same, keeping no answer (MVPGRAPH_ANALYTICS_TTL=0): every analyst
# request computes its statistics, as the peer's does.
MVPGRAPH_COST_BUDGET=0 MVPGRAPH_ANALYTICS_TTL=0 "$work/mvpgraph" serve --no-worker --addr "$cold" --database-url "$pg_url" >"$work/cold.log" 2>&1 &
pids="$pids $!"
node bench/peer/server.js "${pg_url%%\?*}" "${peer#*:}" >"$work/peer.log" 2>&1 &
peer_pid=$!
pids="$pids $peer_pid"
wait_ready "http://$ours/graphql"
wait_ready "http://$cold/graphql"
wait_ready "http://$peer/graphql"
peer_pids=$(echo "$peer_pid" $(pgrep -P "$peer_pid") | tr ' ' ',')

rows=
for round in $(seq 1 "$rounds"); do
  for scenario in front-page analyst; do
    for clients in 8 32; do
      rows+=$("$work/apibench" -url "http://$ours" -scenario "$scenario" -label "mvpgraph, $scenario, round $round" -clients "$clients" -duration "${seconds}s")$'\n'
      if [ "$scenario" = analyst ]; then
        rows+=$("$work/apibench" -url "http://$cold" -scenario "$scenario" -label "mvpgraph nothing kept, $scenario, round $round" -clients "$clients" -duration "${seconds}s")$'\n'
      fi
      rows+=$("$work/apibench" -url "http://$peer" -pids "$peer_pids" -scenario "peer-$scenario" -label "PostGraphile, $scenario, round $round" -clients "$clients" -duration "${seconds}s")$'\n'
    done
  done
done

# ratios prints, per scenario and clients, the medians over the rounds of
# each server's throughput and p99, and mvpgraph's throughput over the peer's.
ratios() {
  printf '%s' "$rows" | awk -F'|' '
    NF > 5 {
      split($2, l, ", "); server = l[1]; gsub(/^ +/, "", server); scenario = l[2]
      key = scenario "|" ($3 + 0)
      n = ++count[server, key]; rps[server, key, n] = $4 + 0; p99[server, key, n] = $7 + 0
      keys[key] = 1
    }
    function median(a, s, k, n,   i, j, t, v) {
      for (i = 1; i <= n; i++) v[i] = a[s, k, i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    END {
      for (k in keys) {
        split(k, kk, "|")
        n = count["mvpgraph", k]
        a = median(rps, "mvpgraph", k, n); b = median(rps, "PostGraphile", k, n)
        pa = median(p99, "mvpgraph", k, n); pb = median(p99, "PostGraphile", k, n)
        printf "| %s | %d | %.0f | %.0f | %.2f | %.1f | %.1f |\n", kk[1], kk[2], a, b, a / b, pa, pb
        n = count["mvpgraph nothing kept", k]
        if (n > 0) {
          a = median(rps, "mvpgraph nothing kept", k, n); pa = median(p99, "mvpgraph nothing kept", k, n)
          printf "| %s, nothing kept | %d | %.0f | %.0f | %.2f | %.1f | %.1f |\n", kk[1], kk[2], a, b, a / b, pa, pb
        }
      }
    }' | sort
}

out=bench/results/peer-$members.md
{
  echo "# mvpgraph and PostGraphile v4 on the same database: $members members"
  echo
  echo "Produced by \`bench/peer.sh $members $seconds $rounds $days\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(go version | cut -d' ' -f3), Node.js $(node --version), $(psql "$pg_admin" -tAc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /')."
  echo "Load generator, both servers and the database share the machine; the servers take turns, one run each, $rounds rounds."
  echo
  echo "Dataset: \`mvpgraph seed --scale $members --history-days $days\` on PostgreSQL (seeded in $(awk "BEGIN {printf \"%.1f\", $took / 1000}") s)."
  echo "mvpgraph: \`mvpgraph serve --no-worker\` with \`MVPGRAPH_COST_BUDGET=0\`. PostGraphile $(node -p 'require("./bench/peer/node_modules/postgraphile/package.json").version') (bench/peer/server.js): one worker per core, query log off, with postgraphile-plugin-connection-filter (filters across relations on) and @graphile/pg-aggregates."
  echo
  echo "What each runs (the queries are in \`bench/apibench/main.go\`):"
  echo
  echo "- front-page: mvpgraph's \`mvps(first: 50)\` with awards and their expertise, the MVP's leads and social accounts; PostGraphile's \`allMembers(first: 50)\` filtered to members with an active award, with awards, their expertise and the expertise's US lead, and social accounts. mvpgraph derives each MVP's leads by the lead rule (US leads of the active awards' expertises, or the country's international lead), which the peer's generated schema cannot express."
  echo "- analyst: mvpgraph's \`programStats(groupBy: [COUNTRY, CATEGORY])\` and a filtered (\`_and\`, \`_or\`, \`_in\`, \`_ilike\`), two-column-ordered \`members(first: 100)\`; PostGraphile's members grouped by country and awards by expertise and status (its aggregates group one table at a time) and the same filtered, ordered members."
  echo
  echo "mvpgraph keeps each \`programStats\` answer for \`MVPGRAPH_ANALYTICS_TTL\` (1 minute by default), so its analyst runs, after the first request, the members query alone; \"nothing kept\" is a second mvpgraph server on the same database with \`MVPGRAPH_ANALYTICS_TTL=0\`, computing the statistics on every request as PostGraphile does."
  echo
  echo "Medians over the rounds (target: mvpgraph at least 1.5 times PostGraphile's throughput at equal or better p99):"
  echo
  echo "| scenario | clients | mvpgraph requests/s | PostGraphile requests/s | ratio | mvpgraph p99 ms | PostGraphile p99 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  ratios
  echo
  echo "Every run:"
  echo
  echo "| server, scenario, round | clients | requests/s | p50 ms | p95 ms | p99 ms | success | SQL statements/request | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$rows"
} >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
