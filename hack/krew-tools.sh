#!/usr/bin/env bash
# Builds krew and validate-krew-manifest from sigs.k8s.io/krew (pinned in
# hack/tools/krew), for the test that validates the plugin's manifest and
# installs it with krew. The binaries are cached outside the repository,
# keyed by version; prints the directory that holds them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tools="$repo/hack/tools/krew"
version=$(cd "$tools" && go list -m -f '{{.Version}}' sigs.k8s.io/krew)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/krew/$version"
if [[ ! -x $cache/krew || ! -x $cache/validate-krew-manifest ]]; then
  echo "krew-tools: building krew $version from its Go module" >&2
  mkdir -p "$cache"
  start=$SECONDS
  for cmd in krew validate-krew-manifest; do
    (cd "$tools" && CGO_ENABLED=0 go build -trimpath -o "$cache/$cmd.partial.$$" "sigs.k8s.io/krew/cmd/$cmd")
    mv -f "$cache/$cmd.partial.$$" "$cache/$cmd"
  done
  echo "krew-tools: built in $((SECONDS - start))s" >&2
fi
echo "$cache"
