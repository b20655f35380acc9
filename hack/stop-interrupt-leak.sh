#!/usr/bin/env bash
# Interrupts kubectl stack stop at random moments and redeploys, to find
# the API server leaking a Service's fixed nodePort (a DELETE cut off
# mid-flight commits but skips releasing the port; see pkg/apply/nodeport.go
# and uncut in pkg/apply/concurrent.go). Runs on the local control plane.
#
#   [PORT=30099] hack/stop-interrupt-leak.sh [INT|KILL] [cycles]   (default INT 300)
#
# Prints the cycle at which a deploy found its nodePort leaked, or that none
# did. With INT (Ctrl-C) none should: stop lets requests in flight finish.
# With KILL the API server can leak and deploy says so; the port (30099)
# then stays held for about ten minutes, failing the next run on it at once.
set -euo pipefail
sig=${1:-INT}
cycles=${2:-300}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cleanup() {
  [[ -d $work/dep ]] && ks stop -d "$work/dep" --delete-volumes --delete-namespace >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
"$repo/hack/local-cluster.sh" up >/dev/null
kc=$("$repo/hack/local-cluster.sh" kubeconfig)
(cd "$repo" && go build -o "$work/kubectl-stack" ./cmd/kubectl-stack)
ks() { "$work/kubectl-stack" --kubeconfig "$kc" "$@"; }
cp -r "$repo/examples/hello" "$work/stack"
ns="leak-$$"
sed -i "s/namespace: hello-demo/namespace: $ns/; s#/var/lib/kubectl-stack-demo/counter#/var/lib/kubectl-stack-leak/$ns#; s/\"30080:80\"/\"${PORT:-30099}:80\"/" "$work/stack/ops/spec.yml"
ks create --spec-file "$work/stack/ops/spec.yml" -d "$work/dep" >/dev/null
export DEMO_REGISTRY_TOKEN=leak-check
start=$(date +%s)
for ((i = 1; i <= cycles; i++)); do
  if ! ks deploy -d "$work/dep" --wait=false >/dev/null 2>"$work/err"; then
    echo "cycle $i: deploy failed after an interrupted stop ($(($(date +%s) - start)) s):"
    tail -2 "$work/err"
    exit 1
  fi
  "$work/kubectl-stack" --kubeconfig "$kc" stop -d "$work/dep" >/dev/null 2>&1 &
  sleep "0.$((RANDOM % 50 + 2))"
  kill -s "$sig" $! 2>/dev/null || true
  wait $! 2>/dev/null || true
  ks stop -d "$work/dep" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
done
echo "$cycles cycles of stop interrupted with SIG$sig in $(($(date +%s) - start)) s: no nodePort leaked"
