#!/usr/bin/env bash
# Builds the conformance suite's probe image, kubectl-stack/probe:local,
# from test/conformance/probe, FROM scratch, so that nothing is pulled.
# The probe is the image's only file besides /tmp (a scratch image has no
# directories at all, which docker creates for a working_dir and
# Kubernetes for a mount, but a probe writing its report needs none).
# A second run with unchanged sources rebuilds nothing (Docker's cache).
# Prints the image name.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
image=kubectl-stack/probe:local

CGO_ENABLED=0 go build -C "$repo" -trimpath -ldflags "-s -w" -o "$work/probe" ./test/conformance/probe
# The image's own files at /srv/shipped, to see whether a new volume
# mounted there starts with them (docker's copy-up) or empty.
mkdir -p "$work/shipped"
echo "shipped in the image" >"$work/shipped/default.conf"
if ! DOCKER_BUILDKIT=0 docker build -q -t "$image" -f - "$work" >"$work/build.log" 2>&1 <<'DOCKERFILE'
FROM scratch
COPY probe /probe
COPY shipped /srv/shipped
ENTRYPOINT ["/probe"]
DOCKERFILE
then
  cat "$work/build.log" >&2
  exit 1
fi
echo "built $image" >&2
echo "$image"
