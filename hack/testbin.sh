#!/usr/bin/env bash
# Builds the local control plane's binaries (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) from the pinned tool modules
# under hack/tools into a cache outside the repository, keyed by version.
#
#   hack/testbin.sh          build what is missing, print the directory
#   hack/testbin.sh --dir    print the directory only (no build)
#
# A second run is a no-op. Each binary is built to a temporary name and renamed
# into place only when the build succeeded, so a half-written binary is never
# trusted by a later run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tools="$repo/hack/tools"

modversion() { # modversion <tools dir> <module>
  (cd "$tools/$1" && go list -m -f '{{.Version}}' "$2")
}

k8s=$(modversion kube k8s.io/kubernetes)
etcd=$(modversion etcd go.etcd.io/etcd/server/v3)
kwok=$(modversion kwok sigs.k8s.io/kwok)
dir="${KUBECTL_STACK_TESTBIN:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/testbin/k8s-$k8s-etcd-$etcd-kwok-$kwok}"

if [[ ${1:-} == --dir ]]; then echo "$dir"; exit 0; fi

mkdir -p "$dir"
log() { echo "testbin: $*" >&2; }

build() { # build <tools dir> <output name> <package>
  local out="$dir/$2"
  if [[ -x $out ]]; then log "$2 present"; return; fi
  log "building $2 from $3 (this takes minutes on a cold cache)"
  local start=$SECONDS tmp="$out.partial.$$"
  trap 'rm -f "$tmp"' EXIT
  (cd "$tools/$1" && go build -trimpath -o "$tmp" "$3")
  mv -f "$tmp" "$out"
  trap - EXIT
  log "built $2 in $((SECONDS - start))s"
}

build etcd etcd go.etcd.io/etcd/server/v3
build kube kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
build kube kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler
build kwok kwok sigs.k8s.io/kwok/cmd/kwok

# kwok needs stages; the fast node, pod and volume stages ship in its module.
# Rewritten on every run (it is cheap) so that a changed list takes effect.
stages="$dir/kwok-stages.yaml"
src=$(cd "$tools/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
tmp="$stages.partial.$$"
for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
         pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml \
         volume/fast/pvc-provision.yaml volume/fast/pv-bind.yaml \
         volume/fast/pv-delete.yaml volume/fast/pvc-delete.yaml; do
  echo "---"; cat "$src/$f"
done >"$tmp"
mv -f "$tmp" "$stages"

echo "$dir"
