#!/usr/bin/env bash
# Lints schema.graphql with graphql-schema-linter, as configured in
# .graphql-schema-linterrc beside this script (README.md says why each
# default rule left out is left out). Fails on any complaint.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
npx --no-install graphql-schema-linter
