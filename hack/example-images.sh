#!/usr/bin/env bash
# Builds the example stack's images from the Go sources under
# examples/hello/images, FROM scratch, so that nothing is pulled:
#   kubectl-stack/hello-web:local      (runs "hello web")
#   kubectl-stack/hello-counter:local  (runs "hello counter"; the seed job too)
# A second run with unchanged sources rebuilds nothing (Docker's cache).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -C "$repo" -trimpath -ldflags "-s -w" -o "$work/hello" ./examples/hello/images/hello
for svc in web counter; do
  # The legacy builder: it needs no buildx and pulls nothing for scratch.
  if ! DOCKER_BUILDKIT=0 docker build -q -t "kubectl-stack/hello-$svc:local" -f - "$work" >"$work/build.log" 2>&1 <<DOCKERFILE
FROM scratch
COPY hello /hello
ENTRYPOINT ["/hello"]
CMD ["$svc"]
DOCKERFILE
  then
    cat "$work/build.log" >&2
    exit 1
  fi
  echo "built kubectl-stack/hello-$svc:local" >&2
done
