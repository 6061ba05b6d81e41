#!/usr/bin/env bash
# Builds mvpgraph, serves it on a free local port with a fresh SQLite
# database, and runs the graphql-http server audit against it. Fails on
# any error or warning.
set -euo pipefail
cd "$(dirname "$0")"
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
npm ci --no-audit --no-fund --silent
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
(cd ../.. && go build -o "$dir/mvpgraph" ./cmd/mvpgraph)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
MVPGRAPH_DATABASE_URL="sqlite:$dir/audit.db" "$dir/mvpgraph" serve --addr "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
node audit.mjs "http://127.0.0.1:$port/graphql"
