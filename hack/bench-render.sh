#!/usr/bin/env bash
# Measures kubectl stack render --stdout on a generated stack of PODS pod
# files x SERVICES services (default 50 x 4): wall time and peak RSS of the
# whole process, as a user sees them. Needs GNU time (apt-get install time).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
pods=${PODS:-50} services=${SERVICES:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stacks/big" "$work/compose"
{ echo "name: big"; echo "pods:"; for p in $(seq 0 $((pods-1))); do echo "  - pod$p"; done; } >"$work/stacks/big/stack.yml"
{ echo "stack: $work/stacks/big"; echo "deploy-to: k8s"; echo "volumes:"; } >"$work/spec.yml"
for p in $(seq 0 $((pods-1))); do
  mkdir -p "$work/config/pod$p"; echo "setting = 1" >"$work/config/pod$p/app.conf"
  f="$work/compose/docker-compose-pod$p.yml"
  echo "services:" >"$f"
  for s in $(seq 0 $((services-1))); do
    cat >>"$f" <<YAML
  svc$p-$s:
    image: example/svc$p-$s:1
    environment:
      PEER: http://svc$p-0:8000
    ports: ["$((8000+s))"]
    volumes:
      - data$p-$s:/data
      - ../config/pod$p/app.conf:/etc/app.conf:ro
YAML
    echo "  data$p-$s: /srv/big/data$p-$s" >>"$work/spec.yml"
  done
  echo "volumes:" >>"$f"
  for s in $(seq 0 $((services-1))); do echo "  data$p-$s:" >>"$f"; done
done
(cd "$repo" && go build -o "$work/kubectl-stack" ./cmd/kubectl-stack)
"$work/kubectl-stack" create --spec-file "$work/spec.yml" -d "$work/dep" >/dev/null 2>&1
for i in 1 2 3; do
  /usr/bin/time -f "render (tree) ${pods}x${services}: %e s wall, %M KiB max RSS" \
    "$work/kubectl-stack" render -d "$work/dep" --output-dir "$work/tree" 2>&1 >/dev/null | grep '^render'
done
for i in 1 2 3; do
  /usr/bin/time -f "render --stdout (the objects deploy applies) ${pods}x${services}: %e s wall, %M KiB max RSS" \
    "$work/kubectl-stack" render -d "$work/dep" --stdout 2>&1 >/dev/null | grep '^render'
done
echo "objects: $("$work/kubectl-stack" render -d "$work/dep" --stdout 2>/dev/null | grep -c '^kind:')"
