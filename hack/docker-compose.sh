#!/usr/bin/env bash
# Builds the real docker compose from its Go module (pinned in
# hack/tools/compose), for the conformance suite, and prints the binary's
# path. Cached outside the repository, keyed by version: a cold build takes
# about 4 minutes, a warm one nothing. It negotiates the Engine API
# version, so Debian's Docker 20.10 serves it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tools="$repo/hack/tools/compose"
log() { echo "docker-compose: $*" >&2; }

version=$(cd "$tools" && go list -m -f '{{.Version}}' github.com/docker/compose/v5)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/compose/$version"
bin="$cache/docker-compose"
if [[ ! -x $bin ]]; then
  log "building docker compose $version from its Go module (minutes on a cold cache)"
  mkdir -p "$cache"
  start=$SECONDS tmp="$bin.partial.$$"
  trap 'rm -f "$tmp"' EXIT
  (cd "$tools" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$version" \
    -o "$tmp" github.com/docker/compose/v5/cmd)
  mv -f "$tmp" "$bin"
  trap - EXIT
  log "built $bin in $((SECONDS - start))s"
fi
echo "$bin"
