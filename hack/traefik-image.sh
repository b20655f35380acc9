#!/usr/bin/env bash
# Builds the ingress controller's image offline: Traefik from its Go module
# (pinned in hack/tools/traefik), FROM scratch, tagged as the plugin's
# default controller image (traefik:<version>, pkg/ingress), so that kind
# tests run the controller a user gets without pulling anything. Prints the
# image name.
#
# The binary is cached outside the repository, keyed by version (a cold
# build takes minutes); the image is rebuilt only when missing. An image of
# that name that this script did not build (a pulled official one) is used
# as it is.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tools="$repo/hack/tools/traefik"
log() { echo "traefik-image: $*" >&2; }

version=$(cd "$tools" && go list -m -f '{{.Version}}' github.com/traefik/traefik/v3)
image="traefik:$version"
label="io.kubectl-stack.built-from=github.com/traefik/traefik/v3@$version"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/traefik/$version"
bin="$cache/traefik"

if docker image inspect "$image" >/dev/null 2>&1; then
  log "using image $image"
  echo "$image"
  exit 0
fi

if [[ ! -x $bin ]]; then
  log "building Traefik $version from its Go module (minutes on a cold cache)"
  mkdir -p "$cache"
  start=$SECONDS tmp="$bin.partial.$$"
  trap 'rm -f "$tmp"' EXIT
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$version" \
    -o "$tmp" github.com/traefik/traefik/v3/cmd/traefik)
  mv -f "$tmp" "$bin"
  trap - EXIT
  log "built $bin in $((SECONDS - start))s"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bin" "$work/traefik"
# The legacy builder: it needs no buildx and pulls nothing for scratch.
if ! DOCKER_BUILDKIT=0 docker build -q -t "$image" --label "$label" -f - "$work" >"$work/build.log" 2>&1 <<'DOCKERFILE'
FROM scratch
COPY traefik /traefik
USER 65532:65532
ENTRYPOINT ["/traefik"]
DOCKERFILE
then
  cat "$work/build.log" >&2
  exit 1
fi
log "built image $image"
echo "$image"
