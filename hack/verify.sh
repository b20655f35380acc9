#!/usr/bin/env bash
# Checks that need no cluster: formatting, vet, tidy modules, and that each
# outside library is imported by its one package (verify-imports.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
unformatted=$(gofmt -l cmd pkg test examples internal)
if [[ -n $unformatted ]]; then echo "gofmt needed:"; echo "$unformatted"; fail=1; fi
go vet ./... || fail=1
go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; fail=1; }
hack/verify-imports.sh || fail=1
exit $fail
