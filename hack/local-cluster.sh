#!/usr/bin/env bash
# The local control plane for people and the demo, in the background.
#
#   hack/local-cluster.sh up          start it (building the binaries on first use)
#   hack/local-cluster.sh down        stop it
#   hack/local-cluster.sh kubeconfig  print the kubeconfig path of the running cluster
#
# Nodes are simulated by kwok: pods are scheduled and become Running, but no
# container really runs (no logs, no exec). kind gives real containers.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state="${KUBECTL_STACK_LOCAL_CLUSTER:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-stack/local-cluster}"
pidfile="$state/pid"

running() { [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

up() {
  if running && [[ -f $state/ready ]]; then
    echo "local cluster already running (pid $(cat "$pidfile"))" >&2
  else
    mkdir -p "$state"
    "$repo/hack/testbin.sh" >/dev/null
    echo "building the local-cluster runner" >&2
    (cd "$repo" && go build -o "$state/local-cluster" ./test/cluster/cmd/local-cluster)
    rm -f "$state/ready"
    echo "starting the local cluster (log: $state/local-cluster.log)" >&2
    # The runner finds hack/testbin.sh from its working directory.
    (cd "$repo" && exec nohup "$state/local-cluster" --dir "$state" </dev/null >"$state/local-cluster.log" 2>&1) &
    echo $! >"$pidfile"
    for _ in $(seq 1 240); do
      [[ -f $state/ready ]] && break
      if ! running; then echo "the local cluster failed to start; see $state/local-cluster.log:" >&2; tail -20 "$state/local-cluster.log" >&2; exit 1; fi
      sleep 0.5
    done
    [[ -f $state/ready ]] || { echo "the local cluster did not become ready in 120s; see $state/local-cluster.log" >&2; exit 1; }
  fi
  echo "kubeconfig: $state/kubeconfig" >&2
  echo "export KUBECONFIG=$state/kubeconfig"
}

down() {
  if ! running; then echo "local cluster not running" >&2; rm -f "$pidfile" "$state/ready"; return; fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "local cluster (pid $pid) did not stop in 30s" >&2; exit 1; fi
  rm -f "$pidfile" "$state/ready"
  echo "local cluster stopped" >&2
}

kubeconfig() {
  running && [[ -f $state/ready ]] || { echo "local cluster not running; start it with hack/local-cluster.sh up" >&2; exit 1; }
  echo "$state/kubeconfig"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  kubeconfig) kubeconfig ;;
  *) echo "usage: $0 up|down|kubeconfig" >&2; exit 2 ;;
esac
