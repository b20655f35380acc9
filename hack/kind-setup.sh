#!/usr/bin/env bash
# Gets this machine ready for real kind clusters and prints the node image
# to use. Idempotent: a second run takes about a second.
#  1. A Docker engine (../shared/tools/docker-setup.sh, when Docker does not
#     answer).
#  2. A shared root mount: kind binds volumes with HostToContainer
#     propagation, which Docker refuses below a private mount
#     (kubectl stack kind create says so too).
#  3. The kind node image, built offline by
#     ../shared/tools/kind-node-image/build.sh (about 15-30 minutes the first
#     time, cached in ~/.cache/kind-offline; seconds once it is current),
#     unless KUBECTL_STACK_KIND_NODE_IMAGE names an image already present.
# Needs root (Docker, mount, debootstrap).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tools="$repo/../shared/tools"
image="${KUBECTL_STACK_KIND_NODE_IMAGE:-local/kind-node:v1.37.2}"
log() { echo "kind-setup: $*" >&2; }

[[ $(id -u) == 0 ]] || { log "needs root (Docker engine, mount propagation, node image build)"; exit 1; }
if ! docker info >/dev/null 2>&1; then
  [[ -x $tools/docker-setup.sh ]] || { log "no Docker engine and no $tools/docker-setup.sh to start one"; exit 1; }
  "$tools/docker-setup.sh" >&2
fi
if awk '$5 == "/" && $0 !~ / shared:/ {found = 1} END {exit !found}' /proc/self/mountinfo; then
  log "making / a shared mount (mount --make-rshared /) for kind's HostToContainer mounts"
  mount --make-rshared /
fi
if docker image inspect "$image" >/dev/null 2>&1 && [[ $image != local/kind-node:* ]]; then
  log "using node image $image"
elif [[ $image == local/kind-node:* && -x $tools/kind-node-image/build.sh ]]; then
  log "building (or reusing) node image $image with $tools/kind-node-image/build.sh; log: /tmp/kind-node-image.log"
  start=$SECONDS
  if ! "$tools/kind-node-image/build.sh" "$image" >/tmp/kind-node-image.log 2>&1; then
    tail -n 40 /tmp/kind-node-image.log >&2
    log "the node image build failed"
    exit 1
  fi
  log "node image $image ready ($((SECONDS - start))s)"
else
  log "node image $image is not present and cannot be built here"
  exit 1
fi
echo "$image"
