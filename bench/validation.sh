#!/usr/bin/env bash
# Measures the CPU a query costs before it runs (parsing, the field bound,
# validation) and writes bench/results/validation.md.
# Usage: bench/validation.sh [benchtime, such as 2s]
set -euo pipefail
cd "$(dirname "$0")/.."
# The approved Go: go1.27.3, which the Go module proxy serves (go.mod's
# toolchain line); a machine's own Go may be older.
export GOTOOLCHAIN=go1.27.3
benchtime=${1:-2s}
out=bench/results/validation.md
raw=$(go test -run '^$' -bench RepeatedFields -benchtime "$benchtime" ./api/)
{
  echo "# The CPU of a query before it runs"
  echo
  echo "Produced by \`bench/validation.sh $benchtime\` on $(date -u +%Y-%m-%d), on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(go version | cut -d' ' -f3), which runs \`go test -run '^\$' -bench RepeatedFields -benchtime $benchtime ./api/\` (\`BenchmarkRepeatedFields\` in \`api/bench_test.go\`)."
  echo "Each request goes through the GraphQL handler with a comment of its own, so that the parsed-query cache serves none of them; one request at a time, so its time is its CPU on an idle machine."
  echo
  echo "- **refused-4000**: \`{ member(handle: \"ada.dynamics\") { handle handle ... } }\`, 4,000 times \`handle\` (30 KB), refused by the field bound (200 fields in one selection set) before validation."
  echo "- **unbounded-4000**: the same query with the field bound off, as it was answered before the bound: validated, then refused by its cost so that nothing runs."
  echo "- **front-page**: the front page of \`bench/apibench\` (30 fields), validated, then refused by its cost so that nothing runs: what a new query of a front end costs before it runs."
  echo "- **at-bound-one-name**: the costliest shape found within the bounds: 495 times \`handle\` in three \`member\` fields (200, 200 and 95, 498 selections), whose sets validation merges and compares field by field; validated, then refused by its cost."
  echo "- **at-bound-fragments**: 166 fragments of two fields spread in one selection set (499 selections), each compared with the others; validated, then refused by its cost."
  echo
  echo "| request | time per request, one goroutine | query bytes per second |"
  echo "| --- | --- | --- |"
  echo "$raw" | awk '/^BenchmarkRepeatedFields\// {
    name = $1; sub(/^BenchmarkRepeatedFields\//, "", name); sub(/-[0-9]+$/, "", name)
    ns = $3
    if (ns >= 1e9) t = sprintf("%.2f s", ns / 1e9); else if (ns >= 1e6) t = sprintf("%.2f ms", ns / 1e6); else t = sprintf("%.0f µs", ns / 1e3)
    printf "| %s | %s | %s %s |\n", name, t, $5, $6
  }'
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
