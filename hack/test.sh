#!/usr/bin/env bash
# The README's test command: builds (or reuses) the local control plane's
# binaries, then runs every test. Integration tests use the real control
# plane; with CI set, a missing cluster fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export KUBECTL_STACK_TESTBIN
KUBECTL_STACK_TESTBIN=$(hack/testbin.sh)
# The kind tests need a Docker engine; ../shared/tools starts one the way
# these machines need it (idempotent, about 15 s the first time).
docker_setup=../shared/tools/docker-setup.sh
if ! docker info >/dev/null 2>&1 && [[ -x $docker_setup && $(id -u) == 0 ]]; then
  "$docker_setup"
fi
# Having built the binaries, a skipped integration test would be a bug.
export KUBECTL_STACK_REQUIRE_CLUSTER=1
go vet ./...
go test -count=1 ./...
