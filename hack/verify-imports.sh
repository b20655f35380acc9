#!/usr/bin/env bash
# Each outside library that kubectl-stack adapts is imported by one package
# only, so that its upgrade or replacement touches one place (README,
# Layout). Test files may use the libraries directly. Run by make verify.
set -euo pipefail
cd "$(dirname "$0")/.."
module=$(go list -m)

# library import path prefix -> the only packages (relative to the module) allowed to import it
rules=(
  "github.com/compose-spec/compose-go=pkg/compose"
  "github.com/distribution/reference=pkg/compose"
  "sigs.k8s.io/kind=pkg/kindcluster"
  "github.com/fluxcd/pkg/ssa=pkg/apply"
  "github.com/fluxcd/cli-utils=pkg/apply"
  "k8s.io/client-go/tools/remotecommand=pkg/podio"
  "github.com/moby/moby=pkg/engine"
  "github.com/moby/go-archive=pkg/engine"
  "github.com/moby/patternmatcher=pkg/engine"
  "github.com/moby/buildkit=pkg/dockerfile"
  "github.com/google/go-containerregistry=pkg/engine internal/testutil"
  "github.com/cyphar/filepath-securejoin=pkg/copyup"
  "sigs.k8s.io/kustomize=pkg/render"
  "k8s.io/klog=pkg/log"
  "github.com/spf13/cobra=pkg/cmd pkg/version"
  "k8s.io/cli-runtime=pkg/cmd cmd/kubectl-stack"
)

fail=0
while read -r pkg imports; do
  rel=${pkg#"$module"}; rel=${rel#/}
  for imp in $imports; do
    for rule in "${rules[@]}"; do
      lib=${rule%%=*} allowed=" ${rule#*=} "
      if [[ $imp == "$lib" || $imp == "$lib"/* ]] && [[ $allowed != *" $rel "* ]]; then
        echo "verify-imports: $rel imports $imp; only${allowed% } may (move the use there)" >&2
        fail=1
      fi
    done
  done
done < <(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./...)
exit $fail
