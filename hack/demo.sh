#!/usr/bin/env bash
# The main job: build the plugin, start the local control plane, and create
# a deployment of the example stack from its git-tracked spec.
#
#   hack/demo.sh up     (a second run reuses the cluster and re-syncs the deployment)
#   hack/demo.sh down   (removes the demo deployment directory, stops the cluster)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state="${KUBECTL_STACK_DEMO:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/demo}"
dep="$state/hello"
stack="bin/kubectl-stack"

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
  echo "== the cluster" >&2
  kubectl get nodes -o wide
  echo "== the deployment directory" >&2
  (cd "$dep" && find . -type f -not -name '*.bak' | sort)
  echo "== deployment.yml" >&2
  cat "$dep/deployment.yml"
  cat >&2 <<MSG

Next:
  export KUBECONFIG=$KUBECONFIG
  $stack create --spec-file examples/hello/ops/spec.yml -d $dep --update   # re-sync after editing the spec
  make demo-down                                                            # clean up
MSG
}

down() {
  rm -rf "$dep"
  hack/local-cluster.sh down
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
