#!/usr/bin/env bash
# The main job: build the plugin, start the local control plane, create a
# deployment of the example stack from its git-tracked spec, deploy it and
# show its status.
#
#   hack/demo.sh up        (a second run reuses the cluster and the deployment)
#   hack/demo.sh down      (removes the demo deployment directory, stops the cluster)
#   hack/demo.sh kind-up   the same stack on a real kind cluster, with its
#                          images built from examples/hello/images (root:
#                          Docker, and the node image built offline once)
#   hack/demo.sh kind-down (stops the deployment and deletes the kind cluster;
#                          the counter's data under kind-mount-root stays)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state="${KUBECTL_STACK_DEMO:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/demo}"
dep="$state/hello"
kind_dep="$state/hello-kind"
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

kind_up() {
  echo "== building kubectl-stack" >&2
  make -s build
  echo "== Docker, a shared root mount and the kind node image (built offline on first use: 15-30 minutes once)" >&2
  image=$(hack/kind-setup.sh)
  echo "== building the example images from examples/hello/images (FROM scratch, nothing is pulled)" >&2
  hack/example-images.sh
  echo "== building the ingress controller image (Traefik, from its Go module, FROM scratch; minutes once)" >&2
  hack/traefik-image.sh >/dev/null
  mkdir -p "$state"
  if [[ -d $kind_dep ]]; then
    echo "== re-syncing $kind_dep from examples/hello/ops/kind-spec.yml" >&2
    "$stack" create --spec-file examples/hello/ops/kind-spec.yml --deployment-dir "$kind_dep" --update
  else
    echo "== creating $kind_dep from examples/hello/ops/kind-spec.yml" >&2
    "$stack" create --spec-file examples/hello/ops/kind-spec.yml --deployment-dir "$kind_dep"
  fi
  echo "== deploying: creates the kind cluster (umbrella mount kind-mount-root -> /mnt) or checks the running one, loads the images" >&2
  "$stack" deploy -d "$kind_dep" --kind-node-image "$image"
  echo "== status" >&2
  "$stack" status -d "$kind_dep"
  echo "== logs (what the containers printed)" >&2
  "$stack" logs -d "$kind_dep"
  cat >&2 <<MSG

Next (the token variable is needed by deploy, restart and diff):
  export DEMO_REGISTRY_TOKEN=demo-token
  curl -H 'Host: hello.localhost' http://127.0.0.1/greeting   # the http-proxy route, served by the ingress controller
  $stack logs -d $kind_dep counter -f                      # follow the counter
  $stack exec -d $kind_dep web -- /hello cat /etc/hello/motd.txt
  $stack ps -d $kind_dep
  $stack kind check-mounts -d $kind_dep
  $stack stop -d $kind_dep --skip-cluster-management && $stack deploy -d $kind_dep   # the counter's marker is found again
  make demo-kind-down                                      # stop and delete the cluster; data under kind-mount-root stays
MSG
}

kind_down() {
  if [[ -d $kind_dep ]]; then
    "$stack" stop -d "$kind_dep" --delete-volumes || true
  fi
  rm -rf "$kind_dep"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  kind-up) kind_up ;;
  kind-down) kind_down ;;
  *) echo "usage: $0 up|down|kind-up|kind-down" >&2; exit 2 ;;
esac
