#!/usr/bin/env bash
# Time to ready, side by side (issue #30 §3): for each conformance
# scenario, docker compose up -d --wait from nothing against kubectl stack
# deploy onto the running kind cluster ("conformance", kept between runs),
# then each again with nothing changed. Runs every scenario RUNS times
# (default 3) with deploy's default --min-ready and with --min-ready=0
# (pods counted as soon as they are Ready, as docker compose counts
# containers), and prints one line per run. Needs root, as kind does here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
# The copy-up image is made from the plugin when missing: remove one an
# older build made, and let a first, untimed run make it and load it.
docker image rm -f kubectl-stack/copy-up:1 >/dev/null 2>&1 || true
"$repo/hack/conformance.sh" "$repo/test/conformance/scenarios/storage" -settle 1s >/dev/null 2>&1
for scenario in "$repo"/test/conformance/scenarios/*/; do
  name=$(basename "$scenario")
  for flag in --min-ready=5s --min-ready=0; do
    for ((i = 1; i <= runs; i++)); do
      line=$("$repo/hack/conformance.sh" "$scenario" -settle 1s -deploy-flag="$flag" 2>&1 >/dev/null | grep 'time to ready' || true)
      echo "$name $flag run $i: ${line#conformance: time to ready: }"
    done
  done
done
