#!/usr/bin/env bash
# Measures deploy against kubectl apply -k, the raw server-side apply floor
# (hack/rawapply) and the LIST floor on the local control plane, for
# generated stacks of PODS pods (default 10,50,200,500), in one run; see
# BenchmarkDeploy in test/deploy for what each column is. Builds or reuses
# the local control plane's binaries (hack/testbin.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
KUBECTL_STACK_TESTBIN=$(hack/testbin.sh) KUBECTL_STACK_BENCH_PODS=${PODS:-10,50,200,500} \
  go test -run '^$' -bench '^BenchmarkDeploy$' -benchtime 1x -timeout 90m ./test/deploy/
