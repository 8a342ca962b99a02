#!/usr/bin/env bash
# fuzz-all.sh DURATION — runs every `func Fuzz…` target in the module for DURATION each.
# Crashers found are written by `go test` under testdata/fuzz and must be committed as regressions.
set -euo pipefail
dur=${1:-10s}
cd "$(dirname "$0")/.."
status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | awk '{print $2}' | sort -u); do
    echo "fuzz $pkg $fn ($dur)"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$dur" "$pkg" || status=1
  done
done
exit $status
