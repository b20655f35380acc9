#!/usr/bin/env bash
# The main job: build the plugin, start the local control plane, create a
# deployment of the example stack from its git-tracked spec, deploy it and
# show its status.
#
#   hack/demo.sh up     (a second run reuses the cluster and the deployment)
#   hack/demo.sh down   (removes the demo deployment directory, stops the cluster)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state="${KUBECTL_STACK_DEMO:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/demo}"
dep="$state/hello"
stack="bin/kubectl-stack"
# The example pulls from a private registry: its token comes from this
# variable at deploy time and is never stored. Any value does for the demo.
export DEMO_REGISTRY_TOKEN="${DEMO_REGISTRY_TOKEN:-demo-token}"

up() {
  echo "== building kubectl-stack" >&2
  make -s build
  echo "== starting the local control plane (binaries are built on first use: ~10-20 minutes once)" >&2
  eval "$(hack/local-cluster.sh up)"
  mkdir -p "$state"
  if [[ -d $dep ]]; then
    echo "== re-syncing the demo deployment $dep from examples/hello/ops/spec.yml" >&2
    "$stack" create --spec-file examples/hello/ops/spec.yml --deployment-dir "$dep" --update
  else
    echo "== creating the demo deployment $dep from examples/hello/ops/spec.yml" >&2
    "$stack" create --spec-file examples/hello/ops/spec.yml --deployment-dir "$dep"
  fi
  echo "== deployment.yml" >&2
  cat "$dep/deployment.yml"
  echo "== deploying (nodes are simulated by kwok: pods run, containers do not)" >&2
  "$stack" deploy -d "$dep"
  echo "== status" >&2
  "$stack" status -d "$dep"
  cat >&2 <<MSG

Next (the token variable is needed by deploy and diff):
  export KUBECONFIG=$KUBECONFIG DEMO_REGISTRY_TOKEN=demo-token
  $stack diff -d $dep --image web=example/web:2        # what a new image would change
  $stack render -d $dep --stdout | less                 # the objects, as kustomize builds them
  $stack create --spec-file examples/hello/ops/spec.yml -d $dep --update && $stack deploy -d $dep
  $stack stop -d $dep                                   # volumes and data stay
  make demo-down                                        # remove the demo deployment, stop the cluster
MSG
}

down() {
  if [[ -d $dep ]] && hack/local-cluster.sh kubeconfig >/dev/null 2>&1; then
    KUBECONFIG=$(hack/local-cluster.sh kubeconfig) "$stack" stop -d "$dep" --delete-volumes --delete-namespace || true
  fi
  rm -rf "$dep"
  hack/local-cluster.sh down
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
