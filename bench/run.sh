#!/usr/bin/env bash
# Every benchmark, at the sizes bench/README.md reports: the API at 1,000
# members (PostgreSQL and SQLite) and 100,000 (PostgreSQL), with a year of
# daily reach, and at 1,000,000 with 30 days; mvpgraph beside PostGraphile
# at 1,000; the reach sync. Each writes its table to bench/results/.
# Takes about an hour on 2 cores, most of it seeding.
set -euo pipefail
cd "$(dirname "$0")"
./api.sh 1000 10 365
./api.sh 100000 10 365
./api.sh 1000000 10 30
./peer.sh 1000 10 3 365
./sync.sh
