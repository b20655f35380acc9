#!/usr/bin/env bash
# make conformance PROJECT=DIR: compares a compose project under the real
# docker compose and under kubectl stack on a kind cluster ("conformance",
# created on first use and kept), every service's image replaced by the
# probe. Prints one line per behaviour and a tally (docs/conformance.md
# explains the classes). Needs root, as kind does here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
project=${1:?usage: make conformance PROJECT=DIR}
shift # the rest are the suite's flags (go run ./test/conformance/cmd/conformance -h)
[[ -d $project ]] || { echo "conformance: $project is not a directory" >&2; exit 2; }
node_image=$("$repo/hack/kind-setup.sh")
compose=$("$repo/hack/docker-compose.sh")
"$repo/hack/probe-image.sh" >/dev/null
CGO_ENABLED=0 go build -C "$repo" -o "$repo/bin/kubectl-stack" ./cmd/kubectl-stack
go run -C "$repo" ./test/conformance/cmd/conformance -project "$(cd "$project" && pwd)" -compose "$compose" \
  -kubectl-stack "$repo/bin/kubectl-stack" -node-image "$node_image" "$@"
