#!/usr/bin/env bash
# The README's test command: builds (or reuses) the local control plane's
# binaries and the kind node image, then runs every test. Integration tests
# use the real local control plane; the end-to-end tests (test/e2e) real
# kind clusters on a real Docker engine, one after another, after the other
# packages (so that no fake kind node of theirs is running). With CI set, a
# missing cluster, Docker engine or node image fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

export KUBECTL_STACK_TESTBIN
KUBECTL_STACK_TESTBIN=$(hack/testbin.sh)
if [[ $(id -u) == 0 ]]; then
  # The tests check rendered trees with kubectl's own kustomize and apply.
  command -v kubectl >/dev/null || { apt-get update -qq && apt-get install -y -qq kubectl; }
  export KUBECTL_STACK_KIND_NODE_IMAGE
  KUBECTL_STACK_KIND_NODE_IMAGE=$(hack/kind-setup.sh)
  # The ingress controller's default image, which deploy loads into kind.
  hack/traefik-image.sh >/dev/null
  # Having set them up, a skipped integration or e2e test would be a bug.
  export KUBECTL_STACK_REQUIRE_DOCKER=1 KUBECTL_STACK_REQUIRE_KIND=1
else
  echo "test: not root, so no Docker engine or kind node image is set up; the kind tests skip (CI runs them as root)" >&2
fi
export KUBECTL_STACK_REQUIRE_CLUSTER=1
hack/verify.sh
go test -count=1 $(go list ./... | grep -v /test/e2e)
go test -count=1 -p 1 -timeout 45m -v ./test/e2e
